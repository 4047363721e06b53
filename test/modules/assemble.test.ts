import { expect } from 'chai';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SshConnection } from '../../engine/connect/ssh/connection.js';
import { taskConnection } from '../../engine/connect/task-connection.js';
import { escapeDecode } from '../../modules/assemble.js';
import { firstHostPerSuite } from '../ssh/hosts.js';
import { rhythm, runModule, tempDir } from './harness.js';

/** The fragments of Ansible's own integration target (test/integration/targets/assemble, v2.14.17), plus its unicode file. */
async function fragments(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const n of [1, 2, 3, 4, 5]) await writeFile(join(dir, `fragment${n}`), `this is fragment ${n}\n`);
  await writeFile(join(dir, 'ßΩ.txt'), 'π\n');
}

const read = (p: string) => readFile(p, 'utf8').catch(() => null);

describe('assemble', () => {
  it('joins the fragments in name order with the checksums Ansible\'s target expects: check → apply → again → check', async () => {
    const d = await tempDir('gx-assemble-');
    await fragments(join(d, 'src'));
    const dest = join(d, 'assembled1');
    const r = await rhythm('assemble', { src: join(d, 'src'), dest }, { snapshot: () => read(dest), diff: true });
    expect(r.apply.data).to.include({ state: 'file', checksum: '74152e9224f774191bc0bedf460d35de86ad90e6', msg: 'OK', dest });
    expect(r.again.data.checksum).to.equal('74152e9224f774191bc0bedf460d35de86ad90e6');
    expect(r.check.diff![0]!.after).to.equal(await read(dest));
    const rx = await runModule('assemble', { src: join(d, 'src'), dest: join(d, 'assembled3'), regexp: '^fragment[1-3]$' });
    expect(rx.data.checksum).to.equal('edfe2d7487ef8f5ebc0f1c4dc57ba7b70a7b8e2b');
    const delim = await runModule('assemble', { src: join(d, 'src'), dest: join(d, 'assembled5'), delimiter: '#--- delimiter ---#' });
    expect(delim.data.checksum).to.equal('d986cefb82e34e4cf14d33a3cda132ff45aa2980');
  });

  it('remote_src: false reads the fragments on the controller through files/ (the target\'s checksums)', async () => {
    const d = await tempDir('gx-assemble-');
    const role = join(d, 'role');
    await mkdir(join(role, 'files'), { recursive: true });
    for (const n of [1, 2, 3, 4, 5]) await writeFile(join(role, 'files', `fragment${n}`), `this is fragment ${n}\n`);
    const plain = await runModule('assemble', { src: './', dest: join(d, 'assembled7'), remote_src: false }, { roleDir: role });
    expect(plain.data.checksum).to.equal('048a1bd1951aa5ccc427eeb4ca19aee45e9c68b3');
    const delim = await runModule('assemble', { src: './', dest: join(d, 'assembled9'), remote_src: false, delimiter: '#--- delimiter ---#' }, { roleDir: role });
    expect(delim.data.checksum).to.equal('505359f48c65b3904127cf62b912991d4da7ed6d');
  });

  it('adds a newline after a fragment without one, decodes the delimiter, ignore_hidden', async () => {
    const d = await tempDir('gx-assemble-');
    const src = join(d, 'src');
    await mkdir(join(src, 'sub'), { recursive: true });
    await writeFile(join(src, 'a'), 'A');
    await writeFile(join(src, 'b'), 'B\n');
    await writeFile(join(src, '.h'), 'H\n');
    await runModule('assemble', { src, dest: join(d, 'out'), delimiter: '--\\t--\\n', ignore_hidden: true });
    expect(await read(join(d, 'out'))).to.equal('A\n--\t--\nB\n');
    await runModule('assemble', { src, dest: join(d, 'all') });
    expect(await read(join(d, 'all'))).to.equal('H\nA\nB\n');
    expect([...escapeDecode('\\x41\\101\\q')]).to.deep.equal([0x41, 0x41, 0x5c, 0x71]);
  });

  it('backup, mode, validate; a missing or non-directory src fails with Ansible\'s message', async () => {
    const d = await tempDir('gx-assemble-');
    await fragments(join(d, 'src'));
    const dest = join(d, 'conf');
    await writeFile(dest, 'old\n');
    const out = await runModule('assemble', { src: join(d, 'src'), dest, backup: true, mode: '0600' });
    expect(await read(out.data.backup_file as string)).to.equal('old\n');
    expect((await stat(dest)).mode & 0o777).to.equal(0o600);
    const bad = await runModule('assemble', { src: join(d, 'src'), dest: join(d, 'v'), validate: 'false %s' });
    expect(bad.failed).to.equal(true);
    expect(await read(join(d, 'v'))).to.equal(null);
    expect((await runModule('assemble', { src: join(d, 'none'), dest })).msg).to.equal(`Source (${join(d, 'none')}) does not exist`);
    expect((await runModule('assemble', { src: dest, dest: join(d, 'x') })).msg).to.equal(`Source (${dest}) is not a directory`);
  });
});

describe('assemble over SSH with become (real sshd test host)', function () {
  this.timeout(30_000);
  let conn!: SshConnection;
  firstHostPerSuite((c) => (conn = c));

  it('assembles fragments on the host into a root-owned file: check → apply → again → check', async () => {
    const root = taskConnection(conn, undefined, { user: 'root' });
    const dir = (await root.run({ argv: ['mktemp', '-d', '/var/tmp/gx-assemble-XXXXXX'] })).stdout.trim();
    try {
      await root.run({ shell: `mkdir ${dir}/d && printf 'b=2\\n' > ${dir}/d/20-b && printf 'a=1' > ${dir}/d/10-a` });
      const dest = `${dir}/app.conf`;
      const snapshot = async () => (await root.get(dest))?.toString('utf8') ?? null;
      const r = await rhythm('assemble', { src: `${dir}/d`, dest, mode: '0640' }, { conn: root, snapshot, diff: true });
      expect(await snapshot()).to.equal('a=1\nb=2\n');
      expect(r.check.diff![0]!.after).to.equal('a=1\nb=2\n');
      const st = await root.stat(dest);
      expect([st!.owner, st!.mode]).to.deep.equal(['root', 0o640]);
    } finally {
      await root.run({ argv: ['rm', '-rf', '--', dir] });
    }
  });
});
