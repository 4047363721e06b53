import { expect } from 'chai';
import type { SshConnection } from '../../engine/connect/ssh/connection.js';
import { taskConnection } from '../../engine/connect/task-connection.js';
import { firstHostPerSuite } from '../ssh/hosts.js';
import { runModule } from './harness.js';

describe('slurp (real sshd test host)', function () {
  this.timeout(30_000);
  let conn!: SshConnection;
  firstHostPerSuite((c) => (conn = c));

  it('returns the file base64-encoded, with encoding and source, in check mode too', async () => {
    const bytes = Buffer.from([0, 1, 2, 255, 10, 104, 105]);
    const dir = (await conn.run({ argv: ['mktemp', '-d'] })).stdout.trim();
    await conn.put(`${dir}/blob`, bytes);
    for (const check of [false, true]) {
      const r = await runModule('slurp', { src: `${dir}/blob` }, { conn, check });
      expect(r).to.include({ changed: false, failed: false });
      expect(r.data).to.include({ content: bytes.toString('base64'), encoding: 'base64', source: `${dir}/blob` });
    }
    expect((await runModule('slurp', { path: `${dir}/blob` }, { conn })).data.content).to.equal(bytes.toString('base64'));
  });

  it("fails with Ansible's messages for a missing file and a directory", async () => {
    expect((await runModule('slurp', { src: '/nonexistent/x' }, { conn })).msg).to.equal('file not found: /nonexistent/x');
    expect((await runModule('slurp', { src: '/etc' }, { conn })).msg).to.equal('source is a directory and must be a file: /etc');
  });

  it('reads a root-only file through become', async () => {
    const root = taskConnection(conn, undefined, { user: 'root' });
    const r = await runModule('slurp', { src: '/etc/shadow' }, { conn: root });
    expect(r.failed, r.msg).to.equal(false);
    expect(Buffer.from(String(r.data.content), 'base64').toString()).to.match(/^root:/);
  });
});
