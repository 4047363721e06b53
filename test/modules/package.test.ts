// package against the apt command doubles (test/doubles/bin): a test must not install packages.
import { expect } from 'chai';
import { makeDoubles, type Doubles } from '../doubles/doubles.js';
import { rhythm, runModule } from './harness.js';
import { play } from '../run/play-helper.js';

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

  it("other arguments go to apt, as Ansible's package hands them to the backend: apt's own are used, others fail the task when it runs", async () => {
    const r = await runModule('package', { name: 'jq', enablerepo: 'epel' }, { conn: d.conn, vars: { ansible_pkg_mgr: 'apt' } });
    expect(r.failed).to.equal(true);
    expect(r.msg).to.match(/^Unsupported parameters for \(apt\) module: enablerepo\. Supported parameters include: .*update_cache/);
    expect(await d.calls()).to.deep.equal([]);
    const installed = await runModule('package', { name: 'jq', install_recommends: 'no' }, { conn: d.conn, vars: { ansible_pkg_mgr: 'apt' } });
    expect(installed).to.include({ changed: true, failed: false });
    expect((await d.calls()).some((c) => c[0] === 'apt-get' && c.includes('--no-install-recommends'))).to.equal(true);
  });

  it('an argument apt does not know loads: the task may never run on an apt host (its when)', async () => {
    const r = await play({
      'site.yaml': `
- hosts: localhost
  gather_facts: false
  tasks:
    - name: yum only
      package: { name: git, enablerepo: "{{ repo | default(omit, true) }}" }
      when: ansible_os_family == 'RedHat'
      vars: { ansible_os_family: Debian }
`,
    });
    expect(r.code, r.text).to.equal(0);
    expect(r.results('yum only')[0].status).to.equal('skipped');
  });
});
