// Wires config → database → keys → app → HTTP server, and owns the graceful shutdown:
// stop accepting, let in-flight requests finish, then close the pool.
import { once } from 'node:events';
import type { Server } from 'node:http';
import { Server as NetServer, type AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { createApp } from './app.js';
import { KeyStore } from './auth/key-store.js';
import type { ApiConfig } from './config.js';
import { createDatabase } from './db/database.js';
import { TaskChangeFeed } from './db/task-change-feed.js';

/** After shutdown begins, how long idle keep-alive connections stay open for bytes already sent. */
const IDLE_READ_GRACE_MS = 100;
/** At most this many poll phases (about 1 ms each) spent accepting the listen backlog at shutdown. */
const MAX_BACKLOG_PHASES = 500;

/** Resolves after `ms` and at least one poll phase of the event loop (the immediate runs after one). */
function afterPollPhase(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(() => setImmediate(resolve), ms));
}

export interface RunningServer {
  server: Server;
  port: number;
  /** Resolves once every in-flight request has finished and the pool is closed. */
  shutdown(reason: string): Promise<void>;
}

export async function startServer(config: ApiConfig, log: Logger): Promise<RunningServer> {
  const db = createDatabase(config, log);
  const keys = new KeyStore(
    {
      jwksUri: config.jwksUri,
      discoveryIssuer: config.issuers[0]!,
      refetchIntervalMs: config.jwksRefetchIntervalMs,
      maxAgeMs: config.jwksMaxAgeMs,
    },
    log,
  );
  // not awaited: an issuer that is down must not stop the process; /readyz reports it instead
  keys.refresh().catch((err: unknown) => log.warn({ err: (err as Error).message }, 'initial JWKS fetch failed'));

  // the list cache's invalidations; not awaited either: without it the cache is simply off
  const taskChanges = config.listCacheBytes > 0 ? new TaskChangeFeed({ databaseUrl: config.databaseUrl }, log) : undefined;
  void taskChanges?.start();

  const app = createApp({ db, keys, log, ...config, taskChanges });
  const server = app.koa.listen(config.port, config.host);
  await once(server, 'listening');
  // keep-alive must outlive a typical proxy's idle timeout, or the proxy races the close
  server.keepAliveTimeout = 65_000;
  let accepted = 0;
  server.on('connection', () => accepted++);
  const port = (server.address() as AddressInfo).port;
  log.info({ port, host: config.host, issuers: config.issuers }, 'listening');
  // lifecycle lines are not left in the log buffer: whoever waits for them sees them now
  log.flush();

  let closing: Promise<void> | undefined;
  const shutdown = (reason: string): Promise<void> => {
    closing ??= (async () => {
      log.info({ reason }, 'shutting down: no new connections, finishing in-flight requests');
      log.flush();
      app.startDraining();
      // Connections the kernel completed before now wait in the listen backlog, maybe with a whole
      // request sent: closing the listener resets them. Accept them first: Node takes one per poll
      // phase, so wait phases until one accepts nothing (bounded: a flood must not hold it open).
      for (let i = 0; i < MAX_BACKLOG_PHASES; i++) {
        const before = accepted;
        await afterPollPhase(0);
        if (accepted === before) break;
      }
      // Stop accepting with net.Server's close, not http.Server's: since Node 19 the latter also
      // destroys at once every connection it sees as idle, and a keep-alive connection whose next
      // request is in the kernel's receive buffer, not read yet, looks idle: closing a socket with
      // unread bytes sends a reset, and that client loses a request it had fully sent.
      const closed = new Promise<void>((resolve) => NetServer.prototype.close.call(server, () => resolve()));
      // So first let the loop read what has arrived: those requests become active and are answered
      // with Connection: close. Then close what is still idle (http.Server's close, now only for
      // that); busy connections close after their response.
      await afterPollPhase(IDLE_READ_GRACE_MS);
      server.close();
      const timer = setTimeout(() => {
        log.warn({ timeoutMs: config.shutdownTimeoutMs }, 'shutdown timeout: closing remaining connections');
        server.closeAllConnections();
      }, config.shutdownTimeoutMs);
      timer.unref();
      await closed;
      clearTimeout(timer);
      await taskChanges?.stop();
      await db.destroy();
      log.info('shutdown complete');
    })();
    return closing;
  };
  return { server, port, shutdown };
}
