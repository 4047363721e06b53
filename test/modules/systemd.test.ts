// systemd against a command double of systemctl (test/doubles/bin/systemctl): this machine has no
// systemd as PID 1, and a test must not start real services anyway.
import { expect } from 'chai';
import { LocalConnection } from '../../engine/connect/local.js';
import systemd from '../../modules/systemd.js';
import { EnvConnection, makeDoubles, type Doubles } from '../doubles/doubles.js';
import { rhythm, runModule } from './harness.js';

const SHOW = ['systemctl', 'show', '--property=Id,LoadState,ActiveState,SubState,UnitFileState'];
const READS = new Set(['show', 'is-enabled', 'is-active']);
const actions = (calls: string[][]) => calls.filter((c) => !READS.has(c[1]!));

describe('systemd (command double)', () => {
  let d: Doubles;
  const unit = () => Promise.all(['active', 'enabled', 'masked'].map((f) => d.read(`systemd/nginx.service/${f}`)));
  beforeEach(async () => {
    d = await makeDoubles();
    await d.set('systemd/nginx.service/active', 'inactive\n');
    await d.set('systemd/nginx.service/enabled', 'disabled\n');
  });

  it('started + enabled: exact commands once, then nothing', async () => {
    await rhythm(systemd, { name: 'nginx', state: 'started', enabled: true }, { conn: d.conn, snapshot: unit });
    expect(await d.calls()).to.deep.equal([
      [...SHOW, 'nginx'], ['systemctl', 'is-enabled', 'nginx'],
      [...SHOW, 'nginx'], ['systemctl', 'is-enabled', 'nginx'], ['systemctl', 'enable', 'nginx'], ['systemctl', 'start', 'nginx'],
      [...SHOW, 'nginx'], ['systemctl', 'is-enabled', 'nginx'],
      [...SHOW, 'nginx'], ['systemctl', 'is-enabled', 'nginx'],
    ]);
  });

  it('stopped + disabled from running and enabled', async () => {
    await d.set('systemd/nginx.service/active', 'active\n');
    await d.set('systemd/nginx.service/enabled', 'enabled\n');
    await rhythm(systemd, { name: 'nginx', state: 'stopped', enabled: false }, { conn: d.conn, snapshot: unit });
    expect(actions(await d.calls())).to.deep.equal([['systemctl', 'disable', 'nginx'], ['systemctl', 'stop', 'nginx']]);
  });

  it('restarted always acts; reloaded reloads a running unit and starts a stopped one', async () => {
    for (let i = 0; i < 2; i++) expect((await runModule(systemd, { name: 'nginx', state: 'restarted' }, { conn: d.conn })).changed).to.equal(true);
    await d.clearCalls();
    await runModule(systemd, { name: 'nginx', state: 'reloaded' }, { conn: d.conn });
    await d.set('systemd/nginx.service/active', 'inactive\n');
    await runModule(systemd, { name: 'nginx', state: 'reloaded' }, { conn: d.conn });
    expect(actions(await d.calls())).to.deep.equal([['systemctl', 'reload', 'nginx'], ['systemctl', 'start', 'nginx']]);
  });

  it('masked: mask once, then unmask', async () => {
    await rhythm(systemd, { name: 'nginx', masked: true }, { conn: d.conn, snapshot: unit });
    await rhythm(systemd, { name: 'nginx', masked: false }, { conn: d.conn, snapshot: unit });
    expect(actions(await d.calls())).to.deep.equal([['systemctl', 'mask', 'nginx'], ['systemctl', 'unmask', 'nginx']]);
  });

  it('daemon_reload runs before reading the unit, only outside check mode, and is not a change by itself', async () => {
    await d.set('systemd/nginx.service/active', 'active\n');
    const check = await runModule(systemd, { name: 'nginx', state: 'started', daemon_reload: true }, { conn: d.conn, check: true });
    const real = await runModule(systemd, { name: 'nginx', state: 'started', daemon_reload: true }, { conn: d.conn });
    const alone = await runModule(systemd, { daemon_reload: true }, { conn: d.conn });
    expect([check.changed, real.changed, alone.changed]).to.deep.equal([false, false, false]);
    expect(await d.calls()).to.deep.equal([[...SHOW, 'nginx'], ['systemctl', 'daemon-reload'], [...SHOW, 'nginx'], ['systemctl', 'daemon-reload']]);
  });

  it('a unit that does not exist fails, naming it', async () => {
    const out = await runModule(systemd, { name: 'nope', state: 'started' }, { conn: d.conn });
    expect(out.failed).to.equal(true);
    expect(out.msg).to.equal('Could not find the requested service nope: localhost has no such unit');
  });

  it('a static unit cannot be disabled; a masked one cannot be started', async () => {
    await d.set('systemd/nginx.service/enabled', 'static\n');
    expect((await runModule(systemd, { name: 'nginx', enabled: true }, { conn: d.conn })).changed).to.equal(false);
    expect((await runModule(systemd, { name: 'nginx', enabled: false }, { conn: d.conn })).msg).to.contain('is static');
    await d.set('systemd/nginx.service/masked', '');
    expect((await runModule(systemd, { name: 'nginx', state: 'started' }, { conn: d.conn })).msg).to.equal('nginx is masked: it cannot be started');
  });

  it('systemctl failing (no systemd as PID 1, or a unit that will not start) fails the task with its words', async () => {
    await d.fail('systemctl', 'start', 'Job for nginx.service failed because the control process exited with error code.', 1);
    const start = await runModule(systemd, { name: 'nginx', state: 'started' }, { conn: d.conn });
    expect(start.failed).to.equal(true);
    expect(start.msg).to.equal('systemctl start nginx exited 1: Job for nginx.service failed because the control process exited with error code.');
    await d.fail('systemctl', 'show', 'System has not been booted with systemd as init system (PID 1). Can\'t operate.', 1);
    const show = await runModule(systemd, { name: 'nginx', state: 'started' }, { conn: d.conn, check: true });
    expect(show.failed).to.equal(true);
    expect(show.msg).to.contain('System has not been booted with systemd');
  });

  it('systemctl missing on the host: a clear failure', async () => {
    const conn = new EnvConnection(new LocalConnection('localhost'), { PATH: '/nonexistent' });
    const out = await runModule(systemd, { name: 'nginx', state: 'started' }, { conn });
    expect(out.msg).to.equal('systemctl is not installed on localhost (install the systemd package)');
  });
});
