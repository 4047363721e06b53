import { play } from '../run/play-helper.js';
import type { SshConnection } from '../../engine/connect/ssh/connection.js';
import { firstHostPerSuite } from '../ssh/hosts.js';
import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ModuleArgsError } from '../../engine/errors.js';
import { isUnknown } from '../../engine/vars/unknown.js';
import { rhythm, runModule, tempDir } from './harness.js';

describe('command module', () => {
  it('splits the free-form line like a shell and registers Ansible-shaped data', async () => {
    const r = await runModule('command', `printf '%s|%s' "a b" c\\ d`);
    expect(r.failed).to.equal(false);
    expect(r.changed).to.equal(true);
    expect(r.data).to.include({ rc: 0, stdout: 'a b|c d', stderr: '', changed: true, failed: false });
    expect(r.data.cmd).to.deep.equal(['printf', '%s|%s', 'a b', 'c d']);
    expect(r.data.stdout_lines).to.deep.equal(['a b|c d']);
    expect(r.data.start).to.match(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$/);
    expect(r.data.delta).to.match(/^0:00:\d\d\.\d{6}$/);
  });

  it("expands $NAME, ${NAME} and a leading ~ in each word as Ansible's command does, not globs; unknown names stay (target environment)", async () => {
    const home = process.env.HOME!;
    const r = await runModule('command', 'echo $HOME * ~ ${NOPE_GX} $NOPE_GX a${HOME}b "$HOME x"');
    expect(r.data.stdout).to.equal(`${home} * ${home} \${NOPE_GX} $NOPE_GX a${home}b ${home} x`);
    // the result's cmd is the command as written
    expect(r.data.cmd).to.deep.equal(['echo', '$HOME', '*', '~', '${NOPE_GX}', '$NOPE_GX', 'a${HOME}b', '$HOME x']);
    const argv = await runModule('command', { argv: ['echo', '~root/x', '~nosuchuser-gx/y'] });
    expect(argv.data.stdout).to.equal('/root/x ~nosuchuser-gx/y');
  });

  it('takes chdir= and creates= out of the free-form text', async () => {
    const dir = await tempDir();
    const r = await runModule('command', `touch made chdir=${dir} creates=made`);
    expect(r.changed).to.equal(true);
    expect(existsSync(join(dir, 'made'))).to.equal(true);
    const again = await runModule('command', `touch made chdir=${dir} creates=made`);
    expect(again.changed).to.equal(false);
    expect(again.msg).to.equal('Did not run command since made exists');
  });

  it('fails with the rc on a non-zero exit, and strips trailing newlines', async () => {
    const r = await runModule('command', { argv: ['sh', '-c', 'echo out; echo err >&2; exit 4'] });
    expect(r.failed).to.equal(true);
    expect(r.msg).to.equal('non-zero return code');
    expect(r.data).to.include({ rc: 4, stdout: 'out', stderr: 'err' });
  });

  it('passes stdin with a newline unless told not to', async () => {
    expect((await runModule('command', { cmd: 'od -c', stdin: 'x', strip_empty_ends: true })).data.stdout).to.match(/x\s+\\n/);
    const r = await runModule('command', { cmd: 'wc -c', stdin: 'xy', stdin_add_newline: 'no' });
    expect(String(r.data.stdout).trim()).to.equal('2');
  });

  it('is skipped in check mode, with unknown registered values', async () => {
    const dir = await tempDir();
    const r = await runModule('command', { argv: ['touch', join(dir, 'x')] }, { check: true });
    expect(r.skipped).to.equal(true);
    expect(r.skipReason).to.equal('Command would have run if not in check mode');
    expect(isUnknown(r.data.stdout)).to.equal(true);
    expect(existsSync(join(dir, 'x'))).to.equal(false);
  });

  it('in check mode, creates/removes decide: would run → changed, would not → ok', async () => {
    const dir = await tempDir();
    const f = join(dir, 'f');
    const wouldRun = await runModule('command', { cmd: `touch ${f}`, creates: f }, { check: true });
    expect(wouldRun).to.include({ changed: true, skipped: false });
    expect(existsSync(f)).to.equal(false);
    await writeFile(f, '');
    const wouldNot = await runModule('command', { cmd: `rm ${f}`, creates: f }, { check: true });
    expect(wouldNot).to.include({ changed: false, skipped: false });
    const removes = await runModule('command', { cmd: `rm ${join(dir, 'g')}`, removes: join(dir, 'g') });
    expect(removes.changed).to.equal(false);
    expect(removes.msg).to.match(/does not exist/);
  });

  it('creates accepts a glob whose literal parts may hold shell metacharacters', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, "a $(b) 'c'.done"), '');
    const r = await runModule('command', { cmd: 'false', creates: join(dir, "a $(b) 'c'.*") });
    expect(r.changed).to.equal(false);
    const miss = await runModule('command', { cmd: 'true', creates: join(dir, '*.nothing') });
    expect(miss.changed).to.equal(true);
  });

  it('passes the rhythm with creates', async () => {
    const dir = await tempDir();
    const f = join(dir, 'out');
    await rhythm('command', { argv: ['touch', f], creates: f }, { snapshot: async () => existsSync(f) });
  });

  it('times out: rc 124, failed', async () => {
    const r = await runModule('command', { cmd: 'sleep 20', timeout: 0.2 });
    expect(r.failed).to.equal(true);
    expect(r.data.rc).to.equal(124);
    expect(r.msg).to.match(/timed out after 0.2 seconds/);
  });

  it('rejects both cmd and argv, and unknown arguments with a suggestion', async () => {
    let err: unknown;
    await runModule('command', { cmd: 'ls', argv: ['ls'] }).catch((e: unknown) => (err = e));
    expect(err).to.be.instanceOf(ModuleArgsError);
    err = undefined;
    await runModule('command', { cmd: 'ls', chdr: '/' }).catch((e: unknown) => (err = e));
    expect(err).to.be.instanceOf(ModuleArgsError);
    expect((err as ModuleArgsError).hint).to.equal("did you mean 'chdir'?");
  });
});

