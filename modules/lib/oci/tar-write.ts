// A deterministic layer tar from a directory on the controller: entries sorted by name, one fixed
// mtime, the owner given (root by default), no user or group names, permission bits kept. The same
// tree always gives the same bytes, hence the same diff_id and, once gzipped, the same digest.
import { createReadStream } from 'node:fs';
import { lstat, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import tar from 'tar-stream';
import { ModuleError } from '../../../engine/errors.js';

export interface LayerTarOptions {
  /** where the directory's contents go inside the image, e.g. /app (default: the root) */
  dest?: string;
  uid?: number;
  gid?: number;
  /** seconds since the epoch for every entry */
  mtime?: number;
}

interface Item {
  /** the name inside the tar, without a leading slash; directories end with / */
  name: string;
  abs?: string;
  type: 'file' | 'directory' | 'symlink';
  mode: number;
  size: number;
  linkname?: string;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

async function walk(root: string, rel: string, prefix: string, out: Item[]): Promise<void> {
  const names = (await readdir(join(root, rel))).sort(compare);
  for (const n of names) {
    const r = rel ? `${rel}/${n}` : n;
    const abs = join(root, r);
    const st = await lstat(abs);
    const name = prefix + r;
    const mode = st.mode & 0o7777;
    if (st.isDirectory()) {
      out.push({ name: `${name}/`, type: 'directory', mode, size: 0 });
      await walk(root, r, prefix, out);
    } else if (st.isFile()) {
      out.push({ name, abs, type: 'file', mode, size: st.size });
    } else if (st.isSymbolicLink()) {
      out.push({ name, type: 'symlink', mode, size: 0, linkname: await readlink(abs) });
    } else {
      throw new ModuleError(`${abs}: only regular files, directories and symlinks can go into a layer`);
    }
  }
}

/** The entries a directory turns into, in tar order (parents of `dest` first, as directories). */
export async function layerEntries(dir: string, o: LayerTarOptions = {}): Promise<Item[]> {
  const parts = (o.dest ?? '/').split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) throw new ModuleError(`layer dest '${o.dest}' must not contain '..'`);
  const items: Item[] = [];
  let prefix = '';
  for (const p of parts) {
    prefix += `${p}/`;
    items.push({ name: prefix, type: 'directory', mode: 0o755, size: 0 });
  }
  await walk(dir, '', prefix, items);
  return items;
}

/** The tar stream of a directory; the caller consumes it (hash, gzip, file). */
export function layerTar(dir: string, o: LayerTarOptions = {}): Readable {
  const pack = tar.pack();
  const mtime = new Date((o.mtime ?? 0) * 1000);
  const owner = { uid: o.uid ?? 0, gid: o.gid ?? 0, uname: '', gname: '', mtime };
  void (async () => {
    try {
      for (const it of await layerEntries(dir, o)) {
        const header = { ...owner, name: it.name, mode: it.mode, type: it.type, size: it.size, linkname: it.linkname };
        if (it.type !== 'file') {
          await new Promise<void>((res, rej) => pack.entry(header, (err) => (err ? rej(err) : res())));
          continue;
        }
        const sink = pack.entry(header);
        await pipeline(createReadStream(it.abs!), sink);
      }
      pack.finalize();
    } catch (err) {
      pack.destroy(err as Error);
    }
  })();
  return Readable.from(pack);
}

