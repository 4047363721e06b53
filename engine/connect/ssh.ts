// One SSH connection per host for the whole run. Inside it:
// - ONE long-lived /bin/sh (shell channel, no pty) that runs every command, serialised, through the
//   framed protocol of ssh-framing.ts (~2 ms a command instead of ~100+ ms for a new exec channel);
// - ONE long-lived SFTP session for files (streamed, pipelined writes; temp file + rename);
// - an exec channel only to kill a timed-out command (its process group/session, as the same user
//   or through the same sudo), and as a fallback when the server refuses shell channels.
// A dropped connection fails the running command and every later call with ConnectionError.
import { randomBytes } from 'node:crypto';
import { posix } from 'node:path';
import { Readable } from 'node:stream';
import { Client, type ClientChannel, type ConnectConfig, type SFTPWrapper } from 'ssh2';
import { ConnectionError, ModuleError } from '../errors.js';
import { shellQuote, type BecomeOptions, type Connection, type FileStat, type PutOptions, type RunOptions, type RunResult, type StatOptions } from './connection.js';
import { readKnownHosts } from './known-hosts.js';
import { planAuth } from './ssh-auth.js';
import { becomeWrap } from './ssh-become.js';
import { driverCommand } from './ssh-command.js';
import { connectFailure, fileFailure } from './ssh-errors.js';
import { FrameReader, frameScript, newMarker, type StdinSource } from './ssh-framing.js';
import { hostKeyAlgorithms, verifyHostKey } from './ssh-hostkey.js';
import type { SshEndpoint, SshParams } from './ssh-params.js';
import { ShellDriver } from './ssh-shell.js';
import { fileTypeOf, parseStatOutput, statScript } from './ssh-stat.js';

export interface SshConnectionOptions {
  /** jump-host clients shared by the run (the pool's); without it the connection owns its jumps */
  jumpCache?: Map<string, Promise<Client>>;
  /** after killing a timed-out command, how long to wait for it to end before dropping the shell */
  killGraceMs?: number;
  /** stdin above this size is uploaded over SFTP instead of sent inline */
  inlineStdinMax?: number;
}

const WRITE_CHUNK = 32 * 1024;
const WRITES_IN_FLIGHT = 32;
/** GX_SSH_TRACE=1 prints every remote operation with its duration to stderr */
const TRACE = process.env.GX_SSH_TRACE === '1';

function sftpCall<T>(fn: (cb: (err: Error | null | undefined, v: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => fn((err, v) => (err ? reject(err) : resolve(v))));
}

async function toBuffer(data: string | Buffer | NodeJS.ReadableStream): Promise<Buffer> {
  if (typeof data === 'string') return Buffer.from(data);
  if (Buffer.isBuffer(data)) return data;
  const parts: Buffer[] = [];
  for await (const chunk of data as Readable) parts.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(parts);
}

/** with GX_SSH_TRACE=1, every remote operation and its duration on stderr */
async function traced<T>(host: string, what: string, fn: () => Promise<T>): Promise<T> {
  if (!TRACE) return fn();
  const t0 = performance.now();
  let outcome = 'ok';
  try {
    const r = await fn();
    if (r && typeof r === 'object' && 'rc' in r) outcome = `rc=${String(r.rc)}`;
    return r;
  } catch (err) {
    outcome = `error ${(err as Error).message}`;
    throw err;
  } finally {
    process.stderr.write(`[ssh ${host}] ${(performance.now() - t0).toFixed(1)}ms ${outcome} ${what.slice(0, 160)}\n`);
  }
}

function withTimeout<T>(p: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  if (ms <= 0) return p;
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(onTimeout()), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(t);
        reject(e as Error);
      },
    );
  });
}

export class SshConnection implements Connection {
  readonly host: string;
  private client: Client | undefined;
  private driver: ShellDriver | undefined;
  private driverOpening: Promise<ShellDriver> | undefined;
  private sftpSession: Promise<SFTPWrapper> | undefined;
  private connecting: Promise<void> | undefined;
  /** set once the connection is unusable; every later call throws it */
  private failure: ConnectionError | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly ownJumps: Client[] = [];
  private readonly ids = new Map<string, number>();
  /** uid/gid → name, for stats answered by SFTP */
  private readonly names = new Map<string, string>();
  private noSftp = false;

  constructor(
    readonly params: SshParams,
    private readonly opts: SshConnectionOptions = {},
  ) {
    this.host = params.name;
  }

