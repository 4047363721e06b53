// Content digests and compression for blobs on the controller. Everything streams, so a layer of
// hundreds of megabytes never sits in memory. gzip output is deterministic for the same input
// (zlib writes mtime 0 in the header), which keeps pushed layer digests stable from run to run.
import { createHash, type Hash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { Transform, Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import { ModuleError } from '../../../engine/errors.js';

export interface Digested {
  /** sha256:<hex> */
  digest: string;
  size: number;
}

export function sha256(data: Buffer | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

const DIGEST = /^sha256:[a-f0-9]{64}$/;

export function checkDigest(d: string, what: string): string {
  if (!DIGEST.test(d)) throw new ModuleError(`${what}: '${d}' is not a sha256 digest`);
  return d;
}

/** A pass-through that hashes and counts what flows through it. */
export class Tap extends Transform {
  private readonly hash: Hash = createHash('sha256');
  size = 0;
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.hash.update(chunk);
    this.size += chunk.length;
    this.push(chunk);
    done();
  }
  result(): Digested {
    return { digest: `sha256:${this.hash.digest('hex')}`, size: this.size };
  }
}

function sink(): Writable {
  return new Writable({ write: (_c, _e, done) => done() });
}

export async function digestStream(src: Readable): Promise<Digested> {
  const tap = new Tap();
  await pipeline(src, tap, sink());
  return tap.result();
}

export async function digestFile(path: string): Promise<Digested> {
  return digestStream(createReadStream(path));
}

export type Compression = 'gzip' | 'zstd' | 'none';

/** Tells compression by the magic bytes, as container runtimes do. */
export async function compressionOf(path: string): Promise<Compression> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(4);
    const { bytesRead } = await fh.read(buf, 0, 4, 0);
    if (bytesRead >= 2 && buf[0] === 0x1f && buf[1] === 0x8b) return 'gzip';
    if (bytesRead === 4 && buf.readUInt32LE(0) === 0xfd2fb528) return 'zstd';
    return 'none';
  } finally {
    await fh.close();
  }
}

/** sha256 of the uncompressed content of a gzip file: a layer's diff_id. */
export async function gunzipDigest(path: string): Promise<Digested> {
  const tap = new Tap();
  await pipeline(createReadStream(path), createGunzip(), tap, sink());
  return tap.result();
}

/** Compresses `src` (a stream of an uncompressed tar) into the file `dest`: digests of both sides. */
export async function gzipTo(src: Readable, dest: string): Promise<{ uncompressed: Digested; compressed: Digested }> {
  const raw = new Tap();
  const packed = new Tap();
  await pipeline(src, raw, createGzip({ level: 6 }), packed, createWriteStream(dest));
  return { uncompressed: raw.result(), compressed: packed.result() };
}
