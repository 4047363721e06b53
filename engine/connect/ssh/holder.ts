// The opt-in connection holder (issue 16), like OpenSSH's ControlPersist. With gx_ssh_persist set
// (seconds; or GX_SSH_PERSIST in the environment) a per-user background process keeps each host's
// authenticated SSH connection that long after the last run that used it, so the next `gx play` on
// the same hosts skips what a connection costs the host: sshd's re-exec, the key exchange and the
// authentication. Off by default.
//
// How: the holder is an SSH server on a Unix socket in the user's private cache directory
// (engine/cache-dir.ts; the holder is used only when that directory is the user's alone, mode 0700,
// and the socket is 0600), and a gx process reaches it as it would a host, with gx's own client
// code. The SSH username names the host, the login user, the key files, the known_hosts file and
// the host key policy; the holder opens that connection with the same code (openClient: host key
// checked under the same policy, the same keys) and relays each channel a run opens (exec, shell,
// the sftp subsystem) to it: data both ways, stderr, exit status. The holder's host key is made
// when it starts and written beside the socket (0600): a gx process accepts no other key there.
// Hosts reached with a password, a key passphrase or through jump hosts are never held (the holder
// would have to keep the secret): they are connected directly. Anything wrong with the holder, and
// the run connects directly, as without it.
import { spawn } from 'node:child_process';
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { connect as unixConnect, type Socket } from 'node:net';
import { join } from 'node:path';
import type { Client, ClientChannel, ServerChannel, Session } from 'ssh2';
import { isPrivateDir, privateCacheDir } from '../../cache-dir.js';
import { openClient, type ClientPhase } from './open.js';
import type { HostKeyPolicy, SshParams } from './params.js';
import { ssh2 } from './ssh2.js';

/** what a run asks the holder to hold: what reaching the host needs, no secret among it */
interface HeldTarget {
  name: string;
  host: string;
  port: number;
  user: string;
  identityFiles: string[];
  agent?: string;
  knownHostsFile: string;
  hostKeyPolicy: HostKeyPolicy;
  connectTimeoutMs: number;
  keepaliveMs: number;
  persistMs: number;
}

const PREFIX = 'gx-hold-1:';
export const HOLDER_SOCKET = 'ssh-holder.sock';
export const HOLDER_KEY = 'ssh-holder.pub';

/** whether the holder may hold this host's connection */
export function holdable(p: SshParams): boolean {
  return p.persistMs > 0 && p.jumps.length === 0 && p.password === undefined && p.keyPassphrase === undefined;
}

function encodeTarget(p: SshParams): string {
  const t: HeldTarget = {
    name: p.name,
    host: p.host,
    port: p.port,
    user: p.user,
    identityFiles: p.identityFiles,
    agent: p.agent,
    knownHostsFile: p.knownHostsFile,
    hostKeyPolicy: p.hostKeyPolicy,
    connectTimeoutMs: p.connectTimeoutMs,
    keepaliveMs: p.keepaliveMs,
    persistMs: p.persistMs,
  };
  return PREFIX + Buffer.from(JSON.stringify(t)).toString('base64url');
}

function decodeTarget(username: string): HeldTarget | undefined {
  if (!username.startsWith(PREFIX)) return undefined;
  try {
    const t = JSON.parse(Buffer.from(username.slice(PREFIX.length), 'base64url').toString('utf8')) as HeldTarget;
    return typeof t.host === 'string' && typeof t.port === 'number' && typeof t.user === 'string' && Array.isArray(t.identityFiles) ? t : undefined;
  } catch {
    return undefined;
  }
}

/** the directory the holder lives in: the private cache directory, when nobody else may even read it */
export function holderDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return privateCacheDir(env, 0o077);
}

// ---- the holder process ------------------------------------------------------------------------

/** relays one channel: data both ways, stderr, the exit status, the end and the close */
function relay(down: ServerChannel, up: ClientChannel): void {
  down.on('error', () => undefined);
  up.on('error', () => undefined);
  down.pipe(up);
  up.pipe(down);
  up.stderr.pipe(down.stderr, { end: false });
  up.on('exit', (code: number | null, signal?: string, dump?: boolean, desc?: string) => {
    if (typeof code === 'number') down.exit(code);
    else if (signal) down.exit(signal, Boolean(dump), desc ?? '');
  });
  up.on('close', () => down.close());
  down.on('close', () => up.close());
}

