// `append`, like `crane append` + `crane mutate`: a new image from a base image, one more layer (a
// directory tarred deterministically, or a ready tarball) and config changes, without Docker.
// The new config's rootfs.diff_ids gets the sha256 of the UNCOMPRESSED layer tar; the manifest
// names the gzipped blob by its own digest; history gets one entry when the base keeps history.
// Nothing here reads a clock: the same inputs give the same bytes, so a second run is `ok`.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { ModuleError } from '../../../engine/errors.js';
import { compressionOf, digestFile, gunzipDigest, gzipTo, sha256 } from './digest.js';
import { parsePlatform, type BlobRef, type SingleImage } from './local-image.js';
import { DOCKER_CONFIG, DOCKER_MANIFEST, gzipLayerTypeFor, type Descriptor, type ImageConfig, type ImageManifest } from './media-types.js';
import { layerTar, type LayerTarOptions } from './tar-write.js';
import type { Workspace } from './workspace.js';

export const EPOCH = '1970-01-01T00:00:00Z';

export interface AppendSpec extends LayerTarOptions {
  /** a directory or a tar / tar.gz on the controller (absolute); none = config changes only */
  layer?: string;
  env?: Record<string, string>;
  workdir?: string;
  user?: string;
  entrypoint?: string[];
  cmd?: string[];
  labels?: Record<string, string>;
  /** the new config's `created`; default: the base's, or the epoch */
  created?: string;
  /** the history line of the new layer */
  createdBy?: string;
}

export interface NewLayer {
  digest: string;
  diffId: string;
  size: number;
}

/** An empty base (`FROM scratch`) for the platform, as a Docker schema 2 image. */
export function scratchImage(platform: string): SingleImage {
  const p = parsePlatform(platform);
  const config: ImageConfig = {
    architecture: p.architecture,
    os: p.os,
    ...(p.variant ? { variant: p.variant } : {}),
    created: EPOCH,
    config: {},
    rootfs: { type: 'layers', diff_ids: [] },
    history: [],
  };
  const bytes = Buffer.from(JSON.stringify(config));
  const desc: Descriptor = { mediaType: DOCKER_CONFIG, digest: sha256(bytes), size: bytes.length };
  return {
    manifest: { schemaVersion: 2, mediaType: DOCKER_MANIFEST, config: desc, layers: [] },
    manifestType: DOCKER_MANIFEST,
    config,
    blobs: new Map([[desc.digest, { ...desc, data: bytes }]]),
  };
}

async function buildLayer(spec: AppendSpec, mediaType: string, ws: Workspace): Promise<BlobRef & { diffId: string }> {
  const path = spec.layer!;
  let st;
  try {
    st = await stat(path);
  } catch {
    throw new ModuleError(`the layer source ${path} does not exist`);
  }
  if (st.isDirectory()) {
    const out = ws.path('layer.tar.gz');
    const { uncompressed, compressed } = await gzipTo(layerTar(path, spec), out);
    return { ...compressed, diffId: uncompressed.digest, mediaType, path: out };
  }
  const comp = await compressionOf(path);
  if (comp === 'gzip') return { ...(await digestFile(path)), diffId: (await gunzipDigest(path)).digest, mediaType, path };
  if (comp === 'zstd') throw new ModuleError(`${path} is zstd-compressed; give a plain or gzipped tar`);
  const out = ws.path('layer.tar.gz');
  const { uncompressed, compressed } = await gzipTo(createReadStream(path), out);
  return { ...compressed, diffId: uncompressed.digest, mediaType, path: out };
}

function setEnv(env: string[], add: Record<string, string>): string[] {
  const out = [...env];
  for (const [k, v] of Object.entries(add)) {
    const i = out.findIndex((e) => e === k || e.startsWith(`${k}=`));
    if (i >= 0) out[i] = `${k}=${v}`;
    else out.push(`${k}=${v}`);
  }
  return out;
}

/** The changed config; the base config object is left as it was. */
export function mutateConfig(base: ImageConfig, spec: AppendSpec, diffId: string | undefined): ImageConfig {
  const config = JSON.parse(JSON.stringify(base)) as ImageConfig;
  const c = (config.config ??= {});
  if (spec.env) c.Env = setEnv(c.Env ?? [], spec.env);
  if (spec.workdir !== undefined) c.WorkingDir = spec.workdir;
  if (spec.user !== undefined) c.User = spec.user;
  if (spec.entrypoint !== undefined) c.Entrypoint = spec.entrypoint;
  if (spec.cmd !== undefined) c.Cmd = spec.cmd;
  if (spec.labels) c.Labels = { ...(c.Labels ?? {}), ...spec.labels };
  const created = spec.created ?? config.created ?? EPOCH;
  config.created = created;
  config.rootfs = { type: 'layers', diff_ids: [...(config.rootfs?.diff_ids ?? []), ...(diffId ? [diffId] : [])] };
  if (Array.isArray(config.history)) {
    config.history = [
      ...config.history,
      { created, created_by: spec.createdBy ?? 'gx registry_push append', ...(diffId ? {} : { empty_layer: true }) },
    ];
  }
  return config;
}

export async function appendImage(base: SingleImage, spec: AppendSpec, ws: Workspace): Promise<{ image: SingleImage; layer?: NewLayer }> {
  const blobs = new Map(base.blobs);
  const layers = [...base.manifest.layers];
  let layer: NewLayer | undefined;
  if (spec.layer !== undefined) {
    const built = await buildLayer(spec, gzipLayerTypeFor(base.manifestType), ws);
    const { diffId, ...blob } = built;
    blobs.set(blob.digest, blob);
    layers.push({ mediaType: blob.mediaType, digest: blob.digest, size: blob.size });
    layer = { digest: blob.digest, diffId, size: blob.size };
  }
  const config = mutateConfig(base.config, spec, layer?.diffId);
  const configBytes = Buffer.from(JSON.stringify(config));
  const configDesc: Descriptor = { mediaType: base.manifest.config.mediaType, digest: sha256(configBytes), size: configBytes.length };
  if (configDesc.digest !== base.manifest.config.digest) blobs.delete(base.manifest.config.digest);
  blobs.set(configDesc.digest, { ...configDesc, data: configBytes });
  const manifest: ImageManifest = {
    schemaVersion: 2,
    mediaType: base.manifestType,
    config: configDesc,
    layers,
    ...(base.manifest.annotations ? { annotations: base.manifest.annotations } : {}),
  };
  return { image: { manifest, manifestType: base.manifestType, config, blobs }, ...(layer ? { layer } : {}) };
}
