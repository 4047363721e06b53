// wait_for never changes anything, so instead of the change rhythm these tests prove: it reports ok
// when the condition holds, fails when the timeout passes, and in check mode does not wait.
import { expect } from 'chai';
import { ModuleArgsError } from '../../engine/errors.js';
import { writeFile, rm } from 'node:fs/promises';
import net from 'node:net';
import { join } from 'node:path';
import { SshConnection } from '../../engine/connect/ssh/connection.js';
import waitFor from '../../modules/wait_for.js';
import { sshEnv, firstHostPerSuite } from '../ssh/hosts.js';
import { runModule, tempDir } from './harness.js';

async function listen(banner?: string): Promise<{ port: number; close: () => Promise<void> }> {
  const srv = net.createServer((s) => {
    s.on('error', () => {});
    if (banner) s.end(banner);
    else s.end();
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as net.AddressInfo).port;
  return { port, close: () => new Promise<void>((r) => srv.close(() => r())) };
}

async function closedPort(): Promise<number> {
  const s = await listen();
  await s.close();
  return s.port;
}

describe('wait_for', () => {
  it('a listening port: ok, not changed, in check mode and for real', async () => {
    const s = await listen();
    try {
      for (const check of [true, false]) {
        const out = await runModule(waitFor, { port: s.port, timeout: 5 }, { check });
        expect(out.failed, out.msg).to.equal(false);
        expect(out.changed).to.equal(false);
        expect(out.data.port).to.equal(s.port);
      }
    } finally {
      await s.close();
    }
  });

  it('search_regex on a port reads what the server sends and returns the groups', async () => {
    const s = await listen('SSH-2.0-OpenSSH_9.6\r\n');
    try {
      const out = await runModule(waitFor, { port: s.port, search_regex: 'OpenSSH_(?P<version>[\\d.]+)', timeout: 5 });
      expect(out.failed, out.msg).to.equal(false);
      expect(out.data.match_groups).to.deep.equal(['9.6']);
      expect(out.data.match_groupdict).to.deep.equal({ version: '9.6' });
    } finally {
      await s.close();
    }
  });

  it('state=stopped: ok for a closed port, a timeout failure for an open one', async () => {
    expect((await runModule(waitFor, { port: await closedPort(), state: 'stopped', timeout: 5 })).failed).to.equal(false);
    const s = await listen();
    try {
      const out = await runModule(waitFor, { port: s.port, state: 'stopped', timeout: 0.3, sleep: 0.1 });
      expect(out.failed).to.equal(true);
      expect(out.msg).to.equal(`Timeout when waiting for 127.0.0.1:${s.port} to be closed (last seen: open)`);
    } finally {
      await s.close();
    }
  });

  it('a closed port fails after the timeout, with msg when given', async () => {
    const out = await runModule(waitFor, { port: await closedPort(), timeout: 0.3, sleep: 0.1, msg: 'the API never came up' });
    expect(out.failed).to.equal(true);
    expect(out.msg).to.equal('the API never came up');
  });

  it('check mode does not wait: it probes once and says what it would wait for', async () => {
    const port = await closedPort();
    // a real run would wait an hour; check mode must return at once (mocha's timeout catches a wait)
    const out = await runModule(waitFor, { port, timeout: 3600 }, { check: true });
    expect(out.failed).to.equal(false);
    expect(out.changed).to.equal(false);
    expect(out.msg).to.equal(`would wait up to 3600s for 127.0.0.1:${port} to accept connections (now: closed)`);
  });

  it('waits for a path to appear, with the content pattern, and for it to go away', async () => {
    const d = await tempDir('gx-wait_for-');
    const p = join(d, 'ready');
    setTimeout(() => void writeFile(p, 'booting\n'), 100);
    setTimeout(() => void writeFile(p, 'booting\nstatus: ready 42\n'), 300);
    const out = await runModule(waitFor, { path: p, search_regex: '^status: ready (\\d+)$', timeout: 20, sleep: 0.05 });
    expect(out.failed, out.msg).to.equal(false);
    expect(out.data.match_groups).to.deep.equal(['42']);
    setTimeout(() => void rm(p), 100);
    const gone = await runModule(waitFor, { path: p, state: 'absent', timeout: 20, sleep: 0.05 });
    expect(gone.failed, gone.msg).to.equal(false);
    const never = await runModule(waitFor, { path: p, timeout: 0.2, sleep: 0.05 });
    expect(never.msg).to.equal(`Timeout when waiting for ${p} to exist (last seen: absent)`);
  });

  it('refuses port with path, and present/absent with a port', async () => {
    let threw = false;
    try {
      await runModule(waitFor, { port: 1, path: '/x' });
    } catch {
      threw = true;
    }
    expect(threw).to.equal(true);
    const err = await runModule(waitFor, { port: 1, state: 'absent' }).then(() => undefined, (e: unknown) => e);
    expect(err).to.be.instanceOf(ModuleArgsError).with.property('message').match(/state=absent is for path; use started\/stopped with port/);
  });
});

describe('wait_for over SSH (real sshd test host)', function () {
  this.timeout(30_000);
  let conn!: SshConnection;
  firstHostPerSuite((c) => (conn = c));

  it('probes the port from the host itself: its own sshd answers with its banner', async () => {
    const host = sshEnv.hosts[0]!;
    const out = await runModule(waitFor, { host, port: sshEnv.port, search_regex: '^SSH-2\\.0-', timeout: 10 }, { conn });
    expect(out.failed, out.msg).to.equal(false);
    const closed = await runModule(waitFor, { host, port: 1, state: 'stopped', timeout: 10 }, { conn });
    expect(closed.failed, closed.msg).to.equal(false);
  });
});
