// Images on the controller: a `docker save` archive (manifest.json + config + layer tars) or an OCI
// image layout (index.json + blobs/sha256/…), each as a directory or a tar. Both become a PushSet:
// the blobs to upload, any child manifests, and the manifest to tag.
//
// For a docker-save archive gx builds the Docker v2 schema 2 manifest docker push would: the config
// as is, every layer gzip-compressed (already gzipped layers kept byte for byte). Each layer's
// uncompressed digest is checked against the config's rootfs.diff_ids, so a damaged archive fails
// here and not on the node that pulls it. An OCI layout is pushed exactly as it is stored.
import { createReadStream, existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ModuleError } from '../../../engine/errors.js';
import { checkDigest, compressionOf, digestFile, gunzipDigest, gzipTo, sha256 } from './digest.js';
import {
  DOCKER_CONFIG,
  DOCKER_LAYER_GZIP,
  DOCKER_MANIFEST,
  IMAGE_MANIFESTS,
  INDEX_MANIFESTS,
  manifestType,
  type Descriptor,
  type ImageConfig,
  type ImageIndex,
  type ImageManifest,
  type Platform,
} from './media-types.js';
import type { RegistryClient } from './registry-client.js';
import { extractArchive, readSmallMembers } from './tar-read.js';
import type { Workspace } from './workspace.js';

export interface BlobRef {
  digest: string;
  size: number;
  mediaType: string;
  /** a file on the controller with exactly these bytes */
  path?: string;
  /** or the bytes themselves (a config gx wrote) */
  data?: Buffer;
  /** or the blob lives in a registry repository (a base image pulled for append) */
  remote?: { client: RegistryClient; repository: string };
}

export interface ManifestDoc {
  mediaType: string;
  digest: string;
  bytes: Buffer;
}

export interface PushSet {
  /** config and layer blobs of every image, each once, in upload order */
  blobs: BlobRef[];
  /** an index's image manifests, pushed by digest before `manifest` */
  children: ManifestDoc[];
  /** the manifest the tag points at */
  manifest: ManifestDoc;
}

/** One image with its parsed manifest and config: what `append` builds on. */
export interface SingleImage {
  manifest: ImageManifest;
  manifestType: string;
  config: ImageConfig;
  /** every blob the manifest names, config included, by digest */
  blobs: Map<string, BlobRef>;
  /** the manifest bytes when they must be kept exactly (a stored manifest), else built from `manifest` */
  bytes?: Buffer;
}

export interface SelectOptions {
  /** which image of a multi-image archive: a RepoTag (docker save) or a ref.name annotation (OCI) */
  image?: string;
  /** which platform of a multi-platform index, for append: os/arch[/variant] */
  platform?: string;
}

export type SourceKind = 'docker-archive' | 'oci-layout';

export interface Source {
  kind: SourceKind;
  root: string;
}

/** Stable JSON for manifests gx writes: same object, same bytes, same digest. */
export function manifestBytes(doc: object): Buffer {
  return Buffer.from(JSON.stringify(doc, null, 2));
}

export function toDoc(image: SingleImage): ManifestDoc {
  const bytes = image.bytes ?? manifestBytes(image.manifest);
  return { mediaType: image.manifestType, digest: sha256(bytes), bytes };
}

export function imagePushSet(image: SingleImage): PushSet {
  const order = [image.manifest.config, ...image.manifest.layers];
  const blobs: BlobRef[] = [];
  const seen = new Set<string>();
  for (const d of order) {
    if (seen.has(d.digest)) continue;
    seen.add(d.digest);
    const b = image.blobs.get(d.digest);
    if (b) blobs.push(b);
    else if (!d.urls?.length) throw new ModuleError(`blob ${d.digest} is missing from the image`);
  }
  return { blobs, children: [], manifest: toDoc(image) };
}

