// The baselines for `npm run bench:api`: a bare Koa handler, no auth, no database, no logging,
// answering an empty list or, with BARE_BODY_FILE, the API's own page as fixed bytes (optionally
// behind the API's log line and metrics, BARE_OBSERVED=1); and,
// with BARE_DATABASE_URL, the same bare handler plus the API's list statement sent straight through
// node-postgres (same SQL, same prepared-statement name, BARE_POOL connections). The second is the
// ceiling of any handler that reads PostgreSQL once per request on this machine.
import { readFileSync } from 'node:fs';
import Koa from 'koa';
import knexFactory from 'knex';
import pg from 'pg';
import { listQuery } from '../../api/src/db/tasks-repo.js';
import { createMetrics } from '../../api/src/http/metrics.js';
import { requestContext } from '../../api/src/http/request-context.js';
import { createLogger } from '../../api/src/logger.js';

const app = new Koa();
// BARE_OBSERVED=1: the API's own per-request JSON log line and Prometheus middleware in front, which
// the API must have on every request: the floor of any handler that meets those requirements
if (process.env.BARE_OBSERVED === '1') {
  app.use(requestContext(createLogger('info', 4096), () => false, createMetrics()));
}
const url = process.env.BARE_DATABASE_URL;
if (url) {
  const { sql, bindings } = listQuery(knexFactory({ client: 'pg' }), 'bench', 20).toSQL().toNative();
  const pool = new pg.Pool({ connectionString: url, max: Number(process.env.BARE_POOL ?? 10) });
  app.use(async (ctx) => {
    const { rows } = await pool.query({ name: 'tasks_list_owner_first', text: sql, values: bindings as unknown[] });
    ctx.body = { items: rows.slice(0, 20), nextCursor: rows.length > 20 ? 'next' : null };
  });
} else if (process.env.BARE_BODY_FILE) {
  // the API's own page: the same bytes and content type, so the ratio measures what the API adds
  const body = readFileSync(process.env.BARE_BODY_FILE);
  const type = process.env.BARE_BODY_TYPE ?? 'application/json';
  app.use((ctx) => {
    ctx.type = type;
    ctx.body = body;
  });
} else {
  app.use((ctx) => {
    ctx.body = { items: [], nextCursor: null };
  });
}
const server = app.listen(0, '127.0.0.1', () => {
  const addr = server.address();
  process.stdout.write(JSON.stringify({ msg: 'listening', port: typeof addr === 'object' && addr ? addr.port : 0 }) + '\n');
});
process.once('SIGTERM', () => server.close(() => process.exit(0)));
