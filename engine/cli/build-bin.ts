// `npm run build`'s last step: the installed `gx` command. tsc has written dist/ (the library, the
// API); this bundles the gx command into one CommonJS module body, dist/engine/cli/gx.cjs, wrapped
// in the function CommonJS would wrap it in (npm packages included, source map beside it), and puts the launcher (bin.ts: runs it through a V8 code cache)
// at dist/engine/cli/main.js, the package's bin. One file to read and compile instead of ~400
// (issue 16: start-up). Kept outside the bundle: cpu-features (native), kubernetes-models (loaded
// by file path), which gx loads with require(), and native bindings (see nativeBindings).
// No dynamic import() may reach outside the bundle: a script run from a V8 code cache has no
// import() callback (Node 20: ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING), so the build refuses one.
// An import() of bundled code is fine: esbuild turns it into a lazy require.
import { chmodSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const EXTERNAL = ['cpu-features', 'kubernetes-models'];

/**
 * ssh2 is bundled (so its code is in the code cache too), but its native crypto binding is a
 * file next to ssh2's own: its relative require becomes one through the package, which Node finds
 * wherever npm put ssh2. Without the binding ssh2 would quietly fall back to slower ciphers.
 */
/**
 * engine/connect/ssh/ssh2.ts loads ssh2 on first use through createRequire, which esbuild cannot
 * follow. In the bundle the same lazy load is a plain require('ssh2'): esbuild bundles it and runs
 * its code only on that first call.
 */
const lazySsh2: Plugin = {
  name: 'lazy-ssh2',
  setup(b) {
    b.onLoad({ filter: /[\\/]engine[\\/]connect[\\/]ssh[\\/]ssh2\.ts$/ }, () => ({
      loader: 'js',
      contents: "let loaded; export function ssh2() { return (loaded ??= require('ssh2')); }",
    }));
  },
};

const nativeBindings: Plugin = {
  name: 'native-bindings',
  setup(b) {
    b.onResolve({ filter: /\.node$/ }, (args) => {
      const abs = resolve(args.resolveDir, args.path);
      const at = abs.lastIndexOf('/node_modules/');
      if (at < 0) throw new Error(`native binding outside node_modules: ${abs}`);
      return { path: abs.slice(at + '/node_modules/'.length), external: true };
    });
  },
};

/** writes gx.cjs (+ map) and main.js into `out` (package.json must be two or three levels above it) */
export async function buildBin(out = join(repo, 'dist', 'engine', 'cli')): Promise<void> {
  rmSync(join(out, 'chunks'), { recursive: true, force: true });
  const { metafile } = await build({
    entryPoints: [join(repo, 'engine', 'cli', 'main.ts')],
    metafile: true,
    outfile: join(out, 'gx.cjs'),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: EXTERNAL,
    plugins: [lazySsh2, nativeBindings],
    sourcemap: true,
    // code stays ASCII (esbuild escapes strings, identifiers, regular expressions): see below
    charset: 'ascii',
    // the bundle is CommonJS: import.meta.url is the bundle's own URL (version.ts finds package.json by it)
    define: { 'import.meta.url': '__gxBundleUrl' },
    banner: { js: "var __gxBundleUrl = require('node:url').pathToFileURL(__filename).href;" },
    logLevel: 'warning',
  });
  // all ASCII, so the launcher reads it as latin1, a one-byte string (a UTF-8 decode of the few
  // non-ASCII characters esbuild leaves, all in comments, made a two-byte copy: tens of ms a start)
  const bundleFile = join(out, 'gx.cjs');
  // and wrapped as CommonJS wraps a module (on the first line, so line numbers stay right), so the
  // launcher compiles the file's text as it is: the #! line esbuild keeps from main.ts goes
  const ascii = readFileSync(bundleFile, 'utf8')
    .replace(/^#!.*/, '')
    .replace(/[^\x00-\x7f]/gu, (c) => `\\u{${c.codePointAt(0)!.toString(16)}}`);
  writeFileSync(bundleFile, `(function (exports, require, module, __filename, __dirname) {${ascii}\n})`);
  const outside = Object.entries(metafile.inputs).flatMap(([file, input]) => input.imports.filter((i) => i.kind === 'dynamic-import' && i.external).map((i) => `${file}: import('${i.path}')`));
  if (outside.length) throw new Error(`gx.cjs would keep a dynamic import() (it fails under the code cache; bundle the package or require() it): ${outside.join(', ')}`);
  await build({
    entryPoints: [join(repo, 'engine', 'cli', 'bin.ts')],
    outfile: join(out, 'main.js'),
    // one file still: the launcher's own import (engine/cache-dir.ts) goes in, node: built-ins stay out
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'warning',
  });
  chmodSync(join(out, 'main.js'), 0o755);
  // tsc's map of engine/cli/main.ts would describe the launcher wrongly
  rmSync(join(out, 'main.js.map'), { force: true });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) await buildBin();
