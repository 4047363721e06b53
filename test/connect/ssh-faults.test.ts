// Connection faults and host keys on real sshd hosts: parallel hosts with one refused, connect
// timeout, failed auth, sshd killed mid-sequence, unknown/changed/hashed host keys, accept-new,
// ProxyJump, and the pool's one-connection-per-host and cached failures.
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConnectionPool } from '../../engine/connect/pool.js';
import { SshConnection } from '../../engine/connect/ssh/connection.js';
import { resolveSshParams } from '../../engine/connect/ssh/params.js';
import { ConnectionError } from '../../engine/errors.js';
import { hostScript, hostVars, sshEnv } from '../ssh/hosts.js';

async function failure(p: Promise<unknown>): Promise<ConnectionError> {
  try {
    await p;
  } catch (err) {
    expect(err).to.be.instanceOf(ConnectionError);
    return err as ConnectionError;
  }
  throw new Error('expected a ConnectionError');
}

/** a TCP server that accepts and never says a word: an SSH host that hangs */
async function silentServer(): Promise<{ server: Server; port: number; accepted: () => number }> {
  let count = 0;
  const sockets: Socket[] = [];
  const server = createServer((s) => {
    count += 1;
    sockets.push(s);
    s.on('error', () => undefined);
  });
  server.on('close', () => sockets.forEach((s) => s.destroy()));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  return { server, port: typeof addr === 'object' && addr ? addr.port : 0, accepted: () => count };
}

function tempFile(name: string, content: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'gx-ssh-')), name);
  writeFileSync(file, content);
  return file;
}

function hostKeyLine(addr: string): string {
  const line = readFileSync(sshEnv.knownHosts, 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`[${addr}]:`));
  if (!line) throw new Error(`no known_hosts line for ${addr}`);
  return line;
}

