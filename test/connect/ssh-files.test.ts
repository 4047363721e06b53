// Files over the long-lived SFTP session, and become (sudo) for run/put/get/stat, on real sshd hosts.
import { expect } from 'chai';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { SFTP_CHECKSUM_MAX, SshConnection } from '../../engine/connect/ssh/connection.js';
import { resolveSshParams } from '../../engine/connect/ssh/params.js';
import { ModuleError } from '../../engine/errors.js';
import { hostScript, hostVars, sshEnv } from '../ssh/hosts.js';

/** random bytes produced 1 MB at a time (never held whole in memory), hashed as they go out */
function bigStream(total: number, hash: ReturnType<typeof createHash>): Readable {
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= total) return void this.push(null);
      const chunk = randomBytes(Math.min(1024 * 1024, total - sent));
      sent += chunk.length;
      hash.update(chunk);
      this.push(chunk);
    },
  });
}

describe('ssh files (real sshd)', function () {
  this.timeout(30_000);
  let conn: SshConnection;
  // per test run: two runs at once (two people) share the hosts
  const dir = `/tmp/gx-files-test-${process.pid}`;

  before(async () => {
    conn = new SshConnection(resolveSshParams('h2', hostVars(sshEnv.hosts[1]!)));
    await conn.connect();
    await conn.run({ shell: `rm -rf ${dir}; mkdir -p ${dir}` });
  });
  after(() => conn.close());

  it('streams a 50 MB upload; the far side has the same sha256', async () => {
    const local = createHash('sha256');
    await conn.put(`${dir}/big.bin`, bigStream(50 * 1024 * 1024, local));
    const st = await conn.stat(`${dir}/big.bin`, { checksum: true });
    expect(st).to.include({ type: 'file', size: 50 * 1024 * 1024, sha256: local.digest('hex') });
    await conn.run({ argv: ['rm', '-f', `${dir}/big.bin`] });
  });

  it('writes atomically with the asked mode, leaving no temp file, and replaces an existing file', async () => {
    await conn.put(`${dir}/a.conf`, 'one\n', { mode: 0o600 });
    await conn.put(`${dir}/a.conf`, Buffer.from('two\n'), { mode: 0o640 });
    expect(String(await conn.get(`${dir}/a.conf`))).to.equal('two\n');
    expect((await conn.stat(`${dir}/a.conf`))!.mode).to.equal(0o640);
    expect((await conn.run({ argv: ['ls', '-A', dir] })).stdout).to.equal('a.conf\n');
  });

  it('keeps an existing file mode when none is asked, and uses 0644 for a new file', async () => {
    await conn.put(`${dir}/keep`, 'x', { mode: 0o751 });
    await conn.put(`${dir}/keep`, 'y');
    expect((await conn.stat(`${dir}/keep`))!.mode).to.equal(0o751);
    await conn.put(`${dir}/new`, 'z');
    expect((await conn.stat(`${dir}/new`))!.mode).to.equal(0o644);
  });

  it('handles names with spaces, quotes, unicode and leading dashes', async () => {
    for (const name of ['a b.txt', `it's "q".txt`, 'ünï ✓.txt', '-rf', '--x']) {
      const path = `${dir}/${name}`;
      await conn.put(path, `content of ${name}`);
      expect(String(await conn.get(path)), name).to.equal(`content of ${name}`);
      const st = await conn.stat(path, { checksum: true });
      expect(st!.sha256, name).to.equal(createHash('sha256').update(`content of ${name}`).digest('hex'));
    }
    expect((await conn.run({ shell: `ls -A ${dir} | wc -l` })).stdout.trim()).to.equal('8');
  });

  it('checksums a small file over SFTP without a command on the host, a big one with sha256sum there; links only when followed', async () => {
    const small = 'x'.repeat(SFTP_CHECKSUM_MAX);
    const big = 'y'.repeat(SFTP_CHECKSUM_MAX + 1);
    await conn.put(`${dir}/small`, small);
    await conn.put(`${dir}/big`, big);
    await conn.run({ shell: `ln -sfn small ${dir}/to-small` });
    const sha = (t: string): string => createHash('sha256').update(t).digest('hex');
    const commands: string[] = [];
    const run = conn.run.bind(conn);
    conn.run = (o) => {
      commands.push(o.shell ?? o.argv!.join(' '));
      return run(o);
    };
    try {
      expect((await conn.stat(`${dir}/small`, { checksum: true }))!.sha256).to.equal(sha(small));
      expect((await conn.stat(`${dir}/to-small`, { checksum: true, followLinks: true }))!).to.include({ type: 'file', sha256: sha(small) });
      const link = (await conn.stat(`${dir}/to-small`, { checksum: true }))!;
      expect(link.type).to.equal('link');
      expect(link.sha256).to.equal(undefined);
      expect(commands).to.deep.equal([]);
      expect((await conn.stat(`${dir}/big`, { checksum: true }))!.sha256).to.equal(sha(big));
      expect(commands).to.have.length(1);
      expect(commands[0]).to.contain('sha256sum');
    } finally {
      conn.run = run;
    }
  });

  it("knows the login user's own names from the shell's start: stat runs no lookup for the user's files, one for root's", async () => {
    const fresh = new SshConnection(resolveSshParams('h2', hostVars(sshEnv.hosts[1]!)));
    await fresh.connect();
    const commands: string[] = [];
    const run = fresh.run.bind(fresh);
    fresh.run = (o) => {
      commands.push(o.shell ?? o.argv!.join(' '));
      return run(o);
    };
    try {
      expect(await fresh.stat(`${dir}/a.conf`)).to.include({ owner: sshEnv.user, group: sshEnv.user });
      expect(commands).to.deep.equal([]);
      expect(await fresh.stat('/')).to.include({ owner: 'root', group: 'root' });
      expect(commands).to.have.length(1);
      expect(commands[0]).to.contain('getent');
    } finally {
      await fresh.close();
    }
  });

  it('gets empty, one-read and many-read files whole (reads until the end, no fstat)', async () => {
    for (const size of [0, 1, 64 * 1024 - 1, 64 * 1024, 64 * 1024 + 1, 300_000]) {
      const data = randomBytes(size);
      await conn.put(`${dir}/sized`, data);
      expect(Buffer.compare((await conn.get(`${dir}/sized`))!, data), `size ${size}`).to.equal(0);
      expect((await conn.stat(`${dir}/sized`, { checksum: true }))!.sha256, `size ${size}`).to.equal(createHash('sha256').update(data).digest('hex'));
    }
  });

  it('stats owner and group names, directories and links (lstat by default)', async () => {
    await conn.run({ shell: `ln -sfn "a b.txt" ${dir}/link` });
    const link = await conn.stat(`${dir}/link`);
    expect(link).to.include({ type: 'link', linkTarget: 'a b.txt', owner: sshEnv.user, group: sshEnv.user });
    expect((await conn.stat(`${dir}/link`, { followLinks: true }))!.type).to.equal('file');
    const d = await conn.stat(dir);
    expect(d).to.include({ type: 'directory', mode: 0o755 });
    expect(await conn.stat(`${dir}/missing`)).to.equal(null);
    expect(await conn.get(`${dir}/missing`)).to.equal(null);
  });

  it('fails a put into a directory the login user cannot write with a ModuleError (host stays usable)', async () => {
    let err: unknown;
    await conn.put('/etc/gx-not-allowed', 'x').catch((e: unknown) => (err = e));
    expect(err).to.be.instanceOf(ModuleError);
    expect(String(err)).to.match(/permission denied/i);
    expect((await conn.run({ argv: ['true'] })).rc).to.equal(0);
  });
});

