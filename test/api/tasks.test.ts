// The task API end to end: real PostgreSQL (test/services/postgres.sh), real OIDC issuer on loopback.
import { expect } from 'chai';
import { freshDatabase, type TestDatabase } from './helpers/database.js';
import { call, startApi, type RunningApi } from './helpers/harness.js';
import { OidcIssuer } from './helpers/oidc-issuer.js';

describe('api: tasks against real PostgreSQL and a loopback OIDC issuer', function () {
  let issuer: OidcIssuer;
  let database: TestDatabase;
  let api: RunningApi;
  let alice: string;
  let bob: string;
  let admin: string;

  before(async function () {
    issuer = await OidcIssuer.start();
    database = await freshDatabase();
    api = await startApi(database.db, issuer);
    alice = await issuer.token({ sub: 'alice' });
    bob = await issuer.token({ sub: 'bob', realmRoles: [], clientRoles: ['user'] });
    admin = await issuer.token({ sub: 'root-admin', realmRoles: ['admin'] });
  });

  after(async function () {
    await api?.close();
    await database?.drop();
    await issuer?.close();
  });

  const req = (method: string, path: string, token?: string, body?: unknown) => call(api.baseUrl, method, path, token, body);

  describe('CRUD', function () {
    it('creates a task with defaults, returns 201, Location and the stored row', async function () {
      const res = await req('POST', '/api/tasks', alice, { title: 'write the report' });
      expect(res.status).to.equal(201);
      expect(res.body).to.include({ title: 'write the report', description: '', done: false, owner: 'alice' });
      expect(res.body.id).to.match(/^[0-9a-f-]{36}$/);
      expect(res.headers.get('location')).to.equal(`/api/tasks/${res.body.id}`);
      const row = await database.db('tasks').where({ id: res.body.id }).first();
      expect(row).to.include({ owner_sub: 'alice', title: 'write the report', done: false });
    });

    it('reads, patches and deletes a task', async function () {
      const created = (await req('POST', '/api/tasks', alice, { title: 'a', description: 'first', done: false })).body;
      const read = await req('GET', `/api/tasks/${created.id}`, alice);
      expect(read.status).to.equal(200);
      expect(read.body).to.deep.equal(created);

      const patched = await req('PATCH', `/api/tasks/${created.id}`, alice, { done: true });
      expect(patched.status).to.equal(200);
      expect(patched.body).to.include({ id: created.id, title: 'a', description: 'first', done: true });
      expect(Date.parse(patched.body.updatedAt)).to.be.at.least(Date.parse(created.updatedAt));

      const del = await req('DELETE', `/api/tasks/${created.id}`, alice);
      expect(del.status).to.equal(204);
      expect((await req('GET', `/api/tasks/${created.id}`, alice)).status).to.equal(404);
      expect((await req('DELETE', `/api/tasks/${created.id}`, alice)).status).to.equal(404);
      expect(await database.db('tasks').where({ id: created.id }).first()).to.equal(undefined);
    });

    it('answers 404 with the error shape for an id that is not a uuid', async function () {
      const res = await req('GET', '/api/tasks/not-a-uuid', alice);
      expect(res.status).to.equal(404);
      expect(res.body.error).to.include({ code: 'not_found' });
      expect(res.body.error.requestId).to.equal(res.headers.get('x-request-id'));
    });
  });

  describe('pagination', function () {
    it('walks every task of a user exactly once, newest first, through nextCursor', async function () {
      const mine = await freshUser('pager');
      const ids: string[] = [];
      for (let i = 0; i < 7; i++) ids.push((await req('POST', '/api/tasks', mine, { title: `t${i}` })).body.id);
      const seen: string[] = [];
      const order: Array<[string, string]> = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const res: Awaited<ReturnType<typeof req>> = await req('GET', `/api/tasks?limit=3${cursor ? `&cursor=${cursor}` : ''}`, mine);
        expect(res.status).to.equal(200);
        expect(res.body.items.length).to.be.at.most(3);
        seen.push(...res.body.items.map((t: { id: string }) => t.id));
        order.push(...res.body.items.map((t: { createdAt: string; id: string }): [string, string] => [t.createdAt, t.id]));
        cursor = res.body.nextCursor;
        pages++;
      } while (cursor);
      expect(pages).to.equal(3);
      expect(seen).to.have.members(ids);
      expect(seen).to.have.length(7);
      // newest first; within one millisecond, the id breaks the tie
      for (let i = 1; i < order.length; i++) {
        const [a, b] = [order[i - 1]!, order[i]!];
        expect(a[0] > b[0] || (a[0] === b[0] && a[1] > b[1]), `${a.join(' ')} before ${b.join(' ')}`).to.equal(true);
      }
    });

    it('uses a default page size of 20 and reports no next page on the last one', async function () {
      const mine = await freshUser('few');
      await req('POST', '/api/tasks', mine, { title: 'only' });
      const res = await req('GET', '/api/tasks', mine);
      expect(res.body.items).to.have.length(1);
      expect(res.body.nextCursor).to.equal(null);
    });

    it('rejects a forged cursor and an out-of-range limit with validation details', async function () {
      const bad = await req('GET', '/api/tasks?cursor=bm9wZQ', alice);
      expect(bad.status).to.equal(400);
      expect(bad.body.error.details).to.deep.include({ path: '/cursor', message: 'is not a cursor returned by this API' });
      const big = await req('GET', '/api/tasks?limit=1000', alice);
      expect(big.status).to.equal(400);
      expect(big.body.error.code).to.equal('validation_failed');
      expect(big.body.error.details[0].path).to.equal('/limit');
    });
  });

  describe('validation', function () {
    it('lists every problem of a body at once', async function () {
      const res = await req('POST', '/api/tasks', alice, { title: '', done: 'yes', colour: 'red' });
      expect(res.status).to.equal(400);
      expect(res.body.error.code).to.equal('validation_failed');
      const paths = res.body.error.details.map((d: { path: string }) => d.path);
      expect(paths).to.include.members(['/title', '/done', '/colour']);
    });

    it('rejects a missing title, a blank title and an empty patch', async function () {
      expect((await req('POST', '/api/tasks', alice, { description: 'x' })).body.error.details).to.deep.include({ path: '/title', message: 'is required' });
      expect((await req('POST', '/api/tasks', alice, { title: '   ' })).status).to.equal(400);
      const t = (await req('POST', '/api/tasks', alice, { title: 'keep' })).body;
      expect((await req('PATCH', `/api/tasks/${t.id}`, alice, {})).status).to.equal(400);
    });

    it('rejects invalid JSON and a non-JSON content type without leaking internals', async function () {
      const broken = await call(api.baseUrl, 'POST', '/api/tasks', alice, '{"title":');
      expect(broken.status).to.equal(400);
      expect(broken.body).to.deep.equal({ error: { code: 'invalid_json', message: 'the request body is not valid JSON', requestId: broken.headers.get('x-request-id') } });
      const form = await call(api.baseUrl, 'POST', '/api/tasks', alice, 'title=x', { 'content-type': 'application/x-www-form-urlencoded' });
      expect(form.status).to.equal(415);
      expect(JSON.stringify(form.body)).to.not.match(/stack|node_modules|at .*\.js/);
    });

    it('a patch keeps the fields it does not mention', async function () {
      const t = (await req('POST', '/api/tasks', alice, { title: 'x', description: 'keep me', done: true })).body;
      const p = await req('PATCH', `/api/tasks/${t.id}`, alice, { title: 'y' });
      expect(p.body).to.include({ title: 'y', description: 'keep me', done: true });
    });
  });

  describe('ownership', function () {
    it("never shows, changes or deletes another user's task: 404, and the row is untouched", async function () {
      const t = (await req('POST', '/api/tasks', alice, { title: 'private' })).body;
      expect((await req('GET', `/api/tasks/${t.id}`, bob)).status).to.equal(404);
      expect((await req('PATCH', `/api/tasks/${t.id}`, bob, { title: 'pwned' })).status).to.equal(404);
      expect((await req('DELETE', `/api/tasks/${t.id}`, bob)).status).to.equal(404);
      const bobs = await req('GET', '/api/tasks?limit=100', bob);
      expect(bobs.body.items.map((x: { id: string }) => x.id)).to.not.include(t.id);
      expect(await database.db('tasks').where({ id: t.id }).first()).to.include({ title: 'private', owner_sub: 'alice' });
    });

    it('rejects an owner smuggled into the body', async function () {
      const res = await req('POST', '/api/tasks', bob, { title: 'mine', owner: 'alice' });
      expect(res.status).to.equal(400);
      expect(res.body.error.details).to.deep.include({ path: '/owner', message: 'is not an allowed property' });
    });
  });

  describe('admin', function () {
    it("lists every user's tasks and filters by owner", async function () {
      await req('POST', '/api/tasks', bob, { title: 'bob task' });
      const all = await req('GET', '/api/admin/tasks?limit=100', admin);
      expect(all.status).to.equal(200);
      const owners = new Set(all.body.items.map((t: { owner: string }) => t.owner));
      expect(owners).to.include('alice').and.to.include('bob');
      const onlyBob = await req('GET', '/api/admin/tasks?owner=bob&limit=100', admin);
      expect(onlyBob.body.items.length).to.be.greaterThan(0);
      expect(onlyBob.body.items.every((t: { owner: string }) => t.owner === 'bob')).to.equal(true);
    });

    it('is forbidden (403) to a user without the admin role', async function () {
      const res = await req('GET', '/api/admin/tasks', alice);
      expect(res.status).to.equal(403);
      expect(res.body.error.code).to.equal('forbidden');
    });

    it('accepts the admin role as a client role too', async function () {
      const clientAdmin = await issuer.token({ sub: 'ops', realmRoles: [], clientRoles: ['admin'] });
      expect((await req('GET', '/api/admin/tasks', clientAdmin)).status).to.equal(200);
    });
  });

  describe('operational endpoints', function () {
    it('healthz and readyz answer without a token', async function () {
      expect((await req('GET', '/healthz')).body).to.deep.equal({ status: 'ok' });
      const ready = await req('GET', '/readyz');
      expect(ready.status).to.equal(200);
      expect(ready.body).to.deep.equal({ status: 'ready', checks: { database: true, keys: true, accepting: true } });
    });

    it('request ids: a well-formed X-Request-Id is kept, anything else replaced by a generated id, unique per request', async function () {
      expect((await req('GET', '/healthz')).headers.get('x-request-id')).to.match(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      const kept = await call(api.baseUrl, 'GET', '/healthz', undefined, undefined, { 'x-request-id': 'trace:42.a_b-c' });
      expect(kept.headers.get('x-request-id')).to.equal('trace:42.a_b-c');
      const replaced = await call(api.baseUrl, 'GET', '/healthz', undefined, undefined, { 'x-request-id': 'has space' });
      expect(replaced.headers.get('x-request-id')).to.match(/^[0-9a-f-]{36}$/);
      const ids = await Promise.all(Array.from({ length: 50 }, async () => (await req('GET', '/healthz')).headers.get('x-request-id')));
      expect(new Set(ids).size).to.equal(50);
    });

    it('metrics count requests by route template and status', async function () {
      const t = (await req('POST', '/api/tasks', alice, { title: 'm' })).body;
      await req('GET', `/api/tasks/${t.id}`, alice);
      const text = (await req('GET', '/metrics')).body as string;
      expect(text).to.match(/http_requests_total\{method="GET",route="\/api\/tasks\/:id",status="200"\} [1-9]/);
      expect(text).to.match(/http_request_duration_seconds_bucket\{le="0.1",method="POST",route="\/api\/tasks",status="201"\} [1-9]/);
      expect(text).to.not.include(t.id);
      await req('GET', '/api/tasks');
      const after = (await req('GET', '/metrics')).body as string;
      expect(after).to.match(/http_requests_total\{method="GET",route="\/api\/tasks",status="401"\} [1-9]/);
    });

    it('serves the OpenAPI document and a self-contained docs page built from it', async function () {
      const doc = await req('GET', '/openapi.json');
      expect(doc.body.openapi).to.equal('3.1.0');
      expect(Object.keys(doc.body.paths)).to.include.members(['/api/tasks', '/api/tasks/{id}', '/api/admin/tasks', '/readyz']);
      const page = await req('GET', '/docs');
      expect(page.headers.get('content-type')).to.match(/text\/html/);
      for (const path of Object.keys(doc.body.paths)) expect(page.body).to.include(`<code>${path}</code>`);
      expect(page.body).to.not.match(/<script|https?:\/\/(?!127\.0\.0\.1)/);
    });

    it('answers unknown routes and wrong methods in the error shape', async function () {
      const missing = await req('GET', '/nope');
      expect(missing.status).to.equal(404);
      expect(missing.body.error.code).to.equal('not_found');
      const wrong = await req('PUT', '/api/tasks', alice, { title: 'x' });
      expect(wrong.status).to.equal(405);
      expect(wrong.body.error.code).to.equal('method_not_allowed');
      expect(wrong.headers.get('allow')).to.include('POST');
    });

    it('routes like the router it replaced: Allow on 405 and OPTIONS, HEAD follows GET, a trailing slash, ids decoded', async function () {
      const wrong = await req('PUT', '/api/tasks/0b6f0c9e-8a4e-4a0e-9d7e-2f1f1f1f1f1f', alice, { title: 'x' });
      expect(wrong.status).to.equal(405);
      expect(wrong.headers.get('allow')!.split(', ').sort()).to.deep.equal(['DELETE', 'GET', 'HEAD', 'PATCH']);
      const options = await req('OPTIONS', '/api/tasks');
      expect(options.status).to.equal(204);
      expect(options.headers.get('allow')!.split(', ').sort()).to.deep.equal(['GET', 'HEAD', 'POST']);
      const head = await req('HEAD', '/healthz');
      expect(head.status).to.equal(200);
      expect(head.body).to.equal('');
      expect((await req('GET', '/healthz/')).status).to.equal(200);
      expect((await req('GET', '/HealthZ')).status).to.equal(200);
      // broken percent-encoding is an unknown path, not a crash
      expect((await req('GET', '/api/tasks/%E0%A4%A', alice)).status).to.equal(404);
      const created = await req('POST', '/api/tasks/', alice, { title: 'slash' });
      expect(created.status).to.equal(201);
      // an encoded id reaches the handler decoded: the same task
      const encoded = created.body.id.replace('-', '%2D');
      expect((await req('GET', `/api/tasks/${encoded}`, alice)).body.title).to.equal('slash');
      // metrics label 405s and OPTIONS by the route template too, unknown paths as unmatched
      const text = (await req('GET', '/metrics')).body as string;
      expect(text).to.match(/http_requests_total\{method="PUT",route="\/api\/tasks\/:id",status="405"\} [1-9]/);
      expect(text).to.match(/http_requests_total\{method="GET",route="unmatched",status="404"\} [1-9]/);
    });
  });

  let userCounter = 0;
  async function freshUser(prefix: string): Promise<string> {
    return issuer.token({ sub: `${prefix}-${++userCounter}-${Date.now()}` });
  }
});