function serveSession(session: Session, upstream: () => Promise<Client>): void {
  type Opener = (client: Client, cb: (err: Error | undefined, ch: ClientChannel) => void) => void;
  const open = (opener: Opener, accept: () => ServerChannel | undefined, reject: (() => void) | undefined): void => {
    upstream().then(
      (client) =>
        opener(client, (err, up) => {
          if (err) return reject?.();
          const down = accept();
          if (!down) return up.close();
          relay(down, up);
        }),
      () => reject?.(),
    );
  };
  session.on('exec', (accept, reject, info) => open((c, cb) => c.exec(info.command, cb), accept, reject));
  session.on('shell', (accept, reject) => open((c, cb) => c.shell(false, cb), accept, reject));
  session.on('subsystem', (accept, reject, info) => open((c, cb) => c.subsys(info.name, cb), accept, reject));
  // gx asks for none of these; a held connection is not a terminal
  session.on('pty', (_a, reject) => reject?.());
  session.on('env', (_a, reject) => reject?.());
}

/**
 * Runs the holder in this process until it has had no client for the longest persist a client
 * asked for. Returns when it stops; exits early (quietly) when another holder already answers.
 */
export async function runHolder(dir: string, initialIdleMs: number): Promise<void> {
  // only in a directory that is the user's alone (the socket there reaches their hosts)
  if (!isPrivateDir(dir, 0o077)) throw new Error(`${dir} is not private`);
  process.umask(0o077);
  const s = ssh2();
  const keys = s.utils.generateKeyPairSync('ed25519');
  const pub = s.utils.parseKey(keys.public);
  if (pub instanceof Error) throw pub;
  const socketPath = join(dir, HOLDER_SOCKET);
  const held = new Map<string, Promise<Client>>();
  let clients = 0;
  let idleMs = initialIdleMs;
  let idle: NodeJS.Timeout | undefined;
  const server = new s.Server({ hostKeys: [keys.private] }, (conn) => {
    clients += 1;
    clearTimeout(idle);
    let target: HeldTarget | undefined;
    let key = '';
    const upstream = (): Promise<Client> => {
      let c = held.get(key);
      if (!c) {
        const t = target!;
        const p: SshParams = { ...t, connection: 'ssh', jumps: [] };
        c = openClient(p, p);
        held.set(key, c);
        c.then(
          (client) => client.on('close', () => held.get(key) === c && held.delete(key)),
          () => held.get(key) === c && held.delete(key),
        );
      }
      return c;
    };
    conn.on('error', () => undefined);
    conn.on('authentication', (ctx) => {
      target = ctx.method === 'none' ? decodeTarget(ctx.username) : undefined;
      if (!target) return ctx.reject(['none']);
      key = ctx.username;
      idleMs = Math.max(idleMs, target.persistMs);
      // the host is reached before the run is let in: a failure is the run's to report, directly
      upstream().then(
        () => ctx.accept(),
        () => ctx.reject(),
      );
    });
    conn.on('ready', () => conn.on('session', (accept) => serveSession(accept(), upstream)));
    conn.on('close', () => {
      clients -= 1;
      if (clients === 0) armIdle();
    });
  });
  const armIdle = (): void => {
    clearTimeout(idle);
    idle = setTimeout(stop, idleMs);
  };
  let stopped: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (stopped = resolve));
  const stop = (): void => {
    server.close();
    for (const c of held.values()) c.then((client) => client.end(), () => undefined);
    rmSync(socketPath, { force: true });
    stopped();
  };
  const listen = (): Promise<boolean> =>
    new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(socketPath, () => {
        server.removeListener('error', reject);
        resolve(true);
      });
    });
  try {
    await listen();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    // another holder answers there: it serves; a socket nobody answers is stale and goes
    if (await answers(socketPath)) return;
    rmSync(socketPath, { force: true });
    await listen();
  }
  // published before any connection is served (accepting happens on a later turn of the loop)
  const tmp = join(dir, `${HOLDER_KEY}.${process.pid}.tmp`);
  writeFileSync(tmp, pub.getPublicSSH().toString('base64'), { mode: 0o600 });
  renameSync(tmp, join(dir, HOLDER_KEY));
  armIdle();
  await done;
}

