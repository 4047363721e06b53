// Input the database cannot store, and bodies far over the limit: what a new user trying odd input
// would send. Real PostgreSQL (which refuses U+0000 in text), real issuer, loopback only.
import { connect } from 'node:net';
import { expect } from 'chai';
import { freshDatabase, type TestDatabase } from './helpers/database.js';
import { call, startApi, type RunningApi } from './helpers/harness.js';
import { OidcIssuer } from './helpers/oidc-issuer.js';

describe('api: input hardening (NUL characters, oversized uploads)', function () {
  let issuer: OidcIssuer;
  let database: TestDatabase;
  let api: RunningApi;
  let user: string;
  let admin: string;

  before(async function () {
    issuer = await OidcIssuer.start();
    database = await freshDatabase();
    api = await startApi(database.db, issuer);
    user = await issuer.token({ sub: 'nul-user' });
    admin = await issuer.token({ sub: 'nul-admin', realmRoles: ['admin'] });
  });

  after(async function () {
    await api?.close();
    await database?.drop();
    await issuer?.close();
  });

  const NUL_DETAIL = 'must not contain the NUL character (U+0000)';

  async function expectNul(res: Awaited<ReturnType<typeof call>>, path: string): Promise<void> {
    expect(res.status, JSON.stringify(res.body)).to.equal(400);
    expect(res.body.error.code).to.equal('validation_failed');
    expect(res.body.error.details).to.deep.include({ path, message: NUL_DETAIL });
  }

  describe('a NUL character in any text input is a 400 naming the field, never a 500', function () {
    it('in the body of a create (title, description)', async function () {
      await expectNul(await call(api.baseUrl, 'POST', '/api/tasks', user, { title: 'a\u0000b' }), '/title');
      await expectNul(await call(api.baseUrl, 'POST', '/api/tasks', user, { title: 'ok', description: '\u0000' }), '/description');
      // with another problem in the same body: every problem at once
      const both = await call(api.baseUrl, 'POST', '/api/tasks', user, { title: 'x\u0000', done: 'yes' });
      await expectNul(both, '/title');
      expect(both.body.error.details.map((d: { path: string }) => d.path)).to.include('/done');
    });

    it('in the body of a patch', async function () {
      const t = (await call(api.baseUrl, 'POST', '/api/tasks', user, { title: 'patch me' })).body;
      await expectNul(await call(api.baseUrl, 'PATCH', `/api/tasks/${t.id}`, user, { title: '\u0000' }), '/title');
      await expectNul(await call(api.baseUrl, 'PATCH', `/api/tasks/${t.id}`, user, { description: 'd\u0000' }), '/description');
      const row = await database.db('tasks').where({ id: t.id }).first();
      expect(row).to.include({ title: 'patch me', description: '' });
    });

    it('in query parameters: the admin owner filter, cursor and limit', async function () {
      await expectNul(await call(api.baseUrl, 'GET', '/api/admin/tasks?owner=a%00b', admin), '/owner');
      await expectNul(await call(api.baseUrl, 'GET', '/api/admin/tasks?owner=%00', admin), '/owner');
      await expectNul(await call(api.baseUrl, 'GET', '/api/tasks?cursor=%00', user), '/cursor');
      await expectNul(await call(api.baseUrl, 'GET', '/api/admin/tasks?cursor=x%00', admin), '/cursor');
      await expectNul(await call(api.baseUrl, 'GET', '/api/tasks?limit=1%00', user), '/limit');
      // a parameter repeated, one of its values with a NUL
      await expectNul(await call(api.baseUrl, 'GET', '/api/admin/tasks?owner=a&owner=%00', admin), '/owner/1');
    });

    it('in the path (an id) and in the token subject: 404 and 401, not 500', async function () {
      expect((await call(api.baseUrl, 'GET', '/api/tasks/%00', user)).status).to.equal(404);
      expect((await call(api.baseUrl, 'DELETE', '/api/tasks/a%00b', user)).status).to.equal(404);
      // a signed token whose subject PostgreSQL could not store is not a usable identity
      const odd = await issuer.token({ sub: 'a\u0000b' });
      const listed = await call(api.baseUrl, 'GET', '/api/tasks', odd);
      expect(listed.status).to.equal(401);
      expect((await call(api.baseUrl, 'POST', '/api/tasks', odd, { title: 'x' })).status).to.equal(401);
    });

    it('never reaches the database: nothing was stored, and the API still answers', async function () {
      const rows = await database.db('tasks').where({ owner_sub: 'nul-user' }).select('title');
      expect(rows.map((r: { title: string }) => r.title)).to.deep.equal(['patch me']);
      expect((await call(api.baseUrl, 'GET', '/api/tasks', user)).status).to.equal(200);
    });
  });
});
