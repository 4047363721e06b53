import { expect } from 'chai';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SshConnection } from '../../engine/connect/ssh/connection.js';
import { taskConnection } from '../../engine/connect/task-connection.js';
import { firstHostPerSuite } from '../ssh/hosts.js';
import { runModule, tempDir } from './harness.js';

describe('script (real sshd test host)', function () {
  this.timeout(30_000);
  let conn!: SshConnection;
  firstHostPerSuite((c) => (conn = c));
  let dir!: string;
  before(async () => {
    dir = await tempDir('gx-script-');
    await mkdir(join(dir, 'files'));
    await writeFile(join(dir, 'files', 'hello.sh'), '#!/bin/sh\necho "args:$#:$1:$2"\necho "cwd:$(pwd)"\necho oops >&2\n[ -n "$FAIL" ] && exit 3\nexit 0\n');
    await writeFile(join(dir, 'files', 'noexec.txt'), 'echo "via $0"\n');
    await chmod(join(dir, 'files', 'hello.sh'), 0o644);
  });

  it('copies the script from files/, runs it with its shell-quoted arguments, removes it afterwards', async () => {
    const r = await runModule('script', 'hello.sh "two words" second', { conn, playbookDir: dir });
    expect(r).to.include({ changed: true, failed: false });
    expect(r.data).to.include({ rc: 0, stdout: 'args:2:two words:second\ncwd:' + (await conn.run({ argv: ['pwd'] })).stdout.trim(), stderr: 'oops' });
    // the copy is gone: nothing named gx-script-* is left in the host's temporary directory
    expect((await conn.run({ shell: 'ls ${TMPDIR:-/tmp} | grep -c ^gx-script- || true' })).stdout.trim()).to.equal('0');
  });

  it('chdir, executable, and a non-zero exit fails with rc', async () => {
    const r = await runModule('script', { cmd: 'noexec.txt', executable: '/bin/sh', chdir: '/' }, { conn, playbookDir: dir });
    expect(r.failed, r.msg).to.equal(false);
    expect(String(r.data.stdout)).to.match(/^via \/.*gx-script-[A-Za-z0-9]+\.txt$/);
    const failing = await runModule('script', { cmd: 'hello.sh', chdir: '/etc' }, { conn: taskConnection(conn, { FAIL: '1' }, undefined), playbookDir: dir });
    expect(String(failing.data.stdout)).to.include('cwd:/etc');
    expect(failing).to.include({ failed: true, msg: 'non-zero return code' });
    expect(failing.data.rc).to.equal(3);
  });

  it('creates/removes decide without running; check mode skips it otherwise', async () => {
    const skip = await runModule('script', { cmd: 'hello.sh', creates: '/etc' }, { conn, playbookDir: dir });
    expect(skip).to.include({ changed: false, failed: false });
    expect(String(skip.msg)).to.match(/\/etc exists/);
    const check = await runModule('script', 'hello.sh', { conn, playbookDir: dir, check: true });
    expect(check.skipped).to.equal(true);
    const checkWould = await runModule('script', { cmd: 'hello.sh', removes: '/etc' }, { conn, playbookDir: dir, check: true });
    expect(checkWould.changed).to.equal(true);
  });

  it('a missing script is an error naming where it was looked for', async () => {
    const err = await runModule('script', 'nope.sh', { conn, playbookDir: dir }).then((o) => o.msg, (e: Error) => e.message);
    expect(err).to.match(/could not find 'nope.sh'/);
  });
});