function answers(path: string): Promise<boolean> {
  return connectUnix(path).then(
    (sock) => (sock.destroy(), true),
    () => false,
  );
}

// ---- a run's side --------------------------------------------------------------------------------

/** how the holder is started: this same gx (the installed command), or what tests set */
let holderCommand: string[] | undefined;

export function setHolderCommand(argv: string[] | undefined): void {
  holderCommand = argv;
}

function defaultHolderCommand(): string[] | undefined {
  const entry = process.argv[1];
  // node's own flags stay behind (an --inspect port, a --cpu-prof would be the holder's too),
  // except a loader the entry needs (tsx, for main.ts)
  const loader = entry?.endsWith('.ts') ? process.execArgv.filter((a, i, all) => a.startsWith('--import') || all[i - 1] === '--import') : [];
  return entry && /(^|\/)(gx|main\.js|main\.ts)$/.test(entry) ? [process.execPath, ...loader, entry] : undefined;
}

function connectUnix(path: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const sock = unixConnect(path);
    sock.once('connect', () => {
      sock.removeListener('error', reject);
      resolve(sock);
    });
    sock.once('error', reject);
  });
}

/** a holder being started, per directory: a play's connections open at once, and one holder serves them all */
const starting = new Map<string, Promise<boolean>>();

/** starts a holder for `dir` and waits until it listens; false when none could be started */
function startHolder(dir: string, persistMs: number): Promise<boolean> {
  let started = starting.get(dir);
  if (started) return started;
  started = (async (): Promise<boolean> => {
    const argv = holderCommand ?? defaultHolderCommand();
    if (!argv) return false;
    const child = spawn(argv[0]!, [...argv.slice(1), '__ssh-holder', dir, String(persistMs)], { detached: true, stdio: 'ignore' });
    child.on('error', () => undefined);
    child.unref();
    for (let waited = 0; waited < 3000; waited += 20) {
      await new Promise((r) => setTimeout(r, 20));
      if (await answers(join(dir, HOLDER_SOCKET))) return true;
    }
    return false;
  })().finally(() => starting.delete(dir));
  starting.set(dir, started);
  return started;
}

/** the socket to a running holder, started when none answers; undefined when none can be had */
async function holderSocket(dir: string, persistMs: number): Promise<Socket | undefined> {
  const path = join(dir, HOLDER_SOCKET);
  try {
    return await connectUnix(path);
  } catch {
    // none yet: start one (or wait for the one being started)
  }
  if (!(await startHolder(dir, persistMs))) return undefined;
  return connectUnix(path).catch(() => undefined);
}

/**
 * A client for `p` through the holder (started when needed), or undefined: not holdable, no
 * private directory, no holder, or it could not reach the host (the run then connects directly and
 * reports that in its own words).
 */
export async function viaHolder(p: SshParams, mark?: (phase: ClientPhase) => void): Promise<{ client: Client; socket: Socket } | undefined> {
  let dir: string | undefined;
  try {
    dir = holderDir();
  } catch {
    return undefined;
  }
  if (dir === undefined) return undefined;
  const sock = await holderSocket(dir, p.persistMs);
  if (!sock) return undefined;
  const s = ssh2();
  const client = new s.Client();
  client.on('error', () => undefined);
  if (mark) {
    mark('tcp');
    client.once('handshake', () => mark('kex'));
    client.once('ready', () => mark('auth'));
  }
  const username = encodeTarget(p);
  let asked = false;
  const ok = await new Promise<boolean>((resolve) => {
    client.once('ready', () => resolve(true));
    client.once('error', () => resolve(false));
    client.once('close', () => resolve(false));
    client.connect({
      sock,
      username,
      // the holder reaches the host before it lets the run in
      readyTimeout: p.connectTimeoutMs * 2,
      // once: a refusal means the holder could not reach the host (the run then tries directly)
      authHandler: (_methods, _partial, cb) => {
        if (asked) return (cb as unknown as (v: false) => void)(false);
        asked = true;
        cb({ type: 'none', username });
      },
      hostVerifier: (key: Buffer) => {
        try {
          return Buffer.from(readFileSync(join(dir!, HOLDER_KEY), 'utf8').trim(), 'base64').equals(key);
        } catch {
          return false;
        }
      },
    });
  });
  if (!ok) {
    client.end();
    sock.destroy();
    return undefined;
  }
  return { client, socket: sock };
}