  connect(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    this.connecting ??= this.open().catch((err: unknown) => {
      this.failure = connectFailure(this.params, err, []);
      this.teardown();
      throw this.failure;
    });
    return this.connecting;
  }

  private async open(): Promise<void> {
    const p = this.params;
    let sock: ClientChannel | undefined;
    if (p.jumps.length > 0) sock = await this.throughJumps();
    const client = await this.openClient(p, sock);
    if (this.failure) {
      // closed (Ctrl-C) while the handshake was under way: do not leave it open
      client.end();
      throw this.failure;
    }
    this.client = client;
    this.client.on('close', () => this.lost('the connection closed'));
    this.client.on('error', (e: Error) => this.lost(e.message));
    // the SFTP session opens while the shell starts: most plays touch files, and then it is ready
    this.sftpIfAny().catch(() => undefined);
    this.driver = await this.openDriver();
  }

  /** one authenticated ssh2 client, host key checked; `sock` is a forwarded channel for jumps */
  private async openClient(ep: SshEndpoint, sock?: ClientChannel): Promise<Client> {
    const p = this.params;
    const entries = await readKnownHosts(p.knownHostsFile);
    const auth = planAuth({ user: ep.user, identityFiles: ep.identityFiles, keyPassphrase: p.keyPassphrase, password: ep === p ? p.password : undefined, agent: p.agent });
    const where = { name: p.name, host: ep.host, port: ep.port, user: ep.user, connectTimeoutMs: p.connectTimeoutMs };
    let refusal: ConnectionError | null = null;
    const client = new Client();
    // ssh2 can emit more errors after the first (e.g. the socket closing after a timeout); an
    // unheard 'error' would crash the run
    client.on('error', () => undefined);
    const config: ConnectConfig = {
      host: ep.host,
      port: ep.port,
      username: ep.user,
      sock: sock as ConnectConfig['sock'],
      readyTimeout: p.connectTimeoutMs,
      keepaliveInterval: p.keepaliveMs,
      keepaliveCountMax: 3,
      authHandler: auth.handler,
      algorithms: { serverHostKey: hostKeyAlgorithms(entries, ep.host, ep.port) as NonNullable<ConnectConfig['algorithms']>['serverHostKey'] },
      hostVerifier: (key: Buffer, verify: (ok: boolean) => void) => {
        verifyHostKey({ inventoryName: p.name, host: ep.host, port: ep.port, knownHostsFile: p.knownHostsFile, policy: p.hostKeyPolicy }, entries, key).then(
          (r) => {
            refusal = r;
            verify(r === null);
          },
          (e: unknown) => {
            refusal = new ConnectionError(p.name, `cannot record the host key in ${p.knownHostsFile}: ${(e as Error).message}`);
            verify(false);
          },
        );
      },
    };
    await new Promise<void>((resolve, reject) => {
      const onError = (e: Error): void => {
        client.removeListener('ready', onReady);
        client.end();
        reject(refusal ?? connectFailure(where, e, auth.tried));
      };
      const onReady = (): void => {
        client.removeListener('error', onError);
        resolve();
      };
      client.once('ready', onReady);
      client.once('error', onError);
      try {
        client.connect(config);
      } catch (e) {
        onError(e as Error);
      }
    });
    return client;
  }

  private async throughJumps(): Promise<ClientChannel> {
    const p = this.params;
    let via: Client | undefined;
    let key = '';
    for (const jump of p.jumps) {
      const prevVia = via;
      key += `>${jump.user}@${jump.host}:${jump.port}`;
      const make = async (): Promise<Client> => {
        const sock = prevVia ? await this.forward(prevVia, jump.host, jump.port) : undefined;
        const c = await this.openClient(jump, sock);
        if (!this.opts.jumpCache) this.ownJumps.push(c);
        return c;
      };
      const cache = this.opts.jumpCache;
      if (cache) {
        if (!cache.has(key)) cache.set(key, make());
        via = await cache.get(key)!;
      } else via = await make();
    }
    return this.forward(via!, p.host, p.port);
  }

  private forward(via: Client, host: string, port: number): Promise<ClientChannel> {
    return new Promise((resolve, reject) =>
      via.forwardOut('127.0.0.1', 0, host, port, (err, ch) =>
        err ? reject(new ConnectionError(this.host, `jump host cannot reach ${host}:${port}: ${err.message}`, { cause: err })) : resolve(ch),
      ),
    );
  }

