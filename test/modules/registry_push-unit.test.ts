// registry_push's pieces that need no registry: references, archive reading (and its refusals),
// the deterministic layer tar, and the config changes append makes.
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { chmod, mkdir, readFile, symlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { gzipSync } from 'node:zlib';
import tar from 'tar-stream';
import { ModuleError } from '../../engine/errors.js';
import { appendImage, mutateConfig } from '../../modules/lib/oci/append.js';
import { loadPushSet, loadSingleImage, openSource } from '../../modules/lib/oci/local-image.js';
import { mapLimit, PARALLEL } from '../../modules/lib/oci/push.js';
import { parseReference } from '../../modules/lib/oci/reference.js';
import { parseRegistry } from '../../modules/lib/oci/registry-client.js';
import { memberPath } from '../../modules/lib/oci/tar-read.js';
import { layerTar } from '../../modules/lib/oci/tar-write.js';
import { Workspace } from '../../modules/lib/oci/workspace.js';
import type { ImageConfig } from '../../modules/lib/oci/media-types.js';
import { dockerArchive, sha256, tarOf } from '../fixtures/images/make.js';
import { tempDir } from './harness.js';

async function bytesOf(dir: string, o: Parameters<typeof layerTar>[1] = {}): Promise<Buffer> {
  const chunks: Buffer[] = [];
  await pipeline(layerTar(dir, o), new Writable({ write: (c: Buffer, _e, done) => (chunks.push(c), done()) }));
  return Buffer.concat(chunks);
}

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection');
}

