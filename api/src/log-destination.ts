// Where the API's log lines go: stdout, gathered in a byte buffer and written in chunks, in order.
// pino's own destination (sonic-boom) appends each line to a string and measures the byte length of
// that growing string on every write, which made the buffered line cost more than building it; this
// one encodes each line straight into a preallocated Buffer. Writes stay synchronous, on the main
// thread; a chunk is written once `minBytes` are waiting, at least every `flushEveryMs`, and at exit.
import { writeSync } from 'node:fs';

const SLEEP = new Int32Array(new SharedArrayBuffer(4));

export class LineBuffer {
  private readonly buf: Buffer;
  private used = 0;
  private readonly timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly fd: number,
    /** Bytes gathered before a write; 0 writes every line at once. */
    private readonly minBytes: number,
    flushEveryMs: number,
  ) {
    // room for a full chunk plus the line that completes it (longer lines are written on their own)
    this.buf = Buffer.allocUnsafeSlow(Math.max(minBytes, 0) + 64 * 1024);
    if (minBytes > 0) {
      this.timer = setInterval(() => this.flushSync(), flushEveryMs);
      this.timer.unref();
    }
  }

  /** pino's destination interface: one or more whole lines. */
  write(line: string): boolean {
    // UTF-8 takes at most 3 bytes per UTF-16 unit: room is checked without measuring the line
    if (this.buf.length - this.used < line.length * 3) {
      this.flushSync();
      if (this.buf.length < line.length * 3) {
        this.writeAll(Buffer.from(line, 'utf8'));
        return true;
      }
    }
    this.used += this.buf.write(line, this.used, 'utf8');
    if (this.used >= this.minBytes) this.flushSync();
    return true;
  }

  /** pino's flush(cb) asks for this; lines are written synchronously, so it is done at once. */
  flush(cb?: (err?: Error) => void): void {
    this.flushSync();
    cb?.();
  }

  flushSync(): void {
    if (this.used === 0) return;
    const n = this.used;
    this.used = 0;
    this.writeAll(this.buf.subarray(0, n));
  }

  end(): void {
    this.flushSync();
    if (this.timer) clearInterval(this.timer);
  }

  private writeAll(bytes: Buffer): void {
    let off = 0;
    while (off < bytes.length) {
      try {
        off += writeSync(this.fd, bytes, off, bytes.length - off);
      } catch (err) {
        // a non-blocking stdout that is full: wait a little, as sonic-boom does; anything else (a
        // closed stdout) drops the chunk rather than take the API down with its log
        if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') return;
        Atomics.wait(SLEEP, 0, 0, 1);
      }
    }
  }
}
