// The migration command, run as a Kubernetes Job before the Deployment rolls:
//   node dist/api/src/migrate.js [latest|rollback|status]
// Only DATABASE_URL is needed. Exit 0 on success, 1 on failure, 78 on bad configuration.
import { ConfigError, loadDatabaseConfig } from './config.js';
import { createDatabase } from './db/database.js';
import { migrateLatest, migrateRollback, migrationStatus } from './db/migrations.js';

async function main(command: string): Promise<number> {
  let cfg;
  try {
    cfg = loadDatabaseConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(err.message + '\n');
      return 78;
    }
    throw err;
  }
  const db = createDatabase({ ...cfg, dbPoolMin: 0, dbPoolMax: 1 });
  const out = (obj: object): void => void process.stdout.write(JSON.stringify({ service: 'gx-api-migrate', command, ...obj }) + '\n');
  try {
    if (command === 'latest') out({ applied: await migrateLatest(db) });
    else if (command === 'rollback') out({ reverted: await migrateRollback(db) });
    else if (command === 'status') out(await migrationStatus(db));
    else {
      process.stderr.write(`unknown command "${command}"; use latest, rollback or status\n`);
      return 2;
    }
    return 0;
  } catch (err) {
    out({ error: err instanceof Error ? err.message : String(err) });
    return 1;
  } finally {
    await db.destroy();
  }
}

main(process.argv[2] ?? 'latest').then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`migration failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
