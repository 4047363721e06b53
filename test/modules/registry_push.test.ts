// registry_push against a real registry: Debian's docker-registry (distribution 2.8) started by
// test/services/registry.sh on 127.0.0.1:55000, seen through a recording proxy so every request the
// module sends can be counted. Images are built in the test, without Docker.
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import http from 'node:http';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { importPKCS8, SignJWT } from 'jose';
import tar from 'tar-stream';
import { dockerArchive, noise, ociIndexLayout, ociLayout, sha256, tarOf, type Tree } from '../fixtures/images/make.js';
import { RecordingProxy } from '../fixtures/images/recording-proxy.js';
import { executeModule } from '../../engine/run/execute-module.js';
import { getModule } from '../../modules/index.js';
import { makeContext, rhythm, runModule, tempDir } from './harness.js';

/** A variable the service script exports, read when the tests run: mocha loads this file before its global setup. */
function service(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run through mocha (global setup starts test/services/registry.sh)`);
  return v;
}

let REGISTRY = '';
const ACCEPT = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

/** Reads straight from the registry (not through the module) to check what it stores. */
async function manifestOf(repo: string, ref: string): Promise<{ digest: string; type: string; doc: any; bytes: Buffer } | null> {
  const res = await fetch(`http://${REGISTRY}/v2/${repo}/manifests/${ref}`, { headers: { Accept: ACCEPT } });
  if (res.status === 404) return null;
  expect(res.status).to.equal(200);
  const bytes = Buffer.from(await res.arrayBuffer());
  return { digest: res.headers.get('docker-content-digest')!, type: res.headers.get('content-type')!, doc: JSON.parse(bytes.toString()), bytes };
}

async function blobOf(repo: string, digest: string): Promise<Buffer> {
  const res = await fetch(`http://${REGISTRY}/v2/${repo}/blobs/${digest}`);
  expect(res.status, `blob ${digest}`).to.equal(200);
  return Buffer.from(await res.arrayBuffer());
}

async function tarEntries(tarBytes: Buffer): Promise<{ name: string; type: string; mtime: number; uid: number; gid: number; mode: number; body: string }[]> {
  const ex = tar.extract();
  const out: { name: string; type: string; mtime: number; uid: number; gid: number; mode: number; body: string }[] = [];
  const done = (async () => {
    for await (const e of ex) {
      const chunks: Buffer[] = [];
      for await (const c of e) chunks.push(c as Buffer);
      const h = e.header;
      out.push({ name: h.name, type: String(h.type), mtime: h.mtime!.getTime() / 1000, uid: h.uid!, gid: h.gid!, mode: h.mode!, body: Buffer.concat(chunks).toString() });
    }
  })();
  ex.end(tarBytes);
  await done;
  return out;
}

const run = Date.now().toString(36);
const base: Tree = {
  'etc/os-release': 'NAME="gx test"\n',
  'bin/tool': noise(300_000, 'tool'),
};
const app: Tree = { 'srv/app/index.html': '<h1>gx</h1>\n', 'srv/app/data.bin': noise(50_000, `app-${run}`) };