/** A directory as it is, a tar (or tar.gz) unpacked into the workspace; then which format it holds. */
export async function openSource(path: string, ws: Workspace): Promise<Source> {
  let st;
  try {
    st = await stat(path);
  } catch {
    throw new ModuleError(`the image source ${path} does not exist`);
  }
  let root = path;
  if (!st.isDirectory()) {
    root = ws.path('src');
    await extractArchive(path, root);
  }
  if (existsSync(join(root, 'manifest.json'))) return { kind: 'docker-archive', root };
  if (existsSync(join(root, 'index.json'))) return { kind: 'oci-layout', root };
  throw new ModuleError(`${path} is neither a docker save archive (no manifest.json) nor an OCI image layout (no index.json)`);
}

async function readJson<T>(path: string, what: string): Promise<T> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new ModuleError(`${what} is missing (${path})`);
  }
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    throw new ModuleError(`${what} is not valid JSON: ${(err as Error).message}`);
  }
}

// ---- docker save ----

interface DockerArchiveEntry {
  Config: string;
  RepoTags?: string[] | null;
  Layers: string[];
}

function member(root: string, rel: string): string {
  if (rel.startsWith('/') || rel.split('/').includes('..')) throw new ModuleError(`archive member '${rel}' points outside the archive`);
  return join(root, rel);
}

function pickDockerEntry(entries: DockerArchiveEntry[], image: string | undefined): DockerArchiveEntry {
  const tags = entries.map((e) => (e.RepoTags ?? []).join(', ') || '<untagged>');
  if (image !== undefined) {
    const hit = entries.find((e) => (e.RepoTags ?? []).some((t) => t === image || t === `${image}:latest`));
    if (!hit) throw new ModuleError(`the archive has no image '${image}'; it has: ${tags.join('; ')}`);
    return hit;
  }
  if (entries.length !== 1) throw new ModuleError(`the archive holds ${entries.length} images (${tags.join('; ')}); name one with 'image'`);
  return entries[0]!;
}

async function loadDockerArchive(root: string, o: SelectOptions, ws: Workspace): Promise<SingleImage> {
  const entries = await readJson<DockerArchiveEntry[]>(join(root, 'manifest.json'), 'manifest.json of the docker archive');
  if (!Array.isArray(entries) || entries.length === 0) throw new ModuleError('manifest.json of the docker archive lists no image');
  const entry = pickDockerEntry(entries, o.image);
  const configPath = member(root, entry.Config);
  const configBytes = await readFile(configPath).catch(() => {
    throw new ModuleError(`the docker archive lacks its image config ${entry.Config}`);
  });
  const config = JSON.parse(configBytes.toString('utf8')) as ImageConfig;
  const diffIds = config.rootfs?.diff_ids ?? [];
  if (diffIds.length !== entry.Layers.length) {
    throw new ModuleError(`the image config lists ${diffIds.length} layers (rootfs.diff_ids) but the archive has ${entry.Layers.length}`);
  }
  const blobs = new Map<string, BlobRef>();
  const configDesc: Descriptor = { mediaType: DOCKER_CONFIG, digest: sha256(configBytes), size: configBytes.length };
  blobs.set(configDesc.digest, { ...configDesc, path: configPath });
  const layers: Descriptor[] = [];
  for (const [i, rel] of entry.Layers.entries()) {
    const path = member(root, rel);
    if (!existsSync(path)) throw new ModuleError(`the docker archive lacks layer ${rel}`);
    const comp = await compressionOf(path);
    let blob: BlobRef;
    let diffId: string;
    if (comp === 'gzip') {
      diffId = (await gunzipDigest(path)).digest;
      blob = { ...(await digestFile(path)), mediaType: DOCKER_LAYER_GZIP, path };
    } else if (comp === 'none') {
      const out = ws.path('layer.tar.gz');
      const { uncompressed, compressed } = await gzipTo(createReadStream(path), out);
      diffId = uncompressed.digest;
      blob = { ...compressed, mediaType: DOCKER_LAYER_GZIP, path: out };
    } else {
      throw new ModuleError(`layer ${rel} is zstd-compressed, which a Docker schema 2 manifest cannot describe`);
    }
    if (diffId !== diffIds[i]) throw new ModuleError(`layer ${rel} does not match the config: its content is ${diffId}, rootfs.diff_ids[${i}] says ${diffIds[i]}`);
    blobs.set(blob.digest, blob);
    layers.push({ mediaType: blob.mediaType, digest: blob.digest, size: blob.size });
  }
  const manifest: ImageManifest = { schemaVersion: 2, mediaType: DOCKER_MANIFEST, config: configDesc, layers };
  return { manifest, manifestType: DOCKER_MANIFEST, config, blobs };
}

