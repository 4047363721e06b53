// artifacts.yaml and inventory.yaml say the same thing: the bundle holds exactly the versions the
// plays deploy. A version bumped in one file only would pass every other test and fail offline.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import YAML from 'yaml';
import { lazyScope } from '../../engine/run/lazy-scope.js';
import { renderValue } from '../../engine/vars/template.js';

const root = new URL('../..', import.meta.url).pathname;

interface Artifact {
  kind: string;
  name: string;
  version: string | number;
  version_var?: string;
  file: string;
  url?: string;
  ref?: string;
  archive_member?: string;
}

const artifactsDoc = YAML.parse(readFileSync(join(root, 'playbooks/bundle/artifacts.yaml'), 'utf8')) as Record<string, unknown> & { artifacts: Artifact[] };
const inventory = YAML.parse(readFileSync(join(root, 'inventory.yaml'), 'utf8')) as { all: { vars: Record<string, unknown> } };
// the inventory's variables as a play sees them (templates inside them resolved), on an amd64
// controller; the artifacts as the preflight sees them there (file names and urls rendered)
const vars = lazyScope({ ...inventory.all.vars, playbook_dir: join(root, 'playbooks'), gx_controller_arch: 'amd64' });
const artifactsFor = (arch: string) => renderValue(artifactsDoc.artifacts, lazyScope({ ...artifactsDoc, ...inventory.all.vars, bundle_arch: arch })) as Artifact[];
const artifacts = artifactsFor('amd64');
const inv = (name: string): unknown => renderValue(`{{ ${name} }}`, vars);

interface InventoryImage {
  name: string;
  registry: string;
  repository: string;
  version: string;
}
const images = (renderValue(inventory.all.vars.images, vars) as InventoryImage[]).map((i) => ({ ...i, version: String(i.version) }));

/** Versions of things built here from the repository, not collected. */
const BUILT_HERE = new Set(['api_version']);

