import knexFactory, { type Knex } from 'knex';
import pg from 'pg';
import type { DatabaseConfig } from '../config.js';

// BIGINT counts come back as strings by default; every count here fits a JS number
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number.parseInt(v, 10));

export function createDatabase(cfg: DatabaseConfig): Knex {
  return knexFactory({
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
