import type { SshConnection } from '../../engine/connect/ssh/connection.js';
import { firstHostPerSuite } from '../ssh/hosts.js';
import { createHash } from 'node:crypto';
import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, readdir, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ModuleArgsError } from '../../engine/errors.js';
import { rhythm, runModule, tempDir } from './harness.js';

const read = async (p: string): Promise<string | null> => (existsSync(p) ? readFile(p, 'utf8') : null);
const modeOf = async (p: string): Promise<number> => (await stat(p)).mode & 0o7777;

describe('copy module', () => {
  it('passes the rhythm with content, and registers Ansible-shaped data', async () => {
    const dir = await tempDir();
    const dest = join(dir, 'out.conf');
    const { apply, again } = await rhythm('copy', { content: 'a = 1\n', dest, mode: '0640' }, { snapshot: () => read(dest) });
    expect(await read(dest)).to.equal('a = 1\n');
    expect(await modeOf(dest)).to.equal(0o640);
    expect(apply.data).to.include({ dest, mode: '0640', size: 6, state: 'file', changed: true });
    // checksum is SHA-1 like Ansible's; gx's own comparison hash is under checksum_sha256
    expect(apply.data).to.include({
      checksum: createHash('sha1').update('a = 1\n').digest('hex'),
      checksum_sha256: createHash('sha256').update('a = 1\n').digest('hex'),
      md5sum: createHash('md5').update('a = 1\n').digest('hex'),
    });
    expect(again.data.checksum).to.equal(apply.data.checksum);
  });

  it('copies src from the playbook files/ directory; a directory dest gets the source name', async () => {
    const pb = await tempDir();
    await mkdir(join(pb, 'files'));
    await writeFile(join(pb, 'files', 'app.txt'), 'from files\n');
    const dir = await tempDir();
    await rhythm('copy', { src: 'app.txt', dest: dir }, { playbookDir: pb, snapshot: () => readdir(dir) });
    expect(await read(join(dir, 'app.txt'))).to.equal('from files\n');
  });

  it("prefers the role's files/ over the playbook's", async () => {
    const pb = await tempDir();
    const role = await tempDir();
    await mkdir(join(pb, 'files'));
    await mkdir(join(role, 'files'));
    await writeFile(join(pb, 'files', 'x'), 'playbook');
    await writeFile(join(role, 'files', 'x'), 'role');
    const dest = join(await tempDir(), 'x');
    await runModule('copy', { src: 'x', dest }, { playbookDir: pb, roleDir: role });
    expect(await read(dest)).to.equal('role');
  });

  it('shows the diff in check mode and writes nothing', async () => {
    const dir = await tempDir();
    const dest = join(dir, 'f');
    await writeFile(dest, 'old line\nsame\n');
    const r = await runModule('copy', { content: 'new line\nsame\n', dest }, { check: true, diff: true });
    expect(r.changed).to.equal(true);
    expect(r.diff).to.deep.equal([{ label: dest, before: 'old line\nsame\n', after: 'new line\nsame\n' }]);
    expect(await read(dest)).to.equal('old line\nsame\n');
  });

  it('a mode-only change is a change with an attribute diff, and keeps the content', async () => {
    const dir = await tempDir();
    const dest = join(dir, 'f');
    await writeFile(dest, 'x');
    await chmod(dest, 0o600);
    const r = await runModule('copy', { content: 'x', dest, mode: '0644' }, { diff: true });
    expect(r.changed).to.equal(true);
    expect(r.diff).to.deep.equal([{ label: `${dest} (attributes)`, before: 'mode: 0600\n', after: 'mode: 0644\n' }]);
    expect(await modeOf(dest)).to.equal(0o644);
    await rhythm('copy', { content: 'x', dest, mode: 'u=rw,go=' }, { snapshot: () => modeOf(dest) });
    expect(await modeOf(dest)).to.equal(0o600);
  });

  it('sets owner and group, also when only they differ (rhythm)', async () => {
    const dir = await tempDir();
    const dest = join(dir, 'owned');
    await rhythm('copy', { content: 'x', dest, owner: 'nobody' }, { snapshot: async () => (existsSync(dest) ? (await stat(dest)).uid : null) });
    await rhythm('copy', { content: 'x', dest, group: 'nogroup' }, { snapshot: async () => (await stat(dest)).gid });
    const r = await runModule('copy', { content: 'x', dest, owner: 'nobody', group: 'nogroup' });
    expect(r.data).to.include({ owner: 'nobody', group: 'nogroup', changed: false });
  });

  it('keeps a backup of the replaced file', async () => {
    const dir = await tempDir();
    const dest = join(dir, 'f');
    await writeFile(dest, 'v1');
    const r = await runModule('copy', { content: 'v2', dest, backup: true });
    const backup = r.data.backup_file as string;
    expect(backup).to.match(new RegExp(`^${dest}\\.\\d+\\.\\d{4}-\\d\\d-\\d\\d@\\d\\d:\\d\\d:\\d\\d~$`));
    expect(await read(backup)).to.equal('v1');
    expect(await read(dest)).to.equal('v2');
    const again = await runModule('copy', { content: 'v2', dest, backup: true });
    expect(again.data.backup_file).to.equal(undefined);
  });

  it('validates the new content before it replaces the file; failure leaves dest untouched', async () => {
    const dir = await tempDir();
    const dest = join(dir, 'conf');
    await writeFile(dest, 'good\n');
    await chmod(dest, 0o640);
    const bad = await runModule('copy', { content: 'bad\n', dest, validate: 'grep -q good %s' });
    expect(bad.failed).to.equal(true);
    expect(bad.msg).to.match(/failed to validate \(rc 1\)/);
    expect(await read(dest)).to.equal('good\n');
    expect(await readdir(dir)).to.deep.equal(['conf']);
    const ok = await runModule('copy', { content: 'good again\n', dest, validate: 'grep -q good %s' });
    expect(ok).to.include({ failed: false, changed: true });
    expect(await read(dest)).to.equal('good again\n');
    expect(await modeOf(dest), 'the validated file keeps the old mode').to.equal(0o640);
    const noPlaceholder = await runModule('copy', { content: 'x', dest, validate: 'true' });
    expect(noPlaceholder).to.include({ failed: true, msg: 'validate must contain %s: true' });
    expect(await read(dest)).to.equal('good again\n');
  });

  it('remote_src copies a file that is already on the host (rhythm)', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'orig'), 'on the host\n');
    const dest = join(dir, 'copy');
    await rhythm('copy', { src: join(dir, 'orig'), remote_src: true, dest }, { snapshot: () => read(dest) });
    expect(await read(dest)).to.equal('on the host\n');
  });

  it('fails, without an exception, when the destination directory does not exist', async () => {
    const r = await runModule('copy', { content: 'x', dest: join(await tempDir(), 'missing-dir', 'f') });
    expect(r.failed).to.equal(true);
    expect(r.msg).to.match(/cannot write .*missing-dir\/f/);
  });

  it('force: false leaves an existing file alone', async () => {
    const dir = await tempDir();
    const dest = join(dir, 'f');
    await writeFile(dest, 'mine');
    const r = await runModule('copy', { content: 'theirs', dest, force: 'no' });
    expect(r.changed).to.equal(false);
    expect(await read(dest)).to.equal('mine');
  });

  it("mode: preserve takes the source file's mode", async () => {
    const pb = await tempDir();
    await mkdir(join(pb, 'files'));
    await writeFile(join(pb, 'files', 'run.sh'), '#!/bin/sh\n');
    await chmod(join(pb, 'files', 'run.sh'), 0o750);
    const dest = join(await tempDir(), 'run.sh');
    await runModule('copy', { src: 'run.sh', dest, mode: 'preserve' }, { playbookDir: pb });
    expect(await modeOf(dest)).to.equal(0o750);
  });

  it('fails on a missing src, and insists on exactly one of src and content', async () => {
    const dest = join(await tempDir(), 'f');
    const r = await runModule('copy', { src: '/nonexistent/gx-src', dest }).catch((e: Error) => e);
    expect(r).to.satisfy((x: unknown) => (x instanceof Error ? /does not exist|could not find/.test(x.message) : (x as { failed: boolean }).failed));
    let err: unknown;
    await runModule('copy', { dest }).catch((e: unknown) => (err = e));
    expect(err).to.be.instanceOf(ModuleArgsError);
  });
});

