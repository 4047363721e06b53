// A small offline bundle for the full run of site.yaml: one file per entry of
// playbooks/bundle/artifacts.yaml, each what the consuming double or module reads — the k3s binary
// and install script are wrappers around the k3s doubles, charts are .tgz files holding a
// Chart.yaml (what the helm double reads) and a values.yaml made from the chart's key list in
// chart-keys/ (what the helm module checks the play's values against), images are real `docker save` archives (pushed to the
// real test registry), .debs are the control fields the dpkg-deb double reads, the VM image is a
// few bytes (the multipass double only checks that it exists). File names are rendered for the
// architecture asked for (bundle_arch), as the plays render them. Images come from
// inventory.yaml's `images` (what the images play pushes; test/gauntlet/bundle-versions.test.ts
// keeps artifacts.yaml in step with it).
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse, stringify } from 'yaml';
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { dockerArchive } from '../fixtures/images/make.js';
import { parsePath } from '../../modules/lib/k8s/chart-values.js';
import { renderValue } from '../../engine/vars/template.js';
import { defaultScope, PLAYBOOKS, REPO } from './helpers.js';

interface Artifact { kind: string; name: string; version: string; file: string; ref?: string }

/** artifacts.yaml's list as the plays see it for one architecture (file names and urls rendered). */
export async function artifacts(arch = 'amd64'): Promise<Artifact[]> {
  const doc = parse(readFileSync(join(PLAYBOOKS, 'bundle', 'artifacts.yaml'), 'utf8')) as Record<string, unknown>;
  return renderValue(doc.artifacts, await defaultScope({ ...doc, bundle_arch: arch })) as Artifact[];
}

const CHART_KEYS = join(REPO, 'test', 'gauntlet', 'chart-keys');

/**
 * A values.yaml with the key paths of a key list from chart-keys/: `a.b.c` → nested maps, `x.*` (a
 * map empty upstream) → `{}`. The lists stop at list-valued keys without saying which they are, so
 * every leaf is an empty string: the check never looks beneath a list, and a key with a scalar
 * default accepts a list or a scalar alike, so only the key paths matter here.
 */
export function valuesFromKeyList(keys: string[]): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const k of keys) {
    const open = k.endsWith('.*');
    const path = parsePath(open ? k.slice(0, -2) : k);
    let at = root;
    for (const seg of path.slice(0, -1)) at = (at[seg] ??= {}) as Record<string, unknown>;
    at[path.at(-1)!] = open ? {} : '';
  }
  return root;
}

/** The fake chart's values.yaml: from its key list, or empty for a chart without one (linkerd-crds: the play sets no values). */
export function chartValuesYaml(name: string, version: string): string {
  const list = join(CHART_KEYS, `${name}-${version}.yaml`);
  return existsSync(list) ? stringify(valuesFromKeyList(parse(readFileSync(list, 'utf8')) as string[])) : '';
}

const K3S_DOUBLES = join(REPO, 'test', 'doubles', 'k3s', 'bin');

export interface InventoryImage { name: string; registry: string; repository: string; version: string }

/**
 * The inventory images each chart runs with the gauntlet's values, as its templates render them
 * (the images each chart's values.yaml names at the pinned version; docs/compatibility.md lists
 * the files read). The fake chart's one template is a plain-YAML Deployment with these
 * images, which the helm double's `helm template` prints: the helm module's image guard then looks
 * each up in the registry as it would the real chart's rendering.
 */
const CHART_IMAGES: Record<string, string[]> = {
  'ingress-nginx': ['ingress-nginx-controller', 'ingress-nginx-kube-webhook-certgen'],
  'cloudnative-pg': ['cloudnative-pg'],
  gitea: ['gitea'],
  'argo-cd': ['argocd', 'redis'],
  'linkerd-crds': [],
  'linkerd-control-plane': ['linkerd-controller', 'linkerd-policy-controller', 'linkerd-proxy', 'linkerd-proxy-init'],
  'linkerd-viz': ['linkerd-metrics-api', 'linkerd-tap', 'linkerd-web', 'prometheus', 'linkerd-extension-init'],
};

