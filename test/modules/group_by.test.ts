import { expect } from 'chai';
import { runModule } from './harness.js';
import { sshPlay } from './ssh-play.js';

describe('group_by', function () {
  this.timeout(60_000);

  it('plans the host into the group (spaces become dashes), parents default to all; the module itself says unchanged (the runner decides)', async () => {
    const r = await runModule('group_by', { key: 'tier web' }, { host: 'h1' });
    expect(r).to.include({ changed: false, failed: false });
    expect(r.data).to.deep.include({ add_group: 'tier-web', parent_groups: ['all'] });
    expect(r.addHosts).to.deep.equal([{ name: 'h1', groups: ['tier-web'], vars: {}, parents: ['all'] }]);
  });

  it('on the real sshd test hosts: a later play targets the groups made from host variables, and their parent', async () => {
    const r = await sshPlay(
      {
        'site.yaml': `- hosts: all
  gather_facts: false
  tasks:
    - name: by parity
      group_by:
        key: "kind_{{ kind }}"
        parents: [kinds]
- hosts: kind_odd
  gather_facts: false
  tasks:
    - name: odd ones
      command: hostname
- hosts: kinds
  gather_facts: false
  tasks:
    - name: all kinds
      debug:
        var: group_names
`,
        'host_vars/h1.yaml': 'kind: odd\n',
        'host_vars/h2.yaml': 'kind: even\n',
        'host_vars/h3.yaml': 'kind: odd\n',
      },
      3,
    );
    expect(r.code, r.text).to.equal(0);
    expect(r.results('by parity').map((x) => [x.host, x.status, x.data?.add_group])).to.deep.equal([
      ['h1', 'changed', 'kind_odd'],
      ['h2', 'changed', 'kind_even'],
      ['h3', 'changed', 'kind_odd'],
    ]);
    expect(r.results('odd ones').map((x) => x.host).sort()).to.deep.equal(['h1', 'h3']);
    expect(r.results('all kinds').map((x) => [x.host, x.data?.group_names]).sort()).to.deep.equal([
      ['h1', ['kind_odd', 'kinds']],
      ['h2', ['kind_even', 'kinds']],
      ['h3', ['kind_odd', 'kinds']],
    ]);
  });
});
