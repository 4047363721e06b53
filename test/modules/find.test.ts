import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { chmod, mkdir, symlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LocalConnection } from '../../engine/connect/local.js';
import { SshConnection } from '../../engine/connect/ssh/connection.js';
import { taskConnection } from '../../engine/connect/task-connection.js';
import { firstHostPerSuite } from '../ssh/hosts.js';
import { runModule, tempDir } from './harness.js';

/** The tree of Ansible's own integration target (test/integration/targets/find, v2.14.17). */
async function tree(): Promise<string> {
  const d = await tempDir('gx-find-');
  for (const dir of ['a/b/c/d', 'e/f/g/h']) await mkdir(join(d, dir), { recursive: true });
  for (const f of ['a/1.txt', 'a/b/2.jpg', 'a/b/c/3', 'a/b/c/d/4.xml', 'e/5.json', 'e/f/6.swp', 'e/f/g/7.img', 'e/f/g/h/8.ogg']) await writeFile(join(d, f), 'data');
  await writeFile(join(d, 'a.txt'), 'this is a file\nthat has\na few lines\nand it ends with OK\n');
  await writeFile(join(d, 'log.txt'), 'a log\nthat ends KO\nthen more\n');
  return d;
}

/** A connection whose commands see `env` (a task's `environment:`). */
const withEnv = (env: Record<string, string>) => taskConnection(new LocalConnection('localhost'), env, undefined);

const paths = (files: unknown) => (files as { path: string }[]).map((f) => f.path).sort();

