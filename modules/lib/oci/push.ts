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

/** Requests in flight at once, as docker push does: what the client's keep-alive pool holds. */
export const PARALLEL = 4;

/**
 * Maps with at most `limit` calls pending; results keep the input order. After a failure no new
 * call starts, and the first error is thrown once the running ones are done (so nothing is still
 * reading the workspace when the caller cleans it up).
 */
export async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  let failure: { err: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (next < items.length && !failure) {
      const i = next++;
      try {
        out[i] = await fn(items[i]!);
      } catch (err) {
        failure ??= { err };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure) throw failure.err;
  return out;
}

export async function pushState(client: RegistryClient, repo: string, set: PushSet): Promise<PushState> {
  const has = await mapLimit(set.blobs, PARALLEL, (b) => client.hasBlob(repo, b.digest));
  const childThere = await mapLimit(set.children, PARALLEL, async (c) => (await client.headManifest(repo, c.digest)) !== null);
  return {
    missing: set.blobs.filter((_, i) => !has[i]),
    present: set.blobs.filter((_, i) => has[i]),
    missingChildren: set.children.filter((_, i) => !childThere[i]),
  };
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
  // blobs go up side by side; the manifests only after every blob they name is there
  await mapLimit(state.missing, PARALLEL, async (b) => {
    const from = b.remote && b.remote.client.host === client.host && b.remote.repository !== repo ? b.remote.repository : undefined;
    const session = await client.startUpload(repo, from ? { digest: b.digest, from } : undefined);
    if ('mounted' in session) {
      log(`registry_push: mounted ${b.digest} from ${from}`);
    } else {
      await client.finishUpload(repo, session.location, { digest: b.digest, size: b.size, open: await opener(b, ws) });
      log(`registry_push: uploaded ${b.digest} (${b.size} bytes)`);
    }
  });
  const uploaded = state.missing.map((b) => b.digest);
  for (const c of state.missingChildren) await client.putManifest(repo, c.digest, c);
  await client.putManifest(repo, tag, set.manifest);
  return uploaded;
}
