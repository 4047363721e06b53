import type { SshConnection } from '../../engine/connect/ssh/connection.js';
import type { Connection } from '../../engine/connect/connection.js';
import { taskConnection } from '../../engine/connect/task-connection.js';
import { firstHostPerSuite } from '../ssh/hosts.js';
import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { chmod, link, lstat, mkdir, readdir, readlink, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ModuleArgsError } from '../../engine/errors.js';
import { rhythm, runModule, tempDir } from './harness.js';

async function describePath(p: string): Promise<unknown> {
  try {
    const st = await lstat(p);
    return { type: st.isSymbolicLink() ? 'link' : st.isDirectory() ? 'dir' : 'file', mode: st.mode & 0o7777, ino: st.ino, link: st.isSymbolicLink() ? await readlink(p) : undefined };
  } catch {
    return 'absent';
  }
}

describe('file module', () => {
  it('state directory: creates it and its missing parents with the mode (rhythm)', async () => {
    const dir = await tempDir();
    const leaf = join(dir, 'a', 'b c', 'd');
    const { apply } = await rhythm('file', { path: leaf, state: 'directory', mode: '0750' }, { snapshot: () => describePath(join(dir, 'a')) });
    expect((await stat(leaf)).isDirectory()).to.equal(true);
    expect((await stat(leaf)).mode & 0o7777).to.equal(0o750);
    expect((await stat(join(dir, 'a'))).mode & 0o7777).to.equal(0o750);
    expect(apply.data).to.include({ path: leaf, state: 'directory', mode: '0750' });
  });

  it('state directory with recurse sets the mode inside too (rhythm)', async () => {
    const dir = await tempDir();
    await mkdir(join(dir, 'sub'));
    await writeFile(join(dir, 'sub', 'f'), '');
    await chmod(join(dir, 'sub', 'f'), 0o600);
    await symlink('f', join(dir, 'sub', 'l'));
    const snapshot = async (): Promise<unknown> => [(await stat(join(dir, 'sub'))).mode & 0o777, (await stat(join(dir, 'sub', 'f'))).mode & 0o777];
    await rhythm('file', { path: dir, state: 'directory', recurse: true, mode: 'u=rwX,g=rX,o=' }, { snapshot });
    expect(await snapshot()).to.deep.equal([0o750, 0o640]);
  });

  it('state absent removes files and whole directories (rhythm), with a state diff', async () => {
    const dir = await tempDir();
    const victim = join(dir, 'tree');
    await mkdir(join(victim, 'x'), { recursive: true });
    await writeFile(join(victim, 'x', 'f'), 'data');
    const check = await runModule('file', { path: victim, state: 'absent' }, { check: true, diff: true });
    expect(check.diff![0]!.after).to.equal('state: absent\n');
    expect(check.diff![0]!.before).to.match(/^state: directory\nmode: \d{4}\n/);
    await rhythm('file', { path: victim, state: 'absent' }, { snapshot: () => describePath(victim) });
    expect(existsSync(victim)).to.equal(false);
  });

  it('state link: a symbolic link, replaced atomically when it points elsewhere (rhythm)', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'target-1'), '1');
    await writeFile(join(dir, 'target-2'), '2');
    const l = join(dir, 'current');
    await rhythm('file', { src: 'target-1', dest: l, state: 'link' }, { snapshot: () => describePath(l) });
    expect(await readlink(l)).to.equal('target-1');
    await rhythm('file', { src: 'target-2', path: l, state: 'link' }, { snapshot: () => describePath(l) });
    expect(await readlink(l)).to.equal('target-2');
    expect((await readdir(dir)).sort()).to.deep.equal(['current', 'target-1', 'target-2']);
  });

  it('state link refuses to replace a file without force, and to link to nothing', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'real'), 'x');
    await writeFile(join(dir, 't'), 't');
    const r = await runModule('file', { src: 't', path: join(dir, 'real'), state: 'link' });
    expect(r.failed).to.equal(true);
    expect(r.msg).to.match(/force/);
    const missing = await runModule('file', { src: 'nothing-here', path: join(dir, 'l'), state: 'link' });
    expect(missing.failed).to.equal(true);
    const forced = await runModule('file', { src: 'nothing-here', path: join(dir, 'real'), state: 'link', force: true });
    expect(forced.changed).to.equal(true);
    expect(await readlink(join(dir, 'real'))).to.equal('nothing-here');
  });

  it('state hard: a hard link to src (rhythm)', async () => {
    const dir = await tempDir();
    const src = join(dir, 'orig');
    await writeFile(src, 'x');
    const h = join(dir, 'hard');
    await rhythm('file', { src, path: h, state: 'hard' }, { snapshot: () => describePath(h) });
    expect((await stat(h)).ino).to.equal((await stat(src)).ino);
    await writeFile(join(dir, 'other'), 'y');
    await link(join(dir, 'other'), join(dir, 'hard2'));
    const refused = await runModule('file', { src, path: join(dir, 'hard2'), state: 'hard' });
    expect(refused.failed).to.equal(true);
  });

  it('state touch: creates, then changes times every run unless both times are preserved', async () => {
    const dir = await tempDir();
    const f = join(dir, 'touched');
    await rhythm('file', { path: f, state: 'touch', mode: '0600', modification_time: 'preserve', access_time: 'preserve' }, { snapshot: () => describePath(f) });
    expect((await stat(f)).mode & 0o7777).to.equal(0o600);
    const again = await runModule('file', { path: f, state: 'touch' });
    expect(again.changed).to.equal(true);
  });

  it('state file sets attributes of an existing file (rhythm) and fails on a missing one', async () => {
    const dir = await tempDir();
    const f = join(dir, 'f');
    await writeFile(f, '');
    await chmod(f, 0o644);
    await rhythm('file', { path: f, mode: '0600' }, { snapshot: () => describePath(f) });
    expect((await stat(f)).mode & 0o7777).to.equal(0o600);
    const num = await runModule('file', { path: f, mode: 644 }); // YAML 1.2 reads `mode: 0644` as 644
    expect(num.changed).to.equal(true);
    expect((await stat(f)).mode & 0o7777).to.equal(0o644);
    const missing = await runModule('file', { path: join(dir, 'nope'), state: 'file' });
    expect(missing.failed).to.equal(true);
    expect(missing.msg).to.match(/is absent, cannot continue/);
  });

  it('sets owner and group by name, on directories and recursively (rhythm)', async () => {
    const dir = await tempDir();
    const d = join(dir, 'owned');
    await mkdir(join(d, 'in'), { recursive: true });
    await writeFile(join(d, 'in', 'f'), '');
    const owners = async (): Promise<unknown> => [(await stat(d)).uid, (await stat(join(d, 'in', 'f'))).uid, (await stat(join(d, 'in', 'f'))).gid];
    const { apply } = await rhythm('file', { path: d, state: 'directory', owner: 'nobody', group: 'nogroup', recurse: true }, { snapshot: owners });
    expect(apply.data).to.include({ owner: 'nobody', group: 'nogroup' });
    const nobody = (await stat(d)).uid;
    expect(nobody).to.not.equal(0);
    expect(await owners()).to.deep.equal([nobody, nobody, (await stat(d)).gid]);
  });

  it('follows a link to set attributes on its target by default', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 't'), '');
    await chmod(join(dir, 't'), 0o644);
    await symlink('t', join(dir, 'l'));
    await runModule('file', { path: join(dir, 'l'), state: 'file', mode: '0600' });
    expect((await stat(join(dir, 't'))).mode & 0o7777).to.equal(0o600);
  });

  it('rejects a mode it cannot read, recurse without directory, and a link without src', async () => {
    const dir = await tempDir();
    for (const args of [{ path: dir, mode: 999 }, { path: dir, state: 'absent', recurse: true }, { path: join(dir, 'l'), state: 'link' }]) {
      let err: unknown;
      await runModule('file', args).catch((e: unknown) => (err = e));
      expect(err, JSON.stringify(args)).to.be.instanceOf(ModuleArgsError);
    }
  });
});

