// The container's entry point as a child process: migrations through the CLI, then SIGTERM in the
// middle of a stream of writes. Every write that got a 2xx must be in the database afterwards.
import { expect } from 'chai';
import { freshDatabase, issuerAndDatabasePerSuite, type TestDatabase } from './helpers/database.js';
import { runTs, startChildApi } from './helpers/child-api.js';
import { CLIENT_ID, type OidcIssuer } from './helpers/oidc-issuer.js';

describe('api: the process (child) — migrate command, SIGTERM during load, startup checks', function () {
  this.timeout(60_000);
  let issuer!: OidcIssuer;
  let database!: TestDatabase;
  issuerAndDatabasePerSuite((i, d) => {
    issuer = i;
    database = d;
  });

  const apiEnv = (): Record<string, string> => ({
    DATABASE_URL: database.url,
    OIDC_ISSUERS: issuer.url,
    OIDC_AUDIENCE: CLIENT_ID,
    OIDC_JWKS_URI: issuer.jwksUri,
    DB_POOL_MAX: '4',
    SHUTDOWN_TIMEOUT_MS: '15000',
  });

  it('migrates with the command the Kubernetes Job runs, idempotently', async function () {
    const empty = await freshDatabase({ migrate: false });
    try {
      await migrateWithCli(empty);
    } finally {
      await empty.drop();
    }
  });

  async function migrateWithCli(database: TestDatabase): Promise<void> {
    const first = await runTs('api/src/migrate.ts', ['latest'], { DATABASE_URL: database.url }).exited;
    expect(first.code, first.stderr).to.equal(0);
    expect(JSON.parse(first.stdout)).to.deep.include({ command: 'latest', applied: ['001_create_tasks', '002_notify_task_changes'] });
    const again = await runTs('api/src/migrate.ts', ['latest'], { DATABASE_URL: database.url }).exited;
    expect(JSON.parse(again.stdout)).to.deep.include({ applied: [] });
    const status = await runTs('api/src/migrate.ts', ['status'], { DATABASE_URL: database.url }).exited;
    expect(JSON.parse(status.stdout)).to.deep.include({ applied: ['001_create_tasks', '002_notify_task_changes'], pending: [] });
    const indexes = await database.db.raw("select indexname from pg_indexes where tablename = 'tasks' order by 1");
    expect(indexes.rows.map((r: { indexname: string }) => r.indexname)).to.deep.equal(['tasks_created_idx', 'tasks_owner_created_idx', 'tasks_pkey']);
  }

  it('keeps every acknowledged write when SIGTERM arrives under load, then exits 0', async function () {
    const api = await startChildApi(apiEnv());
    const base = `http://127.0.0.1:${api.port}`;
    const token = await issuer.token({ sub: 'writer' });
    for (let i = 0; i < 100 && (await fetch(`${base}/readyz`)).status !== 200; i++) await new Promise((r) => setTimeout(r, 50));

    const acknowledged: string[] = [];
    let failures = 0;
    const causes = new Set<string>();
    let stop = false;
    let signalled = false;
    const writer = async (w: number): Promise<void> => {
      for (let i = 0; !stop; i++) {
        const startedBeforeSignal = !signalled;
        try {
          const res = await fetch(`${base}/api/tasks`, {
            method: 'POST',
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
            body: JSON.stringify({ title: `w${w}-${i}` }),
          });
          const body = (await res.json()) as { id?: string };
          if (res.status >= 200 && res.status < 300) acknowledged.push(body.id!);
          else failures++;
        } catch (err) {
          // refused after shutdown began: not acknowledged, so not promised; a reset would be a lost request
          const cause = (err as { cause?: { code?: string; message?: string } }).cause;
          if (startedBeforeSignal) causes.add(cause?.code ?? cause?.message ?? String(err));
          failures++;
          if (failures > 200) stop = true;
          await new Promise((r) => setTimeout(r, 5));
        }
      }
    };
    const writers = Array.from({ length: 16 }, (_, w) => writer(w));
    while (acknowledged.length < 150 && failures === 0) await new Promise((r) => setTimeout(r, 5));
    expect(failures, 'writes failed before the signal').to.equal(0);
    const atSignal = acknowledged.length;
    api.child.kill('SIGTERM');
    signalled = true;
    const result = await api.exited;
    stop = true;
    await Promise.all(writers);

    expect(result.code, result.stderr).to.equal(0);
    // undici's keep-alive connections: a request sent before the signal is answered (with Connection:
    // close) or, when it needed a new connection, refused — never reset. (One sent on an idle
    // keep-alive connection as the server closes it can be: the race every HTTP/1.1 server has.)
    expect([...causes].filter((c) => c !== 'ECONNREFUSED'), 'how requests sent before the signal failed').to.deep.equal([]);
    expect(acknowledged.length).to.be.at.least(atSignal);
    const rows = await database.db('tasks').whereIn('id', acknowledged).count<{ count: number }[]>({ count: '*' });
    expect(rows[0]!.count).to.equal(acknowledged.length);
    const messages = api.logs.map((l) => l.msg);
    expect(messages).to.include('shutting down: no new connections, finishing in-flight requests').and.to.include('shutdown complete');
  });

  it('logs JSON lines with request ids and never the token', async function () {
    const api = await startChildApi(apiEnv());
    const token = await issuer.token({ sub: 'logged' });
    const res = await fetch(`http://127.0.0.1:${api.port}/api/tasks`, { headers: { authorization: `Bearer ${token}`, 'x-request-id': 'trace-123' } });
    expect(res.headers.get('x-request-id')).to.equal('trace-123');
    await fetch(`http://127.0.0.1:${api.port}/api/tasks`, { headers: { authorization: `Bearer ${token}x` } });
    api.child.kill('SIGTERM');
    await api.exited;
    const lines = api.stdout().trim().split('\n');
    for (const line of lines) expect(() => JSON.parse(line), line).to.not.throw();
    const entry = api.logs.find((l) => l.reqId === 'trace-123');
    expect(entry).to.include({ method: 'GET', path: '/api/tasks', status: 200, sub: 'logged' });
    expect(api.logs.some((l) => l.status === 401 && typeof l.authFailure === 'string')).to.equal(true);
    expect(api.stdout()).to.not.include(token.split('.')[1]!);
    expect(api.stdout()).to.not.include(token.split('.')[2]!.slice(0, 40));
  });

  it('refuses to start with every configuration problem listed at once (exit 78)', async function () {
    const r = await runTs('api/src/main.ts', [], { DATABASE_URL: 'mysql://nope', DB_POOL_MAX: '0' }).exited;
    expect(r.code).to.equal(78);
    expect(r.stderr).to.include('invalid API configuration (4 problems)');
    for (const p of ['DATABASE_URL must use postgres:', 'DB_POOL_MAX must be an integer', 'OIDC_ISSUERS is required', 'OIDC_AUDIENCE is required']) expect(r.stderr).to.include(p);
  });

  it('refuses to run as root', async function () {
    const r = await runTs('api/src/main.ts', [], apiEnv(), { uid: 0, gid: 0 }).exited;
    expect(r.code).to.equal(1);
    expect(r.stderr).to.include('refuses to run as root');
  });
});
