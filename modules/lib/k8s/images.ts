// The container images a set of rendered Kubernetes objects will run, and whether a registry has
// them. Offline, an image missing from the local registry only shows on the cluster as a pod in
// ImagePullBackOff; read from what the objects really say (the chart rendered with the values it
// will be installed with, our own manifests), the list cannot drift from what runs.
import { ModuleError } from '../../../engine/errors.js';
import type { ModuleContext } from '../../../engine/module-contract.js';
import { parseReference } from '../oci/reference.js';
import { hostRequest } from '../host-http.js';

export interface WantedImage {
  /** the reference as the object names it */
  image: string;
  /** kind/name of the first object that names it, and the container */
  where: string;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The pod spec inside a workload object, by kind (core and apps/batch kinds). */
function podSpecOf(o: Obj): Obj | undefined {
  const spec = isObj(o.spec) ? o.spec : undefined;
  if (!spec) return undefined;
  switch (o.kind) {
    case 'Pod':
      return spec;
    case 'Deployment':
    case 'StatefulSet':
    case 'DaemonSet':
    case 'ReplicaSet':
    case 'ReplicationController':
    case 'Job':
      return isObj(spec.template) && isObj(spec.template.spec) ? spec.template.spec : undefined;
    case 'CronJob': {
      const jt = isObj(spec.jobTemplate) && isObj(spec.jobTemplate.spec) ? spec.jobTemplate.spec : undefined;
      return jt && isObj(jt.template) && isObj(jt.template.spec) ? jt.template.spec : undefined;
    }
    default:
      return undefined;
  }
}

/**
 * Custom resources whose controller starts pods with an image the object names (the operator, not
 * the object, makes the pod): kind@group → the field.
 */
const CR_IMAGE_FIELDS: Partial<Record<string, (spec: Obj) => unknown>> = {
  // CloudNativePG (docs: Cluster spec.imageName; without it the operator's default image)
  'Cluster@postgresql.cnpg.io': (spec) => spec.imageName,
};

/** Every image the workloads among `docs` run (containers, init and ephemeral containers), once each. */
export function imagesOf(docs: unknown[]): WantedImage[] {
  const seen = new Map<string, WantedImage>();
  for (const d of docs) {
    if (!isObj(d)) continue;
    const name = isObj(d.metadata) ? String(d.metadata.name ?? '?') : '?';
    const group = typeof d.apiVersion === 'string' && d.apiVersion.includes('/') ? d.apiVersion.split('/')[0] : '';
    const cr = CR_IMAGE_FIELDS[`${String(d.kind)}@${group}`];
    const crImage = cr && isObj(d.spec) ? cr(d.spec) : undefined;
    if (typeof crImage === 'string' && crImage !== '' && !seen.has(crImage)) seen.set(crImage, { image: crImage, where: `${String(d.kind)} ${name}` });
    const pod = podSpecOf(d);
    if (!pod) continue;
    for (const key of ['initContainers', 'containers', 'ephemeralContainers']) {
      const list = pod[key];
      if (!Array.isArray(list)) continue;
      for (const c of list) {
        if (!isObj(c) || typeof c.image !== 'string' || c.image === '') continue;
        if (!seen.has(c.image)) seen.set(c.image, { image: c.image, where: `${String(d.kind)} ${name}, container ${String(c.name ?? '?')}` });
      }
    }
  }
  return [...seen.values()];
}

/** registry host, repository and tag-or-digest as a registry v2 names them (Docker Hub's defaults applied). */
export function canonical(image: string): { registry: string; repository: string; ref: string } {
  const r = parseReference(image);
  const registry = r.registry ?? 'docker.io';
  const repository = (registry === 'docker.io' || registry === 'index.docker.io') && !r.repository.includes('/') ? `library/${r.repository}` : r.repository;
  return { registry: registry === 'index.docker.io' ? 'docker.io' : registry, repository, ref: r.ref };
}

export interface MissingImage extends WantedImage {
  /** the URL that answered no */
  url: string;
  why: string;
}

const MANIFEST_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

/**
 * Which of `wanted` the registry at `registry` (http(s)://host:port, as the HOST the task runs on
 * reaches it) does not have, under the repository path each has upstream: the local registry holds
 * every image at its upstream path and the K3s mirrors send every upstream registry there. One
 * HEAD per image from the host (hostRequest: curl there; the controller may not reach the VM's
 * registry by name).
 */
export async function missingFrom(ctx: ModuleContext, registry: string, wanted: WantedImage[]): Promise<MissingImage[]> {
  const base = registry.replace(/\/+$/, '');
  const out: MissingImage[] = [];
  for (const w of wanted) {
    const c = canonical(w.image);
    const url = `${base}/v2/${c.repository}/manifests/${c.ref}`;
    let status: number;
    try {
      ({ status } = await hostRequest(ctx, { url, method: 'HEAD', headers: { Accept: MANIFEST_TYPES }, timeoutS: 10, validateCerts: true, followRedirects: false }));
    } catch (e) {
      throw new ModuleError(`cannot reach the image registry ${base} from ${ctx.host} to check the images (${(e as Error).message}); is it running? (images_registry)`);
    }
    if (status !== 200) out.push({ ...w, url, why: status === 404 ? 'not in the registry' : `the registry answered HTTP ${status}` });
  }
  return out;
}

/** The failure message: every missing image, who wants it, and what to do. */
export function missingImagesMessage(what: string, missing: MissingImage[], registry: string): string {
  const lines = missing.map((m) => `  ${m.image} (${m.where}): ${m.why}`);
  return (
    `${what} would run ${missing.length} image${missing.length === 1 ? '' : 's'} that the registry ${registry} does not have, ` +
    `so its pods would sit in ImagePullBackOff offline:\n${lines.join('\n')}\n` +
    'add each to the bundle (inventory.yaml `images` and playbooks/bundle/artifacts.yaml), collect, and push it (gx play site.yaml --tags images); ' +
    'or change the values so the chart runs an image the bundle has'
  );
}

/**
 * The guard both modules run: throws (the task fails) when an image is missing. In check mode an
 * earlier task of the same run may be the one that would push it (the images play, the API's own
 * build), so a missing image is returned as a warning for the plan's message instead.
 */
export async function guardImages(ctx: ModuleContext, registry: string, wanted: WantedImage[], what: string): Promise<string | undefined> {
  const missing = await missingFrom(ctx, registry, wanted);
  if (missing.length === 0) return undefined;
  const msg = missingImagesMessage(what, missing, registry);
  if (!ctx.check) throw new ModuleError(msg);
  return `warning (check mode: an earlier task of a real run may push them): ${msg}`;
}

