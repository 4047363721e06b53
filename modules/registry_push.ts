// registry_push: `append` builds like `crane append`, without Docker. Planning does all the reading
// and computing (archive unpacked, layers compressed, manifest built, HEAD on the tag and on every
// blob), so check mode reports exactly the blobs a real run would upload; apply only uploads and
// tags.
import { ModuleError } from '../engine/errors.js';
import { defineModule, type ModuleContext, type Plan } from '../engine/module-contract.js';
import { appendImage, scratchImage, type AppendSpec, type NewLayer } from './lib/oci/append.js';
import { imagePushSet, loadPushSet, loadSingleImage, openSource, quickIdentity, type PushSet, type SingleImage } from './lib/oci/local-image.js';
import { IMAGE_MANIFESTS, type ImageManifest } from './lib/oci/media-types.js';
import { pushMissing, pushState } from './lib/oci/push.js';
import { parseReference } from './lib/oci/reference.js';
import { checkRepository, checkTag, RegistryClient, type RegistryOptions } from './lib/oci/registry-client.js';
import { pullImage } from './lib/oci/remote-image.js';
import { Workspace } from './lib/oci/workspace.js';

export interface AppendArgs {
  layer?: string;
  dest?: string;
  base?: string;
  uid: number;
  gid: number;
  mtime: number;
  env?: Record<string, string>;
  workdir?: string;
  user?: string;
  entrypoint?: string[];
  cmd?: string[];
  labels?: Record<string, string>;
  created?: string;
  created_by?: string;
}

export interface RegistryPushArgs {
  registry: string;
  repository: string;
  tag: string;
  src?: string;
  image?: string;
  platform: string;
  username?: string;
  password?: string;
  validate_certs: boolean;
  ca_path?: string;
  timeout: number;
  append?: AppendArgs;
}

export interface RegistryPushData {
  registry: string;
  repository: string;
  tag: string;
  /** the manifest digest the tag points at after the task */
  digest: string;
  /** registry/repository@digest, ready for a Pod spec */
  image: string;
  media_type: string;
  /** blob digests uploaded (or mounted from another repository) by this run */
  uploaded: string[];
  /** blob digests the registry already had */
  skipped: string[];
  /** blob digests a real run would upload (check mode), empty when nothing is missing */
  would_upload: string[];
  /** the digest the tag pointed at before, when it existed */
  previous_digest?: string;
  config_digest?: string;
  /** for append: the new layer's blob digest and its diff_id (sha256 of the uncompressed tar) */
  layer_digest?: string;
  layer_diff_id?: string;
}

const stringMap = { type: 'object', additionalProperties: { type: 'string' } };
const argv = { type: 'array', items: { type: 'string' } };

const appendSchema = {
  type: 'object',
  additionalProperties: false,
  description:
    'Build the image instead of pushing `src` as it is: `src` (or `base`) is the base, `layer` goes on top, and the config changes given are applied. ' +
    'The same inputs always give the same digest (sorted tar entries, fixed mtime and owner, no clock read), so a second run is ok.',
  properties: {
    layer: {
      type: 'string',
      description:
        "The new layer: a directory (tarred deterministically) or a tar / tar.gz, relative to the role's or playbook's files/ or absolute on the controller. " +
        'Without it only the config changes (an empty history entry is added).',
    },
    dest: { type: 'string', description: 'For a directory layer: where its contents go inside the image (default /). Its parent directories are added with mode 0755.' },
    base: {
      type: 'string',
      description:
        "The base image when there is no `src`: a reference [http(s)://][host[:port]/]repository[:tag|@digest]; without a host it is a repository of `registry`. 'scratch' starts from an empty image. " +
        'Layers of a base in another repository of the same registry are mounted, not copied.',
    },
    uid: { type: 'integer', minimum: 0, default: 0, description: 'Owner uid of every entry of a directory layer.' },
    gid: { type: 'integer', minimum: 0, default: 0, description: 'Owner gid of every entry of a directory layer.' },
    mtime: { type: 'integer', minimum: 0, default: 0, description: 'Modification time (seconds since the epoch) of every entry of a directory layer.' },
    env: { ...stringMap, description: 'Environment variables to set (an existing one of the same name is replaced).' },
    workdir: { type: 'string', description: 'The working directory (config WorkingDir).' },
    user: { type: 'string', description: 'The user[:group] the container runs as (config User).' },
    entrypoint: { ...argv, description: 'The entrypoint, as a list of words (config Entrypoint). The base Cmd is kept unless `cmd` is given too.' },
    cmd: { ...argv, description: 'The command, as a list of words (config Cmd).' },
    labels: { ...stringMap, description: 'Labels to add or replace (config Labels).' },
    created: { type: 'string', pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}T', description: "The new config's `created` time (RFC 3339). Default: the base's, or 1970-01-01T00:00:00Z for scratch." },
    created_by: { type: 'string', description: "The new history entry's created_by text (default 'gx registry_push append')." },
  },
};

