import { expect } from 'chai';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sysctl, { editSysctlFile } from '../../modules/sysctl.js';
import { makeDoubles, type Doubles } from '../doubles/doubles.js';
import { rhythm, runModule, tempDir } from './harness.js';

const read = (p: string) => readFile(p, 'utf8').catch(() => null);
const tmpFile = async () => join(await tempDir('gx-sysctl-'), '99-gx.conf');

describe('sysctl (file only, reload false)', () => {
  it('writes name=value to a new sysctl file: check → apply → again → check', async () => {
    const f = await tmpFile();
    const r = await rhythm(sysctl, { name: 'net.ipv4.ip_forward', value: 1, sysctl_file: f, reload: false }, { snapshot: () => read(f), diff: true });
    expect(r.check.diff).to.deep.equal([{ label: f, before: '', after: 'net.ipv4.ip_forward=1\n' }]);
    expect(await read(f)).to.equal('net.ipv4.ip_forward=1\n');
  });

  it('replaces an existing setting in place, drops duplicates, keeps comments; spacing does not count', async () => {
    const f = await tmpFile();
    await writeFile(f, '# tuned\nnet.ipv4.ip_forward = 0\nvm.swappiness=10\nnet.ipv4.ip_forward=0\n');
    await rhythm(sysctl, { name: 'net.ipv4.ip_forward', value: '1', sysctl_file: f, reload: false }, { snapshot: () => read(f) });
    expect(await read(f)).to.equal('# tuned\nnet.ipv4.ip_forward=1\nvm.swappiness=10\n');
    await writeFile(f, 'net.ipv4.ip_local_port_range = 32768   60999\n');
    const same = await runModule(sysctl, { name: 'net.ipv4.ip_local_port_range', value: '32768 60999', sysctl_file: f, reload: false });
    expect(same.changed).to.equal(false);
  });

  it('state=absent removes the key; booleans become 1/0', async () => {
    const f = await tmpFile();
    await writeFile(f, 'a.b=1\nc.d=2\n');
    await rhythm(sysctl, { name: 'a.b', state: 'absent', sysctl_file: f, reload: false }, { snapshot: () => read(f) });
    expect(await read(f)).to.equal('c.d=2\n');
    expect(editSysctlFile('', 'x.y', 'on')).to.equal('x.y=on\n');
    await runModule(sysctl, { name: 'e.f', value: true, sysctl_file: f, reload: false });
    expect(await read(f)).to.equal('c.d=2\ne.f=1\n');
  });
});

describe('sysctl (command double): reload sets the running value', () => {
  let d: Doubles;
  beforeEach(async () => {
    d = await makeDoubles();
    await d.set('sysctl/net.ipv4.ip_forward', '0\n');
  });

  it('reads with sysctl -n and sets with sysctl -w only when the running value differs', async () => {
    const f = await tmpFile();
    await rhythm(sysctl, { name: 'net.ipv4.ip_forward', value: 1, sysctl_file: f }, { conn: d.conn, snapshot: async () => [await read(f), await d.read('sysctl/net.ipv4.ip_forward')] });
    expect(await d.calls()).to.deep.equal([
      ['sysctl', '-n', 'net.ipv4.ip_forward'], // check
      ['sysctl', '-n', 'net.ipv4.ip_forward'], // apply
      ['sysctl', '-w', 'net.ipv4.ip_forward=1'],
      ['sysctl', '-n', 'net.ipv4.ip_forward'], // again: no -w
      ['sysctl', '-n', 'net.ipv4.ip_forward'], // check again
    ]);
  });

  it('the file already right but the kernel not: only the running value changes', async () => {
    const f = await tmpFile();
    await writeFile(f, 'net.ipv4.ip_forward=1\n');
    const out = await runModule(sysctl, { name: 'net.ipv4.ip_forward', value: 1, sysctl_file: f }, { conn: d.conn });
    expect(out.changed).to.equal(true);
    expect(out.msg).to.equal('running value 0 -> 1');
    expect(out.data.live_value).to.equal('0');
  });

  it('reload false leaves the kernel alone, unless sysctl_set asks (Ansible’s name for it)', async () => {
    const f = await tmpFile();
    await runModule(sysctl, { name: 'net.ipv4.ip_forward', value: 1, sysctl_file: f, reload: false }, { conn: d.conn });
    expect(await d.calls()).to.deep.equal([]);
    await runModule(sysctl, { name: 'net.ipv4.ip_forward', value: 1, sysctl_file: f, reload: false, sysctl_set: true }, { conn: d.conn });
    expect(await d.calls()).to.deep.equal([['sysctl', '-n', 'net.ipv4.ip_forward'], ['sysctl', '-w', 'net.ipv4.ip_forward=1']]);
  });

  it('an unknown key fails and writes nothing', async () => {
    const f = await tmpFile();
    const out = await runModule(sysctl, { name: 'net.nope', value: 1, sysctl_file: f }, { conn: d.conn });
    expect(out.failed).to.equal(true);
    expect(out.msg).to.match(/net\.nope is not known to the running kernel: sysctl: cannot stat/);
    expect(await read(f)).to.equal(null);
  });

  it('sysctl -w exiting non-zero fails the task with its message', async () => {
    await d.fail('sysctl', 'w', 'sysctl: permission denied on key "net.ipv4.ip_forward"', 255);
    const out = await runModule(sysctl, { name: 'net.ipv4.ip_forward', value: 1, sysctl_file: await tmpFile() }, { conn: d.conn });
    expect(out.failed).to.equal(true);
    expect(out.changed).to.equal(false);
    expect(out.msg).to.equal('sysctl -w net.ipv4.ip_forward=1 exited 255: sysctl: permission denied on key "net.ipv4.ip_forward"');
  });
});