describe('copy module with a directory src', () => {
  async function tree(): Promise<string> {
    const pb = await tempDir();
    await mkdir(join(pb, 'files', 'conf', 'sub dir'), { recursive: true });
    await writeFile(join(pb, 'files', 'conf', 'a.yaml'), 'a: 1\n');
    await writeFile(join(pb, 'files', 'conf', 'sub dir', "b 'q'.yaml"), 'b: 2\n');
    return pb;
  }
  async function listing(root: string): Promise<unknown> {
    if (!existsSync(root)) return null;
    const out: Record<string, string> = {};
    for (const e of await readdir(root, { recursive: true, withFileTypes: true })) {
      const p = join(e.parentPath, e.name);
      out[p.slice(root.length)] = e.isDirectory() ? 'dir' : await readFile(p, 'utf8');
    }
    return out;
  }

  it('copies the contents with a trailing slash (rhythm), creating directories', async () => {
    const pb = await tree();
    const dest = join(await tempDir(), 'etc');
    const { check, apply } = await rhythm('copy', { src: 'conf/', dest, mode: '0600', directory_mode: '0700' }, { playbookDir: pb, snapshot: () => listing(dest) });
    expect(check.data.changed_files).to.deep.equal([join(dest, 'a.yaml'), join(dest, 'sub dir', "b 'q'.yaml")]);
    expect(await listing(dest)).to.deep.equal({ '/a.yaml': 'a: 1\n', '/sub dir': 'dir', "/sub dir/b 'q'.yaml": 'b: 2\n' });
    expect(await modeOf(join(dest, 'sub dir'))).to.equal(0o700);
    expect(await modeOf(join(dest, 'a.yaml'))).to.equal(0o600);
    expect(apply.data).to.include({ files: 2, state: 'directory' });
  });

  it('copies the directory itself without the slash, and only rewrites what differs', async () => {
    const pb = await tree();
    const dest = await tempDir();
    await runModule('copy', { src: 'conf', dest }, { playbookDir: pb });
    expect(await readFile(join(dest, 'conf', 'a.yaml'), 'utf8')).to.equal('a: 1\n');
    await writeFile(join(dest, 'conf', 'a.yaml'), 'edited\n');
    const r = await runModule('copy', { src: 'conf', dest }, { playbookDir: pb, check: true, diff: true });
    expect(r.data.changed_files).to.deep.equal([join(dest, 'conf', 'a.yaml')]);
    expect(r.diff).to.deep.equal([{ label: join(dest, 'conf', 'a.yaml'), before: 'edited\n', after: 'a: 1\n' }]);
  });
});

