import { expect } from 'chai';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SshConnection } from '../../engine/connect/ssh/connection.js';
import { taskConnection } from '../../engine/connect/task-connection.js';
import { firstHostPerSuite } from '../ssh/hosts.js';
import { rhythm, runModule, tempDir } from './harness.js';

// the text of Ansible's own integration target (test/integration/targets/replace, v2.14.17)
const PANGRAMS = [
  'The quick brown fox jumps over the lazy dog.',
  'We promptly judged antique ivory buckles for the next prize.',
  'Jinxed wizards pluck ivy from the big quilt.',
  'Jaded zombies acted quaintly but kept driving their oxen forward.',
].join('\n');

async function fileWith(text: string | Buffer): Promise<string> {
  const d = await tempDir('gx-replace-');
  const p = join(d, 'f.txt');
  await writeFile(p, text);
  return p;
}

const read = (p: string) => readFile(p, 'utf8').catch(() => null);

describe('replace', () => {
  it('replaces every match with back-references: check → apply → again → check, with the diff and the message', async () => {
    const p = await fileWith('host=a port=1\nhost=b port=2\n');
    const r = await rhythm('replace', { path: p, regexp: 'port=(?P<n>\\d)$', replace: 'port=\\g<n>0\\1' }, { snapshot: () => read(p), diff: true });
    expect(r.check.diff).to.deep.equal([{ label: p, before: 'host=a port=1\nhost=b port=2\n', after: 'host=a port=101\nhost=b port=202\n' }]);
    expect(r.apply.msg).to.equal('2 replacements made');
    expect(r.apply.data.rc).to.equal(0);
    expect(await read(p)).to.equal('host=a port=101\nhost=b port=202\n');
    expect(r.again.msg).to.equal('');
  });

  it('regexp is MULTILINE and not DOTALL, as in Python: ^(.+)$ quotes each line, ^([\\S\\s]+)$ the whole file', async () => {
    const p = await fileWith(PANGRAMS);
    await runModule('replace', { path: p, regexp: '^([\\S\\s]+)$', replace: '"\\1"' });
    const whole = (await read(p))!.split('\n');
    expect(whole[0]).to.equal('"The quick brown fox jumps over the lazy dog.');
    expect(whole[3]).to.equal('Jaded zombies acted quaintly but kept driving their oxen forward."');
    const out = await runModule('replace', { path: p, regexp: '^(.+)$', replace: '"\\1"' });
    expect(out.msg).to.equal('4 replacements made');
    const lines = (await read(p))!.split('\n');
    expect(lines[0]).to.equal('""The quick brown fox jumps over the lazy dog."');
    expect(lines[1]).to.equal('"We promptly judged antique ivory buckles for the next prize."');
  });

  it('after/before limit the replacement to the first section between them; a section that is not there changes nothing', async () => {
    const p = await fileWith(PANGRAMS);
    const none = await runModule('replace', { path: p, before: 'promptly', after: 'quilt', regexp: 'e', replace: '3' });
    expect(none.changed).to.equal(false);
    expect(none.failed).to.equal(false);
    expect(none.msg).to.match(/^Pattern for before\/after params did not match the given file: quilt\(\?P<subsection>\.\*\?\)promptly/);
    await runModule('replace', { path: p, before: 'quilt', after: 'promptly', regexp: 'e', replace: '3' });
    const lines = (await read(p))!.split('\n');
    expect(lines[0]).to.equal('The quick brown fox jumps over the lazy dog.');
    expect(lines[1]).to.equal('We promptly judg3d antiqu3 ivory buckl3s for th3 n3xt priz3.');
    const groups = '# start of group\n0.0.0.0\n# end of group\n\n# start of group\n0.0.0.0\n# end of group\n';
    const q = await fileWith(groups);
    await runModule('replace', { path: q, after: '# start of group', before: '# end of group', regexp: '0', replace: '9' });
    expect(await read(q)).to.equal(groups.replace('0.0.0.0', '9.9.9.9'));
    const onlyBefore = await fileWith('a a\nSTOP a\n');
    await runModule('replace', { path: onlyBefore, before: 'STOP', regexp: ' ' });
    expect(await read(onlyBefore)).to.equal('aa\nSTOP a\n');
  });

  it('backup keeps the old file and returns it as backup_file', async () => {
    const p = await fileWith('old\n');
    const out = await runModule('replace', { path: p, regexp: '^old$', replace: 'new', backup: true });
    expect(out.data.backup_file).to.match(/f\.txt\.\d+\.\d{4}-\d\d-\d\d@\d\d:\d\d:\d\d~$/);
    expect(await read(out.data.backup_file as string)).to.equal('old\n');
    expect(await read(p)).to.equal('new\n');
    expect(out.data).to.not.have.property('backup');
  });

  it('fails with Ansible\'s messages and rc on a directory (256) and a missing file (257)', async () => {
    const d = await tempDir('gx-replace-');
    const dir = await runModule('replace', { path: d, regexp: 'x' });
    expect([dir.failed, dir.data.rc, dir.msg, dir.data.msg]).to.deep.equal([true, 256, `Path ${d} is a directory !`, `Path ${d} is a directory !`]);
    const missing = await runModule('replace', { path: join(d, 'nope'), regexp: 'x' });
    expect([missing.failed, missing.data.rc, missing.msg]).to.deep.equal([true, 257, `Path ${join(d, 'nope')} does not exist !`]);
  });

  it('mode alone is a change with Ansible\'s message; validate failing leaves the file alone', async () => {
    const p = await fileWith('x\n');
    const r = await rhythm('replace', { path: p, regexp: 'nomatch', mode: '0600' }, { snapshot: async () => (await stat(p)).mode & 0o777 });
    expect(r.apply.msg).to.equal('ownership, perms or SE linux context changed');
    const bad = await runModule('replace', { path: p, regexp: 'x', replace: 'y', validate: 'false %s' });
    expect(bad.failed).to.equal(true);
    expect(await read(p)).to.equal('x\n');
    expect(await readdir(join(p, '..'))).to.deep.equal(['f.txt']);
  });

  it('reads and writes the file in its encoding (latin-1)', async () => {
    const p = await fileWith(Buffer.from('caf\xe9\n', 'latin1'));
    await runModule('replace', { path: p, regexp: 'é', replace: 'e\u00e8', encoding: 'latin-1' });
    expect(await readFile(p)).to.deep.equal(Buffer.from('cafe\xe8\n', 'latin1'));
  });
});

