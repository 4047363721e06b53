// Builds the API's image layer without Docker: compiled JS + production node_modules, as a
// gzipped tar whose entries sit under app/ (WORKDIR /app), owned by uid:gid 1000:1000 (the `node`
// user of the official Node images), with fixed mtimes and sorted names so the same sources give
// the same digest. The cluster role appends it onto the Node base image with registry-push.
//
//   node --import tsx api/scripts/package-layer.ts [--out FILE] [--prefix app] [--uid 1000] [--gid 1000]
//
// Prints one JSON line: the layer path, its digest (sha256 of the .tar.gz), its diff_id (sha256 of
// the tar) and the image config the layer expects (user, workdir, command).
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

interface LockEntry {
  version?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  link?: boolean;
}

export interface LayerOptions {
  out: string;
  prefix: string;
  uid: number;
  gid: number;
}

export interface LayerResult {
  layer: string;
  digest: string;
  diffId: string;
  size: number;
  packages: string[];
  config: { User: string; WorkingDir: string; Cmd: string[]; Env: string[] };
}

/**
 * The lock paths of every package the runtime manifest needs, following Node's resolution:
 * a dependency of the package at P is P/node_modules/D if the lock has it, else the same lookup
 * one node_modules level up, ending at the top-level node_modules/D.
 */
export function productionClosure(lock: Record<string, LockEntry>, roots: string[]): string[] {
  const found = new Set<string>();
  const resolveFrom = (from: string, name: string): string | undefined => {
    let base = from;
    for (;;) {
      const candidate = base ? `${base}/node_modules/${name}` : `node_modules/${name}`;
      if (lock[candidate]) return candidate;
      if (!base) return undefined;
      const cut = base.lastIndexOf('/node_modules/');
      base = cut >= 0 ? base.slice(0, cut) : '';
    }
  };
  const visit = (from: string, name: string, optional: boolean): void => {
    const path = resolveFrom(from, name);
    if (!path) {
      if (optional) return;
      throw new Error(`package-lock.json has no installed package "${name}" needed by ${from || 'the API'}`);
    }
    if (found.has(path)) return;
    found.add(path);
    const e = lock[path]!;
    for (const d of Object.keys(e.dependencies ?? {})) visit(path, d, false);
    for (const d of Object.keys(e.optionalDependencies ?? {})) visit(path, d, true);
    // an installed peer is loaded at runtime by the package that declares it
    for (const d of Object.keys(e.peerDependencies ?? {})) visit(path, d, true);
  };
  for (const r of roots) visit('', r, false);
  // type declarations (e.g. jwks-rsa depends on @types/jsonwebtoken) are never loaded at runtime
  return [...found].filter((p) => !/(^|\/)node_modules\/@types\//.test(p)).sort();
}

function run(cmd: string, args: string[], cwd = REPO): void {
  const r = spawnSync(cmd, args, { cwd, stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${String(r.status ?? r.signal)})`);
}

export function packageLayer(opts: LayerOptions): LayerResult {
  const stage = mkdtempSync(join(tmpdir(), 'gx-api-layer-'));
  try {
    const app = join(stage, opts.prefix);
    mkdirSync(app, { recursive: true });

    // 1. compiled JavaScript: dist/api/src/*.js, dist/api/migrations/*.js
    run(join(REPO, 'node_modules', '.bin', 'tsc'), ['-p', join(REPO, 'api', 'tsconfig.build.json'), '--outDir', join(app, 'dist')]);
    if (!existsSync(join(app, 'dist', 'api', 'src', 'main.js'))) throw new Error('the build produced no dist/api/src/main.js');

    // 2. the runtime manifest becomes the app's package.json ("type": "module" makes the .js ESM)
    const manifest = JSON.parse(readFileSync(join(REPO, 'api', 'package.runtime.json'), 'utf8')) as { dependencies: Record<string, string> };
    writeFileSync(join(app, 'package.json'), JSON.stringify(manifest, null, 2) + '\n');

    // 3. production node_modules: only the closure of the runtime dependencies, copied as installed
    const lock = JSON.parse(readFileSync(join(REPO, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };
    const packages = productionClosure(lock.packages, Object.keys(manifest.dependencies));
    for (const p of packages) {
      const src = join(REPO, p);
      if (!existsSync(src)) throw new Error(`${p} is in package-lock.json but not installed`);
      // nested node_modules are packages of their own: copied when (and only if) the closure has them
      cpSync(src, join(app, p), { recursive: true, dereference: true, filter: (s) => !s.slice(src.length).includes('/node_modules') && !s.endsWith('/.bin') });
    }

    // 4. the tarball: fixed owner, mode, mtime and order; gzip without name or time
    const out = resolve(opts.out);
    mkdirSync(dirname(out), { recursive: true });
    const tar = execFileSync(
      'tar',
      ['--create', '--sort=name', '--mtime=@0', `--owner=${opts.uid}`, `--group=${opts.gid}`, '--numeric-owner', '--mode=u+rwX,go+rX,go-w', '--format=posix', '--pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime', '-C', stage, opts.prefix],
      { maxBuffer: 1 << 30 },
    );
    const gz = execFileSync('gzip', ['-n', '-6'], { input: tar, maxBuffer: 1 << 30 });
    writeFileSync(out, gz);
    const sha = (b: Buffer): string => 'sha256:' + createHash('sha256').update(b).digest('hex');
    // sanity: what is on disk is exactly what was hashed
    if (sha(gunzipSync(readFileSync(out))) !== sha(tar)) throw new Error('layer changed while writing');
    return {
      layer: out,
      digest: sha(gz),
      diffId: sha(tar),
      size: statSync(out).size,
      packages: packages.map((p) => p.replace(/^node_modules\//, '')),
      config: {
        User: `${opts.uid}:${opts.gid}`,
        WorkingDir: `/${opts.prefix}`,
        Cmd: ['node', 'dist/api/src/main.js'],
        Env: ['NODE_ENV=production'],
      },
    };
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

function parseArgs(argv: string[]): LayerOptions {
  const opts: LayerOptions = { out: join(REPO, 'dist', 'api-layer.tar.gz'), prefix: 'app', uid: 1000, gid: 1000 };
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (value === undefined) throw new Error(`${flag} needs a value`);
    if (flag === '--out') opts.out = value;
    else if (flag === '--prefix' && /^[a-z0-9][a-z0-9._-]*$/.test(value)) opts.prefix = value;
    else if ((flag === '--uid' || flag === '--gid') && /^\d+$/.test(value)) opts[flag === '--uid' ? 'uid' : 'gid'] = Number(value);
    else throw new Error(`unknown or invalid option ${flag} ${value}`);
  }
  return opts;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const result = packageLayer(parseArgs(process.argv.slice(2)));
    process.stdout.write(JSON.stringify({ ...result, packages: result.packages.length }) + '\n');
  } catch (err) {
    process.stderr.write(`package-layer: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
}
