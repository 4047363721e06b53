// One long-lived /bin/sh on the host, over an exec channel without a pty (a shell channel only when
// the server refuses exec requests). Commands are written to its stdin as framed scripts (framing.ts),
// one at a time; the caller serialises them.
import type { Client, ClientChannel } from 'ssh2';
import { shellQuote } from '../connection.js';
import { ASKPASS_SCRIPT } from './become.js';
import { FrameReader, newMarker, type FrameResult } from './framing.js';

interface Pending {
  reader: FrameReader;
  resolve: (r: FrameResult) => void;
  reject: (e: Error) => void;
}

function openChannel(client: Client, exec: boolean, command: string): Promise<ClientChannel> {
  return new Promise((resolve, reject) => {
    const cb = (err: Error | undefined, ch: ClientChannel): void => (err ? reject(err) : resolve(ch));
    try {
      if (exec) client.exec(command, cb);
      else client.shell(false, cb);
    } catch (err) {
      reject(err as Error);
    }
  });
}

/** `id` output (uid=1001(gxtest) gid=1001(gxtest) groups=…), GNU and BusyBox alike; -1/'' where absent */
export function parseId(text: string): { uid: number; user: string; gid: number; group: string } {
  const m = /uid=(\d+)(?:\(([^)]*)\))?(?:\s+gid=(\d+)(?:\(([^)]*)\))?)?/.exec(text);
  return { uid: m ? Number(m[1]) : -1, user: m?.[2] ?? '', gid: m?.[3] !== undefined ? Number(m[3]) : -1, group: m?.[4] ?? '' };
}

export class ShellDriver {
  /** private temp dir on the host (askpass helper, uploaded stdin), removed when the shell exits */
  tmpDir = '';
  setsid = false;
  /** the login user's name and uid, so becoming oneself skips sudo; and primary group (for stat's names) */
  user = '';
  uid = -1;
  gid = -1;
  group = '';
  private pending: Pending | null = null;
  private closed: Error | null = null;
  private constructor(private readonly channel: ClientChannel) {}

  static async open(client: Client): Promise<ShellDriver> {
    const ready = newMarker();
    // An exec channel, as Ansible's ssh connection uses: sshd runs the command through the login
    // user's shell without making it a login shell, so no profile is read (a login shell read
    // /etc/profile and ~/.profile on every connection; issue 16). The /bin/sh it starts reads the
    // rest from stdin. A server that refuses exec requests (some restricted accounts) still gets a
    // shell channel: its login shell may read input in blocks, so it gets exactly one line, and
    // the /bin/sh that replaces it announces itself before anything else is sent.
    // Over exec nothing else reads stdin before that /bin/sh, so the set-up is sent at once.
    const start = `printf '%s' ${ready}S; exec /bin/sh`;
    let channel: ClientChannel;
    let viaExec = true;
    try {
      channel = await openChannel(client, true, `/bin/sh -c ${shellQuote(start)}`);
    } catch {
      viaExec = false;
      channel = await openChannel(client, false, '');
      channel.write(`exec /bin/sh -c ${shellQuote(start)}\n`);
    }
    const driver = new ShellDriver(channel);
    await driver.handshake(ready, viaExec);
    return driver;
  }

  /** sends the set-up script (at once, or once /bin/sh has announced itself) and reads its answer */
  private handshake(ready: string, sendAtOnce: boolean): Promise<void> {
    const ch = this.channel;
    return new Promise((resolve, reject) => {
      let out = '';
      let err = '';
      let stage = 0;
      const init = [
        `gxd=$(mktemp -d "\${TMPDIR:-/tmp}/gx.XXXXXXXX") && printf '%s' ${shellQuote(ASKPASS_SCRIPT)} >"$gxd/askpass" && chmod 700 "$gxd/askpass"`,
        `trap 'rm -rf "$gxd"' EXIT; trap 'exit 129' HUP; trap 'exit 143' TERM`,
        `if command -v setsid >/dev/null 2>&1; then gxs=1; else gxs=0; fi`,
        // one id(1) for the login user's uid, name, gid and group (C locale: its words are translated)
        `printf '%sR%s:%s\\n%sT%s\\n' ${ready} "$gxs" "$(LC_ALL=C id)" ${ready} "$gxd"; printf '%sR\\n' ${ready} >&2`,
        '',
      ].join('\n');
      const check = (): void => {
        if (stage === 0 && out.includes(`${ready}S`)) {
          stage = 1;
          // what follows the announcement may already be here (the set-up's answer, sent at once)
          out = out.slice(out.indexOf(`${ready}S`) + ready.length + 1);
          if (!sendAtOnce) ch.write(init);
        }
        if (stage !== 1) return;
        const m = new RegExp(`${ready}R([01]):([^\\n]*)\\n${ready}T([^\\n]*)\\n`).exec(out);
        if (m && err.includes(`${ready}R\n`)) {
          stage = 2;
          this.setsid = m[1] === '1';
          Object.assign(this, parseId(m[2]!));
          this.tmpDir = m[3]!;
          ch.removeListener('data', onOut);
          ch.stderr.removeListener('data', onErr);
          ch.removeListener('close', onClose);
          this.attach();
          resolve();
        }
      };
      const onOut = (d: Buffer): void => {
        out += d.toString('latin1');
        check();
      };
      const onErr = (d: Buffer): void => {
        err += d.toString('latin1');
        check();
      };
      const onClose = (): void => reject(new Error(`remote shell closed during start-up${err ? `: ${err.trim().slice(0, 300)}` : ''}`));
      ch.on('data', onOut);
      ch.stderr.on('data', onErr);
      ch.on('close', onClose);
      if (sendAtOnce) ch.write(init);
    });
  }

  private attach(): void {
    const ch = this.channel;
    ch.on('data', (d: Buffer) => this.feed(d, false));
    ch.stderr.on('data', (d: Buffer) => this.feed(d, true));
    ch.on('close', () => this.fail(new Error('remote shell channel closed')));
    ch.on('error', (e: Error) => this.fail(e));
  }

  private feed(d: Buffer, isErr: boolean): void {
    const p = this.pending;
    if (!p) return; // late bytes of an abandoned command
    if (isErr) p.reader.pushStderr(d);
    else p.reader.pushStdout(d);
    if (p.reader.done) {
      this.pending = null;
      p.resolve(p.reader.result());
    }
  }

  private fail(e: Error): void {
    if (!this.closed) this.closed = e;
    const p = this.pending;
    this.pending = null;
    p?.reject(e);
  }


  get usable(): boolean {
    return this.closed === null;
  }

  /** sends one framed script; resolves when both end tokens arrived */
  exec(script: string, reader: FrameReader): Promise<FrameResult> {
    if (this.closed) return Promise.reject(this.closed);
    if (this.pending) return Promise.reject(new Error('internal: remote shell is busy'));
    return new Promise((resolve, reject) => {
      this.pending = { reader, resolve, reject };
      this.channel.write(script);
    });
  }

  /** gives up on this shell (a killed command that would not stop); the next command gets a new one */
  abandon(reason: Error): void {
    this.fail(reason);
    try {
      this.channel.close();
    } catch {
      // already gone
    }
  }
}
