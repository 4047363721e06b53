import { expect } from 'chai';
import type { SshConnection } from '../../engine/connect/ssh/connection.js';
import { firstHostPerSuite } from '../ssh/hosts.js';
import { runModule } from './harness.js';

describe('ping (real sshd test host)', function () {
  this.timeout(30_000);
  let conn!: SshConnection;
  firstHostPerSuite((c) => (conn = c));

  it('answers pong, or the data given, and never changes anything', async () => {
    for (const check of [false, true]) {
      const r = await runModule('ping', {}, { conn, check });
      expect(r).to.include({ changed: false, failed: false });
      expect(r.data.ping).to.equal('pong');
    }
    expect((await runModule('ping', { data: 'hello' }, { conn })).data.ping).to.equal('hello');
  });

  it('data=crash fails the task as a crashed Ansible module does: module_stdout, module_stderr with the exception, rc 1 (target ping)', async () => {
    const r = await runModule('ping', { data: 'crash' }, { conn });
    expect(r.failed).to.equal(true);
    expect(r.msg).to.equal('MODULE FAILURE\nSee stdout/stderr for the exact error');
    expect(r.data).to.include({ module_stdout: '', rc: 1 });
    expect(`${r.data.module_stdout}${r.data.module_stderr}`).to.contain('Exception: boom');
  });
});
