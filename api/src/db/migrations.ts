// Migrations are listed here explicitly rather than discovered on disk, so the same code runs from
// TypeScript sources (tests) and from the compiled layer (the Kubernetes Job) without globbing.
import type { Knex } from 'knex';
import * as createTasks from '../../migrations/001_create_tasks.js';
import * as notifyTaskChanges from '../../migrations/002_notify_task_changes.js';

interface Migration {
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

const MIGRATIONS: ReadonlyArray<[string, Migration]> = [
  ['001_create_tasks', createTasks],
  ['002_notify_task_changes', notifyTaskChanges],
];

const source: Knex.MigrationSource<string> = {
  getMigrations: async () => MIGRATIONS.map(([name]) => name),
  getMigrationName: (name) => name,
  getMigration: async (name) => {
    const found = MIGRATIONS.find(([n]) => n === name);
    if (!found) throw new Error(`unknown migration ${name}`);
    return found[1];
  },
};

const config: Knex.MigratorConfig = { migrationSource: source, tableName: 'api_migrations' };

export async function migrateLatest(db: Knex): Promise<string[]> {
  const [, applied] = (await db.migrate.latest(config)) as [number, string[]];
  return applied;
}

export async function migrateRollback(db: Knex): Promise<string[]> {
  const [, reverted] = (await db.migrate.rollback(config)) as [number, string[]];
  return reverted;
}

export async function migrationStatus(db: Knex): Promise<{ applied: string[]; pending: string[] }> {
  const [applied, pending] = (await db.migrate.list(config)) as [Array<{ name: string } | string>, Array<{ file?: string } | string>];
  const name = (m: unknown): string => (typeof m === 'string' ? m : ((m as { name?: string; file?: string }).name ?? (m as { file?: string }).file ?? String(m)));
  return { applied: applied.map(name), pending: pending.map(name) };
}
