// The bundle_check module on its own, through the engine's executeModule: what it accepts, every
// kind of problem it reports (all of them in one failure), and that it never changes anything.
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import YAML from 'yaml';
import { ModuleArgsError } from '../../engine/errors.js';
import { runModule, tempDir } from './harness.js';
import type { BundleArtifact } from '../../modules/bundle_check.js';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const DIGEST = `sha256:${sha('image manifest')}`;

type Art = BundleArtifact;

const ARTS: Art[] = [
  { kind: 'binary', name: 'k3s', version: 'v1.32.3+k3s1', file: 'bin/k3s' },
  { kind: 'chart', name: 'linkerd-viz', version: '30.12.11', file: 'charts/linkerd-viz-30.12.11.tgz' },
  { kind: 'image', name: 'keycloak', version: '26.1.4', file: 'images/keycloak-26.1.4.tar', digest: DIGEST },
];

/** A bundle holding every artifact of `arts` (content = its file name) and a matching manifest. */
async function bundle(arts: Art[] = ARTS): Promise<string> {
  const dir = await tempDir('gx-bundle-check-');
  for (const a of arts) {
    await mkdir(join(dir, a.file, '..'), { recursive: true });
    await writeFile(join(dir, a.file), a.file);
  }
  const manifest = arts.map((a) => ({ kind: a.kind, name: a.name, version: a.version, file: a.file, sha256: sha(a.file), ...(a.kind === 'image' ? { digest: DIGEST } : {}) }));
  await writeFile(join(dir, 'manifest.yaml'), YAML.stringify({ artifacts: manifest }));
  return dir;
}

async function editManifest(dir: string, edit: (entries: Record<string, unknown>[]) => void): Promise<void> {
  const { readFile } = await import('node:fs/promises');
  const doc = YAML.parse(await readFile(join(dir, 'manifest.yaml'), 'utf8')) as { artifacts: Record<string, unknown>[] };
  edit(doc.artifacts);
  await writeFile(join(dir, 'manifest.yaml'), YAML.stringify(doc));
}

