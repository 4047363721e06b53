import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('tasks', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.text('owner_sub').notNullable();
    t.string('title', 200).notNullable();
    t.text('description').notNullable().defaultTo('');
    t.boolean('done').notNullable().defaultTo(false);
    // millisecond precision: the pagination cursor carries a JS Date, which cannot hold microseconds
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.raw("date_trunc('milliseconds', now())"));
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.raw("date_trunc('milliseconds', now())"));
  });
  // a user's list, newest first, keyset-paginated: WHERE owner_sub = ? AND (created_at, id) < (?, ?)
  await knex.raw('CREATE INDEX tasks_owner_created_idx ON tasks (owner_sub, created_at DESC, id DESC)');
  // the admin's list across all owners, same ordering
  await knex.raw('CREATE INDEX tasks_created_idx ON tasks (created_at DESC, id DESC)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('tasks');
}
