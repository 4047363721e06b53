// One SSH connection per host for the whole run. Inside it:
// - ONE long-lived /bin/sh (an exec channel, no pty) that runs every command, serialised, through the
//   framed protocol of framing.ts (~1 ms a command; a new channel would also cost sshd a process);
// - ONE long-lived SFTP session for files (streamed, pipelined writes; temp file + rename);
// - an exec channel only to kill a timed-out command (its process group/session, as the same user
//   or through the same sudo); a shell channel only when the server refuses exec requests.
// A dropped connection fails the running command and every later call with ConnectionError.
// This file is the connection's life and its calls; the client is opened in open.ts (auth.ts,
// hostkey.ts, jumps), commands are framed in framing.ts/command.ts and run by shell.ts, files go
// through sftp.ts (or put-script.ts through the shell), and params.ts/config.ts resolve the options.
import { createHash, randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import { posix } from 'node:path';
import type { Client, ClientChannel, SFTPWrapper } from 'ssh2';
import { ConnectionError, ModuleError } from '../../errors.js';
import { shellQuote, type BecomeOptions, type Connection, type FileStat, type PutOptions, type RunOptions, type RunResult, type StatOptions } from '../connection.js';
import { becomeWrap } from './become.js';
import { driverCommand } from './command.js';
import { connectFailure, fileFailure } from './errors.js';
import { FrameReader, frameScript, newMarker, type StdinSource } from './framing.js';
import { holdable, viaHolder } from './holder.js';
import { openClient, startTcp, throughJumps, type ClientPhase, type EarlySocket } from './open.js';
import type { SshParams } from './params.js';
import { putScript, toBuffer } from './put-script.js';
import { sftpCall, sftpFileStat, sftpOwnership, sftpReadAll, sftpWrite } from './sftp.js';
import { ShellDriver } from './shell.js';
import { parseStatOutput, statScript } from './stat.js';
import { traceConnect, traced, withTimeout } from './trace.js';

export interface SshConnectionOptions {
  /** jump-host clients shared by the run (the pool's); without it the connection owns its jumps */
  jumpCache?: Map<string, Promise<Client>>;
  /** after killing a timed-out command, how long to wait for it to end before dropping the shell */
  killGraceMs?: number;
  /** stdin above this size is uploaded over SFTP instead of sent inline */
  inlineStdinMax?: number;
}

/**
 * When each step of opening the connection ended (performance.now() ms), from `start`: what a
 * host's handshake costs on this side. GX_SSH_TRACE=1 prints it; the SSH bench reports it.
 */
export interface ConnectTiming {
  start?: number;
  /** TCP connected (or the jump channel ready) */
  tcp?: number;
  /** key exchange done, host key verified */
  kex?: number;
  /** authenticated */
  auth?: number;
  /** the long-lived shell started and answered */
  shell?: number;
  /** the SFTP session open (it opens while the shell starts) */
  sftp?: number;
}

/** files up to this size get their checksum from an SFTP read (hashed here), bigger ones from sha256sum on the host */
export const SFTP_CHECKSUM_MAX = 64 * 1024;

export class SshConnection implements Connection {
  readonly host: string;
  readonly timing: ConnectTiming = {};
  private client: Client | undefined;
  /** the TCP connection to the host (none through jump hosts: a forwarded channel carries it) */
  private socket: Socket | undefined;
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
    const t = this.timing;
    t.start = performance.now();
    const mark = (phase: ClientPhase): void => {
      t[phase] = performance.now();
    };
    // opt-in: the connection the holder keeps (holder.ts); else, or when that fails, directly
    const held = holdable(p) ? await viaHolder(p, mark) : undefined;
    let client: Client;
    if (held) {
      this.socket = held.socket;
      client = held.client;
    } else {
      let sock: ClientChannel | EarlySocket;
      if (p.jumps.length > 0) sock = await throughJumps(p, { cache: this.opts.jumpCache, owned: this.ownJumps });
      else this.socket = (sock = startTcp(p)).socket;
      client = await openClient(p, p, sock, mark);
    }
    if (this.failure) {
      // closed (Ctrl-C) while the handshake was under way: do not leave it open
      client.end();
      throw this.failure;
    }
    this.client = client;
    this.client.on('close', () => this.lost('the connection closed'));
    this.client.on('error', (e: Error) => this.lost(e.message));
    // the SFTP session opens while the shell starts: most plays touch files, and then it is ready
    this.sftpIfAny().then(
      () => (t.sftp = performance.now()),
      () => undefined,
    );
    this.driver = await this.openDriver();
    t.shell = performance.now();
    traceConnect(this.host, t);
  }

  private openDriver(): Promise<ShellDriver> {
    const client = this.client!;
    this.driverOpening ??= withTimeout(
      ShellDriver.open(client).then((d) => {
        // the login user's own names, which most files a play stats carry: no getent for them
        if (d.uid >= 0 && d.user) this.names.set(`u${d.uid}`, d.user);
        if (d.gid >= 0 && d.group) this.names.set(`g${d.gid}`, d.group);
        return d;
      }),
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
    return sftpWrite(await this.sftp(), path, data, modeWanted);
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
      const looking = opts.mode === undefined || opts.owner !== undefined || opts.group !== undefined ? sftpOwnership(sftp, path) : Promise.resolve(null);
      looking.catch(() => undefined);
      await this.writeViaSftp(tmp, data, looking.then((e) => opts.mode ?? (e ? e.mode & 0o7777 : 0o644)));
      const existing = await looking;
      if (opts.owner !== undefined || opts.group !== undefined) {
        const uid = opts.owner !== undefined ? await this.serial(() => this.resolveId('user', opts.owner!)) : (existing?.uid ?? -1);
        const gid = opts.group !== undefined ? await this.serial(() => this.resolveId('group', opts.group!)) : (existing?.gid ?? -1);
        const cur = (await sftpOwnership(sftp, tmp))!;
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
    const r = await this.serial(() => this.runNow({ shell: putScript(path, opts), become: opts.become, stdin: inline }, staged));
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
      return await sftpReadAll(sftp, path);
    } catch (err) {
      if ((err as { code?: number }).code === 2) return null;
      if (this.failure) throw this.failure;
      throw fileFailure(this.host, 'get', path, err);
    }
  }

  /**
   * Without become: SFTP (l)stat, no process started on the host (names cached per uid/gid); a
   * checksum of a file up to SFTP_CHECKSUM_MAX from an SFTP read. Otherwise (become, big files, no
   * SFTP) one command: stat, link target and sha256 computed there.
   */
  stat(path: string, opts: StatOptions = {}): Promise<FileStat | null> {
    return traced(this.host, `stat ${path}${opts.checksum ? ' (checksum)' : ''}`, () => this.statNow(path, opts));
  }

  private async statNow(path: string, opts: StatOptions): Promise<FileStat | null> {
    this.alive();
    const sftp = opts.become ? null : await this.sftpIfAny();
    if (sftp) {
      let st: FileStat | null;
      try {
        st = await sftpFileStat(sftp, path, opts.followLinks === true, (uid, gid) => this.idNames(uid, gid));
      } catch (err) {
        if (this.failure) throw this.failure;
        if (err instanceof ModuleError) throw err;
        throw fileFailure(this.host, 'stat', path, err);
      }
      // only regular files have a checksum (a link is one only when followed: then its type is the target's)
      if (!opts.checksum || st?.type !== 'file') return st;
      // a small file is read over SFTP and hashed here: a few SFTP round trips cost the host less
      // than starting stat and sha256sum (issue 16: copy's no-op check); big ones are hashed there
      if (st.size <= SFTP_CHECKSUM_MAX) {
        const data = await sftpReadAll(sftp, path, st.size).catch(() => null);
        if (this.failure) throw this.failure;
        if (data) return { ...st, sha256: createHash('sha256').update(data).digest('hex') };
        // unreadable, or changed meanwhile: the command below tells which, in its own words
      }
    }
    const r = await this.run({ shell: statScript(path, opts), become: opts.become });
    return parseStatOutput(this.host, path, r);
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
    // The disconnect alone ends everything on the host: sshd closes the session's channels, the
    // long-lived shell exits at the end of its input and its EXIT trap removes its temp dir, the
    // SFTP server ends with the session (test/connect/ssh-channel.test.ts checks the shell and the
    // dir). Closing each channel first, and waiting for it, only added packets and round trips to
    // every run's end (issue 16). As ssh(1) does, the run does not wait for sshd's own clean-up
    // either: the disconnect is written (the write is immediate) and the socket closed, which
    // still sends it and the end of the stream. Waiting for the socket's own end instead took
    // ~10 ms at the end of every 10-host run: the ten sshd waking to clean up took both cores
    // first. Through jump hosts there is no socket of ours: the client's close is awaited.
    const socket = this.socket;
    if (socket) {
      client.end();
      socket.destroy();
    } else {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 1000);
        client.once('close', () => {
          clearTimeout(t);
          resolve();
        });
        client.end();
      });
    }
    for (const j of this.ownJumps) j.end();
  }
}
