// The user's own gx cache directory: ~/.cache/gx, or $XDG_CACHE_HOME/gx. It holds the code cache and
// parsed YAML (engine/cli/bin.ts, engine/load/yaml-cache.ts) and the SSH connection holder's socket
// (engine/connect/ssh/holder.ts), so it is used only while nobody else can write to it: what is read
// back from there is run as it is, and its socket reaches the user's hosts.
import { mkdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** whether `dir` is the user's, and none of the `mask` permission bits are set for others */
export function isPrivateDir(dir: string, mask = 0o022): boolean {
  if (typeof process.getuid !== 'function') return false;
  const st = statSync(dir);
  return st.uid === process.getuid() && (st.mode & mask) === 0;
}

/**
 * the directory (made 0700 when missing), or undefined when someone else could write to it (the
 * default `mask`), or, with 0o077, do anything in it
 */
export function privateCacheDir(env: NodeJS.ProcessEnv = process.env, mask = 0o022): string | undefined {
  if (typeof process.getuid !== 'function') return undefined;
  const dir = join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'gx');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return isPrivateDir(dir, mask) ? dir : undefined;
}