  private openDriver(): Promise<ShellDriver> {
    const client = this.client!;
    this.driverOpening ??= withTimeout(
      ShellDriver.open(client),
      this.params.connectTimeoutMs,
      () => new ConnectionError(this.host, `timed out starting the remote shell (${this.params.connectTimeoutMs / 1000}s)`),
    ).finally(() => {
      this.driverOpening = undefined;
    });
    return this.driverOpening;
  }

  private lost(reason: string): void {
    if (this.failure) return;
    this.failure = new ConnectionError(this.host, `connection to ${this.params.host}:${this.params.port} lost: ${reason}`);
    this.teardown();
  }

  private teardown(): void {
    try {
      this.client?.end();
    } catch {
      // already closed
    }
    for (const j of this.ownJumps) j.end();
  }

  private alive(): void {
    if (this.failure) throw this.failure;
    if (!this.client) throw new ConnectionError(this.host, 'not connected (connect() was not called)');
  }

  /** commands on one host run one at a time on its shell */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(fn, fn);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async shell(): Promise<ShellDriver> {
    this.alive();
    if (this.driver?.usable) return this.driver;
    this.driver = await this.openDriver();
    return this.driver;
  }

  private async asConnectionError(err: unknown): Promise<Error> {
    // a dropped connection closes the shell's channel a moment before the client reports the loss:
    // give it that moment, so the error says what happened
    if (!this.failure) await new Promise((r) => setTimeout(r, 20));
    if (this.failure) return this.failure;
    if (err instanceof ConnectionError || err instanceof ModuleError) return err;
    return new ConnectionError(this.host, `remote shell failed: ${(err as Error).message}`, { cause: err });
  }

  run(opts: RunOptions): Promise<RunResult> {
    if ((opts.argv === undefined) === (opts.shell === undefined)) return Promise.reject(new ModuleError('run() needs exactly one of argv or shell'));
    return this.serial(() => traced(this.host, `run ${JSON.stringify(opts.argv ?? opts.shell)}`, () => this.runNow(opts)));
  }

  /** becoming the login user (or root when logged in as root) needs no sudo */
  private effectiveBecome(driver: ShellDriver, become: BecomeOptions | undefined): BecomeOptions | undefined {
    if (!become) return undefined;
    const user = become.user ?? 'root';
    if (user === driver.user || (driver.uid === 0 && (user === 'root' || user === '0'))) return undefined;
    return become;
  }

  private async runNow(asked: RunOptions, stdinFile?: string): Promise<RunResult> {
    const driver = await this.shell();
    const opts = { ...asked, become: this.effectiveBecome(driver, asked.become) };
    const wrap = becomeWrap(opts.become, driver.tmpDir ? `${driver.tmpDir}/askpass` : undefined, this.params.becomePassword);
    let stdin: StdinSource = { kind: 'none' };
    let uploaded: string | undefined;
    if (stdinFile !== undefined) {
      stdin = { kind: 'file', path: stdinFile };
      uploaded = stdinFile;
    } else if (opts.stdin !== undefined) {
      const data = typeof opts.stdin === 'string' ? Buffer.from(opts.stdin) : opts.stdin;
      if (data.length <= (this.opts.inlineStdinMax ?? 64 * 1024) || !(await this.sftpIfAny())) stdin = { kind: 'inline', data };
      else {
        uploaded = `${driver.tmpDir}/stdin-${randomBytes(6).toString('hex')}`;
        await this.writeViaSftp(uploaded, data, 0o600);
        stdin = { kind: 'file', path: uploaded };
      }
    }
    const marker = newMarker();
    const reader = new FrameReader(marker);
    const tracked = opts.timeoutMs !== undefined && opts.timeoutMs > 0;
    const command = driverCommand({ opts, wrap, tracked, marker, setsid: driver.setsid });
    const script = frameScript({ marker, command, tracked, stdin, removeAfter: uploaded });
    let timedOut = false;
    let killTimer: NodeJS.Timeout | undefined;
    let graceTimer: NodeJS.Timeout | undefined;
    const kill = (pid: number): void => {
      this.killRemote(pid, opts.become);
      graceTimer = setTimeout(() => driver.abandon(new Error('a timed-out command did not stop')), this.opts.killGraceMs ?? 3000);
    };
    if (tracked) {
      killTimer = setTimeout(() => {
        timedOut = true;
        if (reader.pid !== undefined) kill(reader.pid);
        else reader.onPid = kill;
      }, opts.timeoutMs);
    }
    let frame;
    try {
      frame = await driver.exec(script, reader);
    } catch (err) {
      if (!timedOut || this.failure) throw await this.asConnectionError(err);
      frame = reader.result(); // the shell was dropped; what the command printed before is kept
    } finally {
      clearTimeout(killTimer);
      clearTimeout(graceTimer);
    }
    return {
      rc: timedOut ? 124 : frame.rc,
      stdout: frame.stdout.toString('utf8'),
      stderr: frame.stderr.toString('utf8'),
      stdoutBytes: frame.stdout,
      ...(timedOut ? { timedOut: true } : {}),
    };
  }

