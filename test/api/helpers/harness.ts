// Runs the real app (createApp) on a loopback port against a real database and a real issuer.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Knex } from 'knex';
import { pino } from 'pino';
import { createApp, type ApiApp } from '../../../api/src/app.js';
import { KeyStore } from '../../../api/src/auth/key-store.js';
import { TaskChangeFeed } from '../../../api/src/db/task-change-feed.js';
import { CLIENT_ID, type OidcIssuer } from './oidc-issuer.js';

export interface RunningApi {
  baseUrl: string;
  app: ApiApp;
  keys: KeyStore;
  /** The list cache's LISTEN session (undefined with listCache: false). */
  feed: TaskChangeFeed | undefined;
  close(): Promise<void>;
}

export async function startApi(db: Knex, issuer: OidcIssuer, opts: { refetchIntervalMs?: number; discover?: boolean; extraIssuers?: string[]; listCache?: boolean; heartbeatMs?: number } = {}): Promise<RunningApi> {
  const keys = new KeyStore({
    jwksUri: opts.discover ? undefined : issuer.jwksUri,
    discoveryIssuer: issuer.url,
    refetchIntervalMs: opts.refetchIntervalMs ?? 0,
    maxAgeMs: 600_000,
  });
  // the list cache is on by default, as in production, so every API test also runs through it
  let feed: TaskChangeFeed | undefined;
  if (opts.listCache !== false) {
    feed = new TaskChangeFeed({ databaseUrl: connectionStringOf(db), heartbeatMs: opts.heartbeatMs, reconnectMaxMs: 500 });
    await feed.start();
  }
  const app = createApp({
    db,
    taskChanges: feed,
    keys,
    log: pino({ level: 'silent' }),
    issuers: [issuer.url, ...(opts.extraIssuers ?? [])],
    audience: [CLIENT_ID],
    clientId: CLIENT_ID,
    clockToleranceSec: 5,
  });
  const server: Server = app.koa.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    app,
    keys,
    feed,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await feed?.stop();
    },
  };
}

/** The URL a knex instance was created with (createDatabase passes it as connectionString). */
export function connectionStringOf(db: Knex): string {
  const conn = (db.client as { config: { connection?: { connectionString?: string } } }).config.connection;
  if (!conn?.connectionString) throw new Error('this knex instance was not created from a connection string');
  return conn.connectionString;
}

export interface Reply {
  status: number;
  body: any;
  headers: Headers;
}

/** fetch with a bearer token and JSON in/out; the body is parsed when it is JSON. */
export async function call(baseUrl: string, method: string, path: string, token?: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> {
  const h: Record<string, string> = { ...headers };
  if (token !== undefined) h.authorization = `Bearer ${token}`;
  let payload: string | undefined;
  if (body !== undefined) {
    h['content-type'] ??= 'application/json';
    payload = typeof body === 'string' ? body : JSON.stringify(body);
  }
  const res = await fetch(baseUrl + path, { method, headers: h, body: payload });
  const text = await res.text();
  let parsed: unknown = text;
  if ((res.headers.get('content-type') ?? '').includes('json') && text) parsed = JSON.parse(text);
  return { status: res.status, body: parsed, headers: res.headers };
}
