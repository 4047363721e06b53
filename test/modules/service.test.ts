// service: with systemd as the service manager it is the systemd module (against the systemctl
// double: no test starts real units); otherwise init scripts, tested for real on an sshd test host
// with a throwaway /etc/init.d script installed as root and removed afterwards.
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import type { SshConnection } from '../../engine/connect/ssh/connection.js';
import { taskConnection } from '../../engine/connect/task-connection.js';
import type { Connection } from '../../engine/connect/connection.js';
import { makeDoubles, type Doubles } from '../doubles/doubles.js';
import { firstHostPerSuite } from '../ssh/hosts.js';
import { rhythm, runModule } from './harness.js';

describe('service with systemd (systemctl double)', () => {
  let d: Doubles;
  beforeEach(async () => {
    d = await makeDoubles();
    await d.set('systemd/nginx.service/active', 'inactive\n');
    await d.set('systemd/nginx.service/enabled', 'disabled\n');
  });

  it('ansible_service_mgr systemd: the systemd module does the work (start + enable), then nothing', async () => {
    const unit = () => Promise.all(['active', 'enabled'].map((f) => d.read(`systemd/nginx.service/${f}`)));
    await rhythm('service', { name: 'nginx', state: 'started', enabled: true }, { conn: d.conn, snapshot: unit, vars: { ansible_service_mgr: 'systemd' } });
    const acts = (await d.calls()).filter((c) => c[0] === 'systemctl' && ['start', 'enable'].includes(c[1]!));
    expect(acts).to.deep.equal([['systemctl', 'enable', 'nginx'], ['systemctl', 'start', 'nginx']]);
  });

  it('arguments mean nothing to systemd: ignored with the service action\'s warning', async () => {
    const r = await runModule('service', { name: 'nginx', state: 'started', arguments: '-x' }, { conn: d.conn, vars: { ansible_service_mgr: 'systemd' } });
    expect(r.failed, r.msg).to.equal(false);
    expect(r.warnings).to.deep.equal(['Ignoring "arguments" as it is not used in "systemd"']);
  });
});

describe('service with init scripts (real sshd test host, as root)', function () {
  this.timeout(60_000);
  let ssh!: SshConnection;
  let root!: Connection;
  const name = `gx-test-${randomBytes(4).toString('hex')}`;
  const pid = `/var/tmp/${name}.pid`;
  // defined before the connection's own after hook, so it runs while the connection is open
  after(async () => {
    await root?.run({ shell: `/etc/init.d/${name} stop; update-rc.d -f ${name} remove; rm -f /etc/init.d/${name} ${pid}.reloaded` });
  });
  firstHostPerSuite((c) => {
    ssh = c;
    root = taskConnection(ssh, undefined, { user: 'root' });
  });
  before(async () => {
    const script = `#!/bin/sh
### BEGIN INIT INFO
# Provides:          ${name}
# Required-Start:
# Required-Stop:
# Default-Start:     2 3 4 5
# Default-Stop:      0 1 6
# Short-Description: gx test service
### END INIT INFO
case "$1" in
  start) sleep 600 >/dev/null 2>&1 & echo $! > ${pid} ;;
  stop) [ -f ${pid} ] && kill "$(cat ${pid})"; rm -f ${pid} ;;
  restart) "$0" stop; "$0" start ;;
  reload) [ -f ${pid} ] && touch ${pid}.reloaded ;;
  status) [ -f ${pid} ] && kill -0 "$(cat ${pid})" 2>/dev/null ;;
  *) exit 3 ;;
esac
`;
    await root.put(`/etc/init.d/${name}`, script, { mode: 0o755 });
  });
  const running = async () => (await root.run({ argv: [`/etc/init.d/${name}`, 'status'] })).rc === 0;
  const enabled = async () => (await root.run({ shell: `ls /etc/rc2.d/S??${name}` })).rc === 0;
  const snapshot = async () => [await running(), await enabled()];

  it('started + enabled: check → start and enable → nothing → check', async () => {
    const r = await rhythm('service', { name, state: 'started', enabled: true }, { conn: root, snapshot, vars: { ansible_service_mgr: 'sysvinit' } });
    expect(r.apply.data).to.deep.include({ name, state: 'started', enabled: true });
    expect(await snapshot()).to.deep.equal([true, true]);
  });

  it('reloaded always acts; stopped + disabled stops and disables, read from the host when no fact is known', async () => {
    const re = await runModule('service', { name, state: 'reloaded' }, { conn: root });
    expect(re).to.include({ changed: true, failed: false });
    expect(await root.stat(`${pid}.reloaded`)).to.not.equal(null);
    await rhythm('service', { name, state: 'stopped', enabled: false }, { conn: root, snapshot });
    expect(await snapshot()).to.deep.equal([false, false]);
  });

  it('an unknown service fails with Ansible\'s message', async () => {
    const r = await runModule('service', { name: `${name}-none`, state: 'started' }, { conn: root, vars: { ansible_service_mgr: 'sysvinit' } });
    expect(r.failed).to.equal(true);
    expect(r.msg).to.equal(`Could not find the requested service ${name}-none: host`);
  });
});