// ---- OCI layout ----

function blobPath(root: string, digest: string): string {
  const [algo, hex] = checkDigest(digest, 'OCI layout').split(':');
  return join(root, 'blobs', algo!, hex!);
}

async function readManifestBlob(root: string, d: Descriptor): Promise<{ doc: ImageManifest & ImageIndex; bytes: Buffer; mediaType: string }> {
  const path = blobPath(root, d.digest);
  const bytes = await readFile(path).catch(() => {
    throw new ModuleError(`the OCI layout lacks manifest ${d.digest}`);
  });
  if (sha256(bytes) !== d.digest) throw new ModuleError(`the OCI layout's blob ${d.digest} does not match its digest`);
  const doc = JSON.parse(bytes.toString('utf8')) as ImageManifest & ImageIndex;
  return { doc, bytes, mediaType: manifestType(doc, d.mediaType) };
}

async function layoutImage(root: string, desc: Descriptor): Promise<SingleImage> {
  const { doc, bytes, mediaType } = await readManifestBlob(root, desc);
  if (!IMAGE_MANIFESTS.includes(mediaType)) throw new ModuleError(`manifest ${desc.digest} has media type ${mediaType}, not an image manifest`);
  const blobs = new Map<string, BlobRef>();
  for (const d of [doc.config, ...doc.layers]) {
    const path = blobPath(root, d.digest);
    if (!existsSync(path)) {
      if (d.urls?.length) continue; // a foreign layer: the runtime fetches it from its urls
      throw new ModuleError(`the OCI layout lacks blob ${d.digest} (${d.mediaType})`);
    }
    blobs.set(d.digest, { mediaType: d.mediaType, digest: d.digest, size: d.size, path });
  }
  const config = JSON.parse(await readFile(blobPath(root, doc.config.digest), 'utf8')) as ImageConfig;
  return { manifest: doc, manifestType: mediaType, config, blobs, bytes };
}

function refName(d: Descriptor): string | undefined {
  return d.annotations?.['org.opencontainers.image.ref.name'] ?? d.annotations?.['io.containerd.image.name'];
}

function pickLayoutEntry(index: ImageIndex, image: string | undefined): Descriptor {
  const all = index.manifests ?? [];
  const names = all.map((d) => refName(d) ?? d.digest);
  if (image !== undefined) {
    const hit = all.find((d) => {
      const n = refName(d);
      return n === image || (n !== undefined && n.endsWith(`:${image}`));
    });
    if (!hit) throw new ModuleError(`the OCI layout has no image '${image}'; it has: ${names.join(', ')}`);
    return hit;
  }
  if (all.length !== 1) throw new ModuleError(`the OCI layout holds ${all.length} images (${names.join(', ')}); name one with 'image'`);
  return all[0]!;
}

export function parsePlatform(p: string): Platform {
  const [os, architecture, variant] = p.split('/');
  if (!os || !architecture) throw new ModuleError(`platform '${p}' should look like linux/amd64 or linux/arm64/v8`);
  return variant ? { os, architecture, variant } : { os, architecture };
}