describe('gauntlet bundle: artifacts.yaml agrees with inventory.yaml', () => {
  it('every version_var names an inventory variable of the same value', () => {
    const wrong = artifacts
      .filter((a) => a.version_var !== undefined)
      .map((a) => ({ artifact: a.name, var: a.version_var!, artifacts_yaml: String(a.version), inventory: inv(a.version_var!) }))
      .filter((x) => String(x.inventory) !== x.artifacts_yaml);
    expect(wrong).to.deep.equal([]);
  });

  it('every image of the inventory is in the bundle with its version, reference and file, and no other image', () => {
    const fromInventory = images.map((i) => ({ name: i.name, version: i.version, ref: `${i.registry}/${i.repository}:${i.version}`, file: `images/${i.name}-${i.version}-amd64.tar` }));
    const fromArtifacts = artifacts.filter((a) => a.kind === 'image').map((a) => ({ name: a.name, version: String(a.version), ref: a.ref, file: a.file }));
    expect(fromArtifacts).to.deep.equal(fromInventory);
  });

  it('every version variable of the inventory is covered by an artifact (or is built here)', () => {
    const covered = new Set(artifacts.map((a) => a.version_var).filter(Boolean));
    // a version used only through the images list is covered when an image's version uses it
    // (the gitea image is "{{ gitea_version }}-rootless"); the previous test checks those images
    const rawImageVersions = (inventory.all.vars.images as { version: unknown }[]).map((i) => String(i.version));
    const usedByImage = (k: string) => rawImageVersions.some((v) => new RegExp(`\\{\\{\\s*${k}\\s*\\}\\}`).test(v));
    const uncovered = Object.keys(inventory.all.vars)
      .filter((k) => k.endsWith('_version') && !covered.has(k) && !BUILT_HERE.has(k))
      .filter((k) => !usedByImage(k));
    expect(uncovered).to.deep.equal([]);
  });

  it('the artifacts follow the bundle layout of the shared contract', () => {
    const dirs: Record<string, RegExp> = {
      binary: /^bin\/[\w.-]+$/,
      script: /^bin\/[\w.-]+\.sh$/,
      'airgap-images': /^images\/k3s-airgap-images-amd64\.tar(\.zst)?$/,
      'vm-image': /^vm\/ubuntu-[\d.]+-server-cloudimg-amd64\.img$/,
      image: /^images\/[\w.-]+\.tar$/,
      chart: /^charts\/[\w.-]+\.tgz$/,
      deb: /^debs\/[\w.+~-]+\.deb$/,
    };
    for (const a of artifacts) {
      expect(dirs[a.kind], `${a.name}: unknown kind ${a.kind}`).to.not.equal(undefined);
      expect(a.file, a.name).to.match(dirs[a.kind]!);
      if (a.kind === 'chart') expect(a.file).to.equal(`charts/${a.name}-${a.version}.tgz`);
      if (a.kind === 'image') expect(a.ref, a.name).to.match(/^[\w.-]+(:\d+)?\/[\w./-]+:[\w.+-]+$/);
      else expect(a.url, `${a.name} needs a url to be collected`).to.be.a('string');
    }
    expect(new Set(artifacts.map((a) => a.file)).size, 'one file per artifact').to.equal(artifacts.length);
  });

  it('an arm64 bundle names every per-architecture file and url for arm64 (k3s-arm64, helm linux-arm64, the ports archive), and can share the directory with amd64', () => {
    const arm = artifactsFor('arm64');
    const byName = (l: Artifact[], n: string) => l.find((a) => a.name === n)!;
    expect(byName(arm, 'k3s').url).to.match(/\/k3s-arm64$/);
    expect(byName(arm, 'k3s-airgap-images').file).to.equal('images/k3s-airgap-images-arm64.tar.zst');
    expect(byName(arm, 'helm').url).to.match(/helm-v[\d.]+-linux-arm64\.tar\.gz$/);
    expect(byName(arm, 'helm').archive_member).to.equal('linux-arm64/helm');
    expect(byName(arm, 'docker-registry').url).to.match(/^http:\/\/ports\.ubuntu\.com\/ubuntu-ports\/pool\/.*_arm64\.deb$/);
    expect(byName(artifacts, 'docker-registry').url).to.match(/^http:\/\/archive\.ubuntu\.com\/ubuntu\/pool\/.*_amd64\.deb$/);
    expect(byName(arm, 'ubuntu-24.04-server-cloudimg').url).to.match(/ubuntu-24\.04-server-cloudimg-arm64\.img$/);
    // the files that differ per architecture never collide; the others (charts, the install script) are shared
    const amdFiles = new Set(artifacts.map((a) => a.file));
    const shared = arm.filter((a) => amdFiles.has(a.file)).map((a) => a.kind);
    expect([...new Set(shared)].sort()).to.deep.equal(['chart', 'script']);
  });

  it('the packages the base play installs (base_debs) are exactly the bundle\'s debs', () => {
    const debs = renderValue(inventory.all.vars.base_debs, vars) as string[];
    expect(artifacts.filter((a) => a.kind === 'deb').map((a) => a.file)).to.deep.equal(debs.map((d) => `debs/${d}`));
  });

  it('the k3s binary, its installer and its airgap images are the same release', () => {
    const k3s = artifacts.filter((a) => a.name.startsWith('k3s'));
    expect(k3s.map((a) => a.kind).sort()).to.deep.equal(['airgap-images', 'binary', 'script']);
    for (const a of k3s) {
      expect(a.version).to.equal(inv('k3s_version'));
      expect(decodeURIComponent(a.url!)).to.include(String(a.version));
    }
  });
  it('K3s is a Kubernetes minor every pinned component documents as supported (docs/compatibility.md names each source)', () => {
    // [component, pinned inventory variable, its pinned value's supported Kubernetes minors] as each
    // project documents them: linkerd.io k8s-versions.md, ingress-nginx README at controller-v1.12.1,
    // cloudnative-pg docs/src/supported_releases.md at v1.25.1, argo-cd tested-kubernetes-versions.md at v2.14.9
    const SUPPORT: Array<[string, string, Record<string, [number, number]>]> = [
      ['Linkerd', 'linkerd_version', { 'stable-2.14.10': [21, 28], 'edge-25.4.4': [22, 32] }],
      ['ingress-nginx', 'ingress_nginx_controller_version', { 'v1.12.1': [28, 32] }],
      ['CloudNativePG', 'cnpg_operator_version', { '1.25.1': [29, 32] }],
      ['Argo CD', 'argocd_version', { 'v2.14.9': [28, 31] }],
    ];
    const minor = Number(/^v1\.(\d+)\./.exec(String(inv('k3s_version')))![1]);
    const outside = SUPPORT.flatMap(([name, v, table]) => {
      const range = table[String(inv(v))];
      if (!range) return [`${name} ${String(inv(v))}: no documented range recorded here (add it, with its source, in this test and docs/compatibility.md)`];
      return minor < range[0] || minor > range[1] ? [`${name} ${String(inv(v))} supports Kubernetes 1.${range[0]}-1.${range[1]}, K3s is 1.${minor}`] : [];
    });
    expect(outside).to.deep.equal([]);
  });
});