describe('ssh become (real sshd, sudo)', function () {
  this.timeout(30_000);
  let nopass: SshConnection;
  let withPass: SshConnection;

  before(async () => {
    nopass = new SshConnection(resolveSshParams('h3', hostVars(sshEnv.hosts[2]!)));
    withPass = new SshConnection(
      resolveSshParams('h3p', hostVars(sshEnv.hosts[2]!, { ansible_user: sshEnv.passUser, ansible_become_password: sshEnv.passPassword })),
    );
    await Promise.all([nopass.connect(), withPass.connect()]);
  });
  after(() => Promise.all([nopass.close(), withPass.close()]));

  it('runs as root through passwordless sudo, and as another user (become_user)', async () => {
    expect((await nopass.run({ argv: ['id', '-un'], become: {} })).stdout).to.equal('root\n');
    const r = await nopass.run({ shell: 'id -un; echo "$HOME"; pwd', become: { user: sshEnv.passUser }, cwd: '/' });
    expect(r.stdout).to.equal(`${sshEnv.passUser}\n/home/${sshEnv.passUser}\n/\n`);
  });

  it('runs as root with the sudo password from a secret variable, feeding stdin to the command only', async () => {
    const r = await withPass.run({ shell: 'id -un; cat', become: {}, stdin: 'payload' });
    expect(r).to.include({ rc: 0, stdout: 'root\npayload' });
    expect(r.stderr).to.not.contain(sshEnv.passPassword);
    const explicit = await withPass.run({ argv: ['id', '-u'], become: { password: sshEnv.passPassword } });
    expect(explicit.stdout).to.equal('0\n');
  });

  it('fails at once (no hang) when sudo needs a password and none is given', async () => {
    const bare = new SshConnection(resolveSshParams('h3b', hostVars(sshEnv.hosts[2]!, { ansible_user: sshEnv.passUser })));
    await bare.connect();
    try {
      const r = await bare.run({ argv: ['id'], become: {} });
      expect(r.rc).to.not.equal(0);
      expect(r.stderr).to.match(/password is required/);
    } finally {
      await bare.close();
    }
  });

  it('puts, gets and stats root-owned files with owner, group and mode', async () => {
    for (const c of [nopass, withPass]) {
      const path = `/etc/gx-become-${c.host}-${process.pid}.conf`;
      await c.put(path, 'secret=1\n', { become: {}, mode: 0o600, owner: 'root', group: sshEnv.user });
      const st = await c.stat(path, { become: {}, checksum: true });
      expect(st, c.host).to.include({ owner: 'root', group: sshEnv.user, mode: 0o600, size: 9 });
      expect(st!.sha256).to.equal(createHash('sha256').update('secret=1\n').digest('hex'));
      expect(String(await c.get(path, { become: {} }))).to.equal('secret=1\n');
      let denied: unknown;
      await c.get(path).catch((e: unknown) => (denied = e));
      expect(denied, 'without become').to.be.instanceOf(ModuleError);
      expect(await c.get('/etc/gx-no-such-file', { become: {} })).to.equal(null);
      await c.run({ argv: ['rm', '-f', path], become: {} });
    }
  });

  it('puts as a non-root become_user, who owns the result', async () => {
    const path = `/home/${sshEnv.passUser}/gx-put-${process.pid}.txt`;
    await nopass.put(path, Buffer.from([0, 1, 2, 255]), { become: { user: sshEnv.passUser } });
    const st = await nopass.stat(path, { become: { user: sshEnv.passUser } });
    expect(st).to.include({ owner: sshEnv.passUser, size: 4, mode: 0o644 });
    expect([...(await nopass.get(path, { become: { user: sshEnv.passUser } }))!]).to.deep.equal([0, 1, 2, 255]);
    await nopass.run({ argv: ['rm', '-f', path], become: {} });
  });

  it('kills a timed-out command run through sudo', async () => {
    const nap = `sleep 30.${Math.floor(Math.random() * 1e6)}`;
    const r = await nopass.run({ shell: nap, become: {}, timeoutMs: 300 });
    expect(r).to.include({ rc: 124, timedOut: true });
    expect((await nopass.run({ shell: `ps -eo user,args | grep -c "^root *${nap}$" || true` })).stdout.trim()).to.equal('0');
  });
});