describe('find', () => {
  it('counts matched and examined as Ansible does, with and without depth', async () => {
    const d = await tree();
    const dirs = await runModule('find', { paths: d, file_type: 'directory', recurse: true });
    expect([dirs.changed, dirs.data.matched, dirs.data.examined, dirs.msg]).to.deep.equal([false, 8, 18, 'All paths examined']);
    const any = await runModule('find', { paths: d, recurse: true, file_type: 'any' });
    expect([any.data.matched, any.data.examined]).to.deep.equal([18, 18]);
    const deep2 = await runModule('find', { paths: d, recurse: true, file_type: 'any', depth: 2 });
    expect([deep2.data.matched, deep2.data.examined]).to.deep.equal([8, 12]);
    const files2 = await runModule('find', { paths: d, recurse: true, depth: 2 });
    expect([files2.data.matched, files2.data.examined]).to.deep.equal([4, 12]);
    const flat = await runModule('find', { paths: d });
    expect(paths(flat.data.files)).to.deep.equal([join(d, 'a.txt'), join(d, 'log.txt')]);
    expect(flat.data.examined).to.equal(4);
  });

  it('globs (a comma-separated string), regex patterns (re.match) and excludes select by base name', async () => {
    const d = await tree();
    const globs = await runModule('find', { paths: d, patterns: '*.xml,*.img', recurse: true });
    expect(paths(globs.data.files)).to.deep.equal([join(d, 'a/b/c/d/4.xml'), join(d, 'e/f/g/7.img')]);
    // Ansible splits the string on commas and keeps the spaces: ' *.img' matches no base name
    const spaced = await runModule('find', { paths: d, patterns: '*.xml, *.img', recurse: true });
    expect(paths(spaced.data.files)).to.deep.equal([join(d, 'a/b/c/d/4.xml')]);
    const rx = await runModule('find', { paths: d, recurse: true, use_regex: true, patterns: ['.*\\.ogg'] });
    expect(paths(rx.data.files)).to.deep.equal([join(d, 'e/f/g/h/8.ogg')]);
    // re.match anchors at the start only: 'a' matches a.txt but not log.txt
    const start = await runModule('find', { paths: d, use_regex: true, patterns: 'a' });
    expect(paths(start.data.files)).to.deep.equal([join(d, 'a.txt')]);
    const ex = await runModule('find', { paths: d, recurse: true, use_regex: true, exclude: '.*\\.ogg' });
    expect(paths(ex.data.files)).to.not.include(join(d, 'e/f/g/h/8.ogg'));
    expect(ex.data.matched).to.equal(9);
    const first = (globs.data.files as Record<string, unknown>[])[0]!;
    expect(first).to.include({ isreg: true, isdir: false, size: 4, mode: '0644' });
    expect(first.pw_name).to.be.a('string').and.not.equal('');
  });

  it('contains: re.match per line, or re.search over the whole file ($ at the true end)', async () => {
    const d = await tree();
    const run = async (contains: string, read_whole_file: boolean) => paths((await runModule('find', { paths: d, patterns: '*.txt', contains, read_whole_file })).data.files);
    expect(await run('KO$', true)).to.deep.equal([]);
    expect(await run('OK$', true)).to.deep.equal([join(d, 'a.txt')]);
    expect(await run('.*KO$', false)).to.deep.equal([join(d, 'log.txt')]);
    expect(await run('has\na few', true)).to.deep.equal([join(d, 'a.txt')]);
    expect(await run('has\na few', false)).to.deep.equal([]);
    expect(await run('few', false), 're.match: not in the middle of a line').to.deep.equal([]);
  });

  it('age, size, hidden and get_checksum (SHA-1)', async () => {
    const d = await tempDir('gx-find-');
    await writeFile(join(d, 'old.txt'), '');
    await utimes(join(d, 'old.txt'), new Date('2020-01-01T12:00:00Z'), new Date('2020-01-01T12:00:00Z'));
    await writeFile(join(d, 'new.txt'), 'hello world\n');
    await writeFile(join(d, '.hidden.txt'), '');
    expect(paths((await runModule('find', { path: d, age: '1w', hidden: true })).data.files)).to.deep.equal([join(d, 'old.txt')]);
    expect(paths((await runModule('find', { path: d, age: '-1w' })).data.files)).to.deep.equal([join(d, 'new.txt')]);
    const big = await runModule('find', { path: d, size: '5', hidden: true, get_checksum: true });
    expect(big.data.files).to.have.length(1);
    expect((big.data.files as Record<string, unknown>[])[0]!.checksum).to.equal(createHash('sha1').update('hello world\n').digest('hex'));
    const small = await runModule('find', { path: d, size: '-5', hidden: true, file_type: 'any' });
    expect(paths(small.data.files)).to.deep.equal([join(d, '.hidden.txt'), join(d, 'old.txt')]);
  });

  it('links: file_type link, and follow descends into a linked directory', async () => {
    const d = await tree();
    await symlink(join(d, 'e'), join(d, 'lnk'));
    const links = await runModule('find', { paths: d, file_type: 'link' });
    expect(paths(links.data.files)).to.deep.equal([join(d, 'lnk')]);
    const followed = await runModule('find', { paths: d, recurse: true, follow: true, patterns: '5.json' });
    expect(paths(followed.data.files)).to.deep.equal([join(d, 'e/5.json'), join(d, 'lnk/5.json')]);
    const notFollowed = await runModule('find', { paths: d, recurse: true, patterns: '5.json' });
    expect(paths(notFollowed.data.files)).to.deep.equal([join(d, 'e/5.json')]);
  });

  it('a path that is not a directory is skipped with a warning, as Ansible words it', async () => {
    const d = await tempDir('gx-find-');
    const missing = join(d, 'nope');
    const out = await runModule('find', { paths: [missing], patterns: '*' });
    expect(out.failed).to.equal(false);
    expect(out.data.files).to.deep.equal([]);
    expect(out.msg).to.equal('Not all paths examined, check warnings for details');
    expect(out.data.skipped_paths).to.deep.equal({ [missing]: `'${missing}' is not a directory` });
    expect(out.warnings![0]).to.contain(`Skipped '${missing}' path`);
  });

  it('mode selects by permissions, exactly or (exact_mode: false) by any shared bit; contains reads the file in its encoding', async () => {
    const d = await tempDir('gx-find-');
    await writeFile(join(d, 'secret'), 'k\n', { mode: 0o600 });
    await writeFile(join(d, 'public'), 'caf\xe9\n', { mode: 0o644 });
    await chmod(join(d, 'secret'), 0o600);
    await chmod(join(d, 'public'), 0o644);
    expect(paths((await runModule('find', { paths: d, mode: '0600' })).data.files)).to.deep.equal([join(d, 'secret')]);
    expect(paths((await runModule('find', { paths: d, mode: 'u=rw,g=r,o=r' })).data.files)).to.deep.equal([join(d, 'public')]);
    expect(paths((await runModule('find', { paths: d, mode: '0004', exact_mode: false })).data.files)).to.deep.equal([join(d, 'public')]);
    await writeFile(join(d, 'public'), Buffer.from('caf\xe9\n', 'latin1'));
    expect(paths((await runModule('find', { paths: d, contains: 'café', encoding: 'latin-1' })).data.files)).to.deep.equal([join(d, 'public')]);
  });

  it('paths expand ~ and $VARS on the host, as os.path.expanduser/expandvars do; an unset variable stays as written', async () => {
    const d = await tree();
    const out = await runModule('find', { paths: ['$GX_FIND_DIR', '${GX_FIND_DIR}/a', '$GX_FIND_UNSET/x'] }, { conn: withEnv({ GX_FIND_DIR: d }) });
    expect(paths(out.data.files)).to.deep.equal([join(d, 'a.txt'), join(d, 'a/1.txt'), join(d, 'log.txt')]);
    expect(Object.keys(out.data.skipped_paths as object)).to.deep.equal(['$GX_FIND_UNSET/x']);
  });

  it('runs in check mode (it changes nothing)', async () => {
    const d = await tree();
    const out = await runModule('find', { paths: d, patterns: '*.txt' }, { check: true });
    expect([out.skipped, out.data.matched]).to.deep.equal([false, 2]);
  });
});

describe('find over SSH (real sshd test host)', function () {
  this.timeout(30_000);
  let conn!: SshConnection;
  firstHostPerSuite((c) => (conn = c));

  it('lists a tree on the host with stat keys and checksums', async () => {
    const dir = (await conn.run({ argv: ['mktemp', '-d', '/tmp/gx-find-XXXXXX'] })).stdout.trim();
    try {
      await conn.run({ shell: `mkdir -p ${dir}/x/y && printf one > ${dir}/x/1.conf && printf two > ${dir}/x/y/2.conf && printf z > ${dir}/x/y/3.txt` });
      const out = await runModule('find', { paths: dir, patterns: '*.conf', recurse: true, get_checksum: true }, { conn });
      expect(paths(out.data.files)).to.deep.equal([`${dir}/x/1.conf`, `${dir}/x/y/2.conf`]);
      expect(out.data.examined).to.equal(5);
      const one = (out.data.files as Record<string, unknown>[]).find((f) => f.path === `${dir}/x/1.conf`)!;
      expect(one.checksum).to.equal(createHash('sha1').update('one').digest('hex'));
      expect(one.pw_name).to.equal((await conn.run({ argv: ['id', '-un'] })).stdout.trim());
    } finally {
      await conn.run({ argv: ['rm', '-rf', '--', dir] });
    }
  });
});