describe('registry_push against a real docker-registry (127.0.0.1:55000)', function () {
  this.timeout(60_000);
  let dir: string;
  let proxy: RecordingProxy;
  let via: string;

  before(async () => {
    REGISTRY = service('GX_TEST_REGISTRY');
    proxy = new RecordingProxy(REGISTRY);
    dir = await tempDir('gx-registry-push-');
    via = `http://${await proxy.start()}`;
  });
  after(() => proxy?.stop());
  beforeEach(() => proxy.clear());

  it('pushes a docker save archive: check → push → again → check, nothing sent again', async () => {
    const img = await dockerArchive(dir, 'two-layers', [base, app], { gzipLayers: [1] });
    const repo = `gx-test/archive-${run}`;
    const args = { src: img.path, registry: via, repository: repo, tag: 'v1' };
    const snapshot = async () => (await manifestOf(repo, 'v1'))?.digest ?? null;
    const writes: number[] = [];
    const r = await rhythm('registry_push', args, {
      snapshot: async () => {
        writes.push(proxy.writes().length);
        return snapshot();
      },
    });
    // check mode: the would-be uploads listed, and not one mutating request sent
    expect(r.check.data.would_upload).to.have.length(3);
    expect(writes[1], 'requests that write during check mode').to.equal(0);
    expect(r.apply.data.uploaded).to.have.members(r.check.data.would_upload as string[]);
    expect(r.apply.data.digest).to.equal(r.check.data.digest);

    // the registry holds a Docker schema 2 manifest with gzip layers whose content matches the config
    const m = (await manifestOf(repo, 'v1'))!;
    expect(m.digest).to.equal(r.apply.data.digest);
    expect(m.type).to.equal('application/vnd.docker.distribution.manifest.v2+json');
    expect(m.doc.config).to.deep.include({ mediaType: 'application/vnd.docker.container.image.v1+json', digest: img.configDigest });
    expect(m.doc.layers.map((l: any) => l.mediaType)).to.deep.equal(Array(2).fill('application/vnd.docker.image.rootfs.diff.tar.gzip'));
    for (const [i, l] of m.doc.layers.entries()) {
      const blob = await blobOf(repo, l.digest);
      expect(sha256(blob)).to.equal(l.digest);
      expect(blob.length).to.equal(l.size);
      expect(sha256(gunzipSync(blob)), `layer ${i} diff_id`).to.equal(img.diffIds[i]);
    }
    expect(JSON.parse((await blobOf(repo, img.configDigest)).toString())).to.deep.equal(img.config);

    // the second apply and the last check: the ping, the tag and its manifest (same config digest); no blob HEAD, no write
    proxy.clear();
    const again = await runModule('registry_push', args);
    expect(again.changed).to.equal(false);
    expect(again.data.uploaded).to.deep.equal([]);
    expect(again.data.skipped).to.deep.equal([img.configDigest, ...m.doc.layers.map((l: any) => l.digest)]);
    expect(proxy.log.map((x) => `${x.method} ${x.path}`)).to.deep.equal(['GET /v2/', `HEAD /v2/${repo}/manifests/v1`, `GET /v2/${repo}/manifests/${m.digest}`]);
  });

  it('takes a tag holding the same image (same config digest) with other layer compression as done', async () => {
    const img = await dockerArchive(dir, 'foreign', [base, { 'srv/foreign': `foreign ${run}\n` }]);
    const repo = `gx-test/foreign-${run}`;
    // pushed by "another tool": the same config, layers gzipped at level 1 (other bytes, other digests)
    const { gzipSync: gz } = await import('node:zlib');
    const layers = await Promise.all([base, { 'srv/foreign': `foreign ${run}\n` }].map(async (t) => gz(await tarOf(t), { level: 1 })));
    const configBytes = Buffer.from(JSON.stringify(img.config));
    for (const blob of [configBytes, ...layers]) {
      const start = await fetch(`http://${REGISTRY}/v2/${repo}/blobs/uploads/`, { method: 'POST' });
      const url = new URL(start.headers.get('location')!, `http://${REGISTRY}`);
      url.searchParams.set('digest', sha256(blob));
      expect((await fetch(url, { method: 'PUT', body: blob })).status).to.equal(201);
    }
    const manifest = Buffer.from(JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      config: { mediaType: 'application/vnd.docker.container.image.v1+json', digest: img.configDigest, size: configBytes.length },
      layers: layers.map((l) => ({ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', digest: sha256(l), size: l.length })),
    }));
    const put = await fetch(`http://${REGISTRY}/v2/${repo}/manifests/v1`, { method: 'PUT', body: manifest, headers: { 'Content-Type': 'application/vnd.docker.distribution.manifest.v2+json' } });
    expect(put.status).to.equal(201);

    const r = await runModule('registry_push', { src: img.path, registry: via, repository: repo, tag: 'v1' });
    expect(r.failed, r.msg).to.equal(false);
    expect(r.changed).to.equal(false);
    expect(r.data.digest).to.equal(sha256(manifest));
    expect(proxy.writes()).to.deep.equal([]);
    // a different image under that tag is pushed, gx compressing its layers itself
    const other = await dockerArchive(dir, 'foreign-2', [base, { 'srv/foreign': `changed ${run}\n` }]);
    const moved = await runModule('registry_push', { src: other.path, registry: via, repository: repo, tag: 'v1' });
    expect(moved.changed).to.equal(true);
    expect(moved.data.previous_digest).to.equal(sha256(manifest));
  });

  it('uploads only the blobs a repository lacks: a second image sharing the base layer skips it', async () => {
    const repo = `gx-test/shared-${run}`;
    const first = await dockerArchive(dir, 'first', [base]);
    const r1 = await runModule('registry_push', { src: first.path, registry: via, repository: repo, tag: 'base' });
    expect(r1.failed, r1.msg).to.equal(false);
    const [baseLayer] = (await manifestOf(repo, 'base'))!.doc.layers.map((l: any) => l.digest);
    const second = await dockerArchive(dir, 'second', [base, { 'srv/other': 'other\n' }]);
    proxy.clear();
    const r2 = await runModule('registry_push', { src: second.path, registry: via, repository: repo, tag: 'app' });
    expect(r2.changed).to.equal(true);
    expect(r2.data.skipped).to.deep.equal([baseLayer]);
    expect(r2.data.uploaded).to.have.length(2);
    expect(r2.data.uploaded).to.not.include(baseLayer);
    const posts = proxy.log.filter((x) => x.method === 'POST');
    expect(posts, 'one upload session per missing blob').to.have.length(2);
    const heads = proxy.log.filter((x) => x.method === 'HEAD' && x.path.includes('/blobs/'));
    expect(heads).to.have.length(3);

    // moving a tag to another image: only the manifest is written, and --diff shows both digests
    proxy.clear();
    const moved = await runModule('registry_push', { src: second.path, registry: via, repository: repo, tag: 'base' }, { diff: true });
    expect(moved.changed).to.equal(true);
    expect(moved.data.uploaded).to.deep.equal([]);
    expect(moved.data.previous_digest).to.equal(r1.data.digest);
    expect(moved.diff).to.deep.equal([{ label: `${via.slice(7)}/${repo}:base`, before: `${r1.data.digest}\n`, after: `${r2.data.digest}\n` }]);
    expect(proxy.writes().map((x) => `${x.method} ${x.path}`)).to.deep.equal([`PUT /v2/${repo}/manifests/base`]);
  });

  it('pushes an OCI layout byte for byte: the registry digest is the layout manifest digest', async () => {
    const layout = await ociLayout(dir, 'layout', [base, { 'srv/oci': 'oci\n' }], 'v2');
    const repo = `gx-test/oci-${run}`;
    const r = await rhythm('registry_push', { src: layout.path, image: 'v2', registry: via, repository: repo, tag: 'v2' }, { snapshot: async () => (await manifestOf(repo, 'v2'))?.digest ?? null });
    expect(r.apply.data.digest).to.equal(layout.manifestDigest);
    expect(r.apply.data.media_type).to.equal('application/vnd.oci.image.manifest.v1+json');
    const m = (await manifestOf(repo, 'v2'))!;
    expect(m.digest).to.equal(layout.manifestDigest);
    expect(m.bytes.equals(layout.manifestBytes)).to.equal(true);
    expect(m.doc.layers.map((l: any) => l.digest)).to.deep.equal(layout.layerDigests);
    // the same layout as a tar: the same image, so nothing is written
    const asTar = join(dir, 'layout.tar');
    execFileSync('tar', ['-cf', asTar, '-C', layout.path, '.']);
    proxy.clear();
    const fromTar = await runModule('registry_push', { src: asTar, image: 'v2', registry: via, repository: repo, tag: 'v2' });
    expect(fromTar.changed).to.equal(false);
    expect(fromTar.data.digest).to.equal(layout.manifestDigest);
    expect(proxy.writes()).to.deep.equal([]);
  });

  it('pushes a multi-platform OCI index with its images, and appends on one platform of it', async () => {
    const layout = await ociIndexLayout(dir, 'multi', { 'linux/amd64': { 'arch.txt': 'amd64\n' }, 'linux/arm64': { 'arch.txt': 'arm64\n' } });
    const repo = `gx-test/multi-${run}`;
    const r = await runModule('registry_push', { src: layout.path, registry: via, repository: repo, tag: 'all' });
    expect(r.failed, r.msg).to.equal(false);
    expect(r.data.digest).to.equal(layout.indexDigest);
    expect(r.data.uploaded).to.have.length(4); // two configs, two layers
    const index = (await manifestOf(repo, 'all'))!;
    expect(index.digest).to.equal(layout.indexDigest);
    expect(index.type).to.equal('application/vnd.oci.image.index.v1+json');
    for (const { manifestDigest } of Object.values(layout.images)) expect((await manifestOf(repo, manifestDigest))?.digest).to.equal(manifestDigest);

    const arm = await runModule('registry_push', { src: layout.path, platform: 'linux/arm64', registry: via, repository: repo, tag: 'arm-plus', append: { env: { EXTRA: '1' } } });
    expect(arm.failed, arm.msg).to.equal(false);
    const m = (await manifestOf(repo, 'arm-plus'))!;
    const config = JSON.parse((await blobOf(repo, m.doc.config.digest)).toString());
    expect(config.architecture).to.equal('arm64');
    expect(config.rootfs.diff_ids).to.deep.equal(layout.images['linux/arm64']!.diffIds);
    expect(config.history.at(-1)).to.deep.include({ empty_layer: true });
    expect(arm.data.uploaded, 'a config-only change uploads just the config').to.have.length(1);

    const none = await runModule('registry_push', { src: layout.path, platform: 'linux/s390x', registry: via, repository: repo, tag: 'x', append: {} });
    expect(none.failed).to.equal(true);
    expect(none.msg).to.equal('the image index has no linux/s390x image; it has: linux/amd64, linux/arm64');
  });

  it('refuses to append onto a single-image base of another architecture than platform (an arm64 VM would crash-loop on it), before pushing anything', async () => {
    const img = await dockerArchive(dir, 'amd64-base', [{ 'etc/base': `amd64 base ${run}\n` }]);
    const repo = `gx-test/wrong-arch-${run}`;
    const r = await runModule('registry_push', { src: img.path, platform: 'linux/arm64', registry: via, repository: repo, tag: 'x', append: { env: { A: '1' } } });
    expect(r.failed).to.equal(true);
    expect(r.msg).to.equal(`the base image ${img.path} is linux/amd64, not linux/arm64 (platform): use the base image of that architecture (the bundle's for bundle_arch), or set platform to what the image is`);
    expect((await fetch(`http://${via.replace(/^https?:\/\//, '')}/v2/${repo}/tags/list`)).status).to.equal(404);
    const arm = await dockerArchive(dir, 'arm64-base', [{ 'etc/base': `arm64 base ${run}\n` }], { config: { architecture: 'arm64', os: 'linux' } });
    expect((await runModule('registry_push', { src: arm.path, platform: 'linux/arm64', registry: via, repository: repo, tag: 'x', append: { env: { A: '1' } } })).failed).to.equal(false);
  });

  it('appends a directory layer on a registry base: digests, diff_ids, config and a deterministic layer tar', async () => {
    const baseRepo = `gx-test/append-base-${run}`;
    const img = await dockerArchive(dir, 'append-base', [base]);
    expect((await runModule('registry_push', { src: img.path, registry: via, repository: baseRepo, tag: '1' })).failed).to.equal(false);
    const baseManifest = (await manifestOf(baseRepo, '1'))!;

    const site = join(dir, 'site');
    await mkdir(join(site, 'static'), { recursive: true });
    await writeFile(join(site, 'static', 'b.css'), 'body{}\n');
    await writeFile(join(site, 'static', 'a.js'), 'console.log(1)\n');
    await writeFile(join(site, 'run.sh'), '#!/bin/sh\necho hi\n');
    await chmod(join(site, 'run.sh'), 0o755);

    const repo = `gx-test/append-${run}`;
    const args = {
      registry: via,
      repository: repo,
      tag: 'v1',
      append: {
        base: `${baseRepo}:1`,
        layer: site,
        dest: '/srv/site',
        uid: 1000,
        gid: 1000,
        env: { PATH: '/srv/site:/usr/bin:/bin', MODE: 'prod' },
        workdir: '/srv/site',
        user: '1000:1000',
        entrypoint: ['/srv/site/run.sh'],
        cmd: ['--serve'],
        labels: { 'gx.test': 'appended', 'gx.extra': 'yes' },
      },
    };
    const r = await rhythm('registry_push', args, { snapshot: async () => (await manifestOf(repo, 'v1'))?.digest ?? null });
    expect(proxy.log.filter((x) => x.method === 'POST' && x.path.includes('mount=')), 'the base layer is mounted from its repository').to.have.length(1);

    const m = (await manifestOf(repo, 'v1'))!;
    expect(m.digest).to.equal(r.apply.data.digest);
    expect(m.type).to.equal(baseManifest.type);
    expect(m.doc.layers).to.have.length(2);
    expect(m.doc.layers[0]).to.deep.equal(baseManifest.doc.layers[0]);
    const layer = m.doc.layers[1];
    expect(layer.digest).to.equal(r.apply.data.layer_digest);
    const blob = await blobOf(repo, layer.digest);
    expect(sha256(blob)).to.equal(layer.digest);
    const raw = gunzipSync(blob);
    expect(sha256(raw)).to.equal(r.apply.data.layer_diff_id);

    const config = JSON.parse((await blobOf(repo, m.doc.config.digest)).toString());
    expect(sha256(await blobOf(repo, m.doc.config.digest))).to.equal(r.apply.data.config_digest);
    expect(config.rootfs.diff_ids).to.deep.equal([...img.diffIds, sha256(raw)]);
    expect(config.history).to.have.length(2);
    expect(config.history[1].created_by).to.equal('gx registry_push append');
    expect(config.created).to.equal('2024-01-02T03:04:05Z');
    expect(config.config).to.deep.include({
      Env: ['PATH=/srv/site:/usr/bin:/bin', 'MODE=prod'],
      WorkingDir: '/srv/site',
      User: '1000:1000',
      Entrypoint: ['/srv/site/run.sh'],
      Cmd: ['--serve'],
      Labels: { 'gx.test': 'appended', 'gx.extra': 'yes' },
    });

    const entries = await tarEntries(raw);
    expect(entries.map((e) => e.name)).to.deep.equal(['srv/', 'srv/site/', 'srv/site/run.sh', 'srv/site/static/', 'srv/site/static/a.js', 'srv/site/static/b.css']);
    expect(new Set(entries.map((e) => `${e.uid}:${e.gid}:${e.mtime}`))).to.deep.equal(new Set(['1000:1000:0']));
    expect(entries.find((e) => e.name === 'srv/site/run.sh')).to.deep.include({ mode: 0o755, body: '#!/bin/sh\necho hi\n' });

    // the same inputs under another tag: the same digest, and nothing uploaded
    proxy.clear();
    const other = await runModule('registry_push', { ...args, tag: 'v1-again' });
    expect(other.data.digest).to.equal(r.apply.data.digest);
    expect(other.data.uploaded).to.deep.equal([]);
    expect(proxy.log.filter((x) => x.method === 'POST')).to.have.length(0);
  });

  it('appends on a docker save archive base and on scratch; check mode uploads nothing', async () => {
    const img = await dockerArchive(dir, 'src-base', [base]);
    const tarball = join(dir, 'extra.tar');
    const extra = await tarOf({ 'opt/extra.txt': `extra ${run}\n` });
    await writeFile(tarball, extra);
    const repo = `gx-test/append-src-${run}`;
    const check = await runModule('registry_push', { src: img.path, registry: via, repository: repo, tag: 'x', append: { layer: tarball, cmd: ['/bin/true'] } }, { check: true });
    expect(check.failed, check.msg).to.equal(false);
    expect(check.changed).to.equal(true);
    expect(check.data.would_upload).to.have.length(3); // base layer, new layer, new config
    expect(check.data.layer_diff_id).to.equal(sha256(extra));
    expect(proxy.writes()).to.deep.equal([]);
    expect(await manifestOf(repo, 'x')).to.equal(null);

    const scratch = await runModule('registry_push', { registry: via, repository: repo, tag: 'scratch', append: { base: 'scratch', layer: tarball, entrypoint: ['/opt/x'] } });
    expect(scratch.failed, scratch.msg).to.equal(false);
    const m = (await manifestOf(repo, 'scratch'))!;
    expect(m.doc.layers).to.have.length(1);
    const config = JSON.parse((await blobOf(repo, m.doc.config.digest)).toString());
    expect(config).to.deep.include({ architecture: 'amd64', os: 'linux', created: '1970-01-01T00:00:00Z' });
    expect(config.rootfs.diff_ids).to.deep.equal([sha256(extra)]);
  });

  it('fails clearly when the registry is down, the source is not an image, or the base is missing', async () => {
    const img = await dockerArchive(dir, 'down', [{ 'a.txt': 'a\n' }]);
    const stopped = new RecordingProxy('127.0.0.1:9');
    const port = (await stopped.start()).split(':')[1];
    await stopped.stop();
    const down = await runModule('registry_push', { src: img.path, registry: `http://127.0.0.1:${port}`, repository: 'gx-test/down', tag: 'v1' });
    expect(down.failed).to.equal(true);
    expect(down.msg).to.match(new RegExp(`^cannot reach the registry at http://127\\.0\\.0\\.1:${port}: .*ECONNREFUSED`));

    const tls = await runModule('registry_push', { src: img.path, registry: REGISTRY, repository: 'gx-test/down', tag: 'v1' });
    expect(tls.failed).to.equal(true);
    expect(tls.msg).to.include(`write registry: http://${REGISTRY}`);

    const notImage = await runModule('registry_push', { src: dir, registry: via, repository: 'gx-test/down', tag: 'v1' });
    expect(notImage.failed).to.equal(true);
    expect(notImage.msg).to.match(/neither a docker save archive .* nor an OCI image layout/);

    const noBase = await runModule('registry_push', { registry: via, repository: 'gx-test/down', append: { base: `gx-test/nothing-${run}:1` } });
    expect(noBase.failed).to.equal(true);
    expect(noBase.msg).to.include(`the base image ${via.slice(7)}/gx-test/nothing-${run}:1 does not exist`);
    expect(proxy.writes()).to.deep.equal([]);
  });
});

describe('registry_push with basic auth (docker-registry htpasswd on 127.0.0.1:55001)', function () {
  this.timeout(60_000);

  it('pushes with the credentials, and names the problem without them or with a wrong password', async () => {
    const AUTH = service('GX_TEST_REGISTRY_AUTH');
    const user = service('GX_TEST_REGISTRY_USER');
    const password = service('GX_TEST_REGISTRY_PASSWORD');
    const dir = await tempDir('gx-registry-auth-');
    const img = await dockerArchive(dir, 'auth', [{ 'auth.txt': `auth ${run}\n` }]);
    const args = { src: img.path, registry: `http://${AUTH}`, repository: `gx-test/auth-${run}`, tag: 'v1' };
    const masked: string[] = [];
    const ctx = { ...makeContext(), secret: (v: string) => masked.push(v) };
    const ok = await executeModule(getModule('registry_push')!, { ...args, username: user, password }, ctx);
    expect(masked, 'the password is handed to ctx.secret').to.deep.equal([password]);
    expect(ok.failed, ok.msg).to.equal(false);
    expect(ok.changed).to.equal(true);
    const again = await runModule('registry_push', { ...args, username: user, password });
    expect(again.changed).to.equal(false);

    const anonymous = await runModule('registry_push', args);
    expect(anonymous.failed).to.equal(true);
    expect(anonymous.msg).to.include('wants credentials').and.include('give username and password');
    const wrong = await runModule('registry_push', { ...args, username: user, password: 'not-it' });
    expect(wrong.failed).to.equal(true);
    expect(wrong.msg).to.include(`refused the credentials of user '${user}'`).and.not.include('not-it');

    // a base on another registry (the open one, no credentials sent there) is copied through the controller
    const open = service('GX_TEST_REGISTRY');
    const baseImg = await dockerArchive(dir, 'auth-base', [{ 'base.txt': `base ${run}\n` }]);
    const onOpen = await runModule('registry_push', { src: baseImg.path, registry: `http://${open}`, repository: `gx-test/cross-base-${run}`, tag: '1' });
    expect(onOpen.failed, onOpen.msg).to.equal(false);
    const crossed = await runModule('registry_push', {
      registry: `http://${AUTH}`,
      username: user,
      password,
      repository: `gx-test/cross-${run}`,
      tag: 'v1',
      append: { base: `http://${open}/gx-test/cross-base-${run}:1`, env: { CROSSED: 'yes' } },
    });
    expect(crossed.failed, crossed.msg).to.equal(false);
    const baseLayers = (await manifestOf(`gx-test/cross-base-${run}`, '1'))!.doc.layers.map((l: any) => l.digest);
    expect(crossed.data.uploaded).to.include.members(baseLayers);
    const res = await fetch(`http://${AUTH}/v2/gx-test/cross-${run}/blobs/${baseLayers[0]}`, { headers: { Authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` } });
    expect(res.status).to.equal(200);
    expect(sha256(Buffer.from(await res.arrayBuffer()))).to.equal(baseLayers[0]);
  });
});

describe('registry_push over HTTPS (docker-registry with a test CA on 127.0.0.1:55002)', function () {
  this.timeout(60_000);

  it('refuses an unknown CA, trusts ca_path, and skips the check with validate_certs: false', async () => {
    const TLS = service('GX_TEST_REGISTRY_TLS');
    const CA = service('GX_TEST_REGISTRY_CA');
    const dir = await tempDir('gx-registry-tls-');
    const img = await dockerArchive(dir, 'tls', [{ 'tls.txt': `tls ${run}\n` }]);
    const args = { src: img.path, registry: TLS, repository: `gx-test/tls-${run}`, tag: 'v1' };
    const untrusted = await runModule('registry_push', args);
    expect(untrusted.failed).to.equal(true);
    expect(untrusted.msg).to.match(new RegExp(`^cannot reach the registry at https://${TLS.replace(/\./g, '\\.')}: .*certificate`));
    const pushed = await runModule('registry_push', { ...args, ca_path: CA });
    expect(pushed.failed, pushed.msg).to.equal(false);
    expect(pushed.changed).to.equal(true);
    const again = await runModule('registry_push', { ...args, registry: `https://${TLS}`, validate_certs: false });
    expect(again.failed, again.msg).to.equal(false);
    expect(again.changed).to.equal(false);
    expect(again.data.digest).to.equal(pushed.data.digest);
  });
});

describe('registry_push with bearer tokens (docker-registry token auth on 127.0.0.1:55003, token server in the test)', function () {
  this.timeout(60_000);
  let REG = '';
  let user = '';
  let password = '';
  const asked: { scopes: string[]; user?: string }[] = [];
  let server: http.Server | undefined;

  before(async () => {
    REG = service('GX_TEST_REGISTRY_TOKEN');
    user = service('GX_TEST_REGISTRY_USER');
    password = service('GX_TEST_REGISTRY_PASSWORD');
    const key = await importPKCS8(await readFile(service('GX_TEST_REGISTRY_TOKEN_KEY'), 'utf8'), 'RS256');
    const cert = (await readFile(service('GX_TEST_REGISTRY_TOKEN_CERT'), 'utf8')).replace(/-----[^-]+-----|\s/g, '');
    // the token service as docker's token spec describes it: Basic credentials in, a JWT granting
    // the asked scopes out (nothing to an anonymous caller), signed by a key the registry trusts
    server = http.createServer((req, res) => {
      void (async () => {
        const url = new URL(req.url ?? '/', 'http://x');
        const scopes = url.searchParams.getAll('scope');
        const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? '');
        const [u, p] = basic ? Buffer.from(basic[1]!, 'base64').toString().split(':') : [];
        if (basic && (u !== user || p !== password)) {
          res.writeHead(401).end();
          return;
        }
        asked.push({ scopes, ...(u ? { user: u } : {}) });
        const access = u ? scopes.map((s) => s.split(':')).map(([type, name, actions]) => ({ type, name, actions: actions!.split(',') })) : [];
        const token = await new SignJWT({ access })
          .setProtectedHeader({ alg: 'RS256', typ: 'JWT', x5c: [cert] })
          .setIssuer('gx-test-issuer')
          .setAudience(url.searchParams.get('service') ?? '')
          .setSubject(u ?? 'anonymous')
          .setIssuedAt()
          .setExpirationTime('10m')
          .setJti(randomUUID())
          .sign(key);
        res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ token }));
      })();
    });
    await new Promise<void>((resolve) => server!.listen(Number(service('GX_TEST_REGISTRY_TOKEN_REALM_PORT')), '127.0.0.1', resolve));
  });
  after(async () => {
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  });

  it('gets a token for the repository scope with the credentials, pushes, and reports a refused token', async () => {
    const dir = await tempDir('gx-registry-token-');
    const img = await dockerArchive(dir, 'token', [{ 'token.txt': `token ${run}\n` }]);
    const repo = `gx-test/token-${run}`;
    const args = { src: img.path, registry: `http://${REG}`, repository: repo, tag: 'v1', username: user, password };
    const pushed = await runModule('registry_push', args);
    expect(pushed.failed, pushed.msg).to.equal(false);
    expect(pushed.changed).to.equal(true);
    expect(asked.map((a) => a.user)).to.satisfy((us: unknown[]) => us.every((x) => x === user));
    expect(asked.flatMap((a) => a.scopes)).to.include(`repository:${repo}:pull,push`);
    const again = await runModule('registry_push', args);
    expect(again.changed).to.equal(false);

    const anonymous = await runModule('registry_push', { ...args, username: undefined, password: undefined, tag: 'v2' });
    expect(anonymous.failed).to.equal(true);
    expect(anonymous.msg).to.include('refused the token');
    const wrong = await runModule('registry_push', { ...args, password: 'not-it', tag: 'v2' });
    expect(wrong.failed).to.equal(true);
    expect(wrong.msg).to.include(`refused user '${user}'`);
  });
});
