// user against command doubles of getent, id, useradd, usermod and userdel: a test must not add
// accounts to this machine. The doubles keep passwd/group files in their state directory.
import { expect } from 'chai';
import { LocalConnection } from '../../engine/connect/local.js';
import user from '../../modules/user.js';
import { EnvConnection, makeDoubles, type Doubles } from '../doubles/doubles.js';
import { rhythm, runModule } from './harness.js';

const WRITES = new Set(['useradd', 'usermod', 'userdel']);
const writes = (calls: string[][]) => calls.filter((c) => WRITES.has(c[0]!));

describe('user (command double)', () => {
  let d: Doubles;
  const db = async () => [await d.read('passwd'), await d.read('group')];
  beforeEach(async () => {
    d = await makeDoubles();
    await d.set('passwd', 'root:x:0:0:root:/root:/bin/bash\n');
    await d.set('group', 'root:x:0:\nsudo:x:27:\ndocker:x:998:\nadm:x:4:\n');
  });

  it('creates an account with exact useradd arguments, then leaves it alone', async () => {
    const r = await rhythm(user, { name: 'deploy', uid: 1500, shell: '/bin/bash', groups: ['docker', 'sudo'], comment: 'Deploy user' }, { conn: d.conn, snapshot: db });
    expect(writes(await d.calls())).to.deep.equal([['useradd', '-u', '1500', '-G', 'docker,sudo', '-s', '/bin/bash', '-c', 'Deploy user', '-m', 'deploy']]);
    expect(r.apply.data).to.include({ uid: 1500, group: 1500, home: '/home/deploy', shell: '/bin/bash' });
    expect(r.apply.data.groups).to.deep.equal(['sudo', 'docker']);
    expect(await d.read('passwd')).to.contain('deploy:x:1500:1500:Deploy user:/home/deploy:/bin/bash\n');
  });

  it('a system account without a home', async () => {
    await rhythm(user, { name: 'gxapi', system: true, create_home: false, shell: '/usr/sbin/nologin' }, { conn: d.conn, snapshot: db });
    expect(writes(await d.calls())).to.deep.equal([['useradd', '-s', '/usr/sbin/nologin', '-r', '-M', 'gxapi']]);
  });

  it("createhome is Ansible's other name for create_home (target template)", async () => {
    await rhythm(user, { name: 'gxapi', system: true, createhome: 'no', shell: '/usr/sbin/nologin' }, { conn: d.conn, snapshot: db });
    expect(writes(await d.calls())).to.deep.equal([['useradd', '-s', '/usr/sbin/nologin', '-r', '-M', 'gxapi']]);
  });

  it('changes only what differs, with usermod', async () => {
    await d.set('passwd', 'root:x:0:0:root:/root:/bin/bash\ndeploy:x:1000:1000::/home/deploy:/bin/sh\n');
    await d.set('group', 'root:x:0:\ndeploy:x:1000:\nsudo:x:27:deploy\ndocker:x:998:\n');
    await rhythm(user, { name: 'deploy', shell: '/bin/bash', groups: 'docker', append: true }, { conn: d.conn, snapshot: db });
    expect(writes(await d.calls())).to.deep.equal([['usermod', '-a', '-G', 'docker', '-s', '/bin/bash', 'deploy']]);
    expect(await d.read('group')).to.contain('sudo:x:27:deploy\ndocker:x:998:deploy\n');
  });

  it('groups without append replaces the supplementary groups; [] removes them all', async () => {
    await d.set('passwd', 'deploy:x:1000:1000::/home/deploy:/bin/sh\n');
    await d.set('group', 'deploy:x:1000:\nsudo:x:27:deploy\ndocker:x:998:\n');
    await rhythm(user, { name: 'deploy', groups: ['docker'] }, { conn: d.conn, snapshot: db });
    await rhythm(user, { name: 'deploy', groups: [] }, { conn: d.conn, snapshot: db });
    expect(writes(await d.calls())).to.deep.equal([
      ['usermod', '-G', 'docker', 'deploy'],
      ['usermod', '-G', '', 'deploy'],
    ]);
    expect(await d.read('group')).to.equal('deploy:x:1000:\nsudo:x:27:\ndocker:x:998:\n');
  });

  it('the primary group by name or gid is the same group; changing it uses -g', async () => {
    await d.set('passwd', 'deploy:x:1000:1000::/home/deploy:/bin/sh\n');
    await d.set('group', 'deploy:x:1000:\nadm:x:4:\n');
    expect((await runModule(user, { name: 'deploy', group: 'deploy' }, { conn: d.conn })).changed).to.equal(false);
    expect((await runModule(user, { name: 'deploy', group: '1000' }, { conn: d.conn })).changed).to.equal(false);
    await rhythm(user, { name: 'deploy', group: 'adm' }, { conn: d.conn, snapshot: db });
    expect(writes(await d.calls())).to.deep.equal([['usermod', '-g', 'adm', 'deploy']]);
  });

  it('state=absent removes the account (remove: true adds -r); a missing one is left alone', async () => {
    await d.set('passwd', 'deploy:x:1000:1000::/home/deploy:/bin/sh\n');
    await d.set('group', 'deploy:x:1000:\n');
    await rhythm(user, { name: 'deploy', state: 'absent', remove: true }, { conn: d.conn, snapshot: db });
    expect(writes(await d.calls())).to.deep.equal([['userdel', '-r', 'deploy']]);
    expect(await db()).to.deep.equal(['', '']);
  });

  it('a group that does not exist: useradd’s error fails the task', async () => {
    const out = await runModule(user, { name: 'deploy', groups: ['nope'] }, { conn: d.conn });
    expect(out.failed).to.equal(true);
    expect(out.msg).to.equal("useradd -G nope -m deploy exited 6: useradd: group 'nope' does not exist");
  });

  it('a name with shell characters is refused before anything runs', async () => {
    let threw = false;
    try {
      await runModule(user, { name: 'x;reboot' }, { conn: d.conn });
    } catch {
      threw = true;
    }
    expect(threw).to.equal(true);
    expect(await d.calls()).to.deep.equal([]);
  });

  it('getent missing on the host: a clear failure', async () => {
    const conn = new EnvConnection(new LocalConnection('localhost'), { PATH: '/nonexistent' });
    expect((await runModule(user, { name: 'deploy' }, { conn })).msg).to.equal('getent is not installed on localhost (install the libc-bin package)');
  });
});

