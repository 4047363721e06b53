import { expect } from 'chai';
import { lstat, mkdir, readdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ModuleArgsError } from '../../engine/errors.js';
import { SshConnection } from '../../engine/connect/ssh/connection.js';
import { taskConnection } from '../../engine/connect/task-connection.js';
import lineinfile from '../../modules/lineinfile.js';
import { firstHostPerSuite } from '../ssh/hosts.js';
import { rhythm, runModule, tempDir } from './harness.js';

async function fileWith(text: string | null): Promise<string> {
  const d = await tempDir('gx-lineinfile-');
  const p = join(d, 'f.conf');
  if (text !== null) await writeFile(p, text);
  return p;
}

const read = (p: string) => readFile(p, 'utf8').catch(() => null);

describe('lineinfile', () => {
  it('adds a missing line at the end: check → apply → again → check, with the diff', async () => {
    const p = await fileWith('a=1\nb=2\n');
    const r = await rhythm(lineinfile, { path: p, line: 'c=3' }, { snapshot: () => read(p), diff: true });
    expect(r.check.diff).to.deep.equal([{ label: p, before: 'a=1\nb=2\n', after: 'a=1\nb=2\nc=3\n' }]);
    expect(r.apply.msg).to.equal('line added');
    expect(await read(p)).to.equal('a=1\nb=2\nc=3\n');
    expect(r.again.diff).to.equal(undefined);
  });

  it('replaces the LAST line matching regexp, and the diff shows before and after', async () => {
    const p = await fileWith('# Port 22\nPort 22\nPort 2222\nX11Forwarding no\n');
    const r = await rhythm(lineinfile, { path: p, regexp: '^Port ', line: 'Port 2200' }, { snapshot: () => read(p), diff: true });
    expect(r.check.diff![0]!.after).to.equal('# Port 22\nPort 22\nPort 2200\nX11Forwarding no\n');
    expect(r.check.diff![0]!.before).to.equal('# Port 22\nPort 22\nPort 2222\nX11Forwarding no\n');
    expect(await read(p)).to.equal('# Port 22\nPort 22\nPort 2200\nX11Forwarding no\n');
  });

  it('firstmatch replaces the first match instead', async () => {
    const p = await fileWith('Port 1\nPort 2\n');
    await runModule(lineinfile, { path: p, regexp: '^Port', line: 'Port 9', firstmatch: true });
    expect(await read(p)).to.equal('Port 9\nPort 2\n');
  });

  it('search_string matches literally (regex characters are plain text)', async () => {
    const p = await fileWith('server a.b.c:80\nserver axbxc:80\n');
    await rhythm(lineinfile, { path: p, search_string: 'a.b.c', line: 'server a.b.c:8080' }, { snapshot: () => read(p) });
    expect(await read(p)).to.equal('server a.b.c:8080\nserver axbxc:80\n');
  });

  it('inserts after the last insertafter match, before the last insertbefore match, or at BOF', async () => {
    const p = await fileWith('[main]\nx=1\n[extra]\ny=2\n');
    await runModule(lineinfile, { path: p, line: 'z=3', insertafter: '^\\[main\\]' });
    expect(await read(p)).to.equal('[main]\nz=3\nx=1\n[extra]\ny=2\n');
    await runModule(lineinfile, { path: p, line: 'w=0', insertbefore: '^\\[extra\\]' });
    expect(await read(p)).to.equal('[main]\nz=3\nx=1\nw=0\n[extra]\ny=2\n');
    await runModule(lineinfile, { path: p, line: '# top', insertbefore: 'BOF' });
    expect(await read(p)).to.equal('# top\n[main]\nz=3\nx=1\nw=0\n[extra]\ny=2\n');
    // no match for insertafter: end of file, as in Ansible
    await runModule(lineinfile, { path: p, line: 'end', insertafter: '^nothing' });
    expect((await read(p))!.endsWith('y=2\nend\n')).to.equal(true);
  });

  it('does not add a line that already exists elsewhere when regexp matches nothing', async () => {
    const p = await fileWith('keep\nline\n');
    const out = await runModule(lineinfile, { path: p, regexp: '^nomatch', line: 'keep' });
    expect(out.changed).to.equal(false);
    expect(await read(p)).to.equal('keep\nline\n');
  });

  it('appending to a file without a final newline ends the old last line first', async () => {
    const p = await fileWith('a\nb');
    await runModule(lineinfile, { path: p, line: 'c' });
    expect(await read(p)).to.equal('a\nb\nc\n');
  });

  it('backrefs expands groups (\\1, \\g<name>) and leaves the file alone when nothing matches', async () => {
    const p = await fileWith('listen=10.0.0.1:8080\n');
    await rhythm(lineinfile, { path: p, regexp: '^listen=[^:]*:(?P<port>\\d+)$', line: 'listen=0.0.0.0:\\g<port>', backrefs: true }, { snapshot: () => read(p) });
    expect(await read(p)).to.equal('listen=0.0.0.0:8080\n');
    const none = await runModule(lineinfile, { path: p, regexp: '^absent=(.*)', line: 'x=\\1', backrefs: true });
    expect(none.changed).to.equal(false);
    expect(await read(p)).to.equal('listen=0.0.0.0:8080\n');
  });

  it('state=absent removes every matching line and counts them', async () => {
    const p = await fileWith('a\n#x\nb\n#y\n');
    const r = await rhythm(lineinfile, { path: p, regexp: '^#', state: 'absent' }, { snapshot: () => read(p), diff: true });
    expect(r.apply.data.found).to.equal(2);
    expect(r.again.data.found).to.equal(0);
    expect(r.check.diff![0]!.after).to.equal('a\nb\n');
    expect(await read(p)).to.equal('a\nb\n');
  });

  it('a missing file fails unless create is true; create honours mode', async () => {
    const p = await fileWith(null);
    const out = await runModule(lineinfile, { path: p, line: 'x' });
    expect(out.failed).to.equal(true);
    expect(out.msg).to.match(/does not exist.*create: true/);
    await rhythm(lineinfile, { path: p, line: 'x', create: true, mode: '0600' }, { snapshot: () => read(p) });
    expect(await read(p)).to.equal('x\n');
    expect((await stat(p)).mode & 0o777).to.equal(0o600);
  });

  it('mode alone is a change, and check mode does not apply it', async () => {
    const p = await fileWith('x\n');
    const snapshot = async () => (await stat(p)).mode & 0o777;
    const r = await rhythm(lineinfile, { path: p, line: 'x', mode: '0640' }, { snapshot });
    expect(r.check.msg).to.contain('mode 0644 -> 0640');
    expect(await snapshot()).to.equal(0o640);
  });

  it('backup keeps the old content next to the file, named as Ansible names it (PATH.PID.YYYY-MM-DD@HH:MM:SS~)', async () => {
    const p = await fileWith('old\n');
    const out = await runModule(lineinfile, { path: p, regexp: '^old', line: 'new', backup: true });
    const backup = out.data.backup as string;
    expect(backup).to.match(/f\.conf\.\d+\.\d{4}-\d\d-\d\d@\d\d:\d\d:\d\d~$/);
    expect(await read(backup)).to.equal('old\n');
    expect(await read(p)).to.equal('new\n');
  });

  it('validate: a failing check leaves the file as it was; %s is the temp copy', async () => {
    const p = await fileWith('ok\n');
    // validate runs without a shell (as in Ansible): a check that needs one asks for it
    const bad = await runModule(lineinfile, { path: p, line: 'broken', validate: `sh -c 'grep -qx ok "$1" && ! grep -q broken "$1"' validate %s` });
    expect(bad.failed).to.equal(true);
    expect(bad.msg).to.contain('left unchanged');
    expect(await read(p)).to.equal('ok\n');
    const good = await runModule(lineinfile, { path: p, line: 'fine', validate: "grep -q '^fine$' %s" });
    expect(good.failed).to.equal(false);
    expect(await read(p)).to.equal('ok\nfine\n');
    const files = await readdir(join(p, '..'));
    expect(files, 'no temp copy is left behind').to.deep.equal(['f.conf']);
    // Ansible's target lineinfile: found when the file is written, a task failure rescue can read
    const noPlaceholder = await runModule(lineinfile, { path: p, line: 'x', validate: '/some/path' });
    expect(noPlaceholder).to.include({ failed: true, msg: 'validate must contain %s: /some/path' });
    expect(await read(p)).to.equal('ok\nfine\n');
    const nothingToWrite = await runModule(lineinfile, { path: p, line: 'fine', validate: '/some/path' });
    expect(nothingToWrite, 'nothing to write: nothing to validate').to.include({ failed: false, changed: false });
  });

  it('edits the target of a symlink and leaves the link in place (as Ansible does)', async () => {
    const target = await fileWith('nameserver 10.0.0.1\n');
    const link = join(target, '..', 'resolv.conf');
    await symlink(target, link);
    await rhythm(lineinfile, { path: link, regexp: '^nameserver', line: 'nameserver 127.0.0.53' }, { snapshot: () => read(target) });
    expect((await lstat(link)).isSymbolicLink()).to.equal(true);
    expect(await read(target)).to.equal('nameserver 127.0.0.53\n');
  });

  it('refuses a directory and bad argument combinations', async () => {
    const d = await tempDir('gx-lineinfile-');
    await mkdir(join(d, 'sub'));
    expect((await runModule(lineinfile, { path: join(d, 'sub'), line: 'x' })).msg).to.match(/not a regular file/);
    // argument combinations are refused before the file is read (check(), also at --syntax-check)
    const refused = (args: object) => runModule(lineinfile, args).then(() => undefined, (e: unknown) => e);
    expect(await refused({ path: join(d, 'f'), state: 'absent' })).to.be.instanceOf(ModuleArgsError).with.property('message').match(/state=absent needs one of line, regexp or search_string/);
    expect(await refused({ path: join(d, 'f'), line: 'x', backrefs: true })).to.be.instanceOf(ModuleArgsError).with.property('message').match(/backrefs needs regexp/);
    let threw = false;
    try {
      await runModule(lineinfile, { path: join(d, 'f'), line: 'x', regexp: 'a', search_string: 'b' });
    } catch {
      threw = true;
    }
    expect(threw, 'regexp with search_string is an argument error').to.equal(true);
  });
});

