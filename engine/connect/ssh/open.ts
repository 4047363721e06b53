// Opening an SSH client: authentication in ssh(1)'s order (auth.ts), the host key checked against
// known_hosts under the run's policy (hostkey.ts), and ProxyJump chains, each jump a client of its
// own reached through the previous one (shared by the run's pool when it gives a cache).
import { connect as tcpConnect, type Socket } from 'node:net';
import type { Client, ClientChannel, ConnectConfig } from 'ssh2';
import { ConnectionError } from '../../errors.js';
import { planAuth } from './auth.js';
import { connectFailure } from './errors.js';
import { hostKeyAlgorithms, verifyHostKey } from './hostkey.js';
import { readKnownHosts } from './known-hosts.js';
import { ssh2 } from './ssh2.js';
import type { SshEndpoint, SshParams } from './params.js';

/** the phases of opening a client, as ssh2 reports them: TCP connected, key exchange done (host key checked), authenticated */
export type ClientPhase = 'tcp' | 'kex' | 'auth';

/**
 * The TCP connection to an endpoint, started before anything else of the handshake (reading keys
 * and known_hosts, loading ssh2): sshd forks and re-executes itself for each connection, ~20 ms
 * of its own that now overlaps the client's set-up instead of following it (issue 16). Nagle is
 * off: ssh2 leaves it on, and then a small packet written while an earlier one was unacknowledged
 * waited for the peer's delayed ACK, ~40 ms on Linux (every new channel did; measured 43 ms
 * against 1 ms on loopback). OpenSSH's client sets TCP_NODELAY for its sessions too.
 * An error before ssh2 takes the socket over is kept for openClient to report.
 */
export interface EarlySocket {
  socket: Socket;
  error?: Error;
}

export function startTcp(ep: SshEndpoint): EarlySocket {
  const early: EarlySocket = { socket: tcpConnect({ host: ep.host, port: ep.port, noDelay: true }) };
  early.socket.on('error', (e: Error) => (early.error ??= e));
  return early;
}

/**
 * one authenticated ssh2 client for `ep` (the host or one of its jumps), host key checked; `sock`
 * is a forwarded channel for jumps, or the TCP connection startTcp began (else one is begun here)
 */
export async function openClient(p: SshParams, ep: SshEndpoint, sock?: ClientChannel | EarlySocket, mark?: (phase: ClientPhase) => void): Promise<Client> {
  const early = sock === undefined ? startTcp(ep) : 'socket' in sock ? sock : undefined;
  const entries = await readKnownHosts(p.knownHostsFile);
  const auth = planAuth({ user: ep.user, identityFiles: ep.identityFiles, keyPassphrase: p.keyPassphrase, password: ep === p ? p.password : undefined, agent: p.agent });
  const where = { name: p.name, host: ep.host, port: ep.port, user: ep.user, connectTimeoutMs: p.connectTimeoutMs };
  let refusal: ConnectionError | null = null;
  const client = new (ssh2().Client)();
  // ssh2 can emit more errors after the first (e.g. the socket closing after a timeout); an
  // unheard 'error' would crash the run
  client.on('error', () => undefined);
  if (mark) {
    client.once('connect', () => mark('tcp'));
    client.once('handshake', () => mark('kex'));
    client.once('ready', () => mark('auth'));
  }
  const config: ConnectConfig = {
    host: ep.host,
    port: ep.port,
    username: ep.user,
    sock: (early ? early.socket : sock) as ConnectConfig['sock'],
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
    // failed before ssh2 listened (refused, unreachable…): ssh2 would only wait for its timeout
    if (early && (early.error || early.socket.destroyed)) {
      onError(early.error ?? new Error('the connection closed before the SSH handshake'));
      return;
    }
    try {
      client.connect(config);
    } catch (e) {
      onError(e as Error);
    }
  });
  return client;
}

export interface JumpClients {
  /** jump clients shared by the run (the pool's), by chain; without it each connection opens its own */
  cache?: Map<string, Promise<Client>>;
  /** the clients this connection opened itself and must end */
  owned: Client[];
}

/** a channel to the host through its chain of jump hosts */
export async function throughJumps(p: SshParams, jumps: JumpClients): Promise<ClientChannel> {
  let via: Client | undefined;
  let key = '';
  for (const jump of p.jumps) {
    const prevVia = via;
    key += `>${jump.user}@${jump.host}:${jump.port}`;
    const make = async (): Promise<Client> => {
      const sock = prevVia ? await forward(p.name, prevVia, jump.host, jump.port) : undefined;
      const c = await openClient(p, jump, sock);
      if (!jumps.cache) jumps.owned.push(c);
      return c;
    };
    const cache = jumps.cache;
    if (cache) {
      if (!cache.has(key)) cache.set(key, make());
      via = await cache.get(key)!;
    } else via = await make();
  }
  return forward(p.name, via!, p.host, p.port);
}

function forward(name: string, via: Client, host: string, port: number): Promise<ClientChannel> {
  return new Promise((resolve, reject) =>
    via.forwardOut('127.0.0.1', 0, host, port, (err, ch) =>
      err ? reject(new ConnectionError(name, `jump host cannot reach ${host}:${port}: ${err.message}`, { cause: err })) : resolve(ch),
    ),
  );
}