function chartTemplate(chart: string, images: InventoryImage[]): string | undefined {
  const names = CHART_IMAGES[chart];
  if (names === undefined) throw new Error(`fake-bundle: which images does chart ${chart} run? (CHART_IMAGES)`);
  if (names.length === 0) return undefined;
  const refs = names.map((n) => {
    const i = images.find((x) => x.name === n);
    if (!i) throw new Error(`fake-bundle: inventory.yaml has no image ${n}`);
    return `${i.registry}/${i.repository}:${i.version}`;
  });
  const containers = refs.map((r, k) => `        - name: c${k}\n          image: ${r}`).join('\n');
  return `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${chart}\nspec:\n  selector:\n    matchLabels: { app: ${chart} }\n  template:\n    metadata:\n      labels: { app: ${chart} }\n    spec:\n      containers:\n${containers}\n`;
}

/**
 * A chart archive as the doubles and the helm module read it: Chart.yaml, a values.yaml from the
 * chart's key list, and one plain-YAML template running the images the real chart runs. Byte for
 * byte the same on every call: one bundle directory made for both architectures keeps the chart
 * files the first manifest recorded.
 */
export function fakeChart(name: string, version: string, images: InventoryImage[]): Buffer {
  const work = mkdtempSync(join(tmpdir(), 'gx-chart-'));
  try {
    mkdirSync(join(work, name));
    writeFileSync(join(work, name, 'Chart.yaml'), `apiVersion: v2\nname: ${name}\nversion: ${version}\nappVersion: "${version}"\n`);
    writeFileSync(join(work, name, 'values.yaml'), chartValuesYaml(name, version));
    const template = chartTemplate(name, images);
    if (template !== undefined) {
      mkdirSync(join(work, name, 'templates'));
      writeFileSync(join(work, name, 'templates', 'workloads.yaml'), template);
    }
    const bytes = execFileSync('tar', ['--sort=name', '--mtime=@0', '--owner=0', '--group=0', '--numeric-owner', '-cf', '-', '-C', work, name]);
    return gzipSync(bytes, { level: 9 });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** inventory.yaml's images as a play sees them. */
export async function inventoryImages(): Promise<InventoryImage[]> {
  return (await defaultScope()).images as InventoryImage[];
}

export async function makeBundle(dir: string, arch = 'amd64'): Promise<void> {
  const images = (await defaultScope({ bundle_arch: arch })).images as InventoryImage[];
  const entries: Artifact[] = [
    ...(await artifacts(arch)).filter((a) => a.kind !== 'image'),
    ...images.map((i) => ({ kind: 'image', name: i.name, version: String(i.version), file: `images/${i.name}-${i.version}-${arch}.tar`, ref: `${i.registry}/${i.repository}:${i.version}` })),
  ];
  for (const a of entries) {
    const path = join(dir, a.file);
    mkdirSync(dirname(path), { recursive: true });
    switch (a.kind) {
      case 'binary':
        if (a.name === 'k3s') {
          writeFileSync(path, `#!/bin/sh\nexport K3S_DOUBLE_VERSION=${a.version}\nexec bash ${join(K3S_DOUBLES, 'k3s')} "$@"\n`);
          chmodSync(path, 0o755);
        } else writeFileSync(path, `#!/bin/sh\necho "${a.name} ${a.version} (bundle stand-in)"\n`);
        break;
      case 'script':
        writeFileSync(path, `#!/bin/sh\nexec bash ${join(K3S_DOUBLES, 'k3s-install.sh')} "$@"\n`);
        chmodSync(path, 0o755);
        break;
      case 'deb':
        writeFileSync(path, `Package: ${a.name}\nVersion: ${a.version}\nArchitecture: ${arch}\n`);
        break;
      case 'chart':
        writeFileSync(path, fakeChart(a.name, a.version, images));
        break;
      case 'image': {
        const built = await dockerArchive(dirname(path), `${a.name}.build`, [{ [`etc/${a.name}`]: `${a.ref ?? a.name}\n` }], { repoTag: a.ref, config: { architecture: arch, os: 'linux' } });
        renameSync(built.path, path);
        break;
      }
      default:
        writeFileSync(path, `${a.kind} ${a.name} ${a.version}\n`);
    }
  }
  // what the collect playbook writes last: this architecture's manifest with every file's sha256
  const recorded = entries.map((a) => ({ kind: a.kind, name: a.name, version: String(a.version), file: a.file, sha256: createHash('sha256').update(readFileSync(join(dir, a.file))).digest('hex') }));
  writeFileSync(join(dir, `manifest-${arch}.yaml`), stringify({ arch, artifacts: recorded }));
}