describe('lineinfile over SSH with become (real sshd test host)', function () {
  this.timeout(30_000);
  let conn!: SshConnection;
  firstHostPerSuite((c) => (conn = c));

  it('edits a root-owned file: check → apply → again → check, validate and backup as root', async () => {
    const root = taskConnection(conn, undefined, { user: 'root' });
    const dir = (await root.run({ argv: ['mktemp', '-d', '/var/tmp/gx-lineinfile-XXXXXX'] })).stdout.trim();
    const p = `${dir}/sshd_config`;
    await root.put(p, '#Port 22\nPasswordAuthentication yes\n', { mode: 0o600 });
    try {
      const snapshot = async () => (await root.get(p))?.toString('utf8') ?? null;
      const r = await rhythm(lineinfile, { path: p, regexp: '^#?PasswordAuthentication', line: 'PasswordAuthentication no', validate: 'grep -q "^PasswordAuthentication no$" %s', backup: true }, { conn: root, snapshot, diff: true });
      expect(r.check.diff![0]!.after).to.equal('#Port 22\nPasswordAuthentication no\n');
      expect(await snapshot()).to.equal('#Port 22\nPasswordAuthentication no\n');
      const st = await root.stat(p);
      expect([st!.owner, st!.mode]).to.deep.equal(['root', 0o600]);
      expect((await root.get(r.apply.data.backup as string))!.toString('utf8')).to.equal('#Port 22\nPasswordAuthentication yes\n');
      // the unprivileged user cannot read it: the module really went through become
      expect((await runModule(lineinfile, { path: p, line: 'x' }, { conn })).failed).to.equal(true);
    } finally {
      await root.run({ argv: ['rm', '-rf', '--', dir] });
    }
  });
});
