// uri sends its requests from the host (curl) to a local HTTP server. Reads (GET/HEAD) never change
// anything, so they run in check mode too; other methods are changes and are not sent in check mode.
import { expect } from 'chai';
import { LocalConnection } from '../../engine/connect/local.js';
import { SshConnection } from '../../engine/connect/ssh/connection.js';
import { resolveSshParams } from '../../engine/connect/ssh/params.js';
import { executeModule } from '../../engine/run/execute-module.js';
import { isUnknown } from '../../engine/vars/unknown.js';
import uri from '../../modules/uri.js';
import { EnvConnection } from '../doubles/doubles.js';
import { hostVars, sshEnv } from '../ssh/hosts.js';
import { makeContext, runModule } from './harness.js';
import { startHttp, type Fixture } from './http-fixture.js';

describe('uri (requests from the host to a local HTTP server)', () => {
  let fx: Fixture;
  beforeEach(async () => {
    fx = await startHttp();
  });
  afterEach(() => fx.close());

  it('GET runs in check mode and for real, is never changed, and parses JSON', async () => {
    for (const check of [true, false]) {
      const out = await runModule(uri, { url: `${fx.base}/echo` }, { check });
      expect(out.changed).to.equal(false);
      expect(out.failed, out.msg).to.equal(false);
      expect(out.data.status).to.equal(200);
      expect(out.data.json).to.deep.equal({ method: 'GET', contentType: null, body: '' });
      expect((out.data.headers as Record<string, string>)['content-type']).to.equal('application/json');
      expect(out.data).not.to.have.property('content');
    }
    expect(fx.seen).to.have.length(2);
  });

  it('POST with a JSON body: changed, not sent in check mode (status unknown there)', async () => {
    const args = { url: `${fx.base}/echo`, method: 'POST', body: { name: 'gauntlet', private: true }, body_format: 'json' };
    const check = await runModule(uri, args, { check: true });
    expect(check.changed).to.equal(true);
    expect(isUnknown(check.data.status)).to.equal(true);
    expect(fx.seen).to.have.length(0);
    const out = await runModule(uri, args);
    expect(out.changed).to.equal(true);
    expect(out.data.json).to.deep.equal({ method: 'POST', contentType: 'application/json', body: '{"name":"gauntlet","private":true}' });
  });

  it('form-urlencoded bodies, and raw bodies with characters a shell would love', async () => {
    const form = await runModule(uri, { url: `${fx.base}/echo`, method: 'PUT', body: { a: 'x y', b: ['1', '2'] }, body_format: 'form-urlencoded' });
    expect(form.data.json).to.deep.equal({ method: 'PUT', contentType: 'application/x-www-form-urlencoded', body: 'a=x+y&b=1&b=2' });
    const raw = `$(touch /tmp/gx-pwned) ' " \\ \`id\``;
    const r = await runModule(uri, { url: `${fx.base}/echo`, method: 'POST', body: raw, headers: { 'Content-Type': 'text/plain' } });
    expect((r.data.json as { body: string }).body).to.equal(raw);
  });

  it('status_code lists what counts as success; anything else fails with the status and body', async () => {
    const ok = await runModule(uri, { url: `${fx.base}/created`, method: 'POST', status_code: [200, 201], return_content: true });
    expect(ok.failed).to.equal(false);
    expect(ok.data).to.include({ status: 201, content: 'made' });
    expect((ok.data.headers as Record<string, string>)['x-id']).to.equal('42');
    const bad = await runModule(uri, { url: `${fx.base}/missing` });
    expect(bad.failed).to.equal(true);
    expect(bad.msg).to.equal('Status code was 404 and not [200]: not here');
    expect(bad.data.status).to.equal(404);
  });

  it('follows redirects for GET by default (safe), not with follow_redirects none', async () => {
    const followed = await runModule(uri, { url: `${fx.base}/redirect` });
    expect(followed.data).to.include({ status: 200, url: `${fx.base}/echo` });
    const stay = await runModule(uri, { url: `${fx.base}/redirect`, follow_redirects: 'none', status_code: 302 });
    expect(stay.data.status).to.equal(302);
  });

  it('HEAD returns the status and headers without a body', async () => {
    const out = await runModule(uri, { url: `${fx.base}/echo`, method: 'HEAD', return_content: true });
    expect(out.data).to.include({ status: 200, content: '' });
  });

  it('authorization, token and cookie header values, and url_password, go to ctx.secret', async () => {
    const secrets: string[] = [];
    const ctx = { ...makeContext(), secret: (v: string) => void secrets.push(v) };
    const out = await executeModule(uri, {
      url: `${fx.base}/private`,
      headers: { Authorization: 'Bearer s3cr3t', 'X-Gitea-Token': 'tok', Cookie: 'sid=1', Accept: 'text/plain' },
      url_username: 'u',
      url_password: 'pw',
    }, ctx);
    expect(out.data.status).to.equal(200);
    expect(secrets).to.deep.equal(['Bearer s3cr3t', 'tok', 'sid=1', 'pw']);
  });

  it('a refused connection and a missing curl are clear failures', async () => {
    const refused = await runModule(uri, { url: 'http://127.0.0.1:1/' });
    expect(refused.msg).to.equal('request to http://127.0.0.1:1/ failed: curl exited 7: could not connect (connection refused or no route)');
    const conn = new EnvConnection(new LocalConnection('localhost'), { PATH: '/nonexistent' });
    const missing = await runModule(uri, { url: `${fx.base}/echo` }, { conn });
    expect(missing.msg).to.equal('curl is not installed on localhost; install curl to fetch URLs from the host');
  });
});

describe('uri over SSH (real sshd test host)', function () {
  this.timeout(30_000);
  let fx: Fixture;
  let conn: SshConnection;
  before(async () => {
    fx = await startHttp();
    conn = new SshConnection(resolveSshParams('h1', hostVars(sshEnv.hosts[0]!)));
    await conn.connect();
  });
  after(async () => {
    await fx.close();
    await conn?.close();
  });

  it('sends a JSON POST from the host and reads the answer; the body file is cleaned up', async () => {
    const before = (await conn.run({ shell: 'ls "${TMPDIR:-/tmp}" | grep -c gx-uri || true' })).stdout.trim();
    const out = await runModule(uri, { url: `${fx.base}/echo`, method: 'POST', body: { q: "it's $(x)" }, body_format: 'json' }, { conn });
    expect(out.failed, out.msg).to.equal(false);
    expect(out.data.json).to.deep.equal({ method: 'POST', contentType: 'application/json', body: '{"q":"it\'s $(x)"}' });
    expect((await conn.run({ shell: 'ls "${TMPDIR:-/tmp}" | grep -c gx-uri || true' })).stdout.trim()).to.equal(before);
  });
});