  /** kills the command's whole process group and session, through an exec channel */
  private killRemote(pid: number, become?: BecomeOptions): void {
    const killCmd = `kill -KILL -- -${pid} 2>/dev/null; pkill -KILL -s ${pid} 2>/dev/null; kill -KILL ${pid} 2>/dev/null; exit 0`;
    const tmp = this.driver?.tmpDir;
    const wrap = becomeWrap(become ? { ...become, user: 'root' } : undefined, tmp ? `${tmp}/askpass` : undefined, this.params.becomePassword);
    const cmd = [wrap.envPrefix, ...wrap.argv.map(shellQuote), '/bin/sh -c', shellQuote(killCmd)].filter((w) => w !== '').join(' ');
    try {
      this.client?.exec(cmd, (err, ch) => {
        if (err) return;
        ch.on('data', () => undefined);
        ch.stderr.on('data', () => undefined);
      });
    } catch {
      // the connection is going away; the grace timer drops the shell
    }
  }

  private sftp(): Promise<SFTPWrapper> {
    this.alive();
    if (!this.sftpSession) {
      const client = this.client!;
      this.sftpSession = new Promise<SFTPWrapper>((resolve, reject) =>
        client.sftp((err, s) => {
          if (err) {
            // the server refuses the subsystem: files go through the shell from now on
            if (!this.failure) this.noSftp = true;
            return reject(new ConnectionError(this.host, `cannot open an SFTP session: ${err.message}`, { cause: err }));
          }
          s.on('close', () => {
            this.sftpSession = undefined;
          });
          resolve(s);
        }),
      );
      this.sftpSession.catch(() => {
        this.sftpSession = undefined;
      });
    }
    return this.sftpSession;
  }

  /** the SFTP session, or null on a host without SFTP (connection failures still throw) */
  private async sftpIfAny(): Promise<SFTPWrapper | null> {
    if (this.noSftp) return null;
    try {
      return await this.sftp();
    } catch (err) {
      if (this.noSftp && !this.failure) return null;
      throw err;
    }
  }

