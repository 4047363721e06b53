// The user's own gx cache directory: ~/.cache/gx, or $XDG_CACHE_HOME/gx. It holds the code cache and
// parsed YAML (engine/cli/bin.ts, engine/load/yaml-cache.ts) and the SSH connection holder's socket
// (engine/connect/ssh/holder.ts), so it is used only while nobody else can write to it: what is read
// back from there is run as it is, and its socket reaches the user's hosts.
import { mkdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** the directory (made 0700 when missing), or undefined when someone else could write to it */
export function privateCacheDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (typeof process.getuid !== 'function') return undefined;
  const dir = join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'gx');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const st = statSync(dir);
  if (st.uid !== process.getuid() || (st.mode & 0o022) !== 0) return undefined;
  return dir;
}
