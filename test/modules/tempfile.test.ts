import { expect } from 'chai';
import type { SshConnection } from '../../engine/connect/ssh/connection.js';
import { firstHostPerSuite } from '../ssh/hosts.js';
import { runModule } from './harness.js';

describe('tempfile (real sshd test host)', function () {
  this.timeout(30_000);
  let conn!: SshConnection;
  firstHostPerSuite((c) => (conn = c));

  it('creates a file with the default prefix under /tmp, private to the user', async () => {
    const r = await runModule('tempfile', {}, { conn });
    expect(r).to.include({ changed: true, failed: false });
    const path = String(r.data.path);
    expect(path).to.match(/^\/tmp\/ansible\.[A-Za-z0-9]{8}$/);
    const st = await conn.stat(path);
    expect([st?.type, st?.mode]).to.deep.equal(['file', 0o600]);
  });

  it('creates a directory with prefix and suffix in the given path', async () => {
    const base = (await conn.run({ argv: ['mktemp', '-d'] })).stdout.trim();
    const r = await runModule('tempfile', { state: 'directory', path: base, prefix: 'build-', suffix: '.d' }, { conn });
    expect(String(r.data.path)).to.match(new RegExp(`^${base}/build-[A-Za-z0-9]{8}\\.d$`));
    expect((await conn.stat(String(r.data.path)))?.type).to.equal('directory');
  });

  it('is skipped in check mode (Ansible\'s tempfile has no check mode) and creates nothing', async () => {
    const base = (await conn.run({ argv: ['mktemp', '-d'] })).stdout.trim();
    const r = await runModule('tempfile', { path: base }, { conn, check: true });
    expect(r.skipped).to.equal(true);
    expect((await conn.run({ argv: ['ls', '-A', base] })).stdout).to.equal('');
  });
});