describe('bundle_check module', () => {
  it('passes on a complete bundle, changes nothing, and says the same in check mode', async () => {
    const dir = await bundle();
    for (const check of [false, true]) {
      const r = await runModule('bundle_check', { dir, artifacts: ARTS }, { check });
      expect(r, r.msg).to.include({ failed: false, changed: false, skipped: false });
      expect(r.msg).to.equal(`3 artifacts present and intact in ${dir}`);
      expect(r.data).to.include({ checked: 3, bytes: ARTS.reduce((n, a) => n + a.file.length, 0) });
    }
  });

  it('lists every problem at once: missing, corrupt, unrecorded, wrong version, pinned digest', async () => {
    const extra: Art = { kind: 'deb', name: 'docker-registry', version: '2.8.2+ds1-1', file: 'debs/docker-registry_2.8.2+ds1-1_amd64.deb' };
    const arts = [...ARTS, extra];
    const dir = await bundle(ARTS);
    await mkdir(join(dir, 'debs'));
    await writeFile(join(dir, extra.file), 'copied by hand');
    await writeFile(join(dir, 'bin/k3s'), 'tampered');
    await editManifest(dir, (m) => {
      m[1]!.version = '30.12.10';
      m[2]!.digest = `sha256:${sha('another manifest')}`;
    });
    const r = await runModule('bundle_check', { dir, artifacts: [...arts, { kind: 'chart', name: 'gitea', version: '11.0.1', file: 'charts/gitea-11.0.1.tgz' }] });
    expect(r.failed).to.equal(true);
    const d = r.data as { missing: { name: string }[]; corrupt: { name: string; reason: string }[]; unrecorded: { name: string }[] };
    expect(d.missing.map((p) => p.name)).to.deep.equal(['gitea']);
    expect(d.unrecorded.map((p) => p.name)).to.deep.equal(['docker-registry']);
    expect(d.corrupt.map((p) => [p.name, p.reason])).to.deep.equal([
      ['k3s', `sha256 ${sha('tampered')}, manifest.yaml says ${sha('bin/k3s')}`],
      ['linkerd-viz', 'collected as version 30.12.10'],
      ['keycloak', `image digest sha256:${sha('another manifest')}, artifacts.yaml pins ${DIGEST}`],
    ]);
    expect(r.msg).to.include('is not usable: 5 problems (5 artifacts checked)');
    for (const line of ['missing:    chart gitea 11.0.1: charts/gitea-11.0.1.tgz', 'unrecorded: deb docker-registry', 'corrupt:    binary k3s', 'corrupt:    chart linkerd-viz', 'corrupt:    image keycloak']) {
      expect(r.msg).to.include(line);
    }
  });

  it('checks a sha256 pinned in the artifact list itself', async () => {
    const dir = await bundle();
    const pinned = ARTS.map((a) => (a.name === 'k3s' ? { ...a, sha256: sha('the release everyone agreed on') } : a));
    const r = await runModule('bundle_check', { dir, artifacts: pinned });
    expect(r.failed).to.equal(true);
    expect(r.msg).to.include(`corrupt:    binary k3s v1.32.3+k3s1: bin/k3s — sha256 ${sha('bin/k3s')}, artifacts.yaml pins ${sha('the release everyone agreed on')}`);
  });

  it('reports a broken manifest, and a directory where a file should be', async () => {
    const dir = await bundle();
    await writeFile(join(dir, 'manifest.yaml'), 'artifacts: [');
    await mkdir(join(dir, 'charts', 'oops.tgz'));
    const r = await runModule('bundle_check', { dir, artifacts: [...ARTS, { kind: 'chart', name: 'oops', version: '1', file: 'charts/oops.tgz' }] });
    expect(r.failed).to.equal(true);
    expect(r.msg).to.match(/manifest: +.*manifest\.yaml is not valid YAML/);
    expect(r.msg).to.include('corrupt:    chart oops 1: charts/oops.tgz — is a directory, not a regular file');
    // without a readable manifest each file is not listed again as unrecorded
    expect(r.msg).to.not.include('unrecorded');

    await writeFile(join(dir, 'manifest.yaml'), 'files: []\n');
    const noList = await runModule('bundle_check', { dir, artifacts: ARTS });
    expect(noList.msg).to.include("has no 'artifacts' list");
  });

  it('checksums: false only checks presence (no manifest needed)', async () => {
    const dir = await bundle();
    await writeFile(join(dir, 'manifest.yaml'), 'not: the manifest\n');
    await writeFile(join(dir, 'bin/k3s'), 'tampered');
    const r = await runModule('bundle_check', { dir, artifacts: ARTS, checksums: false });
    expect(r, r.msg).to.include({ failed: false });
    expect(r.msg).to.equal(`3 artifacts present in ${dir}`);
  });

  it('refuses artifact files outside the bundle, names used twice, and a dir that is a file', async () => {
    const dir = await bundle();
    const outside = await runModule('bundle_check', { dir, artifacts: [{ kind: 'binary', name: 'evil', version: '1', file: '../../etc/passwd' }] });
    expect(outside.msg).to.equal("artifact evil: file '../../etc/passwd' must be a path inside the bundle directory");
    const twice = await runModule('bundle_check', { dir, artifacts: [ARTS[0], { ...ARTS[0], name: 'k3s-again', file: './bin/k3s' }] });
    expect(twice.msg).to.equal('artifacts k3s and k3s-again both name the file bin/k3s');
    const notDir = await runModule('bundle_check', { dir: join(dir, 'bin/k3s'), artifacts: ARTS });
    expect(notDir.msg).to.equal(`${join(dir, 'bin/k3s')} is not a directory`);
  });

  it('rejects an artifact without its file before running (argument validation)', async () => {
    let err: unknown;
    try {
      await runModule('bundle_check', { dir: '/tmp', artifacts: [{ kind: 'binary', name: 'k3s', version: '1' }] });
    } catch (e) {
      err = e;
    }
    expect(err).to.be.instanceOf(ModuleArgsError);
    expect((err as Error).message).to.include("argument 'artifacts[0]' of module 'bundle_check' needs the key 'file'");
  });
  it('a bundle directory that does not exist: one line saying so and what to do, every artifact still listed as missing in the data', async () => {
    const r = await runModule('bundle_check', { dir: '/nonexistent/gx-bundle', artifacts: ARTS });
    expect(r.failed).to.equal(true);
    expect(r.msg).to.equal('the offline bundle directory /nonexistent/gx-bundle does not exist (3 artifacts expected there): collect it on a machine with internet access (gx play playbooks/collect-bundle.yaml, see docs/runbook.md), or point bundle_dir at it (-e bundle_dir=/path/to/bundle)');
    expect((r.data.missing as unknown[]).length).to.equal(3);
  });

  it('arch: reads manifest-ARCH.yaml, which must record that architecture; a bundle of the other one only says so and how to collect', async () => {
    const dir = await bundle();
    const { rename, readFile } = await import('node:fs/promises');
    const doc = YAML.parse(await readFile(join(dir, 'manifest.yaml'), 'utf8')) as Record<string, unknown>;
    await writeFile(join(dir, 'manifest-amd64.yaml'), YAML.stringify({ arch: 'amd64', ...doc }));
    await rename(join(dir, 'manifest.yaml'), join(dir, 'manifest-arm64.yaml.bak'));
    const ok = await runModule('bundle_check', { dir, artifacts: ARTS, arch: 'amd64' });
    expect(ok, ok.msg).to.include({ failed: false });
    expect(ok.data.manifest).to.equal(join(dir, 'manifest-amd64.yaml'));
    // the arm64 VM of an Apple Silicon controller, with only the amd64 files collected
    const other = await runModule('bundle_check', { dir, artifacts: ARTS, arch: 'arm64' });
    expect(other.failed).to.equal(true);
    expect(other.msg).to.contain(`${join(dir, 'manifest-arm64.yaml')} does not exist`).and.contain('this bundle holds the amd64 files only, and the VM will be arm64; collect the arm64 files into it with gx play playbooks/collect-bundle.yaml -e bundle_arch=arm64');
    // a manifest that records another architecture than its name says is not trusted
    await writeFile(join(dir, 'manifest-arm64.yaml'), YAML.stringify({ arch: 'amd64', ...doc }));
    const mislabelled = await runModule('bundle_check', { dir, artifacts: ARTS, arch: 'arm64' });
    expect(mislabelled.msg).to.contain('manifest-arm64.yaml records the files of architecture amd64, not arm64');
  });
});
