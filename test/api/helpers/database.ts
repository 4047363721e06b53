// Each test file gets its own database on the real PostgreSQL started by test/services/postgres.sh,
// so files cannot see each other's rows and nothing needs cleaning between runs.
import { randomBytes } from 'node:crypto';
import knexFactory, { type Knex } from 'knex';
import { createDatabase } from '../../../api/src/db/database.js';
import { migrateLatest } from '../../../api/src/db/migrations.js';
import { OidcIssuer } from './oidc-issuer.js';

export interface TestDatabase {
  url: string;
  db: Knex;
  drop(): Promise<void>;
}

export function serverUrl(): string {
  const url = process.env.GX_TEST_PG_URL;
  if (!url) throw new Error('GX_TEST_PG_URL is not set: run `bash test/services/postgres.sh start` or let the mocha setup do it');
  return url;
}

export async function freshDatabase(opts: { migrate?: boolean; poolMax?: number } = {}): Promise<TestDatabase> {
  const name = `gx_api_${randomBytes(6).toString('hex')}`;
  const admin = knexFactory({ client: 'pg', connection: serverUrl(), pool: { min: 0, max: 1 } });
  await admin.raw(`CREATE DATABASE ${name}`);
  await admin.destroy();
  const url = new URL(serverUrl());
  url.pathname = `/${name}`;
  const db = createDatabase({ databaseUrl: url.toString(), dbPoolMin: 0, dbPoolMax: opts.poolMax ?? 5 });
  if (opts.migrate !== false) await migrateLatest(db);
  return {
    url: url.toString(),
    db,
    async drop() {
      await db.destroy();
      const a = knexFactory({ client: 'pg', connection: serverUrl(), pool: { min: 0, max: 1 } });
      await a.raw(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.destroy();
    },
  };
}

/**
 * A loopback OIDC issuer and a fresh migrated database for the enclosing describe: started before
 * its tests, dropped and closed after them, handed to `use` once ready.
 */
export function issuerAndDatabasePerSuite(use: (issuer: OidcIssuer, database: TestDatabase) => void): void {
  let issuer: OidcIssuer | undefined;
  let database: TestDatabase | undefined;
  before(async function () {
    issuer = await OidcIssuer.start();
    database = await freshDatabase();
    use(issuer, database);
  });
  after(async function () {
    await database?.drop();
    await issuer?.close();
  });
}
