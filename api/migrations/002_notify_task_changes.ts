import type { Knex } from 'knex';

// Every change to a task tells the API replicas whose list changed (NOTIFY gx_tasks_changed with the
// owner's subject), so each replica's list cache can drop that owner's pages. A trigger rather than
// the API sending NOTIFY itself: a change made by anything else (psql, a restore, another service)
// reaches the caches too. NOTIFY is delivered at commit, and identical payloads in one transaction
// are folded into one. A payload must stay under 8000 bytes: an owner longer than that (no real
// `sub` is) becomes '*', which clears every cached list. TRUNCATE has no rows: it sends '*' as well.
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE FUNCTION gx_tasks_notify() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
      owner text;
    BEGIN
      IF TG_OP = 'TRUNCATE' THEN
        PERFORM pg_notify('gx_tasks_changed', '*');
        RETURN NULL;
      END IF;
      IF TG_OP <> 'INSERT' THEN
        owner := OLD.owner_sub;
        PERFORM pg_notify('gx_tasks_changed', CASE WHEN octet_length(owner) < 7000 THEN owner ELSE '*' END);
      END IF;
      IF TG_OP <> 'DELETE' AND (TG_OP = 'INSERT' OR NEW.owner_sub IS DISTINCT FROM OLD.owner_sub) THEN
        owner := NEW.owner_sub;
        PERFORM pg_notify('gx_tasks_changed', CASE WHEN octet_length(owner) < 7000 THEN owner ELSE '*' END);
      END IF;
      RETURN NULL;
    END
    $$`);
  await knex.raw('CREATE TRIGGER tasks_notify_rows AFTER INSERT OR UPDATE OR DELETE ON tasks FOR EACH ROW EXECUTE FUNCTION gx_tasks_notify()');
  await knex.raw('CREATE TRIGGER tasks_notify_truncate AFTER TRUNCATE ON tasks FOR EACH STATEMENT EXECUTE FUNCTION gx_tasks_notify()');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TRIGGER IF EXISTS tasks_notify_truncate ON tasks');
  await knex.raw('DROP TRIGGER IF EXISTS tasks_notify_rows ON tasks');
  await knex.raw('DROP FUNCTION IF EXISTS gx_tasks_notify()');
}
