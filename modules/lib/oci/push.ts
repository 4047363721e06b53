// Pushing a PushSet: find what the repository lacks (HEAD per blob and per child manifest), then
// upload only that, children by digest, and finally the manifest under its tag. A blob that lives
// in another repository of the same registry is mounted (no transfer); one in another registry is
// copied through the controller.
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { InternalError } from '../../../engine/errors.js';
import type { BlobRef, ManifestDoc, PushSet } from './local-image.js';
import type { RegistryClient } from './registry-client.js';
import type { Workspace } from './workspace.js';

export interface PushState {
  missing: BlobRef[];
  present: BlobRef[];
  missingChildren: ManifestDoc[];
}

export async function pushState(client: RegistryClient, repo: string, set: PushSet): Promise<PushState> {
  const missing: BlobRef[] = [];
  const present: BlobRef[] = [];
  for (const b of set.blobs) ((await client.hasBlob(repo, b.digest)) ? present : missing).push(b);
  const missingChildren: ManifestDoc[] = [];
  for (const c of set.children) if (!(await client.headManifest(repo, c.digest))) missingChildren.push(c);
  return { missing, present, missingChildren };
}

async function opener(b: BlobRef, ws: Workspace): Promise<() => Readable> {
  if (b.data) {
    const data = b.data;
    return () => Readable.from([data]);
  }
  let path = b.path;
  if (!path && b.remote) {
    path = ws.path('blob');
    await b.remote.client.downloadBlob(b.remote.repository, b.digest, path);
  }
  if (!path) throw new InternalError(`blob ${b.digest} has no content to upload`);
  const file = path;
  return () => createReadStream(file);
}

/** Uploads what is missing and tags the manifest; returns the digests uploaded (or mounted). */
export async function pushMissing(client: RegistryClient, repo: string, tag: string, set: PushSet, state: PushState, ws: Workspace, log: (m: string) => void): Promise<string[]> {
  const uploaded: string[] = [];
  for (const b of state.missing) {
    const from = b.remote && b.remote.client.host === client.host && b.remote.repository !== repo ? b.remote.repository : undefined;
    const session = await client.startUpload(repo, from ? { digest: b.digest, from } : undefined);
    if ('mounted' in session) {
      log(`registry_push: mounted ${b.digest} from ${from}`);
    } else {
      await client.finishUpload(repo, session.location, { digest: b.digest, size: b.size, open: await opener(b, ws) });
      log(`registry_push: uploaded ${b.digest} (${b.size} bytes)`);
    }
    uploaded.push(b.digest);
  }
  for (const c of state.missingChildren) await client.putManifest(repo, c.digest, c);
  await client.putManifest(repo, tag, set.manifest);
  return uploaded;
}