describe('replace over SSH with become (real sshd test host)', function () {
  this.timeout(30_000);
  let conn!: SshConnection;
  firstHostPerSuite((c) => (conn = c));

  it('edits a root-owned file: check → apply → again → check, keeping owner and mode', async () => {
    const root = taskConnection(conn, undefined, { user: 'root' });
    const dir = (await root.run({ argv: ['mktemp', '-d', '/var/tmp/gx-replace-XXXXXX'] })).stdout.trim();
    const p = `${dir}/hosts`;
    await root.put(p, '10.0.0.1 old.example\n10.0.0.2 other\n', { mode: 0o600 });
    try {
      const snapshot = async () => (await root.get(p))?.toString('utf8') ?? null;
      const r = await rhythm('replace', { path: p, regexp: '(\\s+)old\\.example$', replace: '\\1new.example' }, { conn: root, snapshot, diff: true });
      expect(r.check.diff![0]!.after).to.equal('10.0.0.1 new.example\n10.0.0.2 other\n');
      expect(await snapshot()).to.equal('10.0.0.1 new.example\n10.0.0.2 other\n');
      const st = await root.stat(p);
      expect([st!.owner, st!.mode]).to.deep.equal(['root', 0o600]);
    } finally {
      await root.run({ argv: ['rm', '-rf', '--', dir] });
    }
  });
});