describe('user force and password (command doubles with a shadow file)', () => {
  let d: Doubles;
  const HASH = '$6$salt$IxDD3jeSOb5eB1CX5LBsqZFVkJdido3OUILO5Ifz5iwMuTS4XMS130MTSuDDl3aCI6WouIL9AjRbLCelDCy.g.';
  const OTHER = '$6$other$0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcdefgh';
  const db = async () => [await d.read('passwd'), await d.read('shadow')];
  beforeEach(async () => {
    d = await makeDoubles();
    await d.set('passwd', 'root:x:0:0:root:/root:/bin/bash\n');
    await d.set('group', 'root:x:0:\n');
    await d.set('shadow', 'root:*:19000:0:99999:7:::\n');
  });

  it('a new account gets the crypted hash (useradd -p); the registered value never shows it', async () => {
    const r = await rhythm(user, { name: 'deploy', password: HASH }, { conn: d.conn, snapshot: db });
    expect(writes(await d.calls())).to.deep.equal([['useradd', '-p', HASH, '-m', 'deploy']]);
    expect(await d.read('shadow')).to.contain(`deploy:${HASH}:`);
    expect(r.apply.data.password).to.equal('NOT_LOGGING_PASSWORD');
    expect(JSON.stringify(r.apply.data)).to.not.contain(HASH);
  });

  it('update_password always changes a different hash (usermod -p), a lock (!) is not a difference; on_create leaves it', async () => {
    await d.set('passwd', 'root:x:0:0:root:/root:/bin/bash\ndeploy:x:1000:1000::/home/deploy:/bin/sh\n');
    await d.set('group', 'root:x:0:\ndeploy:x:1000:\n');
    await d.set('shadow', `deploy:!${HASH}:19000:0:99999:7:::\n`);
    expect((await runModule(user, { name: 'deploy', password: HASH }, { conn: d.conn })).changed).to.equal(false);
    expect((await runModule(user, { name: 'deploy', password: OTHER, update_password: 'on_create' }, { conn: d.conn })).changed).to.equal(false);
    await rhythm(user, { name: 'deploy', password: OTHER }, { conn: d.conn, snapshot: db });
    expect(writes(await d.calls())).to.deep.equal([['usermod', '-p', OTHER, 'deploy']]);
    expect(await d.read('shadow')).to.contain(`deploy:${OTHER}:`);
  });

  it('a clear-text password is set as given, with Ansible\'s warning', async () => {
    const r = await runModule(user, { name: 'deploy', password: 'secret' }, { conn: d.conn });
    expect(r.warnings).to.deep.equal(["The input password appears not to have been hashed. The 'password' argument must be encrypted for this module to work properly."]);
  });

  it('state=absent with force removes with userdel -f (and -r with remove)', async () => {
    await d.set('passwd', 'root:x:0:0:root:/root:/bin/bash\ndeploy:x:1000:1000::/home/deploy:/bin/sh\n');
    await d.set('group', 'root:x:0:\ndeploy:x:1000:\n');
    await rhythm(user, { name: 'deploy', state: 'absent', force: true, remove: true }, { conn: d.conn, snapshot: db });
    expect(writes(await d.calls())).to.deep.equal([['userdel', '-f', '-r', 'deploy']]);
  });
});
