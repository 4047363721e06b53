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
