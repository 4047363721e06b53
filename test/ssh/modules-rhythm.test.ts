// The core file modules' rhythm (check → apply → apply again unchanged → check unchanged) over a
// real SSH connection (test/services/sshd-hosts.sh), as the login user and through become.
import { expect } from 'chai';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { shellQuote, type Connection } from '../../engine/connect/connection.js';
import { SshConnection } from '../../engine/connect/ssh/connection.js';
import { resolveSshParams } from '../../engine/connect/ssh/params.js';
import { taskConnection } from '../../engine/connect/task-connection.js';
import { rhythm, runModule, tempDir } from '../modules/harness.js';
import { hostVars, sshEnv } from './hosts.js';

describe('core modules over SSH (real sshd)', function () {
  this.timeout(30_000);
  let ssh: SshConnection;
  let root: Connection;
  const base = `/tmp/gx-rhythm-${process.pid}`;
  // /etc is the machine's own, shared by every host: a name of this run only
  const etc = `/etc/gx-rhythm-${process.pid}.conf`;

  /** what a path is on the host: type, mode, owner, group and content (or its absence) */
  const describePath = async (path: string, conn: Connection = root): Promise<string> => {
    const q = shellQuote(path);
    const r = await conn.run({ shell: `if [ -e ${q} ] || [ -L ${q} ]; then stat -c '%F %a %U %G' ${q}; readlink ${q}; [ -f ${q} ] && cat ${q}; else echo absent; fi; true` });
    return r.stdout;
  };

  before(async () => {
    ssh = new SshConnection(resolveSshParams('rhythm', hostVars(sshEnv.hosts[2]!)));
    await ssh.connect();
    root = taskConnection(ssh, undefined, { user: 'root' });
    await ssh.run({ shell: `rm -rf ${base}; mkdir -p ${base}` });
  });
  after(async () => {
    await root.run({ argv: ['rm', '-rf', base, etc] });
    await ssh.close();
  });

  it('file: directory with mode, link and absent', async () => {
    const d = `${base}/dir/sub`;
    await rhythm('file', { path: d, state: 'directory', mode: '0750' }, { conn: ssh, snapshot: () => describePath(d) });
    expect(await describePath(d)).to.match(/^directory 750 gxtest gxtest/);
    const l = `${base}/link`;
    await rhythm('file', { src: 'dir/sub', dest: l, state: 'link' }, { conn: ssh, snapshot: () => describePath(l) });
    expect(await describePath(l)).to.contain('dir/sub');
    await rhythm('file', { path: `${base}/dir`, state: 'absent' }, { conn: ssh, snapshot: () => describePath(`${base}/dir`) });
  });

  it('copy: content with a mode, and a root-owned file through become', async () => {
    const f = `${base}/app.conf`;
    await rhythm('copy', { content: 'a = 1\n', dest: f, mode: '0640' }, { conn: ssh, snapshot: () => describePath(f) });
    expect(await describePath(f)).to.equal('regular file 640 gxtest gxtest\na = 1\n');
    await rhythm('copy', { content: 'secret\n', dest: etc, mode: '0600', owner: 'root', group: 'root' }, { conn: root, snapshot: () => describePath(etc) });
    expect(await describePath(etc)).to.equal('regular file 600 root root\nsecret\n');
  });

  it('lineinfile and blockinfile', async () => {
    const f = `${base}/lines.conf`;
    await ssh.put(f, 'a=1\nb=2\n');
    await rhythm('lineinfile', { path: f, regexp: '^b=', line: 'b=3' }, { conn: ssh, snapshot: () => describePath(f) });
    await rhythm('blockinfile', { path: f, block: 'x=1\ny=2' }, { conn: ssh, snapshot: () => describePath(f) });
    const text = await describePath(f);
    expect(text).to.contain('a=1\nb=3\n');
    expect(text).to.match(/BEGIN[^\n]*\nx=1\ny=2\n[^\n]*END/);
  });

  it('template: rendered on the controller, written on the host', async () => {
    const pb = await tempDir();
    await mkdir(join(pb, 'templates'));
    await writeFile(join(pb, 'templates', 'app.hbs'), 'port={{ port }}\n');
    const f = `${base}/templated.conf`;
    await rhythm('template', { src: 'app.hbs', dest: f }, { conn: ssh, playbookDir: pb, vars: { port: 8080 }, snapshot: () => describePath(f) });
    expect(await describePath(f)).to.contain('port=8080\n');
  });

  it('command with creates runs once', async () => {
    const marker = `${base}/ran`;
    const first = await runModule('command', { cmd: `touch ${marker}`, creates: marker }, { conn: ssh });
    expect(first).to.include({ changed: true, failed: false });
    const again = await runModule('command', { cmd: `touch ${marker}`, creates: marker }, { conn: ssh });
    expect(again.changed).to.equal(false);
  });
});
