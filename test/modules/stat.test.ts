import { expect } from 'chai';
import { createHash } from 'node:crypto';
import type { SshConnection } from '../../engine/connect/ssh/connection.js';
import { taskConnection } from '../../engine/connect/task-connection.js';
import { firstHostPerSuite, sshEnv } from '../ssh/hosts.js';
import { runModule } from './harness.js';

const digest = (algo: string, s: string) => createHash(algo).update(s).digest('hex');

describe('stat module (real sshd test host)', function () {
  this.timeout(30_000);
  let conn!: SshConnection;
  firstHostPerSuite((c) => (conn = c));
  let dir!: string;
  beforeEach(async () => {
    dir = (await conn.run({ argv: ['mktemp', '-d', '/var/tmp/gx-stat-XXXXXX'] })).stdout.trim();
  });
  afterEach(async () => {
    await conn.run({ argv: ['rm', '-rf', dir] });
  });

  it("describes a regular file with Ansible's keys, SHA-1 by default, and never changes anything", async () => {
    const f = `${dir}/f.txt`;
    await conn.put(f, 'hello\n', { mode: 0o4754 & 0o777 });
    await conn.run({ argv: ['chmod', '0640', f] });
    const stamp = await conn.run({ shell: `touch -a -d @1700000000.5 ${f}; touch -m -d @1700000100.25 ${f}; stat -c '%i %d %h %Z' ${f}` });
    const [inode, dev, nlink, ctime] = stamp.stdout.trim().split(' ').map(Number);
    // first, without reading the content (a read moves atime under relatime)
    const times = (await runModule('stat', { path: f, get_checksum: false, get_mime: false }, { conn })).data.stat as Record<string, unknown>;
    expect(times).to.include({ atime: 1700000000.5, mtime: 1700000100.25 });
    expect(Math.floor(times.ctime as number)).to.equal(ctime);
    for (const check of [false, true]) {
      const r = await runModule('stat', { path: f }, { conn, check });
      expect(r).to.include({ changed: false, failed: false, skipped: false });
      const st = r.data.stat as Record<string, unknown>;
      expect(st).to.deep.include({
        exists: true, path: f, isreg: true, isdir: false, islnk: false, ischr: false, isblk: false, isfifo: false, issock: false,
        mode: '0640', size: 6, pw_name: sshEnv.user, inode, dev, nlink,
        mtime: 1700000100.25,
        rusr: true, wusr: true, xusr: false, rgrp: true, wgrp: false, xgrp: false, roth: false, woth: false, xoth: false, isuid: false, isgid: false,
        readable: true, writeable: true, executable: false,
        checksum: digest('sha1', 'hello\n'),
        mimetype: 'text/plain', charset: 'us-ascii',
      });
      expect(st.gr_name).to.be.a('string');
      expect(st.attributes).to.be.an('array');
    }
    const sha256 = (await runModule('stat', { path: f, checksum_algorithm: 'sha256' }, { conn })).data.stat as Record<string, unknown>;
    expect(sha256.checksum).to.equal(digest('sha256', 'hello\n'));
    const bare = (await runModule('stat', { path: f, get_checksum: false, get_mime: false, get_attributes: false }, { conn })).data.stat as Record<string, unknown>;
    expect(bare).to.not.have.any.keys('checksum', 'mimetype', 'charset', 'attributes');
  });

  it('readable/writeable/executable are for the user the task runs as; a root-only file has no checksum for others', async () => {
    const root = taskConnection(conn, undefined, { user: 'root' });
    const f = `${dir}/secret`;
    await root.put(f, 'x', { mode: 0o600 });
    const mine = (await runModule('stat', { path: f }, { conn })).data.stat as Record<string, unknown>;
    expect(mine).to.include({ readable: false, writeable: false, pw_name: 'root' });
    expect(mine).to.not.have.property('checksum');
    const asRoot = (await runModule('stat', { path: f }, { conn: root })).data.stat as Record<string, unknown>;
    expect(asRoot).to.include({ readable: true, writeable: true, checksum: digest('sha1', 'x') });
  });

  it('reports a missing path as exists: false', async () => {
    const r = await runModule('stat', { path: `${dir}/none` }, { conn });
    expect(r.data.stat).to.deep.equal({ exists: false });
  });

  it('describes a link itself (lnk_source, lnk_target, no checksum) unless follow is set; setuid, directories, devices', async () => {
    await conn.run({ shell: `mkdir ${dir}/d && ln -s d ${dir}/l && ln -s ${dir}/f ${dir}/lf && echo hi > ${dir}/f && chmod 4755 ${dir}/f` });
    const own = (await runModule('stat', { path: `${dir}/l` }, { conn })).data.stat as Record<string, unknown>;
    expect(own).to.include({ islnk: true, isdir: false, lnk_target: 'd', lnk_source: `${dir}/d` });
    const followed = (await runModule('stat', { path: `${dir}/l`, follow: true }, { conn })).data.stat as Record<string, unknown>;
    expect(followed).to.include({ isdir: true, islnk: false });
    expect(followed).to.not.have.property('lnk_target');
    const linkToFile = (await runModule('stat', { path: `${dir}/lf` }, { conn })).data.stat as Record<string, unknown>;
    expect(linkToFile).to.not.have.property('checksum');
    expect(((await runModule('stat', { path: `${dir}/lf`, follow: true }, { conn })).data.stat as Record<string, unknown>).checksum).to.equal(digest('sha1', 'hi\n'));
    expect((await runModule('stat', { path: `${dir}/f` }, { conn })).data.stat).to.include({ isuid: true, xusr: true, mode: '4755', executable: true });
    const nul = (await runModule('stat', { path: '/dev/null' }, { conn })).data.stat as Record<string, unknown>;
    expect(nul).to.include({ ischr: true, device_type: 259, mimetype: 'inode/chardevice' });
  });
});
