// Readiness follows the database: the pool's connections go through a loopback proxy to the real
// PostgreSQL, the proxy cuts them, /readyz turns 503 and the API answers in the error shape; when
// the proxy lets traffic through again, the same pool recovers and /readyz is 200.
import { expect } from 'chai';
import { createDatabase, isDatabaseUnavailable } from '../../api/src/db/database.js';
import { freshDatabase, type TestDatabase } from './helpers/database.js';
import { call, startApi, type RunningApi } from './helpers/harness.js';
import { OidcIssuer } from './helpers/oidc-issuer.js';
import { TcpProxy } from './helpers/tcp-proxy.js';
import type { Knex } from 'knex';

describe('api: readiness while the database goes away and comes back (real PostgreSQL behind a proxy)', function () {
  let issuer: OidcIssuer;
  let database: TestDatabase;
  let proxy: TcpProxy;
  let viaProxy: Knex;
  let api: RunningApi;

  before(async function () {
    issuer = await OidcIssuer.start();
    database = await freshDatabase();
    proxy = await TcpProxy.forDatabase(database.url);
    viaProxy = createDatabase({ databaseUrl: proxy.urlFor(database.url), dbPoolMin: 2, dbPoolMax: 4 });
    api = await startApi(viaProxy, issuer);
  });

  after(async function () {
    await api?.close();
    await viaProxy?.destroy();
    await proxy?.close();
    await database?.drop();
    await issuer?.close();
  });

  it('is ready, then not ready while the database is unreachable, then ready again', async function () {
    const token = await issuer.token({ sub: 'ready-user' });
    const ready = await call(api.baseUrl, 'GET', '/readyz');
    expect(ready.status).to.equal(200);
    expect((await call(api.baseUrl, 'POST', '/api/tasks', token, { title: 'before' })).status).to.equal(201);

    proxy.cut();
    const down = await call(api.baseUrl, 'GET', '/readyz');
    expect(down.status).to.equal(503);
    expect(down.body).to.deep.equal({ status: 'not_ready', checks: { database: false, keys: true, accepting: true } });
    // liveness does not depend on the database: restarting the pod would not bring it back
    expect((await call(api.baseUrl, 'GET', '/healthz')).status).to.equal(200);
    // every call that needs the database: 503, Retry-After, and an error that says what is wrong
    const id = '0b6f0c9e-8a4e-4a0e-9d7e-2f1f1f1f1f1f';
    const calls: Array<[string, string, unknown?]> = [
      ['GET', '/api/tasks'],
      ['GET', '/api/tasks?limit=5'],
      ['POST', '/api/tasks', { title: 'during the outage' }],
      ['GET', `/api/tasks/${id}`],
      ['PATCH', `/api/tasks/${id}`, { done: true }],
      ['DELETE', `/api/tasks/${id}`],
      ['GET', '/api/admin/tasks'],
    ];
    const admin = await issuer.token({ sub: 'ready-admin', realmRoles: ['admin'] });
    for (const [method, path, body] of calls) {
      const failed = await call(api.baseUrl, method, path, path.startsWith('/api/admin') ? admin : token, body);
      expect(failed.status, `${method} ${path}`).to.equal(503);
      expect(failed.headers.get('retry-after'), `${method} ${path}`).to.match(/^[1-9][0-9]*$/);
      expect(failed.body, `${method} ${path}`).to.deep.equal({
        error: { code: 'database_unavailable', message: 'the database is unavailable; retry later', requestId: failed.headers.get('x-request-id') },
      });
    }

    proxy.restore();
    const back = await call(api.baseUrl, 'GET', '/readyz');
    expect(back.status).to.equal(200);
    const list = await call(api.baseUrl, 'GET', '/api/tasks', token);
    expect(list.status).to.equal(200);
    expect(list.body.items.map((t: { title: string }) => t.title)).to.deep.equal(['before']);
  });

  it('is not ready while no signing key could be loaded', async function () {
    const silent = await OidcIssuer.start('nokeys');
    await silent.close();
    const noKeys = await startApi(database.db, silent);
    try {
      const res = await call(noKeys.baseUrl, 'GET', '/readyz');
      expect(res.status).to.equal(503);
      expect(res.body.checks).to.deep.equal({ database: true, keys: false, accepting: true });
    } finally {
      await noKeys.close();
    }
  });
});

describe('api: which errors mean "the database is unavailable" (503) rather than a bug (500)', function () {
  const err = (message: string, props: Record<string, unknown> = {}): Error => Object.assign(new Error(message), props);
  it('the pool timing out, refused and reset sockets, a connection that died, PostgreSQL shutting down or full', function () {
    expect(isDatabaseUnavailable(Object.assign(err('Knex: Timeout acquiring a connection. The pool is probably full.'), { name: 'KnexTimeoutError' }))).to.equal(true);
    for (const code of ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', '08006', '08001', '57P01', '57P03', '53300']) {
      expect(isDatabaseUnavailable(err('x', { code })), code).to.equal(true);
    }
    expect(isDatabaseUnavailable(err('Connection terminated unexpectedly'))).to.equal(true);
  });
  it('not a constraint violation, a syntax error, a missing database or a plain bug', function () {
    for (const code of ['23505', '42601', '3D000', '22021']) expect(isDatabaseUnavailable(err('x', { code })), code).to.equal(false);
    expect(isDatabaseUnavailable(new TypeError("Cannot read properties of undefined (reading 'id')"))).to.equal(false);
    expect(isDatabaseUnavailable('ECONNREFUSED')).to.equal(false);
  });
});
