import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LocalConnection } from '../../engine/connect/local.js';
import { SshConnection } from '../../engine/connect/ssh/connection.js';
import { resolveSshParams } from '../../engine/connect/ssh/params.js';
import { taskConnection } from '../../engine/connect/task-connection.js';
import { executeModule } from '../../engine/run/execute-module.js';
import getUrl from '../../modules/get_url.js';
import { EnvConnection } from '../doubles/doubles.js';
import { hostVars, sshEnv } from '../ssh/hosts.js';
import { makeContext, rhythm, runModule, tempDir } from './harness.js';
import { startHttp, type Fixture } from './http-fixture.js';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const read = (p: string) => readFile(p, 'utf8').catch(() => null);

describe('get_url (downloads on the host from a local HTTP server)', () => {
  let fx: Fixture;
  let dir: string;
  beforeEach(async () => {
    fx = await startHttp();
    dir = await tempDir('gx-get_url-');
  });
  afterEach(() => fx.close());

  it('downloads once with mode: check → apply → again → check; check mode fetches nothing', async () => {
    const dest = join(dir, 'f.txt');
    const r = await rhythm(getUrl, { url: `${fx.base}/file`, dest, mode: '0640' }, { snapshot: () => read(dest) });
    expect(fx.seen.map((s) => s.url)).to.deep.equal(['/file']);
    expect(await read(dest)).to.equal('hello\n');
    expect((await stat(dest)).mode & 0o777).to.equal(0o640);
    expect(r.apply.data).to.include({ dest, checksum_dest: createHash('sha1').update('hello\n').digest('hex'), size: 6, mode: '0640' });
    expect((await readdir(dir)).sort()).to.deep.equal(['f.txt']);
  });

  it('an existing dest is kept unless its checksum is wrong', async () => {
    const dest = join(dir, 'f.txt');
    await writeFile(dest, 'old\n');
    expect((await runModule(getUrl, { url: `${fx.base}/file`, dest })).changed).to.equal(false);
    const r = await rhythm(getUrl, { url: `${fx.base}/file`, dest, checksum: `sha256:${sha256('hello\n')}` }, { snapshot: () => read(dest) });
    // SHA-1, as Ansible's get_url reports it
    expect(r.apply.data.checksum_src).to.equal(createHash('sha1').update('hello\n').digest('hex'));
    expect(r.again.data.checksum_dest).to.equal(r.apply.data.checksum_src);
    expect(await read(dest)).to.equal('hello\n');
  });

  it('a download that does not match checksum fails and leaves dest (and no temp file) behind', async () => {
    const dest = join(dir, 'f.txt');
    await writeFile(dest, 'old\n');
    const out = await runModule(getUrl, { url: `${fx.base}/file`, dest, checksum: `sha1:${'0'.repeat(40)}` });
    expect(out.failed).to.equal(true);
    expect(out.msg).to.match(/did not match 0{40}; it was [0-9a-f]{40}/);
    expect(await read(dest)).to.equal('old\n');
    expect(await readdir(dir)).to.deep.equal(['f.txt']);
  });

  it('force compares a fresh download with dest, also in check mode, without touching dest there', async () => {
    const dest = join(dir, 'f.txt');
    await writeFile(dest, 'hello\n');
    expect((await runModule(getUrl, { url: `${fx.base}/file`, dest, force: true }, { check: true })).changed).to.equal(false);
    fx.content = 'v2\n';
    const r = await rhythm(getUrl, { url: `${fx.base}/file`, dest, force: true }, { snapshot: () => read(dest) });
    expect(r.checkAgain.changed).to.equal(false);
    expect(await read(dest)).to.equal('v2\n');
    expect(await readdir(dir)).to.deep.equal(['f.txt']);
  });

  it('dest as a directory takes the file name from the URL', async () => {
    const out = await runModule(getUrl, { url: `${fx.base}/dir/artifact.tar.gz?x=1`, dest: dir + '/' });
    expect(out.data.dest).to.equal(join(dir, 'artifact.tar.gz'));
    expect(await read(join(dir, 'artifact.tar.gz'))).to.equal('hello\n');
  });

  it('headers reach the server; secret-looking header values are handed to ctx.secret', async () => {
    const secrets: string[] = [];
    const ctx = { ...makeContext(), secret: (v: string) => void secrets.push(v) };
    const dest = join(dir, 'p');
    const out = await executeModule(getUrl, { url: `${fx.base}/private`, dest, headers: { Authorization: 'Bearer s3cr3t', 'X-Trace': 'abc' } }, ctx);
    expect(out.failed, out.msg).to.equal(false);
    expect(await read(dest)).to.equal('private\n');
    expect(secrets).to.deep.equal(['Bearer s3cr3t']);
    expect(fx.seen[0]!.headers['x-trace']).to.equal('abc');
  });

  it('an HTTP error fails with curl’s words; nothing is left behind', async () => {
    const out = await runModule(getUrl, { url: `${fx.base}/missing`, dest: join(dir, 'm') });
    expect(out.failed).to.equal(true);
    expect(out.msg).to.equal(`downloading ${fx.base}/missing failed: curl: (22) The requested URL returned error: 404`);
    expect(await readdir(dir)).to.deep.equal([]);
  });

  it('neither curl nor wget on the host: a clear failure', async () => {
    const conn = new EnvConnection(new LocalConnection('localhost'), { PATH: '/nonexistent' });
    const out = await runModule(getUrl, { url: `${fx.base}/file`, dest: join(dir, 'x') }, { conn, check: true });
    expect(out.failed).to.equal(true);
    expect(out.msg).to.equal('neither curl nor wget is installed on localhost; install curl to fetch URLs from the host');
  });
});

describe('get_url over SSH (real sshd test host, as the unprivileged test user and with become)', function () {
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

  it('the host downloads (curl config on stdin through the session), then owns the file as root', async () => {
    const dir = (await conn.run({ argv: ['mktemp', '-d', '/var/tmp/gx-get_url-XXXXXX'] })).stdout.trim();
    const dest = `${dir}/f.txt`;
    const become = taskConnection(conn, undefined, { user: 'root' });
    await conn.run({ argv: ['chmod', '0777', dir] });
    try {
      const snapshot = async () => (await become.get(dest))?.toString('utf8') ?? null;
      await rhythm(getUrl, { url: `${fx.base}/private`, dest, headers: { Authorization: 'Bearer s3cr3t' }, owner: 'root', mode: '0600' }, { conn: become, snapshot });
      expect(await snapshot()).to.equal('private\n');
      const st = await conn.stat(dest, { become: { user: 'root' } });
      expect([st!.owner, st!.mode]).to.deep.equal(['root', 0o600]);
    } finally {
      await become.run({ argv: ['rm', '-rf', '--', dir] });
    }
  });
});
