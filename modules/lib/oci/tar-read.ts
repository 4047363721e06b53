// Unpacks an image archive (a `docker save` tar or an OCI layout tar, optionally gzipped) into a
// directory so its members can be read by path and streamed more than once. Only regular files,
// directories, symlinks and hard links that stay inside the archive are kept (docker save links
// repeated layers to one copy); anything naming a path outside the target is refused.
import { createReadStream, createWriteStream } from 'node:fs';
import { copyFile, mkdir, symlink } from 'node:fs/promises';
import { dirname, join, posix } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import tar from 'tar-stream';
import { ModuleError } from '../../../engine/errors.js';
import { compressionOf } from './digest.js';

/** The archive member name as a safe relative path, or null when it must be skipped. */
export function memberPath(name: string): string | null {
  const norm = posix.normalize(name.replace(/^(\.\/)+/, '')).replace(/\/+$/, '');
  if (norm === '' || norm === '.') return null;
  if (norm.startsWith('/') || norm === '..' || norm.startsWith('../')) return null;
  return norm;
}

export async function extractArchive(archive: string, dest: string): Promise<void> {
  const extract = tar.extract();
  const links: { path: string; target: string }[] = [];
  const hardLinks: { path: string; target: string }[] = [];
  const done = (async () => {
    for await (const entry of extract) {
      const rel = memberPath(entry.header.name);
      const type = entry.header.type;
      if (rel && type === 'file') {
        const out = join(dest, rel);
        await mkdir(dirname(out), { recursive: true });
        await pipeline(entry, createWriteStream(out));
        continue;
      }
      if (rel && type === 'directory') await mkdir(join(dest, rel), { recursive: true });
      if (rel && type === 'symlink' && entry.header.linkname) links.push({ path: rel, target: entry.header.linkname });
      if (rel && type === 'link' && entry.header.linkname) hardLinks.push({ path: rel, target: entry.header.linkname });
      entry.resume();
    }
  })();
  const src = createReadStream(archive);
  const gz = (await compressionOf(archive)) === 'gzip';
  try {
    await Promise.all([gz ? pipeline(src, createGunzip(), extract) : pipeline(src, extract), done]);
  } catch (err) {
    throw new ModuleError(`cannot read the archive ${archive}: ${(err as Error).message}`, { cause: err });
  }
  // a hard link names another member by its archive path; a copy keeps the two independent
  for (const l of hardLinks) {
    const target = memberPath(l.target);
    if (!target) continue;
    await mkdir(dirname(join(dest, l.path)), { recursive: true });
    await copyFile(join(dest, target), join(dest, l.path)).catch(() => undefined);
  }
  for (const l of links) {
    if (l.target.startsWith('/')) continue;
    const resolved = posix.normalize(posix.join(posix.dirname(l.path), l.target));
    if (resolved.startsWith('/') || resolved.startsWith('../')) continue;
    await mkdir(dirname(join(dest, l.path)), { recursive: true });
    await symlink(join(dest, resolved), join(dest, l.path));
  }
}

/**
 * One streaming pass over an archive that keeps only the small members (JSON documents: manifest.json,
 * index.json, image configs) in memory and writes nothing: enough to tell which image it holds
 * without unpacking its layers.
 */
export async function readSmallMembers(archive: string, maxSize = 1 << 20): Promise<Map<string, Buffer>> {
  const extract = tar.extract();
  const kept = new Map<string, Buffer>();
  const done = (async () => {
    for await (const entry of extract) {
      const rel = memberPath(entry.header.name);
      if (rel && entry.header.type === 'file' && (entry.header.size ?? 0) <= maxSize) {
        const chunks: Buffer[] = [];
        for await (const c of entry) chunks.push(c as Buffer);
        kept.set(rel, Buffer.concat(chunks));
        continue;
      }
      if (rel && entry.header.type === 'symlink' && entry.header.linkname && !entry.header.linkname.startsWith('/')) {
        const target = memberPath(posix.join(posix.dirname(rel), entry.header.linkname));
        const hit = target ? kept.get(target) : undefined;
        if (hit) kept.set(rel, hit);
      }
      entry.resume();
    }
  })();
  const src = createReadStream(archive);
  const gz = (await compressionOf(archive)) === 'gzip';
  await Promise.all([gz ? pipeline(src, createGunzip(), extract) : pipeline(src, extract), done]);
  return kept;
}
