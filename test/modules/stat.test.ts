import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { chmod, mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runModule, tempDir } from './harness.js';

describe('stat module', () => {
  it('describes a regular file, with a sha256 checksum, and never changes anything', async () => {
    const dir = await tempDir();
    const f = join(dir, 'f');
    await writeFile(f, 'hello');
    await chmod(f, 0o640);
    for (const check of [false, true]) {
      const r = await runModule('stat', { path: f }, { check });
      expect(r).to.include({ changed: false, failed: false, skipped: false });
      expect(r.data.stat).to.deep.include({ exists: true, isreg: true, isdir: false, islnk: false, mode: '0640', size: 5, uid: process.getuid!(), pw_name: 'root' });
      expect((r.data.stat as Record<string, unknown>).checksum).to.equal(createHash('sha256').update('hello').digest('hex'));
    }
  });

  it('reports a missing path as exists: false', async () => {
    const r = await runModule('stat', { path: join(await tempDir(), 'none') });
    expect(r.data.stat).to.deep.equal({ exists: false });
  });

  it('describes a link itself unless follow is set', async () => {
    const dir = await tempDir();
    await mkdir(join(dir, 'd'));
    await symlink('d', join(dir, 'l'));
    const own = (await runModule('stat', { path: join(dir, 'l') })).data.stat as Record<string, unknown>;
    expect(own).to.include({ islnk: true, lnk_target: 'd' });
    const followed = (await runModule('stat', { path: join(dir, 'l'), follow: true })).data.stat as Record<string, unknown>;
    expect(followed).to.include({ isdir: true, islnk: false });
  });
});