  /** writes data to `path` over SFTP with pipelined requests; creates the file (exclusive) */
  private async writeViaSftp(path: string, data: string | Buffer | NodeJS.ReadableStream, modeWanted: number | Promise<number>): Promise<void> {
    const sftp = await this.sftp();
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

  private async sftpStat(sftp: SFTPWrapper, path: string): Promise<{ mode: number; uid: number; gid: number } | null> {
    try {
      return await sftpCall((cb) => sftp.stat(path, cb));
    } catch (e) {
      if ((e as { code?: number }).code === 2) return null;
      throw e;
    }
  }

  /** user or group name → number, through one command, cached */
  private async resolveId(kind: 'user' | 'group', name: string): Promise<number> {
    if (/^\d+$/.test(name)) return Number(name);
    const key = `${kind}:${name}`;
    const known = this.ids.get(key);
    if (known !== undefined) return known;
    const cmd = kind === 'user' ? `id -u -- ${shellQuote(name)}` : `getent group ${shellQuote(name)} | cut -d: -f3`;
    const r = await this.runNow({ shell: cmd });
    const n = Number(r.stdout.trim());
    if (r.rc !== 0 || r.stdout.trim() === '' || !Number.isInteger(n)) throw new ModuleError(`${this.host}: no such ${kind} '${name}'`);
    this.ids.set(key, n);
    return n;
  }

  put(path: string, data: string | Buffer | NodeJS.ReadableStream, opts: PutOptions = {}): Promise<void> {
    return traced(this.host, `put ${path}`, () => this.putNow(path, data, opts));
  }

  private async putNow(path: string, data: string | Buffer | NodeJS.ReadableStream, opts: PutOptions): Promise<void> {
    this.alive();
    if (opts.become) {
      const driver = await this.serial(() => this.shell());
      if (this.effectiveBecome(driver, opts.become)) return this.putViaShell(path, data, opts);
    }
    const sftp = await this.sftpIfAny();
    if (!sftp) return this.putViaShell(path, data, { ...opts, become: undefined });
    const dir = posix.dirname(path);
    const tmp = `${dir}/.${posix.basename(path).slice(0, 180)}.gx-${randomBytes(6).toString('hex')}`;
    try {
      // the current file's mode and owner are looked up while the new content goes out
      const looking = opts.mode === undefined || opts.owner !== undefined || opts.group !== undefined ? this.sftpStat(sftp, path) : Promise.resolve(null);
      looking.catch(() => undefined);
      await this.writeViaSftp(tmp, data, looking.then((e) => opts.mode ?? (e ? e.mode & 0o7777 : 0o644)));
      const existing = await looking;
      if (opts.owner !== undefined || opts.group !== undefined) {
        const uid = opts.owner !== undefined ? await this.serial(() => this.resolveId('user', opts.owner!)) : (existing?.uid ?? -1);
        const gid = opts.group !== undefined ? await this.serial(() => this.resolveId('group', opts.group!)) : (existing?.gid ?? -1);
        const cur = (await this.sftpStat(sftp, tmp))!;
        await sftpCall<void>((cb) => sftp.chown(tmp, uid < 0 ? cur.uid : uid, gid < 0 ? cur.gid : gid, (e) => cb(e, undefined)));
      }
      await sftpCall<void>((cb) => sftp.ext_openssh_rename(tmp, path, (e) => cb(e, undefined)));
    } catch (err) {
      await sftpCall<void>((cb) => sftp.unlink(tmp, (e) => cb(e, undefined))).catch(() => undefined);
      if (this.failure) throw this.failure;
      if (err instanceof ConnectionError || err instanceof ModuleError) throw err;
      throw fileFailure(this.host, 'put', path, err);
    }
  }

  /**
   * Through the shell, as the become user when there is one: the data is staged in the shell's
   * private dir over SFTP (or sent inline when the host has no SFTP) and reaches the command as its
   * stdin, opened by the login user, so the become user needs no access to the staging dir.
   */
  private async putViaShell(path: string, data: string | Buffer | NodeJS.ReadableStream, opts: PutOptions): Promise<void> {
    const driver = await this.serial(() => this.shell());
    let staged: string | undefined;
    let inline: Buffer | undefined;
    if (await this.sftpIfAny()) {
      staged = `${driver.tmpDir}/put-${randomBytes(6).toString('hex')}`;
      try {
        await this.writeViaSftp(staged, data, 0o600);
      } catch (err) {
        if (this.failure) throw this.failure;
        throw fileFailure(this.host, 'put (staging)', path, err);
      }
    } else inline = await toBuffer(data);
    const q = shellQuote(path);
    const base = shellQuote(`.${posix.basename(path).slice(0, 180)}.gx-XXXXXXXX`);
    const lines = [
      'set -e',
      `d=$(dirname -- ${q})`,
      `t=$(mktemp "$d"/${base})`,
      `trap 'rm -f "$t"' EXIT`,
      'cat >"$t"',
      opts.mode !== undefined ? `chmod ${(opts.mode & 0o7777).toString(8)} "$t"` : `if [ -e ${q} ]; then chmod --reference=${q} "$t"; else chmod 644 "$t"; fi`,
    ];
    if (opts.owner !== undefined || opts.group !== undefined) lines.push(`chown -- ${shellQuote(`${opts.owner ?? ''}${opts.group !== undefined ? `:${opts.group}` : ''}`)} "$t"`);
    else lines.push(`if [ -e ${q} ] && [ "$(id -u)" = 0 ]; then chown --reference=${q} "$t"; fi`);
    lines.push(`mv -f -- "$t" ${q}`, 'trap - EXIT');
    const r = await this.serial(() => this.runNow({ shell: lines.join('\n'), become: opts.become, stdin: inline }, staged));
    if (r.rc !== 0) throw new ModuleError(`${this.host}: put ${path}${opts.become ? ` (become ${opts.become.user ?? 'root'})` : ''}: ${r.stderr.trim() || `exit ${r.rc}`}`);
  }

  get(path: string, opts: { become?: BecomeOptions } = {}): Promise<Buffer | null> {
    return traced(this.host, `get ${path}`, () => this.getNow(path, opts));
  }

  private async getNow(path: string, opts: { become?: BecomeOptions }): Promise<Buffer | null> {
    this.alive();
    const sftp = opts.become ? null : await this.sftpIfAny();
    if (!sftp) {
      const q = shellQuote(path);
      const r = await this.run({ shell: `if [ ! -e ${q} ]; then echo GXNOENT >&2; exit 47; fi; exec cat -- ${q}`, become: opts.become });
      if (r.rc === 47 && r.stderr.includes('GXNOENT')) return null;
      if (r.rc !== 0) throw new ModuleError(`${this.host}: get ${path}: ${r.stderr.trim() || `exit ${r.rc}`}`);
      return r.stdoutBytes ?? Buffer.from(r.stdout);
    }
    try {
      return await sftpCall<Buffer>((cb) => sftp.readFile(path, cb));
    } catch (err) {
      if ((err as { code?: number }).code === 2) return null;
      if (this.failure) throw this.failure;
      throw fileFailure(this.host, 'get', path, err);
    }
  }

  /**
   * Without become or checksum: SFTP (l)stat, no process started on the host (names cached per
   * uid/gid). Otherwise one command: stat, link target and sha256 computed there, never a download.
   */
  stat(path: string, opts: StatOptions = {}): Promise<FileStat | null> {
    return traced(this.host, `stat ${path}${opts.checksum ? ' (checksum)' : ''}`, () => this.statNow(path, opts));
  }

  private async statNow(path: string, opts: StatOptions): Promise<FileStat | null> {
    this.alive();
    const sftp = opts.become || opts.checksum ? null : await this.sftpIfAny();
    if (sftp) {
      try {
        return await this.statViaSftp(sftp, path, opts.followLinks === true);
      } catch (err) {
        if (this.failure) throw this.failure;
        if (err instanceof ModuleError) throw err;
        throw fileFailure(this.host, 'stat', path, err);
      }
    }
    const r = await this.run({ shell: statScript(path, opts), become: opts.become });
    return parseStatOutput(this.host, path, r);
  }

  private async statViaSftp(sftp: SFTPWrapper, path: string, follow: boolean): Promise<FileStat | null> {
    let attrs: { mode: number; uid: number; gid: number; size: number; mtime: number };
    try {
      attrs = await sftpCall((cb) => (follow ? sftp.stat(path, cb) : sftp.lstat(path, cb)));
    } catch (e) {
      if ((e as { code?: number }).code === 2) return null;
      throw e;
    }
    const type = fileTypeOf(attrs.mode);
    const linkTarget = type === 'link' ? await sftpCall<string>((cb) => sftp.readlink(path, cb)) : undefined;
    const [owner, group] = await this.idNames(attrs.uid, attrs.gid);
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

  /** names as stat(1) prints them (UNKNOWN when the id has none), looked up once per id */
  private async idNames(uid: number, gid: number): Promise<[string, string]> {
    const u = this.names.get(`u${uid}`);
    const g = this.names.get(`g${gid}`);
    if (u !== undefined && g !== undefined) return [u, g];
    const r = await this.run({ shell: `printf '%s\\n' "$(getent passwd ${uid} | cut -d: -f1)" "$(getent group ${gid} | cut -d: -f1)"` });
    const [owner = '', group = ''] = r.stdout.split('\n');
    this.names.set(`u${uid}`, owner || 'UNKNOWN');
    this.names.set(`g${gid}`, group || 'UNKNOWN');
    return [owner || 'UNKNOWN', group || 'UNKNOWN'];
  }

  async close(): Promise<void> {
    if (!this.client) {
      this.failure ??= new ConnectionError(this.host, 'connection closed');
      return;
    }
    const client = this.client;
    const wasAlive = !this.failure;
    this.failure ??= new ConnectionError(this.host, 'connection closed');
    if (!wasAlive) {
      this.teardown();
      return;
    }
    // a busy shell would only exit after its command: no point waiting for that
    if (this.driver && !this.driver.busy) await this.driver.close().catch(() => undefined);
    const sftp = await this.sftpSession?.catch(() => undefined);
    sftp?.end();
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, 1000);
      client.once('close', () => {
        clearTimeout(t);
        resolve();
      });
      client.end();
    });
    for (const j of this.ownJumps) j.end();
  }
}