describe('ssh files on a host without SFTP (real sshd, subsystem off)', function () {
  this.timeout(30_000);
  const addr = '127.0.0.8';
  let conn: SshConnection;

  before(async () => {
    const line = hostScript('start-host', addr, 'nosftp').GX_TEST_SSH_HOST_KEY_LINE!;
    const file = join(mkdtempSync(join(tmpdir(), 'gx-nosftp-')), 'known_hosts');
    writeFileSync(file, `${line}\n`);
    conn = new SshConnection(resolveSshParams('nosftp', hostVars(addr, { gx_known_hosts: file })));
    await conn.connect();
  });
  after(async () => {
    await conn.close();
    hostScript('kill-host', addr);
  });

  it('puts, gets and stats through the shell instead, large stdin included', async () => {
    const data = randomBytes(200_000);
    await conn.put('/tmp/no sftp.bin', data, { mode: 0o600 });
    const st = await conn.stat('/tmp/no sftp.bin');
    expect(st).to.include({ type: 'file', size: data.length, mode: 0o600, owner: sshEnv.user });
    expect((await conn.get('/tmp/no sftp.bin'))!.equals(data)).to.equal(true);
    expect(await conn.get('/tmp/missing')).to.equal(null);
    const r = await conn.run({ shell: 'sha256sum | cut -c1-64', stdin: data });
    expect(r.stdout.trim()).to.equal(createHash('sha256').update(data).digest('hex'));
    const etc = `/etc/gx-nosftp-${process.pid}`;
    await conn.put(etc, 'x', { become: {} });
    expect((await conn.stat(etc, { become: {} }))!.owner).to.equal('root');
    await conn.run({ argv: ['rm', '-f', etc], become: {} });
  });
});
