// package against the apt command doubles (test/doubles/bin): a test must not install packages.
import { expect } from 'chai';
import { makeDoubles, type Doubles } from '../doubles/doubles.js';
import { rhythm, runModule } from './harness.js';

describe('package (apt command doubles)', () => {
  let d: Doubles;
  beforeEach(async () => {
    d = await makeDoubles();
    await d.set('apt/jq', '1.6-2');
    await d.set('dpkg/curl', 'install ok installed\t7.88.1-10\n');
  });

  it('on an apt host (the pkg_mgr read from the host when not gathered) it is apt: check → install → nothing → check', async () => {
    const r = await rhythm('package', { name: 'jq', state: 'installed' }, { conn: d.conn, snapshot: () => d.read('dpkg/jq') });
    expect(r.apply.data.installed).to.deep.equal(['jq']);
    expect((await d.calls()).some((c) => c[0] === 'apt-get' && c.includes('-y') && c.includes('install') && c.includes('jq'))).to.equal(true);
    const removed = await runModule('package', { name: ['jq'], state: 'removed' }, { conn: d.conn, vars: { ansible_pkg_mgr: 'apt' } });
    expect(removed).to.include({ changed: true, failed: false });
    expect(await d.read('dpkg/jq')).to.not.match(/install ok installed/);
  });

  it('another package manager is a clear error naming what to use', async () => {
    const r = await runModule('package', { name: 'jq' }, { conn: d.conn, vars: { ansible_pkg_mgr: 'dnf' } });
    expect(r.failed).to.equal(true);
    expect(r.msg).to.match(/package manager is 'dnf'.*only the apt module/);
    expect(await d.calls()).to.deep.equal([]);
  });
});
