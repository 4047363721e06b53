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

  describe('a 5 MB upload is answered 413, and a client that writes the whole body reads it', function () {
    const SIZE = 5 * 1024 * 1024;
    const ROUNDS = 10;

    /** A plain client: writes the head and the whole body (waiting for drain), then reads the answer. */
    function upload(port: number, head: string, chunks: Buffer[]): Promise<{ response: string; error?: string; wroteAll: boolean }> {
      return new Promise((resolve) => {
        const socket = connect(port, '127.0.0.1');
        let response = '';
        let error: string | undefined;
        let wroteAll = false;
        socket.setEncoding('latin1');
        socket.on('data', (d: string) => (response += d));
        socket.on('error', (e: NodeJS.ErrnoException) => (error ??= e.code ?? e.message));
        socket.on('close', () => resolve({ response, error, wroteAll }));
        socket.on('connect', async () => {
          try {
            socket.write(head);
            for (const c of chunks) {
              if (socket.destroyed) return;
              if (!socket.write(c)) await new Promise((r) => socket.once('drain', r));
            }
            wroteAll = !socket.destroyed;
            socket.end();
          } catch (e) {
            error ??= (e as Error).message;
          }
        });
        socket.setTimeout(20_000, () => socket.destroy(new Error('timeout')));
      });
    }

    const jsonBody = (size: number): Buffer => Buffer.from(JSON.stringify({ title: 't', description: 'x'.repeat(size - 40) }));

    it(`with Content-Length, keep-alive and Connection: close, ${ROUNDS} times each`, async function () {
      const port = Number(new URL(api.baseUrl).port);
      const body = jsonBody(SIZE);
      const chunks = Array.from({ length: Math.ceil(body.length / 65536) }, (_, i) => body.subarray(i * 65536, (i + 1) * 65536));
      const problems: string[] = [];
      for (let i = 0; i < 2 * ROUNDS; i++) {
        const close = i % 2 === 1 ? 'Connection: close\r\n' : '';
        const head = `POST /api/tasks HTTP/1.1\r\nHost: 127.0.0.1\r\n${close}Authorization: Bearer ${user}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`;
        const r = await upload(port, head, chunks);
        if (!r.response.startsWith('HTTP/1.1 413 ') || !r.wroteAll || r.error) problems.push(`round ${i}: wrote all ${r.wroteAll}, error ${r.error}, response ${JSON.stringify(r.response.slice(0, 40))}`);
        else if (!r.response.includes('"code":"payload_too_large"')) problems.push(`round ${i}: body ${r.response.slice(r.response.indexOf('\r\n\r\n'))}`);
      }
      expect(problems, problems.join('\n')).to.deep.equal([]);
    });

    it(`chunked (no Content-Length), keep-alive and Connection: close, ${ROUNDS} times each`, async function () {
      const port = Number(new URL(api.baseUrl).port);
      const body = jsonBody(SIZE);
      const chunks: Buffer[] = [];
      for (let o = 0; o < body.length; o += 65536) {
        const part = body.subarray(o, o + 65536);
        chunks.push(Buffer.concat([Buffer.from(`${part.length.toString(16)}\r\n`), part, Buffer.from('\r\n')]));
      }
      chunks.push(Buffer.from('0\r\n\r\n'));
      const problems: string[] = [];
      for (let i = 0; i < 2 * ROUNDS; i++) {
        const close = i % 2 === 1 ? 'Connection: close\r\n' : '';
        const head = `POST /api/tasks HTTP/1.1\r\nHost: 127.0.0.1\r\n${close}Authorization: Bearer ${user}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`;
        const r = await upload(port, head, chunks);
        if (!r.response.startsWith('HTTP/1.1 413 ') || !r.wroteAll || r.error) problems.push(`round ${i}: wrote all ${r.wroteAll}, error ${r.error}, response ${JSON.stringify(r.response.slice(0, 40))}`);
      }
      expect(problems, problems.join('\n')).to.deep.equal([]);
    });

    it(`refused before the body is read (no token: 401, wrong type: 415), Connection: close, ${ROUNDS} times each`, async function () {
      const port = Number(new URL(api.baseUrl).port);
      const body = jsonBody(SIZE);
      const chunks = Array.from({ length: Math.ceil(body.length / 65536) }, (_, i) => body.subarray(i * 65536, (i + 1) * 65536));
      const problems: string[] = [];
      for (let i = 0; i < 2 * ROUNDS; i++) {
        const [auth, type, status] = i % 2 === 0 ? ['', 'application/json', 401] : [`Authorization: Bearer ${user}\r\n`, 'text/plain', 415];
        const head = `POST /api/tasks HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n${auth}Content-Type: ${type}\r\nContent-Length: ${body.length}\r\n\r\n`;
        const r = await upload(port, head, chunks);
        if (!r.response.startsWith(`HTTP/1.1 ${status} `) || !r.wroteAll || r.error) problems.push(`round ${i}: wrote all ${r.wroteAll}, error ${r.error}, response ${JSON.stringify(r.response.slice(0, 40))}`);
      }
      expect(problems, problems.join('\n')).to.deep.equal([]);
    });

    it('the connection stays usable after a 413 whose body was sent (keep-alive), and nothing was stored', async function () {
      const res = await call(api.baseUrl, 'POST', '/api/tasks', user, { title: 'big', description: 'x'.repeat(100_000) });
      expect(res.status).to.equal(413);
      expect(res.body.error.code).to.equal('payload_too_large');
      expect((await call(api.baseUrl, 'GET', '/api/tasks', user)).status).to.equal(200);
      expect(await database.db('tasks').where({ title: 't' }).first()).to.equal(undefined);
    });
  });
});
