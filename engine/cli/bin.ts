#!/usr/bin/env node
// The installed `gx` command (dist/engine/cli/main.js, built by engine/cli/build-bin.ts): it runs
// the gx bundle (gx.cjs beside it) through a V8 code cache, so a start does not parse and compile
// megabytes of JavaScript again (issue 16: most of a trivial play's start-up). Node 22 has
// module.enableCompileCache for this; Node 20 has not, hence vm.Script's cachedData here.
// The cache lives in the user's own cache directory (~/.cache/gx or $XDG_CACHE_HOME/gx, mode
// 0700), keyed by the bundle (path, size, mtime), Node's version and flags; V8 rejects a cache it
// cannot use, and then it is written again. Anything wrong with the cache = run without it.
// GX_NO_COMPILE_CACHE=1 turns it off. The same directory holds parsed YAML (engine/load/yaml-cache.ts).
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { privateCacheDir } from '../cache-dir.js';

const here = dirname(fileURLToPath(import.meta.url));
const bundle = join(here, 'gx.cjs');
const requireFromBundle = createRequire(bundle);

const hash = (parts: unknown[]): string => createHash('sha256').update(parts.join('\0')).digest('hex').slice(0, 16);

/** where this bundle's code cache is in `dir`, for the bundle as `b` describes it */
function compileCachePath(dir: string, b: { size: number; mtimeMs: number }): string {
  return join(dir, `compile-${hash([bundle])}-${hash([process.version, process.arch, process.execArgv.join(' '), b.size, b.mtimeMs])}.bin`);
}

/** a new cache replaces the caches of earlier builds of the same bundle (same path) */
function pruneOlder(cacheFile: string): void {
  const dir = dirname(cacheFile);
  const name = cacheFile.slice(dir.length + 1);
  const prefix = name.slice(0, name.lastIndexOf('-') + 1);
  for (const f of readdirSync(dir)) if (f !== name && f.startsWith(prefix) && f.endsWith('.bin')) rmSync(join(dir, f), { force: true });
}

function readCache(file: string): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch {
    return undefined;
  }
}

/** runs the bundle (a CommonJS module body, wrapped by build-bin.ts as CommonJS would), through the code cache when there is one */
function run(cacheFile: string | undefined): void {
  const cached = cacheFile ? readCache(cacheFile) : undefined;
  // read as is: no copy to wrap it or to cut a #! line (one 5 MB string, not three);
  // latin1, as build-bin.ts makes the bundle pure ASCII, and a one-byte string is the fast one to read
  const source = readFileSync(bundle, 'latin1');
  // no import() callback: the bundle has no dynamic import (build-bin.ts refuses one)
  const script = new vm.Script(source, { filename: bundle, cachedData: cached });
  if (cacheFile && (!cached || script.cachedDataRejected)) {
    // written at exit, so it holds what this run compiled (not only the top level)
    process.once('exit', () => {
      try {
        const tmp = `${cacheFile}.${process.pid}.tmp`;
        writeFileSync(tmp, script.createCachedData(), { mode: 0o600 });
        renameSync(tmp, cacheFile);
        pruneOlder(cacheFile);
      } catch {
        // no cache this time
      }
    });
  }
  const module = { exports: {} };
  (script.runInThisContext() as (...a: unknown[]) => void)(module.exports, requireFromBundle, module, bundle, here);
}

let cacheFile: string | undefined;
try {
  const dir = privateCacheDir();
  if (dir !== undefined) {
    const b = statSync(bundle);
    if (process.env.GX_NO_COMPILE_CACHE !== '1') cacheFile = compileCachePath(dir, b);
    // parsed YAML kept between runs (engine/load/yaml-cache.ts), per build of the bundle
    (globalThis as Record<symbol, unknown>)[Symbol.for('gx.parseCache')] = { dir, build: hash([bundle, b.size, b.mtimeMs]) };
  }
} catch {
  cacheFile = undefined;
}
run(cacheFile);