export const registry_push = defineModule<RegistryPushArgs, RegistryPushData>({
  name: 'registry_push',
  aliases: ['registry-push'],
  summary: 'Push an image (docker save archive or OCI layout) to a registry v2, or build one with append and push it.',
  description:
    'Runs on the controller and talks HTTP(S) to the registry. Each blob is checked with HEAD and only the missing ones are uploaded; then the manifest is put under `tag`. ' +
    'When the tag already holds the image, nothing is sent and the task is ok: for an OCI layout that means the same manifest digest, for a docker save archive the same config digest (the image ID), so an image docker push put there is not pushed again; that check unpacks and compresses nothing. ' +
    'A docker save archive is pushed as a Docker v2 schema 2 image with gzip layers (what docker push does); an OCI layout (directory or tar) is pushed exactly as stored, a multi-platform index with all its images. ' +
    'Check mode lists the blobs that would be uploaded in `would_upload` and uploads nothing. With --diff the tag\'s digest before and after is shown.',
  schema: {
    type: 'object',
    properties: {
      registry: {
        type: 'string',
        description: 'The registry: host[:port] (HTTPS), or http://host:port for a plain-HTTP registry, https://host:port to be explicit.',
      },
      repository: { type: 'string', description: 'The repository to push to, e.g. apps/api (lowercase, / between parts).' },
      tag: { type: 'string', default: 'latest', description: 'The tag to put the manifest under.' },
      src: {
        type: 'string',
        description:
          "The image on the controller: a docker save archive (tar or tar.gz) or an OCI image layout (directory or tar), relative to the role's or playbook's files/ or absolute. " +
          'With `append` it is the base image.',
      },
      image: { type: 'string', description: 'Which image of a source holding several: a RepoTag of a docker save archive, or the ref.name annotation of an OCI layout.' },
      platform: {
        type: 'string',
        default: 'linux/amd64',
        pattern: '^[a-z0-9]+/[a-z0-9_]+(/[a-z0-9]+)?$',
        description: 'os/arch[/variant] to take from a multi-platform base image (append), and of a scratch base.',
      },
      username: { type: 'string', description: 'User for the registry (basic auth, or to get a bearer token).' },
      password: { type: 'string', description: 'Password for the registry; masked in all output.' },
      validate_certs: { type: 'boolean', default: true, description: 'Check the registry certificate for https.' },
      ca_path: { type: 'string', description: 'A PEM file of CA certificates to trust for the registry (a private CA).' },
      timeout: { type: 'number', exclusiveMinimum: 0, default: 60, description: 'Seconds one request may wait without progress.' },
      append: {
        ...appendSchema,
        // the doc renderer lists top-level arguments only, so the keys of this block are spelled out here
        description: `${appendSchema.description} Its keys: ${Object.entries(appendSchema.properties)
          .map(([k, v]) => `\`${k}\` ${v.description.replace(/\.$/, '')}`)
          .join('; ')}.`,
      },
    },
    required: ['registry', 'repository'],
    additionalProperties: false,
  },
  examples: [
    `- name: Push the API image saved with docker save
  registry_push:
    src: images/api.tar
    registry: http://127.0.0.1:5000
    repository: apps/api
    tag: '1.4.2'
  register: pushed

- name: Use the pushed digest
  debug:
    msg: 'image: {{ pushed.image }}'`,
    `- name: Build the API image without Docker (node base from the registry + the app directory)
  registry_push:
    registry: http://registry.local:5000
    repository: apps/api
    tag: '{{ api_version }}'
    username: pusher
    password: '{{ registry_password }}'
    append:
      base: library/node:20-slim
      layer: api-dist/
      dest: /app
      workdir: /app
      user: '1000:1000'
      env:
        NODE_ENV: production
      entrypoint: [node, server.js]
      labels:
        org.opencontainers.image.version: '{{ api_version }}'`,
    `- name: Push an OCI layout, one platform set as stored
  registry-push:
    src: /srv/images/ingress-nginx-oci
    image: controller-v1.10.0
    registry: registry.local:5000
    repository: ingress-nginx/controller
    tag: v1.10.0
    ca_path: /etc/gx/registry-ca.pem`,
  ],
  returns: {
    registry: { type: 'str', description: 'host[:port] of the registry.', returned: 'always' },
    repository: { type: 'str', description: 'The repository.', returned: 'always' },
    tag: { type: 'str', description: 'The tag.', returned: 'always' },
    digest: { type: 'str', description: 'The manifest digest the tag points at (predicted in check mode).', returned: 'always' },
    image: { type: 'str', description: 'registry/repository@digest.', returned: 'always' },
    media_type: { type: 'str', description: 'Media type of the pushed manifest.', returned: 'always' },
    uploaded: { type: 'list', description: 'Blob digests uploaded (or mounted from another repository) by this run.', returned: 'always' },
    skipped: { type: 'list', description: 'Blob digests the registry already had.', returned: 'always' },
    would_upload: { type: 'list', description: 'Blob digests a run would upload; in check mode nothing is uploaded.', returned: 'always' },
    previous_digest: { type: 'str', description: 'The digest the tag pointed at before.', returned: 'when the tag existed' },
    config_digest: { type: 'str', description: 'Digest of the image config.', returned: 'for a single image' },
    layer_digest: { type: 'str', description: 'Blob digest of the appended layer (gzip).', returned: 'with append.layer' },
    layer_diff_id: { type: 'str', description: 'diff_id of the appended layer: sha256 of the uncompressed tar.', returned: 'with append.layer' },
  },
  controllerOnly: true,
  checkMode: true,
  check(a) {
    if (!a.append && a.src === undefined) return ['give src (the image to push), or append (to build one)'];
    if (a.append?.base !== undefined && a.src !== undefined) return ['append.base and src both name a base image; give one'];
    if (a.append && a.append.base === undefined && a.src === undefined) return ["append needs a base image: src, or append.base (a registry reference, or 'scratch')"];
    return [];
  },
  async plan(ctx, a) {
    if (a.password !== undefined) ctx.secret(a.password);
    checkRepository(a.repository);
    checkTag(a.tag);

    const options: Omit<RegistryOptions, 'registry'> = {
      username: a.username,
      password: a.password,
      validateCerts: a.validate_certs,
      caPath: a.ca_path,
      timeoutMs: a.timeout * 1000,
      signal: ctx.signal,
    };
    const client = new RegistryClient({ registry: a.registry, ...options });
    const others: RegistryClient[] = [];
    const ws = new Workspace();
    let keep = false;
    try {
      await client.ping();
      const current = await client.headManifest(a.repository, a.tag);
      if (current && !a.append) {
        const same = await alreadyThere(a, client, await ctx.findFile(a.src!, 'files'), current);
        if (same) return same;
      }
      const built = await buildSet(ctx, a, client, options, others, ws);
      const plan = await decide(ctx, a, client, built, current, ws, [client, ...others]);
      keep = plan.apply !== undefined && !ctx.check;
      return plan;
    } finally {
      if (!keep) cleanup(ws, [client, ...others]);
    }
  },
});

function cleanup(ws: Workspace, clients: RegistryClient[]): void {
  ws.dispose();
  for (const c of clients) c.close();
}

interface Built {
  set: PushSet;
  configDigest?: string;
  layer?: NewLayer;
}

async function buildSet(
  ctx: ModuleContext,
  a: RegistryPushArgs,
  client: RegistryClient,
  options: Omit<RegistryOptions, 'registry'>,
  others: RegistryClient[],
  ws: Workspace,
): Promise<Built> {
  const select = { image: a.image, platform: a.platform };
  if (!a.append) {
    const set = await loadPushSet(await openSource(await ctx.findFile(a.src!, 'files'), ws), select, ws);
    return { set, configDigest: configOf(set) };
  }
  const ap = a.append;
  let base: SingleImage;
  if (a.src !== undefined) {
    base = await loadSingleImage(await openSource(await ctx.findFile(a.src, 'files'), ws), select, ws);
  } else if (ap.base === 'scratch') {
    base = scratchImage(a.platform);
  } else {
    const ref = parseReference(ap.base!);
    let from = client;
    if (ref.registry !== undefined && ref.registry.replace(/^[a-z]+:\/\//i, '') !== client.host) {
      // another registry: same TLS settings, no credentials (they belong to the target)
      from = new RegistryClient({ ...options, registry: ref.registry, username: undefined, password: undefined });
      others.push(from);
    }
    base = await pullImage(from, ref.repository, ref.ref, a.platform);
  }
  checkBasePlatform(base, a.platform, a.src ?? ap.base ?? 'scratch');
  const spec: AppendSpec = {
    layer: ap.layer === undefined ? undefined : await ctx.findFile(ap.layer, 'files'),
    dest: ap.dest,
    uid: ap.uid,
    gid: ap.gid,
    mtime: ap.mtime,
    env: ap.env,
    workdir: ap.workdir,
    user: ap.user,
    entrypoint: ap.entrypoint,
    cmd: ap.cmd,
    labels: ap.labels,
    created: ap.created,
    createdBy: ap.created_by,
  };
  const { image, layer } = await appendImage(base, spec, ws);
  return { set: imagePushSet(image), configDigest: image.manifest.config.digest, layer };
}

/**
 * The cheap idempotence check, before anything is unpacked or compressed: the tag already points at
 * the OCI layout's manifest, or at an image with the docker archive's config digest (its image ID;
 * same diff_ids, same config), whatever compression produced its layers (gx's, or docker push's).
 */
async function alreadyThere(a: RegistryPushArgs, client: RegistryClient, path: string, current: { digest: string; mediaType: string }): Promise<Plan<RegistryPushData> | null> {
  const id = await quickIdentity(path, { image: a.image, platform: a.platform });
  if (!id || (id.kind === 'manifest' && id.digest !== current.digest)) return null;
  let blobs: string[] = [];
  let configDigest: string | undefined;
  if (id.kind === 'config' || IMAGE_MANIFESTS.includes(current.mediaType)) {
    const got = await client.getManifest(a.repository, current.digest);
    if (!got || !IMAGE_MANIFESTS.includes(got.mediaType)) return null;
    const doc = JSON.parse(got.bytes.toString('utf8')) as ImageManifest;
    if (id.kind === 'config' && doc.config?.digest !== id.digest) return null;
    configDigest = doc.config.digest;
    blobs = [doc.config.digest, ...doc.layers.map((l) => l.digest)];
  }
  const data: RegistryPushData = {
    registry: client.host,
    repository: a.repository,
    tag: a.tag,
    digest: current.digest,
    image: `${client.host}/${a.repository}@${current.digest}`,
    media_type: current.mediaType,
    uploaded: [],
    skipped: [...new Set(blobs)],
    would_upload: [],
    previous_digest: current.digest,
    ...(configDigest ? { config_digest: configDigest } : {}),
  };
  return { changed: false, msg: `${client.host}/${a.repository}:${a.tag} already holds this image (${current.digest})`, data };
}

function configOf(set: PushSet): string | undefined {
  if (set.children.length > 0) return undefined;
  const doc = JSON.parse(set.manifest.bytes.toString('utf8')) as { config?: { digest?: string } };
  return doc.config?.digest;
}

async function decide(
  ctx: ModuleContext,
  a: RegistryPushArgs,
  client: RegistryClient,
  built: Built,
  current: { digest: string } | null,
  ws: Workspace,
  clients: RegistryClient[],
): Promise<Plan<RegistryPushData>> {
  const { set } = built;
  const data: RegistryPushData = {
    registry: client.host,
    repository: a.repository,
    tag: a.tag,
    digest: set.manifest.digest,
    image: `${client.host}/${a.repository}@${set.manifest.digest}`,
    media_type: set.manifest.mediaType,
    uploaded: [],
    skipped: [],
    would_upload: [],
    ...(current ? { previous_digest: current.digest } : {}),
    ...(built.configDigest ? { config_digest: built.configDigest } : {}),
    ...(built.layer ? { layer_digest: built.layer.digest, layer_diff_id: built.layer.diffId } : {}),
  };
  const where = `${client.host}/${a.repository}:${a.tag}`;
  if (current?.digest === set.manifest.digest) {
    return { changed: false, msg: `${where} is already ${set.manifest.digest}`, data: { ...data, skipped: set.blobs.map((b) => b.digest) } };
  }
  const state = await pushState(client, a.repository, set);
  ctx.log(`registry_push: ${where}: ${state.missing.length} of ${set.blobs.length} blobs missing, ${client.requestCount} requests so far`);
  const wouldUpload = state.missing.map((b) => b.digest);
  const skipped = state.present.map((b) => b.digest);
  const msg = `push ${where} (${set.manifest.digest}): ${wouldUpload.length} of ${set.blobs.length} blobs to upload`;
  const diff = [{ label: where, before: current ? `${current.digest}\n` : '', after: `${set.manifest.digest}\n` }];
  return {
    changed: true,
    msg,
    diff,
    data: { ...data, skipped, would_upload: wouldUpload },
    apply: async () => {
      try {
        const uploaded = await pushMissing(client, a.repository, a.tag, set, state, ws, (m) => ctx.log(m));
        return { msg: `pushed ${where} (${set.manifest.digest}), ${uploaded.length} blobs uploaded`, data: { ...data, uploaded, skipped, would_upload: wouldUpload } };
      } finally {
        cleanup(ws, clients);
      }
    },
  };
}

/**
 * A single-image base (a docker save archive, an OCI archive of one platform as skopeo collects it)
 * is not narrowed by `platform`, so its own config must say it: an amd64 base under an arm64 VM
 * would only show on the machine, as an "exec format error" crash loop of the built image.
 */
function checkBasePlatform(base: SingleImage, platform: string, from: string): void {
  const [os, arch] = platform.split('/');
  const have = { os: base.config.os, arch: base.config.architecture };
  if ((have.arch !== undefined && have.arch !== arch) || (have.os !== undefined && have.os !== os)) {
    throw new ModuleError(`the base image ${from} is ${have.os ?? '?'}/${have.arch ?? '?'}, not ${platform} (platform): use the base image of that architecture (the bundle's for bundle_arch), or set platform to what the image is`);
  }
}

export default registry_push;
