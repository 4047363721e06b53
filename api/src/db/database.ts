import knexFactory, { type Knex } from 'knex';
import pg from 'pg';
import type { DatabaseConfig } from '../config.js';

// BIGINT counts come back as strings by default; every count here fits a JS number
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number.parseInt(v, 10));

export interface DatabaseLogger {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** knex would print its warnings with console.*; they go to the JSON log instead (or nowhere). */
export function createDatabase(cfg: DatabaseConfig, log?: DatabaseLogger): Knex {
  const text = (m: unknown): string => (m instanceof Error ? m.message : String(m));
  return knexFactory({
    log: {
      warn: (m: unknown) => log?.warn({ detail: text(m) }, 'database warning'),
      error: (m: unknown) => log?.error({ detail: text(m) }, 'database error'),
      deprecate: () => undefined,
      debug: () => undefined,
    },
    client: 'pg',
    connection: { connectionString: cfg.databaseUrl, application_name: 'gx-api' },
    pool: { min: cfg.dbPoolMin, max: cfg.dbPoolMax },
    // fail fast when the database is gone instead of queueing requests for a minute
    acquireConnectionTimeout: 5_000,
  });
}

/** True when a trivial query completes within the timeout. */
export async function databaseReachable(db: Knex, timeoutMs = 1_500): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    return await Promise.race([db.raw('select 1').then(() => true as const), timeout]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

// What a lost, refused or overloaded database looks like from here: the pool's acquire timeout,
// socket errors, node-postgres's messages for a connection that died, and PostgreSQL's SQLSTATEs
// for "connection exception" (class 08), shutdown and recovery (57P01-57P03) and too many
// connections (53300). Anything else (a bug, a constraint) stays an internal error.
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNABORTED']);
const SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300']);
const PG_MESSAGES = /^(Connection terminated|Client has encountered a connection error|timeout exceeded when trying to connect|Client was closed and is not queryable)/;

/** True when an error means the database cannot be reached or cannot take work right now. */
export function isDatabaseUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  if (err.name === 'KnexTimeoutError') return true;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && (NETWORK_CODES.has(code) || SQLSTATES.has(code) || code.startsWith('08'))) return true;
  return PG_MESSAGES.test(err.message);
}
