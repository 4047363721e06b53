// Wires config → database → keys → app → HTTP server, and owns the graceful shutdown:
// stop accepting, let in-flight requests finish, then close the pool.
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { createApp } from './app.js';
import { KeyStore } from './auth/key-store.js';
import type { ApiConfig } from './config.js';
import { createDatabase } from './db/database.js';
import { TaskChangeFeed } from './db/task-change-feed.js';

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
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // idle keep-alive sockets would hold close() open; busy ones close after their response
      server.closeIdleConnections();
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
