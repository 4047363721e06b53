// The offline bundle end to end through the real CLI: playbooks/collect-bundle.yaml downloads every
// artifact of playbooks/bundle/artifacts.yaml from a local HTTP server on 127.0.0.1 (small fake
// files; bundle_sources pointed at it with a vars file) and copies images with a skopeo DOUBLE (a
// script that replays `skopeo copy … oci-archive:FILE:REF` by writing a small archive, and records
// its argv), then writes manifest.yaml; playbooks/preflight.yaml accepts that bundle and refuses a
// bundle with a missing or corrupt file, listing every problem, before a later play touches a host.
import { expect } from 'chai';
import { execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import YAML from 'yaml';
import { lazyScope } from '../../engine/run/lazy-scope.js';
import { renderValue } from '../../engine/vars/template.js';
import { fakeChart, inventoryImages, type InventoryImage } from './fake-bundle.js';

const run = promisify(execFile);
const root = new URL('../..', import.meta.url).pathname;

interface Artifact {
  kind: string;
  name: string;
  version: string;
  file: string;
  url?: string;
  ref?: string;
  archive_member?: string;
}

const artifactsDoc = YAML.parse(readFileSync(join(root, 'playbooks/bundle/artifacts.yaml'), 'utf8')) as {
  artifacts: Artifact[];
  bundle_sources: Record<string, string>;
};
// as the plays see them on this (amd64) controller: file names and urls rendered for bundle_arch
const inventoryVars = (YAML.parse(readFileSync(join(root, 'inventory.yaml'), 'utf8')) as { all: { vars: Record<string, unknown> } }).all.vars;
// (each source left as a @@name@@ marker, which the tests map onto the local server)
const markedSources = Object.fromEntries(Object.keys(artifactsDoc.bundle_sources).map((k) => [k, `@@${k}@@`]));
const artifacts = renderValue(artifactsDoc.artifacts, lazyScope({ ...inventoryVars, ...artifactsDoc, bundle_sources: markedSources, bundle_arch: 'amd64' })) as Artifact[];
// the controller gx plays: amd64, with the multipass double on PATH (the preflight asks it whether
// the bundle's VM image can be launched)
const MULTIPASS_DOUBLE = join(root, 'test/doubles/multipass/bin');
// collection renders the charts with helm: the command double, whose `helm template` prints a test
// chart's plain-YAML templates (fake-bundle.ts's charts run the images the real ones do)
const HELM_DOUBLE = join(root, 'test/doubles/helm/bin/helm');

const doubleState = mkdtempSync(join(tmpdir(), 'gx-bundle-multipass-'));

async function gx(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(process.execPath, ['--import', 'tsx', join(root, 'engine/cli/main.ts'), ...args], {
      cwd: root,
      env: { ...process.env, NO_COLOR: '1', GX_CONTROLLER_ARCH: 'amd64', PATH: `${MULTIPASS_DOUBLE}:${process.env.PATH}`, GX_DOUBLE_STATE: doubleState, GX_DOUBLE_LOG: join(doubleState, 'calls.log'), ...env },
      maxBuffer: 1 << 24,
    });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

type GxEvent = { type: string; [k: string]: unknown };
const events = (stdout: string): GxEvent[] =>
  stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as GxEvent);
const recap = (stdout: string) => events(stdout).find((e) => e.type === 'recap') as unknown as { hosts: Record<string, { changed: number; failed: number; ok: number }> };
const failures = (stdout: string): string[] =>
  events(stdout)
    .filter((e) => e.type === 'host.result' && (e.result as { status: string }).status === 'failed')
    .map((e) => String((e.result as { msg?: string }).msg));

/** Enough to see why a run failed, without the whole event stream. */
const why = (r: { stdout: string; stderr: string }) => [...failures(r.stdout), r.stderr.slice(-2000)].join('\n');

interface ManifestEntry {
  file: string;
  sha256: string;
  version: string;
  size: number;
  digest?: string;
}
const manifestOf = (dir: string) => (YAML.parse(readFileSync(join(dir, 'manifest-amd64.yaml'), 'utf8')) as { artifacts: ManifestEntry[] }).artifacts;

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

/** What the fake server answers for a URL path: small, distinct per file. */
const fakeContent = (path: string) => `fake artifact served at ${path}\n`;

describe('gauntlet bundle: collect against a local HTTP server, then the preflight (skopeo is a double)', function () {
  this.timeout(120_000);
  const work = mkdtempSync(join(tmpdir(), 'gx-bundle-'));
  const bundle = join(work, 'bundle');
  const doubleBin = join(work, 'bin');
  const skopeoLog = join(work, 'skopeo.log');
  const helmArchive = join(work, 'helm.tar.gz');
  const requests: string[] = [];
  let server: http.Server;
  let base = '';
  let sources = '';

  let images: InventoryImage[] = [];
  before(async () => {
    images = await inventoryImages();
    // the helm release archive for real: the collect playbook extracts bin/helm from it
    // (one archive served for both architectures: it holds both members)
    for (const a of ['amd64', 'arm64']) {
      mkdirSync(join(work, 'helm-src', `linux-${a}`), { recursive: true });
      writeFileSync(join(work, 'helm-src', `linux-${a}`, 'helm'), a === 'amd64' ? '#!/bin/sh\necho fake helm\n' : '#!/bin/sh\necho fake arm64 helm\n');
    }
    execFileSync('tar', ['-czf', helmArchive, '-C', join(work, 'helm-src'), 'linux-amd64', 'linux-arm64']);

    server = http.createServer((req, res) => {
      const path = decodeURIComponent((req.url ?? '').split('?')[0]!);
      requests.push(path);
      if (path.endsWith('.tar.gz')) return void res.end(readFileSync(helmArchive));
      // charts as the helm double reads them: what collection renders to hold the image list to
      const chart = artifacts.find((a) => a.kind === 'chart' && path.endsWith(`/${a.file.split('/').pop()}`));
      if (chart) return void res.end(fakeChart(chart.name, chart.version, images));
      res.end(fakeContent(path));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    // every source points at the local server, under a prefix named after the source
    sources = join(work, 'sources.yaml');
    const mirrors = Object.fromEntries(Object.keys(artifactsDoc.bundle_sources).map((k) => [k, `${base}/${k}`]));
    writeFileSync(sources, YAML.stringify({ bundle_sources: mirrors, bundle_image_mirrors: { 'docker.io': 'mirror.test:5000' } }));

    // skopeo double: `skopeo [global options] copy [flags] docker://SRC oci-archive:PATH:REF` writes PATH
    mkdirSync(doubleBin);
    writeFileSync(
      join(doubleBin, 'skopeo'),
      `#!/bin/bash
printf '%s\\n' "$*" >> ${JSON.stringify(skopeoLog)}
# global options come first, as skopeo documents: skopeo [global options] command [options]
[ "$1 $2 $3" = "--override-os=linux --override-arch=amd64 copy" ] || [ "$1 $2 $3" = "--override-os=linux --override-arch=arm64 copy" ] || { echo "skopeo double: expected the global options, then copy: $*" >&2; exit 2; }
dest="\${@: -1}"; src="\${@: -2:1}"
case "$dest" in oci-archive:*) ;; *) echo "skopeo double: not an oci-archive destination: $dest" >&2; exit 2;; esac
rest="\${dest#oci-archive:}"; path="\${rest%%:*}"; ref="\${rest#*:}"
# an OCI image layout as skopeo writes it: oci-layout, index.json naming the manifest blob
tmp=$(mktemp -d); mkdir -p "$tmp/blobs/sha256"
printf '{"imageLayoutVersion":"1.0.0"}' > "$tmp/oci-layout"
manifest="{\\"schemaVersion\\":2,\\"source\\":\\"$src\\"}"
# copied by digest, the image keeps that digest; else it is the digest of what was copied
case "$src" in *@sha256:*) digest="\${src##*@sha256:}";; *) digest=$(printf '%s' "$manifest" | sha256sum | cut -d' ' -f1);; esac
printf '%s' "$manifest" > "$tmp/blobs/sha256/$digest"
printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%d,"annotations":{"org.opencontainers.image.ref.name":"%s"}}]}' "$digest" "\${#manifest}" "$ref" > "$tmp/index.json"
tar -cf "$path" -C "$tmp" oci-layout index.json blobs && rm -rf "$tmp"
`,
    );
    chmodSync(join(doubleBin, 'skopeo'), 0o755);
  });

  after(async () => {
    await new Promise<void>((r) => server.close(() => r()));
    rmSync(work, { recursive: true, force: true });
  });

  const collect = (extra: string[] = []) =>
    gx(['play', 'playbooks/collect-bundle.yaml', '-e', `bundle_dir=${bundle}`, '-e', `@${sources}`, '-e', `skopeo=${join(doubleBin, 'skopeo')}`, '-e', `collect_helm=${HELM_DOUBLE}`, '--output', 'json', ...extra]);
  const preflight = (dir = bundle, extra: string[] = [], env: Record<string, string> = {}) => gx(['play', 'playbooks/preflight.yaml', '-e', `bundle_dir=${dir}`, '--output', 'json', ...extra], env);

  it('collect --check plans the downloads and touches nothing: no directory, no request', async () => {
    const r = await collect(['--check']);
    expect(r.code, why(r)).to.equal(0);
    expect(recap(r.stdout).hosts.localhost.changed).to.be.greaterThan(0);
    expect(existsSync(bundle)).to.equal(false);
    expect(requests).to.deep.equal([]);
    expect(existsSync(skopeoLog)).to.equal(false);
  });

  it('collect downloads every file from the configured sources and writes a manifest with each sha256', async () => {
    const r = await collect();
    expect(r.code, why(r)).to.equal(0);
    for (const a of artifacts.filter((x) => x.url && !x.archive_member)) {
      const path = new URL(a.url!.replace(/@@(\w+)@@/, (_, k: string) => `${base}/${k}`)).pathname;
      if (a.kind === 'chart') expect(readFileSync(join(bundle, a.file)).equals(fakeChart(a.name, a.version, images)), a.file).to.equal(true);
      else expect(readFileSync(join(bundle, a.file), 'utf8'), a.file).to.equal(fakeContent(decodeURIComponent(path)));
    }
    // every chart was rendered with the gauntlet's values, and what they run is the image list
    const templates = readFileSync(join(doubleState, 'calls.log'), 'utf8').split('\n').filter((l) => l.includes('"template"'));
    expect(templates).to.have.length(7);
    expect(templates.find((l) => l.includes('gitea'))).to.contain(`--values=${join(bundle, '.downloads', 'rendered', 'gitea-values.yaml')}`);
    expect(readFileSync(join(bundle, '.downloads', 'rendered', 'gitea-values.yaml'), 'utf8')).to.contain('redis-cluster:');
    expect(readFileSync(join(bundle, 'bin/helm-amd64'), 'utf8')).to.equal('#!/bin/sh\necho fake helm\n');

    const manifest = manifestOf(bundle);
    expect(manifest.map((m) => m.file)).to.deep.equal(artifacts.map((a) => a.file));
    for (const m of manifest) {
      expect(m.sha256, m.file).to.equal(sha256(join(bundle, m.file)));
      expect(m.size, m.file).to.equal(readFileSync(join(bundle, m.file)).length);
      expect(m.version).to.equal(String(artifacts.find((a) => a.file === m.file)!.version));
    }
  });

  it('images are copied with skopeo into OCI archives, from the mirror when one is configured', () => {
    const calls = readFileSync(skopeoLog, 'utf8').trim().split('\n');
    const images = artifacts.filter((a) => a.kind === 'image');
    expect(calls).to.have.length(images.length);
    for (const img of images) {
      const mirrored = img.ref!.startsWith('docker.io/') ? img.ref!.replace('docker.io/', 'mirror.test:5000/') : img.ref!;
      expect(calls, img.ref).to.include(`--override-os=linux --override-arch=amd64 copy --retry-times=3 docker://${mirrored} oci-archive:${join(bundle, img.file)}.part:${img.ref}`);
      const index = JSON.parse(execFileSync('tar', ['-xOf', join(bundle, img.file), 'index.json'], { encoding: 'utf8' })) as { manifests: { digest: string; annotations: Record<string, string> }[] };
      expect(index.manifests[0]!.annotations['org.opencontainers.image.ref.name']).to.equal(img.ref);
      expect(existsSync(join(bundle, `${img.file}.part`))).to.equal(false);
      // the manifest records the image's digest, read from the archive's OCI index
      expect(manifestOf(bundle).find((m) => m.file === img.file)!.digest, img.file).to.equal(index.manifests[0]!.digest);
    }
  });

  it('a second collect downloads nothing and changes nothing', async () => {
    const before = requests.length;
    const r = await collect();
    expect(r.code, why(r)).to.equal(0);
    expect(recap(r.stdout).hosts.localhost).to.include({ changed: 0, failed: 0 });
    expect(requests.length).to.equal(before);
  });

  it('collect -e bundle_arch=arm64 into the same directory: the arm64 files beside the amd64 ones, their own manifest, skopeo asked for arm64', async () => {
    const amd64Manifest = readFileSync(join(bundle, 'manifest-amd64.yaml'), 'utf8');
    const before = requests.length;
    const r = await collect(['-e', 'bundle_arch=arm64']);
    expect(r.code, why(r)).to.equal(0);
    const fetched = requests.slice(before);
    expect(fetched).to.include.members([
      '/github/k3s-io/k3s/releases/download/v1.31.7+k3s1/k3s-arm64',
      '/github/k3s-io/k3s/releases/download/v1.31.7+k3s1/k3s-airgap-images-arm64.tar.zst',
      '/helm/helm-v3.17.2-linux-arm64.tar.gz',
      '/ubuntu_ports/pool/universe/d/docker-registry/docker-registry_2.8.2+ds1-1_arm64.deb',
      '/ubuntu_cloud_images/releases/24.04/release/ubuntu-24.04-server-cloudimg-arm64.img',
    ]);
    // shared files (charts, the install script) are not fetched again
    expect(fetched.filter((p) => p.endsWith('.tgz') || p.endsWith('install.sh'))).to.deep.equal([]);
    expect(readFileSync(join(bundle, 'bin/helm-arm64'), 'utf8')).to.equal('#!/bin/sh\necho fake arm64 helm\n');
    const arm = YAML.parse(readFileSync(join(bundle, 'manifest-arm64.yaml'), 'utf8')) as { arch: string; artifacts: ManifestEntry[] };
    expect(arm.arch).to.equal('arm64');
    expect(arm.artifacts.map((m) => m.file)).to.include.members(['bin/k3s-arm64', 'images/keycloak-26.1.4-arm64.tar', 'vm/ubuntu-24.04-server-cloudimg-arm64.img', 'charts/gitea-11.0.1.tgz']);
    expect(arm.artifacts.filter((m) => m.file.includes('amd64'))).to.deep.equal([]);
    expect(readFileSync(join(bundle, 'manifest-amd64.yaml'), 'utf8')).to.equal(amd64Manifest);
    const calls = readFileSync(skopeoLog, 'utf8').trim().split('\n');
    expect(calls.filter((c) => c.includes('-arm64.tar.part')).every((c) => c.startsWith('--override-os=linux --override-arch=arm64 copy'))).to.equal(true);
    expect(calls.filter((c) => c.includes('-arm64.tar.part'))).to.have.length(18);
    // each architecture's preflight accepts its half of the shared directory
    expect((await preflight(bundle, ['--check', '-e', 'bundle_arch=arm64'], { GX_CONTROLLER_ARCH: 'arm64' })).code).to.equal(0);
    expect((await preflight(bundle, ['--check'])).code).to.equal(0);
  });

  it('collect refuses an image list that drifted from what the charts and manifests run, before copying any image', async () => {
    const drifted = join(work, 'drifted.yaml');
    // one image the gitea chart runs dropped, one at a version nothing runs
    const list = images.filter((i) => i.name !== 'gitea').map((i) => (i.name === 'prometheus' ? { ...i, version: 'v2.48.1' } : i));
    writeFileSync(drifted, YAML.stringify({ images: list }));
    const before = existsSync(skopeoLog) ? readFileSync(skopeoLog, 'utf8') : '';
    const r = await collect(['-e', `@${drifted}`]);
    expect(r.code).to.equal(2);
    const msg = failures(r.stdout).join('\n');
    expect(msg).to.contain('missing: docker.io/gitea/gitea:1.23.6-rootless — gitea: Deployment gitea, container c0');
    expect(msg).to.contain('missing: docker.io/prom/prometheus:v2.55.1 — linkerd-viz: Deployment linkerd-viz');
    expect(msg).to.contain('unused:  docker.io/prom/prometheus:v2.48.1 — rendered by nothing');
    expect(existsSync(skopeoLog) ? readFileSync(skopeoLog, 'utf8') : '').to.equal(before);
  });

  it('collect again repairs a file that no longer matches the manifest (instead of recording it)', async () => {
    const k3s = artifacts.find((a) => a.name === 'k3s' && a.kind === 'binary')!;
    const good = readFileSync(join(bundle, k3s.file), 'utf8');
    writeFileSync(join(bundle, k3s.file), 'truncated');
    const before = requests.length;
    const r = await collect();
    expect(r.code, why(r)).to.equal(0);
    expect(readFileSync(join(bundle, k3s.file), 'utf8')).to.equal(good);
    expect(requests.slice(before)).to.have.length(1);
    expect(requests[before]).to.match(/^\/github\/k3s-io\/k3s\/releases\/download\/v1\.31\.7\+k3s1\/k3s$/);
    expect(manifestOf(bundle).find((m) => m.file === k3s.file)!.sha256).to.equal(sha256(join(bundle, k3s.file)));
  });

  it('the preflight accepts the collected bundle, in --check too', async () => {
    const r = await preflight();
    expect(r.code, why(r)).to.equal(0);
    expect(recap(r.stdout).hosts.localhost).to.include({ failed: 0, changed: 0 });
    const c = await preflight(bundle, ['--check']);
    expect(c.code, why(c)).to.equal(0);
  });

  it('an image pinned by digest is copied by that digest, recorded, and checked by the preflight', async () => {
    const digest = `sha256:${createHash('sha256').update('keycloak amd64 manifest').digest('hex')}`;
    const keycloak = artifacts.find((a) => a.name === 'keycloak')!;
    const pinnedDir = join(work, 'pinned');
    const vars = join(work, 'pinned.yaml');
    // a one-image bundle: only the manifest that runs it is rendered, and the list is that image
    const onlyKeycloak = { collect_charts: [], collect_manifests: ['auth/keycloak.yaml.hbs'], images: images.filter((i) => i.name === 'keycloak') };
    writeFileSync(vars, YAML.stringify({ artifacts: [{ ...keycloak, digest }], ...onlyKeycloak }));
    const r = await gx(['play', 'playbooks/collect-bundle.yaml', '-e', `bundle_dir=${pinnedDir}`, '-e', `@${sources}`, '-e', `@${vars}`, '-e', `skopeo=${join(doubleBin, 'skopeo')}`, '--output', 'json']);
    expect(r.code, why(r)).to.equal(0);
    const call = readFileSync(skopeoLog, 'utf8').trim().split('\n').at(-1)!;
    expect(call).to.include(` docker://quay.io/keycloak/keycloak@${digest} oci-archive:${join(pinnedDir, keycloak.file)}.part:${keycloak.ref}`);
    expect(manifestOf(pinnedDir)).to.have.length(1);
    // the preflight's Multipass check wants the VM image this one-artifact bundle does not list
    mkdirSync(join(pinnedDir, 'vm'), { recursive: true });
    writeFileSync(join(pinnedDir, 'vm', 'ubuntu-24.04-server-cloudimg-amd64.img'), 'QFI');
    expect(manifestOf(pinnedDir)[0]!.digest).to.equal(digest);
    const ok = await gx(['play', 'playbooks/preflight.yaml', '-e', `bundle_dir=${pinnedDir}`, '-e', `@${vars}`, '--output', 'json']);
    expect(ok.code, why(ok)).to.equal(0);
    // the same bundle against another pin is refused
    writeFileSync(vars, YAML.stringify({ artifacts: [{ ...keycloak, digest: `sha256:${'0'.repeat(64)}` }] }));
    const other = await gx(['play', 'playbooks/preflight.yaml', '-e', `bundle_dir=${pinnedDir}`, '-e', `@${vars}`, '--output', 'json']);
    expect(other.code).to.equal(2);
    expect(failures(other.stdout).join('\n')).to.include(`image digest ${digest}, artifacts.yaml pins sha256:${'0'.repeat(64)}`);
  });

  // site.yaml's shape: the preflight first, then a play on another host that writes a marker.
  // The later host is reached with a local connection, so the marker proves whether it ran.
  const wrapper = (dir: string, marker: string) => {
    const inv = join(dir, 'inventory.yaml');
    writeFileSync(inv, YAML.stringify({ all: { vars: inventoryVars, children: { k3s: { hosts: { gauntlet: { ansible_connection: 'local' } } } } } }));
    const site = join(dir, 'site.yaml');
    writeFileSync(
      site,
      YAML.stringify([
        { import_playbook: join(root, 'playbooks/preflight.yaml') },
        { name: 'a later play', hosts: 'k3s', gather_facts: false, tasks: [{ name: 'touch the marker', file: { path: marker, state: 'touch' }, tags: ['mesh'] }] },
      ]),
    );
    return { inv, site };
  };

  it('a complete bundle lets the later plays run (so the next tests can see them not run)', async () => {
    const dir = mkdtempSync(join(work, 'site-'));
    const marker = join(dir, 'marker');
    const { inv, site } = wrapper(dir, marker);
    const r = await gx(['play', site, '-i', inv, '-e', `bundle_dir=${bundle}`, '--output', 'json']);
    expect(r.code, why(r)).to.equal(0);
    expect(existsSync(marker)).to.equal(true);
  });

  describe('a broken bundle', () => {
    const broken = join(work, 'broken');
    const missing = artifacts.find((a) => a.kind === 'chart' && a.name === 'linkerd-viz')!;
    const alsoMissing = artifacts.find((a) => a.kind === 'image' && a.name === 'keycloak')!;
    const corrupt = artifacts.find((a) => a.name === 'k3s' && a.kind === 'binary')!;

    let images: InventoryImage[] = [];
  before(async () => {
    images = await inventoryImages();
      // also when --grep skipped the collection tests above
      if (!existsSync(join(bundle, 'manifest-amd64.yaml'))) expect((await collect()).code).to.equal(0);
      execFileSync('cp', ['-a', bundle, broken]);
      unlinkSync(join(broken, missing.file));
      unlinkSync(join(broken, alsoMissing.file));
      writeFileSync(join(broken, corrupt.file), 'tampered\n');
    });

    it('stops the run before any later play: exit code 2, every problem listed at once, no later task started', async () => {
      const dir = mkdtempSync(join(work, 'site-'));
      const marker = join(dir, 'marker');
      const { inv, site } = wrapper(dir, marker);
      const r = await gx(['play', site, '-i', inv, '-e', `bundle_dir=${broken}`, '--output', 'json']);
      expect(r.code, why(r)).to.equal(2);
      const [msg, ...others] = failures(r.stdout);
      expect(others).to.deep.equal([]);
      expect(msg).to.include('3 problems');
      expect(msg).to.match(new RegExp(`missing: +chart linkerd-viz ${missing.version}: ${missing.file}`));
      expect(msg).to.match(new RegExp(`missing: +image keycloak ${alsoMissing.version}: ${alsoMissing.file}`));
      expect(msg).to.match(new RegExp(`corrupt: +binary k3s .*: bin/k3s-amd64 — sha256 ${sha256(join(broken, corrupt.file))}, manifest-amd64.yaml says [0-9a-f]{64}`));
      // nothing of the later play: no play start with hosts, no task, no result for its host
      const later = events(r.stdout).filter((e) => e.type === 'play.start' && e.name === 'a later play');
      expect(later).to.deep.equal([]);
      expect(events(r.stdout).filter((e) => e.type === 'task.start' && e.name === 'touch the marker')).to.deep.equal([]);
      expect(Object.keys(recap(r.stdout).hosts)).to.deep.equal(['localhost']);
      expect(existsSync(marker)).to.equal(false);
    });

    it('the real site.yaml stops at its preflight: multipass is never called, no other play starts', async () => {
      const bin = mkdtempSync(join(work, 'multipass-'));
      const called = join(bin, 'called');
      writeFileSync(join(bin, 'multipass'), `#!/bin/sh\necho "$@" >> ${JSON.stringify(called)}\nexit 1\n`);
      chmodSync(join(bin, 'multipass'), 0o755);
      const r = await gx(['play', 'site.yaml', '-e', `bundle_dir=${broken}`, '--output', 'json'], { PATH: `${bin}:${process.env.PATH}` });
      expect(r.code, why(r)).to.equal(2);
      expect(failures(r.stdout).join('\n')).to.include(`missing:    chart linkerd-viz ${missing.version}: ${missing.file}`);
      const plays = events(r.stdout).filter((e) => e.type === 'play.start').map((e) => e.name as string);
      expect(plays).to.have.length(1);
      expect(plays[0]).to.match(/^preflight/);
      expect(Object.keys(recap(r.stdout).hosts)).to.deep.equal(['localhost']);
      expect(existsSync(called)).to.equal(false);
    });

    it('also with --tags of a component and with --check (the preflight is tagged always and only reads)', async () => {
      const dir = mkdtempSync(join(work, 'site-'));
      const marker = join(dir, 'marker');
      const { inv, site } = wrapper(dir, marker);
      const r = await gx(['play', site, '-i', inv, '-e', `bundle_dir=${broken}`, '--tags', 'mesh', '--check', '--output', 'json']);
      expect(r.code, why(r)).to.equal(2);
      expect(failures(r.stdout).join('\n')).to.include(missing.file);
      expect(events(r.stdout).filter((e) => e.type === 'task.start' && e.name === 'touch the marker')).to.deep.equal([]);
    });

    it('the plain output says what is wrong and what to do', async () => {
      const r = await gx(['play', 'playbooks/preflight.yaml', '-e', `bundle_dir=${broken}`, '--output', 'plain']);
      expect(r.code).to.equal(2);
      expect(r.stdout).to.include(`the offline bundle in ${broken} is not usable: 3 problems (${artifacts.length} artifacts checked)`);
      expect(r.stdout).to.include('gx play playbooks/collect-bundle.yaml');
    });

    it('a file that is not in the manifest is refused, and without the manifest nothing is trusted', async () => {
      const partial = join(work, 'partial');
      execFileSync('cp', ['-a', bundle, partial]);
      const manifestPath = join(partial, 'manifest-amd64.yaml');
      const doc = YAML.parse(readFileSync(manifestPath, 'utf8')) as { artifacts: { file: string }[] };
      doc.artifacts = doc.artifacts.filter((m) => m.file !== 'bin/helm-amd64');
      writeFileSync(manifestPath, YAML.stringify(doc));
      let msg = failures((await preflight(partial)).stdout).join('\n');
      expect(msg).to.match(/unrecorded: binary helm .*: bin\/helm-amd64 — not recorded in manifest-amd64.yaml/);
      expect(msg).to.include('1 problem ');

      unlinkSync(manifestPath);
      msg = failures((await preflight(partial)).stdout).join('\n');
      expect(msg).to.include(`${manifestPath} does not exist`);
      // presence alone can still be checked without the manifest
      const fast = await preflight(partial, ['-e', '{"bundle_checksums": false}']);
      expect(fast.code, fast.stdout).to.equal(0);
      expect(dirname(manifestPath)).to.equal(partial);
    });
  });
});
