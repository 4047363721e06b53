// modprobe against command doubles of modprobe and lsmod: a test must not load kernel modules (and
// this machine has no kmod). Persistence writes the real /etc/modules-load.d file of a module name
// no kernel has, and removes it afterwards.
import { expect } from 'chai';
import { readFile, rm } from 'node:fs/promises';
import modprobe, { splitParams } from '../../modules/modprobe.js';
import { makeDoubles, type Doubles } from '../doubles/doubles.js';
import { rhythm, runModule } from './harness.js';

const NAME = 'gx_double_mod';
const LOAD_FILE = `/etc/modules-load.d/${NAME}.conf`;
const read = (p: string) => readFile(p, 'utf8').catch(() => null);

describe('modprobe (command double)', () => {
  let d: Doubles;
  beforeEach(async () => {
    d = await makeDoubles();
    await d.set(`modules/available/${NAME}`, '');
  });
  after(async () => {
    await rm(LOAD_FILE, { force: true });
  });

  it('loads a module with its params once; lsmod decides', async () => {
    await rhythm(modprobe, { name: NAME, params: 'numdummies=2 label="a b"' }, { conn: d.conn, snapshot: () => d.read(`modules/loaded/${NAME}`) });
    const calls = await d.calls();
    expect(calls.filter((c) => c[0] === 'modprobe')).to.deep.equal([['modprobe', NAME, 'numdummies=2', 'label=a b']]);
    expect(calls.filter((c) => c[0] === 'lsmod')).to.have.length(4);
  });

  it('state=absent unloads with modprobe -r; dashes and underscores are the same name', async () => {
    await d.set(`modules/loaded/${NAME}`, '');
    await rhythm(modprobe, { name: NAME.replace(/_/g, '-'), state: 'absent' }, { conn: d.conn, snapshot: () => d.read(`modules/loaded/${NAME}`) });
    expect((await d.calls()).filter((c) => c[0] === 'modprobe')).to.deep.equal([['modprobe', '-r', 'gx-double-mod']]);
  });

  it('persistent present writes modules-load.d/NAME.conf; absent removes it', async () => {
    await d.set(`modules/loaded/${NAME}`, '');
    const r = await rhythm(modprobe, { name: NAME, persistent: 'present' }, { conn: d.conn, snapshot: () => read(LOAD_FILE) });
    expect(r.check.msg).to.equal(`write ${LOAD_FILE}`);
    expect(await read(LOAD_FILE)).to.equal(`${NAME}\n`);
    await rhythm(modprobe, { name: NAME, persistent: 'absent' }, { conn: d.conn, snapshot: () => read(LOAD_FILE) });
    expect(await read(LOAD_FILE)).to.equal(null);
    expect((await d.calls()).filter((c) => c[0] === 'modprobe')).to.deep.equal([]);
  });

  it('a module the kernel does not have fails with modprobe’s message', async () => {
    const out = await runModule(modprobe, { name: 'gx_missing_mod' }, { conn: d.conn });
    expect(out.failed).to.equal(true);
    expect(out.msg).to.equal('modprobe gx_missing_mod exited 1: modprobe: FATAL: Module gx_missing_mod not found in directory /lib/modules/6.8.0-gx-double');
  });

  it('modprobe -r of a module in use fails the task', async () => {
    await d.set(`modules/loaded/${NAME}`, '');
    await d.fail('modprobe', 'r', `modprobe: FATAL: Module ${NAME} is in use.`, 1);
    const out = await runModule(modprobe, { name: NAME, state: 'absent' }, { conn: d.conn });
    expect(out.failed).to.equal(true);
    expect(out.msg).to.contain('is in use');
  });

  it('params split like a shell would, without a shell', () => {
    expect(splitParams(`a=1  b="x y" c='$(z)'`)).to.deep.equal(['a=1', 'b=x y', 'c=$(z)']);
  });
});