export function pickPlatform(index: ImageIndex, platform: string): Descriptor {
  const want = parsePlatform(platform);
  const hit = index.manifests.find(
    (d) => d.platform?.os === want.os && d.platform?.architecture === want.architecture && (!want.variant || d.platform?.variant === want.variant),
  );
  if (!hit) {
    const have = index.manifests.map((d) => (d.platform ? [d.platform.os, d.platform.architecture, d.platform.variant].filter(Boolean).join('/') : d.digest));
    throw new ModuleError(`the image index has no ${platform} image; it has: ${have.join(', ')}`);
  }
  return hit;
}

async function layoutPushSet(root: string, desc: Descriptor): Promise<PushSet> {
  if (!INDEX_MANIFESTS.includes(desc.mediaType)) return imagePushSet(await layoutImage(root, desc));
  const { doc, bytes, mediaType } = await readManifestBlob(root, desc);
  const blobs: BlobRef[] = [];
  const seen = new Set<string>();
  const children: ManifestDoc[] = [];
  for (const child of doc.manifests ?? []) {
    const part = await layoutPushSet(root, child);
    for (const b of part.blobs) {
      if (!seen.has(b.digest)) blobs.push(b);
      seen.add(b.digest);
    }
    children.push(...part.children, part.manifest);
  }
  return { blobs, children, manifest: { mediaType, digest: desc.digest, bytes } };
}

/** Everything to push from a source, as the source has it. */
export async function loadPushSet(src: Source, o: SelectOptions, ws: Workspace): Promise<PushSet> {
  if (src.kind === 'docker-archive') return imagePushSet(await loadDockerArchive(src.root, o, ws));
  const index = await readJson<ImageIndex>(join(src.root, 'index.json'), 'index.json of the OCI layout');
  return layoutPushSet(src.root, pickLayoutEntry(index, o.image));
}

/** One image from a source, for append: a multi-platform index is narrowed to `platform`. */
export async function loadSingleImage(src: Source, o: SelectOptions, ws: Workspace): Promise<SingleImage> {
  if (src.kind === 'docker-archive') return loadDockerArchive(src.root, o, ws);
  const index = await readJson<ImageIndex>(join(src.root, 'index.json'), 'index.json of the OCI layout');
  let desc = pickLayoutEntry(index, o.image);
  while (INDEX_MANIFESTS.includes(desc.mediaType)) {
    const { doc } = await readManifestBlob(src.root, desc);
    desc = pickPlatform(doc, o.platform ?? 'linux/amd64');
  }
  return layoutImage(src.root, desc);
}

/**
 * What identifies the image in a source, read cheaply (no layer unpacked or compressed): for an
 * OCI layout the digest of the manifest it pushes as is; for a docker save archive the config
 * digest (the image ID), since the manifest gx builds depends on compressing the layers. Null
 * when the quick look does not settle it; the full load then reports any problem.
 */
export async function quickIdentity(path: string, o: SelectOptions): Promise<{ kind: 'manifest' | 'config'; digest: string } | null> {
  try {
    let read: (rel: string) => Promise<Buffer | undefined>;
    if ((await stat(path)).isDirectory()) {
      read = (rel) => readFile(join(path, rel)).catch(() => undefined);
    } else {
      const small = await readSmallMembers(path);
      read = async (rel) => small.get(rel);
    }
    const manifestJson = await read('manifest.json');
    if (manifestJson) {
      const entry = pickDockerEntry(JSON.parse(manifestJson.toString('utf8')) as DockerArchiveEntry[], o.image);
      const config = await read(entry.Config.replace(/^\.\//, ''));
      return config ? { kind: 'config', digest: sha256(config) } : null;
    }
    const indexJson = await read('index.json');
    if (indexJson) return { kind: 'manifest', digest: pickLayoutEntry(JSON.parse(indexJson.toString('utf8')) as ImageIndex, o.image).digest };
    return null;
  } catch {
    return null;
  }
}
