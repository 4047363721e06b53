// The layer tarball: what it must hold (compiled JS, runtime manifest, production node_modules),
// what it must not (dev dependencies, engine-only packages, TypeScript sources), who owns it, and
// that the extracted layer really runs the migration command and the server as uid 1000.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { packageLayer, productionClosure, type LayerResult } from '../../api/scripts/package-layer.js';
import { freshDatabase, type TestDatabase } from './helpers/database.js';
import { CLIENT_ID, OidcIssuer } from './helpers/oidc-issuer.js';
import { REPO } from './helpers/child-api.js';
import { spawn } from 'node:child_process';

describe('api: package-layer script (layer tarball for the Node base image)', function () {
  this.timeout(120_000);
  let dir: string;
  let result: LayerResult;
  let entries: Array<{ mode: string; owner: string; path: string }>;

  before(function () {
    dir = mkdtempSync(join(tmpdir(), 'gx-layer-test-'));
    // uid 1000 must reach the extracted layer below
    chmodSync(dir, 0o755);
    result = packageLayer({ out: join(dir, 'layer.tar.gz'), prefix: 'app', uid: 1000, gid: 1000 });
    entries = execFileSync('tar', ['-tzvf', result.layer, '--numeric-owner'], { encoding: 'utf8', maxBuffer: 1 << 28 })
      .trim()
      .split('\n')
      .map((l) => {
        const [mode, owner, , , , ...rest] = l.split(/\s+/);
        return { mode: mode!, owner: owner!, path: rest.join(' ') };
      });
  });

  after(function () {
    rmSync(dir, { recursive: true, force: true });
  });

  const paths = (): string[] => entries.map((e) => e.path);

  it('holds the compiled service, its migrations and the runtime manifest under app/', function () {
    expect(paths()).to.include.members([
      'app/package.json',
      'app/dist/api/src/main.js',
      'app/dist/api/src/migrate.js',
      'app/dist/api/migrations/001_create_tasks.js',
      'app/dist/api/migrations/002_notify_task_changes.js',
    ]);
    expect(paths().every((p) => p.startsWith('app/') && !p.includes('..'))).to.equal(true);
    expect(paths().filter((p) => /\.ts$/.test(p) && !p.endsWith('.d.ts') && !p.includes('/node_modules/'))).to.deep.equal([]);
    const manifest = JSON.parse(execFileSync('tar', ['-xzOf', result.layer, 'app/package.json'], { encoding: 'utf8' }));
    expect(manifest.type).to.equal('module');
  });

  it('holds every runtime dependency and nothing only the dev dependencies or the engine need', function () {
    for (const pkg of ['koa', 'koa-jwt', 'jwks-rsa', 'jose', 'knex', 'pg', 'pino', 'prom-client', 'ajv', 'find-my-way', 'koa-compose']) {
      expect(paths(), pkg).to.include(`app/node_modules/${pkg}/package.json`);
    }
    const top = new Set(paths().map((p) => /^app\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(p)?.[1]).filter(Boolean));
    for (const dev of ['mocha', 'chai', 'typescript', 'tsx', 'autocannon', '@types/node', '@types/mocha', '@types/koa', 'ssh2', 'handlebars', 'commander']) {
      expect(top.has(dev), dev).to.equal(false);
    }
    const lock = JSON.parse(readFileSync(join(REPO, 'package-lock.json'), 'utf8')).packages as Record<string, { dev?: boolean }>;
    const devOnly = [...top].filter((name) => lock[`node_modules/${name!}`]?.dev === true);
    expect(devOnly).to.deep.equal([]);
    expect(paths().some((p) => p.includes('/.bin/'))).to.equal(false);
  });

  it('is owned by 1000:1000 with no group- or world-writable entries', function () {
    for (const e of entries) {
      expect(e.owner, e.path).to.equal('1000/1000');
      expect(e.mode[5] !== 'w' && e.mode[8] !== 'w', `${e.mode} ${e.path}`).to.equal(true);
    }
    expect(result.config).to.deep.include({ User: '1000:1000', WorkingDir: '/app', Cmd: ['node', 'dist/api/src/main.js'] });
  });

  it('reports digests that match the file and the uncompressed tar', function () {
    const sha = (args: string[]): string => 'sha256:' + execFileSync('sh', ['-c', ...args], { encoding: 'utf8' }).split(' ')[0];
    expect(result.digest).to.equal(sha([`sha256sum < '${result.layer}'`]));
    expect(result.diffId).to.equal(sha([`gzip -dc '${result.layer}' | sha256sum`]));
  });

  it('resolves nested versions the way Node does', function () {
    const lock = {
      'node_modules/a': { dependencies: { b: '1' } },
      'node_modules/a/node_modules/b': { dependencies: { c: '1' } },
      'node_modules/b': {},
      'node_modules/c': {},
      'node_modules/dev-only': {},
      'node_modules/@types/x': {},
    };
    expect(productionClosure(lock, ['a'])).to.deep.equal(['node_modules/a', 'node_modules/a/node_modules/b', 'node_modules/c']);
    expect(() => productionClosure(lock, ['missing'])).to.throw(/no installed package "missing"/);
  });

  describe('the extracted layer runs as uid 1000', function () {
    let root: string;
    let database: TestDatabase;
    let issuer: OidcIssuer;

    before(async function () {
      root = join(dir, 'rootfs');
      execFileSync('mkdir', ['-p', root]);
      execFileSync('tar', ['-xzf', result.layer, '-C', root, '--same-owner']);
      database = await freshDatabase({ migrate: false });
      issuer = await OidcIssuer.start();
    });

    after(async function () {
      await database?.drop();
      await issuer?.close();
    });

    it('migrates with node dist/api/src/migrate.js', function () {
      const out = execFileSync(process.execPath, ['dist/api/src/migrate.js', 'latest'], {
        cwd: join(root, 'app'),
        env: { DATABASE_URL: database.url, PATH: process.env.PATH },
        uid: 1000,
        gid: 1000,
        encoding: 'utf8',
      });
      expect(JSON.parse(out)).to.deep.include({ applied: ['001_create_tasks', '002_notify_task_changes'] });
    });

    it('serves /readyz and /docs with node dist/api/src/main.js', async function () {
      const child = spawn(process.execPath, ['dist/api/src/main.js'], {
        cwd: join(root, 'app'),
        env: { DATABASE_URL: database.url, OIDC_ISSUERS: issuer.url, OIDC_AUDIENCE: CLIENT_ID, HOST: '127.0.0.1', PORT: '0', PATH: process.env.PATH },
        uid: 1000,
        gid: 1000,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
      try {
        const port = await new Promise<number>((resolve, reject) => {
          let buf = '';
          child.stdout!.on('data', (d: Buffer) => {
            buf += d.toString();
            const m = /"port":(\d+)/.exec(buf);
            if (m) resolve(Number(m[1]));
          });
          let err = '';
          child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
          void exited.then((code) => reject(new Error(`exited ${String(code)}: ${err}`)));
        });
        let ready = 0;
        for (let i = 0; i < 100 && ready !== 200; i++) {
          ready = (await fetch(`http://127.0.0.1:${port}/readyz`)).status;
          if (ready !== 200) await new Promise((r) => setTimeout(r, 50));
        }
        expect(ready).to.equal(200);
        expect((await fetch(`http://127.0.0.1:${port}/api/tasks`, { headers: { authorization: `Bearer ${await issuer.token()}` } })).status).to.equal(200);
        expect(await (await fetch(`http://127.0.0.1:${port}/docs`)).text()).to.include('gx task API');
      } finally {
        child.kill('SIGTERM');
        expect(await exited).to.equal(0);
      }
    });
  });
});
