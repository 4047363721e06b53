// A base image pulled from a registry for append: only its manifest and config are fetched; its
// layers stay remote and are mounted or copied into the target repository when they are missing.
import { ModuleError } from '../../../engine/errors.js';
import { pickPlatform, type BlobRef, type SingleImage } from './local-image.js';
import { IMAGE_MANIFESTS, INDEX_MANIFESTS, type ImageConfig, type ImageIndex, type ImageManifest } from './media-types.js';
import type { RegistryClient } from './registry-client.js';

export async function pullImage(client: RegistryClient, repository: string, ref: string, platform: string): Promise<SingleImage> {
  let got = await client.getManifest(repository, ref);
  if (!got) throw new ModuleError(`the base image ${client.host}/${repository}:${ref} does not exist`);
  if (INDEX_MANIFESTS.includes(got.mediaType)) {
    const index = JSON.parse(got.bytes.toString('utf8')) as ImageIndex;
    const desc = pickPlatform(index, platform);
    got = await client.getManifest(repository, desc.digest);
    if (!got) throw new ModuleError(`the base image index names ${desc.digest}, which the registry does not have`);
  }
  if (!IMAGE_MANIFESTS.includes(got.mediaType)) throw new ModuleError(`the base image ${repository}:${ref} has media type ${got.mediaType}, not an image`);
  const manifest = JSON.parse(got.bytes.toString('utf8')) as ImageManifest;
  const config = JSON.parse((await client.getBlob(repository, manifest.config.digest)).toString('utf8')) as ImageConfig;
  const blobs = new Map<string, BlobRef>();
  for (const d of [manifest.config, ...manifest.layers]) {
    if (d.urls?.length) continue;
    blobs.set(d.digest, { mediaType: d.mediaType, digest: d.digest, size: d.size, remote: { client, repository } });
  }
  return { manifest, manifestType: got.mediaType, config, blobs, bytes: got.bytes };
}