describe('ssh pool and faults (real sshd)', function () {
  this.timeout(30_000);

  it('connects three hosts in parallel, one connection each, with an unreachable host among them', async () => {
    const pool = new ConnectionPool();
    const names = ['h1', 'h2', 'h3', 'down'];
    const vars = (n: string, i: number): Record<string, unknown> => (n === 'down' ? hostVars(sshEnv.hosts[0]!, { ansible_port: 2299 }) : hostVars(sshEnv.hosts[i]!));
    try {
      const settled = await Promise.allSettled(names.map((n, i) => pool.get(n, vars(n, i))));
      expect(settled.map((s) => s.status)).to.deep.equal(['fulfilled', 'fulfilled', 'fulfilled', 'rejected']);
      const down = (settled[3] as PromiseRejectedResult).reason as ConnectionError;
      expect(down).to.be.instanceOf(ConnectionError);
      expect(down.host).to.equal('down');
      expect(down.message).to.match(/connection refused by 127\.0\.0\.\d:2299/);
      // the same connection for every later task on a host, and the same failure without a new try
      expect(await pool.get('h1', vars('h1', 0))).to.equal((settled[0] as PromiseFulfilledResult<unknown>).value);
      expect(await failure(pool.get('down', vars('down', 3)))).to.equal(down);
      // each host has its own /tmp: a file on one is not on the others
      const conns = await Promise.all(names.slice(0, 3).map((n, i) => pool.get(n, vars(n, i))));
      await Promise.all(conns.map((c) => c.run({ shell: `echo ${c.host} > /tmp/gx-whoami-${process.pid}` })));
      const seen = await Promise.all(conns.map((c) => c.run({ argv: ['cat', `/tmp/gx-whoami-${process.pid}`] })));
      expect(seen.map((r) => r.stdout.trim())).to.deep.equal(['h1', 'h2', 'h3']);
    } finally {
      await pool.closeAll();
    }
  });

  it('times out on a host that accepts TCP but never speaks SSH, and does not retry it', async () => {
    const silent = await silentServer();
    const pool = new ConnectionPool();
    try {
      const vars = hostVars('127.0.0.1', { ansible_port: silent.port, gx_connect_timeout: 0.5 });
      const err = await failure(pool.get('hung', vars));
      expect(err.message).to.match(/timed out after 0\.5s connecting to 127\.0\.0\.1:\d+/);
      expect(await failure(pool.get('hung', vars))).to.equal(err);
      expect(silent.accepted()).to.equal(1);
    } finally {
      await pool.closeAll();
      silent.server.close();
    }
  });

  it('reports failed authentication with what was tried', async () => {
    const err = await failure(new SshConnection(resolveSshParams('badkey', hostVars(sshEnv.hosts[0]!, { ansible_ssh_private_key_file: sshEnv.wrongKey }))).connect());
    expect(err.message).to.match(/^authentication failed for gxtest@127\.0\.0\.2:2222/);
    expect(err.message).to.contain(sshEnv.wrongKey);
    const locked = await failure(new SshConnection(resolveSshParams('locked', hostVars(sshEnv.hosts[0]!, { ansible_ssh_private_key_file: sshEnv.passphraseKey }))).connect());
    expect(locked.message).to.match(/authentication failed.*encrypted, no passphrase given/);
  });

  it('logs in with a passphrase-protected key, and with a password', async () => {
    const withPassphrase = new SshConnection(
      resolveSshParams('pp', hostVars(sshEnv.hosts[0]!, { ansible_ssh_private_key_file: sshEnv.passphraseKey, gx_ssh_key_passphrase: sshEnv.keyPassphrase })),
    );
    const withPassword = new SshConnection(
      resolveSshParams('pw', hostVars(sshEnv.hosts[0]!, { ansible_user: sshEnv.passUser, ansible_ssh_private_key_file: sshEnv.wrongKey, ansible_password: sshEnv.passPassword })),
    );
    try {
      await Promise.all([withPassphrase.connect(), withPassword.connect()]);
      expect((await withPassphrase.run({ argv: ['id', '-un'] })).stdout).to.equal(`${sshEnv.user}\n`);
      expect((await withPassword.run({ argv: ['id', '-un'] })).stdout).to.equal(`${sshEnv.passUser}\n`);
    } finally {
      await Promise.all([withPassphrase.close(), withPassword.close()]);
    }
  });

  it('fails the running and every later command with ConnectionError when sshd dies mid-sequence', async () => {
    const addr = '127.0.0.9';
    const line = hostScript('start-host', addr).GX_TEST_SSH_HOST_KEY_LINE!;
    const conn = new SshConnection(resolveSshParams('doomed', hostVars(addr, { gx_known_hosts: tempFile('known_hosts', `${line}\n`), gx_keepalive: 0 })));
    try {
      await conn.connect();
      for (let i = 0; i < 3; i++) expect((await conn.run({ argv: ['echo', String(i)] })).stdout).to.equal(`${i}\n`);
      const running = conn.run({ shell: 'echo begun; sleep 20' });
      // the command has started once its shell is busy; then the whole host goes away
      await new Promise((r) => setTimeout(r, 200));
      hostScript('kill-host', addr);
      const err = await failure(running);
      expect(err.host).to.equal('doomed');
      expect(err.message).to.match(/lost/);
      expect(await failure(conn.run({ argv: ['true'] }))).to.equal(err);
      await failure(conn.put('/tmp/x', 'x'));
      await failure(conn.stat('/tmp'));
    } finally {
      await conn.close();
      hostScript('kill-host', addr);
    }
  });

  it('refuses an unknown host key with its fingerprint and the way to accept it', async () => {
    const file = tempFile('known_hosts', '');
    const err = await failure(new SshConnection(resolveSshParams('new', hostVars(sshEnv.hosts[0]!, { gx_known_hosts: file }))).connect());
    const fp = execFileSync('ssh-keygen', ['-l', '-f', '-'], { input: hostKeyLine(sshEnv.hosts[0]!), encoding: 'utf8' }).split(' ')[1]!;
    expect(err.message).to.contain('unknown').and.contain(fp);
    expect(err.hint).to.contain(`ssh-keyscan -p 2222 -t ssh-ed25519 ${sshEnv.hosts[0]} >> ${file}`);
    expect(err.hint).to.contain('gx_host_key_policy=accept-new');
    expect(readFileSync(file, 'utf8')).to.equal('');
  });

  it('trusts a new host key on first use with accept-new, then knows it', async () => {
    const file = tempFile('known_hosts', '');
    const first = new SshConnection(resolveSshParams('tofu', hostVars(sshEnv.hosts[1]!, { gx_known_hosts: file, gx_host_key_policy: 'accept-new' })));
    await first.connect();
    await first.close();
    expect(readFileSync(file, 'utf8').trim()).to.equal(hostKeyLine(sshEnv.hosts[1]!));
    const again = new SshConnection(resolveSshParams('tofu', hostVars(sshEnv.hosts[1]!, { gx_known_hosts: file })));
    await again.connect();
    await again.close();
  });

  it('always refuses a changed host key, even with accept-new', async () => {
    // host 1's name with host 2's key: what a man in the middle (or a reinstall) looks like
    const [a, b] = [sshEnv.hosts[0]!, sshEnv.hosts[1]!];
    const forged = hostKeyLine(b).replace(`[${b}]`, `[${a}]`);
    const file = tempFile('known_hosts', `${forged}\n`);
    for (const policy of ['strict', 'accept-new']) {
      const err = await failure(new SshConnection(resolveSshParams('mitm', hostVars(a, { gx_known_hosts: file, gx_host_key_policy: policy }))).connect());
      expect(err.message, policy).to.contain('CHANGED').and.contain(`${file}:1`);
      expect(err.hint).to.contain(`ssh-keygen -f ${file} -R '[${a}]:2222'`);
    }
    expect(readFileSync(file, 'utf8')).to.equal(`${forged}\n`);
  });

  it('reads hashed known_hosts entries (ssh-keygen -H)', async () => {
    const file = tempFile('known_hosts', '');
    copyFileSync(sshEnv.knownHosts, file);
    execFileSync('ssh-keygen', ['-H', '-f', file], { stdio: 'ignore' });
    expect(readFileSync(file, 'utf8')).to.match(/^\|1\|/);
    const conn = new SshConnection(resolveSshParams('hashed', hostVars(sshEnv.hosts[2]!, { gx_known_hosts: file })));
    await conn.connect();
    await conn.close();
  });

  it('reaches a host through a ProxyJump from ~/.ssh/config, over a channel of the jump connection', async () => {
    const [jump, target] = [sshEnv.hosts[0]!, sshEnv.hosts[2]!];
    const config = tempFile('config', [`Host behind`, `  HostName ${target}`, `  Port 2222`, `  ProxyJump ${sshEnv.user}@${jump}:2222`, ''].join('\n'));
    const vars = { ...hostVars(target), ansible_host: undefined, ansible_port: undefined, gx_ssh_config: config };
    const pool = new ConnectionPool();
    try {
      const conn = await pool.get('behind', vars);
      const [ip, port] = (await conn.run({ shell: 'echo $SSH_CONNECTION' })).stdout.trim().split(' ');
      // the TCP connection into the target belongs to the jump host's sshd, not to this process
      const owner = execFileSync('ss', ['-Htnp', 'state', 'established', 'src', `${ip}:${port}`], { encoding: 'utf8' });
      expect(owner).to.contain('sshd');
      expect(owner).to.not.contain('node');
    } finally {
      await pool.closeAll();
    }
  });

  it('closeAll during a connect (Ctrl-C) leaves no connection open, in the pool and in a connection', async () => {
    // this process's connections to the host; other tests of the run may hold some of their own
    const open = (): string[] =>
      execFileSync('ss', ['-Htnp', 'state', 'established', 'dst', `${sshEnv.hosts[2]}:2222`], { encoding: 'utf8' })
        .split('\n')
        .filter((l) => l.includes(`pid=${process.pid},`))
        .map((l) => l.trim().split(/\s+/)[2]!);
    const before = new Set(open());
    const pool = new ConnectionPool();
    const pending = pool.get('h3', hostVars(sshEnv.hosts[2]!));
    await pool.closeAll();
    await failure(pending);
    const direct = new SshConnection(resolveSshParams('h3', hostVars(sshEnv.hosts[2]!)));
    const connecting = direct.connect();
    await direct.close();
    await failure(connecting);
    await new Promise((r) => setTimeout(r, 300));
    expect(open().filter((local) => !before.has(local))).to.deep.equal([]);
  });

  it('closeAll closes every connection; later calls fail with ConnectionError', async () => {
    const pool = new ConnectionPool();
    const conn = await pool.get('h1', hostVars(sshEnv.hosts[0]!));
    await pool.closeAll();
    await failure(conn.run({ argv: ['true'] }));
    await failure(pool.get('h2', hostVars(sshEnv.hosts[1]!)));
  });
});
