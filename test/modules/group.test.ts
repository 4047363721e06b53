// group against command doubles of getent, groupadd, groupmod and groupdel (test/doubles).
import { expect } from 'chai';
import group from '../../modules/group.js';
import { makeDoubles, type Doubles } from '../doubles/doubles.js';
import { rhythm, runModule } from './harness.js';

const WRITES = new Set(['groupadd', 'groupmod', 'groupdel']);
const writes = (calls: string[][]) => calls.filter((c) => WRITES.has(c[0]!));

describe('group (command double)', () => {
  let d: Doubles;
  const db = () => d.read('group');
  beforeEach(async () => {
    d = await makeDoubles();
    await d.set('passwd', 'deploy:x:1000:1000::/home/deploy:/bin/sh\n');
    await d.set('group', 'root:x:0:\ndeploy:x:1000:\n');
  });

  it('creates a group with a gid, exactly once', async () => {
    const r = await rhythm(group, { name: 'media', gid: 2001 }, { conn: d.conn, snapshot: db });
    expect(writes(await d.calls())).to.deep.equal([['groupadd', '-g', '2001', 'media']]);
    expect(r.apply.data.gid).to.equal(2001);
    expect(await db()).to.equal('root:x:0:\ndeploy:x:1000:\nmedia:x:2001:\n');
  });

  it('a system group takes its gid from the system range', async () => {
    const r = await rhythm(group, { name: 'gxapi', system: true }, { conn: d.conn, snapshot: db });
    expect(writes(await d.calls())).to.deep.equal([['groupadd', '-r', 'gxapi']]);
    expect(r.apply.data.gid).to.equal(999);
  });

  it('changes a gid with groupmod', async () => {
    await rhythm(group, { name: 'deploy', gid: 1500 }, { conn: d.conn, snapshot: db });
    expect(writes(await d.calls())).to.deep.equal([['groupmod', '-g', '1500', 'deploy']]);
  });

  it('removes a group; the primary group of a user cannot go', async () => {
    await d.set('group', 'root:x:0:\ndeploy:x:1000:\nold:x:3000:\n');
    await rhythm(group, { name: 'old', state: 'absent' }, { conn: d.conn, snapshot: db });
    expect(writes(await d.calls())).to.deep.equal([['groupdel', 'old']]);
    const out = await runModule(group, { name: 'deploy', state: 'absent' }, { conn: d.conn });
    expect(out.failed).to.equal(true);
    expect(out.msg).to.equal("groupdel deploy exited 8: groupdel: cannot remove the primary group of user 'deploy'");
  });

  it('a gid already taken: groupadd’s error fails the task', async () => {
    const out = await runModule(group, { name: 'media', gid: 1000 }, { conn: d.conn });
    expect(out.failed).to.equal(true);
    expect(out.msg).to.equal("groupadd -g 1000 media exited 4: groupadd: GID '1000' already exists");
  });
});