describe('copy: a dest ending in /', () => {
  it('creates the directory, like Ansible, and puts the file in it', async () => {
    const { mkdtempSync, readFileSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = mkdtempSync(join(tmpdir(), 'gx-copy-slash-'));
    writeFileSync(join(dir, 'src.txt'), 'hello\n');
    const r = await runModule('copy', { src: join(dir, 'src.txt'), dest: join(dir, 'new', 'sub') + '/' });
    expect(r.changed, r.msg).to.equal(true);
    expect(readFileSync(join(dir, 'new', 'sub', 'src.txt'), 'utf8')).to.equal('hello\n');
    const again = await runModule('copy', { src: join(dir, 'src.txt'), dest: join(dir, 'new', 'sub') + '/' });
    expect(again.changed).to.equal(false);
  });
});

describe('copy local_follow (directory from the controller to a real sshd test host)', function () {
  this.timeout(30_000);
  let conn!: SshConnection;
  firstHostPerSuite((c) => (conn = c));

  it('true (the default) copies what links point to; false recreates them as links, idempotently', async () => {
    const src = await tempDir('gx-copy-follow-');
    await mkdir(join(src, 'tree', 'sub'), { recursive: true });
    await writeFile(join(src, 'tree', 'real.txt'), 'real\n');
    await symlink('real.txt', join(src, 'tree', 'alias.txt'));
    await symlink('../real.txt', join(src, 'tree', 'sub', 'up.txt'));
    const dest = (await conn.run({ argv: ['mktemp', '-d'] })).stdout.trim();
    const kind = async (p: string) => (await conn.run({ argv: ['stat', '-c', '%F', p] })).stdout.trim();
    const snapshot = async () => (await conn.run({ shell: `cd ${dest} && find . -printf '%y %p %l\\n' | sort` })).stdout;

    await rhythm('copy', { src: `${src}/tree/`, dest: `${dest}/followed` }, { conn, snapshot });
    expect(await kind(`${dest}/followed/alias.txt`)).to.equal('regular file');
    expect((await conn.get(`${dest}/followed/sub/up.txt`))!.toString()).to.equal('real\n');

    const r = await rhythm('copy', { src: `${src}/tree/`, dest: `${dest}/links`, local_follow: false }, { conn, snapshot });
    expect(await kind(`${dest}/links/alias.txt`)).to.equal('symbolic link');
    expect((await conn.run({ argv: ['readlink', `${dest}/links/sub/up.txt`] })).stdout.trim()).to.equal('../real.txt');
    expect((await conn.get(`${dest}/links/sub/up.txt`))!.toString()).to.equal('real\n');
    expect(r.apply.data.changed_files).to.have.members([`${dest}/links/real.txt`, `${dest}/links/alias.txt`, `${dest}/links/sub/up.txt`]);
  });
});