describe('registry_push pieces (no registry)', () => {
  let dir: string;
  let ws: Workspace;
  before(async () => {
    dir = await tempDir('gx-oci-unit-');
  });
  beforeEach(() => {
    ws = new Workspace();
  });
  afterEach(() => ws.dispose());

  describe('image references and registry addresses', () => {
    const cases: [string, ReturnType<typeof parseReference>][] = [
      ['app', { registry: undefined, repository: 'app', ref: 'latest' }],
      ['apps/api:1.2', { registry: undefined, repository: 'apps/api', ref: '1.2' }],
      ['registry.local:5000/apps/api:1.2', { registry: 'registry.local:5000', repository: 'apps/api', ref: '1.2' }],
      ['localhost/base', { registry: 'localhost', repository: 'base', ref: 'latest' }],
      [`http://127.0.0.1:5000/a/b:t@sha256:${'a'.repeat(64)}`, { registry: 'http://127.0.0.1:5000', repository: 'a/b', ref: `sha256:${'a'.repeat(64)}` }],
    ];
    for (const [text, want] of cases) it(`reads ${text}`, () => expect(parseReference(text)).to.deep.equal(want));

    it('refuses what a registry would refuse', () => {
      expect(() => parseReference('Apps/API')).to.throw(ModuleError, "'Apps/API' is not a valid repository name");
      expect(() => parseReference('app:-bad')).to.throw(ModuleError, "'-bad' is not a valid tag");
      expect(() => parseReference('app@sha256:short')).to.throw(ModuleError, 'is not a sha256 digest');
    });

    it('takes https unless the registry says http://, and no path', () => {
      expect(parseRegistry('registry.local:5000').base.href).to.equal('https://registry.local:5000/');
      expect(parseRegistry('http://127.0.0.1:5000').base.href).to.equal('http://127.0.0.1:5000/');
      expect(parseRegistry('http://127.0.0.1:5000').host).to.equal('127.0.0.1:5000');
      expect(() => parseRegistry('http://h:5000/v2/apps')).to.throw(ModuleError, 'must not contain a path');
      expect(() => parseRegistry('ftp://h')).to.throw(ModuleError, 'only http:// and https://');
    });
  });

  describe('the deterministic layer tar', () => {
    let tree: string;
    before(async () => {
      tree = join(dir, 'tree');
      await mkdir(join(tree, 'b', 'c'), { recursive: true });
      await writeFile(join(tree, 'z.txt'), 'z\n');
      await writeFile(join(tree, 'a.txt'), 'a\n');
      await writeFile(join(tree, 'b', 'c', 'deep'), 'deep\n');
      await writeFile(join(tree, 'empty'), '');
      await chmod(join(tree, 'z.txt'), 0o600);
      await symlink('a.txt', join(tree, 'link'));
    });

    it('gives the same bytes for the same tree, whatever the files’ mtimes', async () => {
      const first = await bytesOf(tree, { dest: '/app' });
      await utimes(join(tree, 'a.txt'), new Date(), new Date('2001-01-01'));
      expect((await bytesOf(tree, { dest: '/app' })).equals(first)).to.equal(true);
      expect(sha256(await bytesOf(tree, { dest: '/other' }))).to.not.equal(sha256(first));
    });

    it('lists entries sorted, with the given owner, fixed mtime, modes and links kept (read by GNU tar)', async () => {
      const file = join(dir, 'layer.tar');
      await writeFile(file, await bytesOf(tree, { dest: 'srv', uid: 1000, gid: 2000, mtime: 86400 }));
      const listing = execFileSync('tar', ['--numeric-owner', '--full-time', '-tvf', file], { encoding: 'utf8', env: { ...process.env, TZ: 'UTC' } })
        .trim()
        .split('\n')
        .map((l) => l.split(/\s+/));
      expect(listing.map((f) => f.slice(5).join(' '))).to.deep.equal(['srv/', 'srv/a.txt', 'srv/b/', 'srv/b/c/', 'srv/b/c/deep', 'srv/empty', 'srv/link -> a.txt', 'srv/z.txt']);
      expect(new Set(listing.map((f) => `${f[1]} ${f[3]} ${f[4]}`))).to.deep.equal(new Set(['1000/2000 1970-01-02 00:00:00']));
      expect(listing.find((f) => f[5] === 'srv/z.txt')![0]).to.equal('-rw-------');
    });

    it('refuses a fifo or socket, and a dest that climbs out', async () => {
      const odd = join(dir, 'odd');
      await mkdir(odd, { recursive: true });
      execFileSync('mkfifo', [join(odd, 'pipe')]);
      expect(await rejection(bytesOf(odd))).to.be.instanceOf(ModuleError).and.have.property('message').that.includes('only regular files, directories and symlinks');
      expect((await rejection(bytesOf(tree, { dest: '/a/../../etc' }))).message).to.include("must not contain '..'");
    });
  });

  describe('reading docker save archives', () => {
    it('refuses a layer whose content does not match rootfs.diff_ids, naming both', async () => {
      const img = await dockerArchive(dir, 'damaged', [{ 'f.txt': 'f\n' }], { config: { rootfs: { type: 'layers', diff_ids: [sha256('other')] } } });
      const err = await rejection(loadPushSet(await openSource(img.path, ws), {}, ws));
      expect(err).to.be.instanceOf(ModuleError);
      expect(err.message).to.match(/^layer [0-9a-f]{64}\/layer\.tar does not match the config: its content is sha256:[0-9a-f]{64}, rootfs\.diff_ids\[0\] says sha256:/);
      expect(err.message).to.include(sha256('other'));
    });

    it('reads a gzipped archive; several images need `image`, which picks by RepoTag', async () => {
      const a = await dockerArchive(dir, 'img-a', [{ 'a': 'a' }], { repoTag: 'gx/a:1' });
      const b = await dockerArchive(dir, 'img-b', [{ 'b': 'b' }], { repoTag: 'gx/b:1' });
      // one archive with both images, as `docker save a b` writes it, then gzipped
      const both = join(dir, 'both');
      await mkdir(both, { recursive: true });
      execFileSync('tar', ['-xf', a.path, '-C', both]);
      const manifestA = JSON.parse(await readFile(join(both, 'manifest.json'), 'utf8'));
      execFileSync('tar', ['-xf', b.path, '-C', both]);
      const manifestB = JSON.parse(await readFile(join(both, 'manifest.json'), 'utf8'));
      await writeFile(join(both, 'manifest.json'), JSON.stringify([...manifestA, ...manifestB]));
      const tgz = join(dir, 'both.tar.gz');
      execFileSync('tar', ['-czf', tgz, '-C', both, '.']);

      const src = await openSource(tgz, ws);
      expect(src.kind).to.equal('docker-archive');
      expect((await rejection(loadPushSet(src, {}, ws))).message).to.equal("the archive holds 2 images (gx/a:1; gx/b:1); name one with 'image'");
      const set = await loadPushSet(src, { image: 'gx/b:1' }, ws);
      expect(JSON.parse(set.manifest.bytes.toString()).config.digest).to.equal(b.configDigest);
      expect((await rejection(loadPushSet(src, { image: 'gx/c' }, ws))).message).to.equal("the archive has no image 'gx/c'; it has: gx/a:1; gx/b:1");
    });

    for (const kind of ['symlink', 'hard link'] as const) {
      it(`reads a repeated layer stored as a ${kind} to the first copy (GNU tar archive)`, async () => {
        const root = join(dir, `repeat-${kind.replace(' ', '-')}`);
        await mkdir(join(root, 'one'), { recursive: true });
        await mkdir(join(root, 'two'), { recursive: true });
        const layer = await tarOf({ 'same.txt': 'same\n' });
        await writeFile(join(root, 'one', 'layer.tar'), layer);
        if (kind === 'symlink') await symlink('../one/layer.tar', join(root, 'two', 'layer.tar'));
        else execFileSync('ln', [join(root, 'one', 'layer.tar'), join(root, 'two', 'layer.tar')]);
        const config = Buffer.from(JSON.stringify({ os: 'linux', architecture: 'amd64', rootfs: { type: 'layers', diff_ids: [sha256(layer), sha256(layer)] } }));
        await writeFile(join(root, 'config.json'), config);
        await writeFile(join(root, 'manifest.json'), JSON.stringify([{ Config: 'config.json', RepoTags: ['r:1'], Layers: ['one/layer.tar', 'two/layer.tar'] }]));
        const archive = `${root}.tar`;
        execFileSync('tar', ['-cf', archive, '-C', root, 'manifest.json', 'config.json', 'one', 'two']);
        const listing = execFileSync('tar', ['-tvf', archive], { encoding: 'utf8' });
        expect(listing).to.match(kind === 'symlink' ? /two\/layer\.tar -> \.\.\/one\/layer\.tar/ : /two\/layer\.tar link to one\/layer\.tar/);
        const set = await loadPushSet(await openSource(archive, ws), {}, ws);
        const manifest = JSON.parse(set.manifest.bytes.toString());
        expect(manifest.layers).to.have.length(2);
        expect(manifest.layers[0]).to.deep.equal(manifest.layers[1]);
        expect(set.blobs.map((b) => b.digest)).to.deep.equal([sha256(config), manifest.layers[0].digest]);
      });
    }

    it('refuses archive members that point outside the archive', async () => {
      expect(memberPath('../../etc/passwd')).to.equal(null);
      expect(memberPath('/etc/passwd')).to.equal(null);
      expect(memberPath('./blobs/sha256/ab')).to.equal('blobs/sha256/ab');
      const evil = join(dir, 'evil');
      await mkdir(evil, { recursive: true });
      await writeFile(join(evil, 'manifest.json'), JSON.stringify([{ Config: '../../etc/passwd', RepoTags: ['x:1'], Layers: [] }]));
      expect((await rejection(loadPushSet(await openSource(evil, ws), {}, ws))).message).to.equal("archive member '../../etc/passwd' points outside the archive");
    });

    it('keeps a gzipped layer tarball byte for byte when appending, with the diff_id of its content', async () => {
      const img = await dockerArchive(dir, 'append-unit', [{ 'x': 'x\n' }]);
      const layerTarBytes = await tarOf({ 'y.txt': 'y\n' });
      const gz = join(dir, 'y.tar.gz');
      await writeFile(gz, gzipSync(layerTarBytes));
      const base = await loadSingleImage(await openSource(img.path, ws), {}, ws);
      const { image, layer } = await appendImage(base, { layer: gz }, ws);
      expect(layer).to.deep.equal({ digest: sha256(await readFile(gz)), diffId: sha256(layerTarBytes), size: (await readFile(gz)).length });
      expect(image.config.rootfs.diff_ids).to.deep.equal([...img.diffIds, sha256(layerTarBytes)]);
      expect(image.manifest.layers.at(-1)).to.deep.equal({ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', digest: layer!.digest, size: layer!.size });
    });
  });

  describe('config changes', () => {
    const base: ImageConfig = {
      created: '2020-01-01T00:00:00Z',
      config: { Env: ['PATH=/bin', 'LANG=C'], Cmd: ['sh'], Labels: { a: '1' } },
      rootfs: { type: 'layers', diff_ids: ['sha256:1'] },
      history: [{ created_by: 'base' }],
    };

    it('replaces env by name, merges labels, keeps Cmd when only the entrypoint is set, and leaves the base alone', () => {
      const before = JSON.stringify(base);
      const c = mutateConfig(base, { env: { PATH: '/app:/bin', NEW: 'x' }, labels: { b: '2' }, entrypoint: ['/app/run'] }, 'sha256:2');
      expect(c.config).to.deep.equal({ Env: ['PATH=/app:/bin', 'LANG=C', 'NEW=x'], Cmd: ['sh'], Labels: { a: '1', b: '2' }, Entrypoint: ['/app/run'] });
      expect(c.rootfs.diff_ids).to.deep.equal(['sha256:1', 'sha256:2']);
      expect(c.history).to.deep.equal([{ created_by: 'base' }, { created: '2020-01-01T00:00:00Z', created_by: 'gx registry_push append' }]);
      expect(JSON.stringify(base)).to.equal(before);
    });

    it('adds no history to a base without it, and marks a config-only change as an empty layer', () => {
      const { history: _h, ...bare } = base;
      expect(mutateConfig(bare as ImageConfig, { user: 'app' }, undefined)).to.not.have.property('history');
      expect(mutateConfig(base, { user: 'app', created: '2030-01-01T00:00:00Z' }, undefined).history!.at(-1)).to.deep.equal({
        created: '2030-01-01T00:00:00Z',
        created_by: 'gx registry_push append',
        empty_layer: true,
      });
    });
  });

  it('runs blob requests at most PARALLEL at a time, in order, and waits for running ones after a failure', async () => {
    let running = 0;
    let peak = 0;
    const started: number[] = [];
    const finished: number[] = [];
    const task = async (n: number): Promise<number> => {
      started.push(n);
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setImmediate(r));
      running--;
      finished.push(n);
      if (n === 5) throw new Error('five failed');
      return n * 10;
    };
    expect(await mapLimit([1, 2, 3, 4], PARALLEL, task)).to.deep.equal([10, 20, 30, 40]);
    expect(peak).to.equal(PARALLEL);
    started.length = 0;
    finished.length = 0;
    const err = await rejection(mapLimit([5, 6, 7, 8, 9, 10, 11, 12, 13], 2, task));
    expect(err.message).to.equal('five failed');
    expect(started).to.deep.equal([5, 6]);
    expect(finished).to.have.members([5, 6]);
    expect(running).to.equal(0);
  });

  it('unpacks a tar member by member into the workspace, and drops the workspace on dispose', async () => {
    const t = join(dir, 'one.tar');
    const pack = tar.pack();
    pack.entry({ name: 'index.json' }, '{"schemaVersion":2,"manifests":[]}');
    pack.finalize();
    const chunks: Buffer[] = [];
    for await (const c of pack) chunks.push(c as Buffer);
    await writeFile(t, Buffer.concat(chunks));
    const own = new Workspace();
    const src = await openSource(t, own);
    expect(src.kind).to.equal('oci-layout');
    expect(src.root.startsWith(own.dir)).to.equal(true);
    expect((await rejection(loadPushSet(src, {}, own))).message).to.equal("the OCI layout holds 0 images (); name one with 'image'");
    own.dispose();
    expect(await rejection(readFile(join(src.root, 'index.json')))).to.have.property('code', 'ENOENT');
  });
});
