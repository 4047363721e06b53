// Files over the connection's one SFTP session: pipelined writes into a new file whose exact mode is
// set last, and stat without starting a process on the host.
import type { Readable } from 'node:stream';
import type { SFTPWrapper } from 'ssh2';
import type { FileStat } from '../connection.js';
import { fileTypeOf } from './stat.js';

const WRITE_CHUNK = 32 * 1024;
const WRITES_IN_FLIGHT = 32;

export function sftpCall<T>(fn: (cb: (err: Error | null | undefined, v: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => fn((err, v) => (err ? reject(err) : resolve(v))));
}

const READ_CHUNK = 64 * 1024;

function readAt(sftp: SFTPWrapper, handle: Buffer, buf: Buffer, off: number, pos: number): Promise<number> {
  return new Promise((resolve, reject) => sftp.read(handle, buf, off, buf.length - off, pos, (err, bytes) => (err ? reject(err) : resolve(bytes))));
}

/**
 * A whole file in as few round trips as it takes: open, then reads until the end; the close goes
 * out without waiting for its answer. (ssh2's readFile adds an fstat and waits for the close: two
 * round trips more for every file a no-op task reads, issue 16.) `size`, when a stat just gave it,
 * sizes the first read; the answer is null when the file is not that size any more.
 */
export async function sftpReadAll(sftp: SFTPWrapper, path: string, size?: number): Promise<Buffer | null> {
  const handle = await sftpCall<Buffer>((cb) => sftp.open(path, 'r', cb));
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    // one byte more than a known size tells a file that grew
    for (let want = size === undefined ? READ_CHUNK : size + 1; ; want = READ_CHUNK) {
      const buf = Buffer.alloc(want);
      let got = 0;
      while (got < buf.length) {
        const n = await readAt(sftp, handle, buf, got, total + got);
        if (n <= 0) break;
        got += n;
      }
      chunks.push(buf.subarray(0, got));
      total += got;
      if (got < buf.length) break;
    }
    if (size !== undefined && total !== size) return null;
    return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total);
  } finally {
    sftp.close(handle, () => undefined);
  }
}

/** writes data to `path` over SFTP with pipelined requests; creates the file (exclusive) */
export async function sftpWrite(sftp: SFTPWrapper, path: string, data: string | Buffer | NodeJS.ReadableStream, modeWanted: number | Promise<number>): Promise<void> {
  // private until the exact mode is set at the end (the mode may still be being looked up)
  const handle = await sftpCall<Buffer>((cb) => sftp.open(path, 'wx', { mode: 0o600 }, cb));
  let failed: unknown;
  let closing = false;
  try {
    let position = 0;
    const inFlight = new Set<Promise<void>>();
    const send = async (buf: Buffer): Promise<void> => {
      for (let off = 0; off < buf.length; off += WRITE_CHUNK) {
        const len = Math.min(WRITE_CHUNK, buf.length - off);
        const pos = position;
        position += len;
        const w = sftpCall<void>((cb) => sftp.write(handle, buf, off, len, pos, (e) => cb(e, undefined))).catch((e: unknown) => {
          failed ??= e;
        });
        inFlight.add(w);
        void w.finally(() => inFlight.delete(w));
        if (inFlight.size >= WRITES_IN_FLIGHT) await Promise.race(inFlight);
        if (failed) throw failed;
      }
    };
    if (typeof data === 'string' || Buffer.isBuffer(data)) await send(typeof data === 'string' ? Buffer.from(data) : data);
    else {
      for await (const chunk of data as Readable) await send(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
    }
    // the open mode went through the server's umask: set it exactly. The server handles one
    // handle's requests in order, so chmod and close go out with the last writes, not after them.
    const mode = await modeWanted;
    const chmod = sftpCall<void>((cb) => sftp.fchmod(handle, mode, (e) => cb(e, undefined)));
    const closed = sftpCall<void>((cb) => sftp.close(handle, (e) => cb(e, undefined)));
    closing = true;
    const [, chmodResult, closeResult] = await Promise.allSettled([Promise.all(inFlight), chmod, closed]);
    if (failed) throw failed;
    if (chmodResult.status === 'rejected') throw chmodResult.reason;
    if (closeResult.status === 'rejected') throw closeResult.reason;
  } finally {
    if (!closing) await sftpCall<void>((cb) => sftp.close(handle, (e) => cb(e, undefined))).catch(() => undefined);
  }
}

/** mode and owner of `path` (following links), null when it does not exist */
export async function sftpOwnership(sftp: SFTPWrapper, path: string): Promise<{ mode: number; uid: number; gid: number } | null> {
  try {
    return await sftpCall((cb) => sftp.stat(path, cb));
  } catch (e) {
    if ((e as { code?: number }).code === 2) return null;
    throw e;
  }
}

/** (l)stat over SFTP; `idNames` turns uid and gid into names (stat(1)'s UNKNOWN when none) */
export async function sftpFileStat(sftp: SFTPWrapper, path: string, follow: boolean, idNames: (uid: number, gid: number) => Promise<[string, string]>): Promise<FileStat | null> {
  let attrs: { mode: number; uid: number; gid: number; size: number; mtime: number };
  try {
    attrs = await sftpCall((cb) => (follow ? sftp.stat(path, cb) : sftp.lstat(path, cb)));
  } catch (e) {
    if ((e as { code?: number }).code === 2) return null;
    throw e;
  }
  const type = fileTypeOf(attrs.mode);
  const linkTarget = type === 'link' ? await sftpCall<string>((cb) => sftp.readlink(path, cb)) : undefined;
  const [owner, group] = await idNames(attrs.uid, attrs.gid);
  return {
    type,
    mode: attrs.mode & 0o7777,
    uid: attrs.uid,
    gid: attrs.gid,
    owner,
    group,
    size: attrs.size,
    mtime: attrs.mtime,
    ...(linkTarget !== undefined ? { linkTarget } : {}),
  };
}