describe('command on a real sshd test host: a missing program, executable', function () {
  this.timeout(30_000);
  let conn!: SshConnection;
  firstHostPerSuite((c) => (conn = c));

  it("a program that is not found fails with rc 127, unchanged, Ansible's message in msg and no output (target command_nonexisting); shell gives 127 too", async () => {
    const r = await runModule('command', 'nosuch-gx-program --flag', { conn });
    expect(r).to.include({ failed: true, changed: false, msg: "[Errno 2] No such file or directory: b'nosuch-gx-program'" });
    expect(r.data).to.include({ rc: 127, failed: true, stdout: '', stderr: '' });
    // Ansible's run_command failure names the command as one line
    expect(r.data.cmd).to.equal('nosuch-gx-program --flag');
    const sh = await runModule('shell', 'nosuch-gx-program', { conn });
    expect(sh.data.rc).to.equal(127);
    expect(sh.failed).to.equal(true);
  });

  it('executable is accepted and ignored with Ansible\'s warning (command runs no shell)', async () => {
    const r = await runModule('command', { cmd: 'echo $0', executable: '/bin/bash' }, { conn });
    expect(r.failed).to.equal(false);
    expect(r.data.stdout).to.equal('$0');
    expect(r.warnings).to.deep.equal(["As of Ansible 2.4, the parameter 'executable' is no longer supported with the 'command' module. Not using '/bin/bash'."]);
    expect(r.data.warnings).to.deep.equal(r.warnings);
  });
});

describe('a module warning reaches the run as a warning event', () => {
  it('command executable: the warning is shown once, for the host', async () => {
    const r = await play({ 'site.yaml': '- hosts: localhost\n  gather_facts: false\n  tasks:\n    - command: \"true\"\n      args:\n        executable: /bin/bash\n' });
    expect(r.code, r.text).to.equal(0);
    const warnings = r.events.filter((e) => e.type === 'warning');
    expect(warnings.map((w) => (w as { msg: string }).msg)).to.deep.equal(["As of Ansible 2.4, the parameter 'executable' is no longer supported with the 'command' module. Not using '/bin/bash'."]);
  });
});
