// The framed protocol spoken to the long-lived /bin/sh on each host. Per command the driver shell
// runs the command, then prints an end token carrying the exit status on BOTH stdout and stderr.
// Tokens carry a fresh random marker per command, so no output can forge them.
//
//   stdout:             <command's stdout bytes>  <M>E<rc>;
//   stderr: [<M>P<pid>;] <command's stderr bytes>  <M>E<rc>;
//
// Plain commands run in the foreground (a forked subshell: one exec, the command's own). Commands
// with a timeout are "tracked": started in the background in their own session (setsid), so a kill
// reaches the whole tree, and their first stderr bytes are their pid token, printed before exec'ing
// the real command, so there is no race with the command's own output.
//
// stdin never comes from the driver's own input (that is the command stream): it is /dev/null, a
// base64 heredoc (small inputs) or a file uploaded over SFTP (large ones, removed afterwards).
import { randomBytes } from 'node:crypto';
import { shellQuote } from '../connection.js';

export function newMarker(): string {
  return `GX${randomBytes(12).toString('hex')}`;
}

export type StdinSource = { kind: 'none' } | { kind: 'inline'; data: Buffer } | { kind: 'file'; path: string };

export interface CommandFrame {
  marker: string;
  /** driver-level shell text running the command (every user string inside it is quoted) */
  command: string;
  /** background + pid token, so the command can be killed by the caller */
  tracked: boolean;
  stdin: StdinSource;
  /** a file to remove after the command */
  removeAfter?: string;
}

/** The text run by a tracked command's own shell: announce the pid (= its process group), then run. */
export function trackedPrologue(marker: string): string {
  return `printf '%s%s;' ${marker}P "$$" >&2;`;
}

function base64Lines(data: Buffer): string {
  const b64 = data.toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += 76) lines.push(b64.slice(i, i + 76));
  return lines.join('\n');
}

export function frameScript(f: CommandFrame): string {
  const m = f.marker;
  const rm = f.removeAfter !== undefined ? ` rm -f -- ${shellQuote(f.removeAfter)};` : '';
  const status = `gxrc=$?;${rm} printf '%sE%d;' ${m} "$gxrc"; printf '%sE%d;' ${m} "$gxrc" >&2`;
  const run = (redirect: string): string => (f.tracked ? `${f.command}${redirect} & wait $!; ${status}` : `${f.command}${redirect}; ${status}`);
  switch (f.stdin.kind) {
    case 'none':
      return `${run(' </dev/null')}\n`;
    case 'file':
      return `${run(` <${shellQuote(f.stdin.path)}`)}\n`;
    case 'inline': {
      const h = `${m}H`;
      const body = f.stdin.data.length > 0 ? `${base64Lines(f.stdin.data)}\n` : '';
      return `base64 -d <<'${h}' | ${run('')}\n${body}${h}\n`;
    }
  }
}

/** Finds a token `<marker><letter><digits>;` in a stream delivered in chunks of any size, looking
 * only at each new chunk plus a short tail of the previous ones (large outputs stay linear). */
class TokenScanner {
  private readonly prefix: Buffer;
  private readonly keep: number;
  private readonly chunks: Buffer[] = [];
  private length = 0;
  private tail = Buffer.alloc(0);
  found: { at: number; value: number; end: number } | null = null;
  constructor(marker: string, letter: string) {
    this.prefix = Buffer.from(marker + letter, 'latin1');
    this.keep = this.prefix.length + 12;
  }
  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    const base = this.length - this.tail.length;
    this.length += chunk.length;
    if (this.found) return;
    const probe = this.tail.length > 0 ? Buffer.concat([this.tail, chunk]) : chunk;
    let from = 0;
    for (;;) {
      const at = probe.indexOf(this.prefix, from);
      if (at < 0) break;
      let i = at + this.prefix.length;
      let digits = '';
      while (i < probe.length && probe[i]! >= 0x30 && probe[i]! <= 0x39) digits += String.fromCharCode(probe[i++]!);
      if (i >= probe.length) break; // incomplete: it lies within the kept tail, found next time
      if (probe[i] === 0x3b && digits !== '') {
        this.found = { at: base + at, value: Number(digits), end: base + i + 1 };
        return;
      }
      from = at + 1;
    }
    this.tail = Buffer.from(probe.subarray(Math.max(0, probe.length - this.keep)));
  }
  bytes(): Buffer {
    if (this.chunks.length !== 1) {
      const all = Buffer.concat(this.chunks, this.length);
      this.chunks.length = 0;
      this.chunks.push(all);
    }
    return this.chunks[0] ?? Buffer.alloc(0);
  }
}

export interface FrameResult {
  rc: number;
  stdout: Buffer;
  stderr: Buffer;
}

/** Splits one command's bytes out of the driver's two streams. */
export class FrameReader {
  private readonly out: TokenScanner;
  private readonly err: TokenScanner;
  private readonly errPid: TokenScanner;
  private pidInfo: { value: number; end: number } | null = null;
  onPid?: (pid: number) => void;

  constructor(readonly marker: string) {
    this.out = new TokenScanner(marker, 'E');
    this.err = new TokenScanner(marker, 'E');
    this.errPid = new TokenScanner(marker, 'P');
  }

  private get outEnd(): { at: number; value: number } | null {
    return this.out.found;
  }

  private get errEnd(): { at: number } | null {
    return this.err.found;
  }

  pushStdout(chunk: Buffer): void {
    if (!this.outEnd) this.out.push(chunk);
  }

  pushStderr(chunk: Buffer): void {
    if (this.errEnd) return;
    this.err.push(chunk);
    if (!this.pidInfo) {
      this.errPid.push(chunk);
      const p = this.errPid.found;
      if (p) {
        this.pidInfo = p;
        this.onPid?.(p.value);
      }
    }
  }

  get pid(): number | undefined {
    return this.pidInfo?.value;
  }

  get done(): boolean {
    return this.outEnd !== null && this.errEnd !== null;
  }

  /** bytes received so far (for a command abandoned after a timeout) or the finished result */
  result(): FrameResult {
    const outBuf = this.out.bytes();
    const errBuf = this.err.bytes();
    const errStart = this.pidInfo ? this.pidInfo.end : 0;
    const errStop = this.errEnd ? this.errEnd.at : errBuf.length;
    return {
      rc: this.outEnd ? this.outEnd.value : -1,
      stdout: outBuf.subarray(0, this.outEnd ? this.outEnd.at : outBuf.length),
      stderr: errBuf.subarray(Math.min(errStart, errStop), errStop),
    };
  }
}