describe('file attributes and times on a real sshd test host', function () {
  this.timeout(30_000);
  let ssh!: SshConnection;
  let root!: Connection;
  let dir!: string;
  firstHostPerSuite((c) => {
    ssh = c;
    root = taskConnection(ssh, undefined, { user: 'root' });
  });
  beforeEach(async () => {
    dir = (await ssh.run({ argv: ['mktemp', '-d', '/var/tmp/gx-file-XXXXXX'] })).stdout.trim();
  });
  afterEach(async () => {
    await root.run({ shell: `chattr -R -i -a ${dir} 2>/dev/null; rm -rf ${dir}` });
  });
  const flags = async (p: string) => (await root.run({ argv: ['lsattr', '-d', p] })).stdout.split(' ')[0]!.replace(/-/g, '');
  const times = async (p: string) => (await ssh.run({ argv: ['stat', '-c', '%X %Y', p] })).stdout.trim();

  it('attributes: +i sets the immutable flag once (chattr), -i removes it; flags the kernel sets are left alone', async () => {
    const p = `${dir}/f`;
    await ssh.put(p, 'x');
    const r = await rhythm('file', { path: p, attributes: '+i' }, { conn: root, snapshot: () => flags(p) });
    expect(await flags(p)).to.include('i');
    expect(r.apply.changed).to.equal(true);
    await rhythm('file', { path: p, attributes: '-i' }, { conn: root, snapshot: () => flags(p) });
    expect(await flags(p)).to.not.include('i');
    // exactly these flags: 'e' (extents, set by ext4) does not count as a difference
    const exact = await runModule('file', { path: p, attributes: 'A' }, { conn: root });
    expect(exact.changed).to.equal(true);
    expect((await runModule('file', { path: p, attributes: 'A' }, { conn: root })).changed).to.equal(false);
  });

  it('modification_time and access_time in their formats: set once, then unchanged; preserve leaves them; a bad time is an argument error', async () => {
    const p = `${dir}/f`;
    await ssh.put(p, 'x');
    const tz = (await ssh.run({ argv: ['date', '-d', '2024-01-02 03:04:05', '+%s'] })).stdout.trim();
    const args = { path: p, state: 'file', modification_time: '202401020304.05', access_time: '2024-01-02 03:04:05', access_time_format: '%Y-%m-%d %H:%M:%S' };
    await rhythm('file', args, { conn: ssh, snapshot: () => times(p) });
    expect(await times(p)).to.equal(`${tz} ${tz}`);
    const before = await times(p);
    const touched = await runModule('file', { path: p, state: 'touch', modification_time: 'preserve', access_time: 'preserve' }, { conn: ssh });
    expect(touched.changed).to.equal(false);
    expect(await times(p)).to.equal(before);
    const err = await runModule('file', { path: p, modification_time: 'yesterday' }, { conn: ssh }).then(() => undefined, (e: Error) => e);
    expect(err?.message).to.match(/Error while obtaining timestamp for time yesterday using format %Y%m%d%H%M\.%S: time data 'yesterday' does not match format/);
  });

  it('touch with now always changes (as Ansible); a new file gets an explicit mtime', async () => {
    const p = `${dir}/new`;
    const r = await runModule('file', { path: p, state: 'touch', modification_time: '199901010000.00' }, { conn: ssh });
    expect(r.changed).to.equal(true);
    const m = (await ssh.run({ argv: ['date', '-d', '1999-01-01 00:00:00', '+%s'] })).stdout.trim();
    expect((await times(p)).split(' ')[1]).to.equal(m);
    expect((await runModule('file', { path: p, state: 'touch' }, { conn: ssh })).changed).to.equal(true);
  });
});
