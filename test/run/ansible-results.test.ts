// Result keys and changed/failed states that Ansible 2.14's own integration targets assert on
// (ansible/ansible test/integration/targets at v2.14.17), each checked against ansible-playbook 2.14.18.
import { expect } from 'chai';
import { play } from './play-helper.js';

describe('run: results as Ansible 2.14 gives them', () => {
  it('add_host and group_by are changed only when the inventory changes (targets changed_when, group_by)', async () => {
    const r = await play({
      'site.yaml': `
- hosts: localhost
  gather_facts: false
  tasks:
    - { name: gb1, group_by: { key: g1 } }
    - { name: gb2, group_by: { key: g1 } }
    - { name: gb3, group_by: { key: g1, parents: [p1] } }
    - { name: gb4, group_by: { key: g1 }, changed_when: false }
    - { name: ah1, add_host: { name: h9, groups: [x] } }
    - { name: ah2, add_host: { name: h9, groups: [x] } }
    - { name: ah3, add_host: { name: h9, groups: [x], foo: 1 } }
    - { name: ah4, add_host: { name: h9, groups: [y] } }
    - name: ah5
      add_host: { name: "host_{{ item }}" }
      loop: [1, 2]
      changed_when: item == 2
`,
    });
    expect(r.code, r.text).to.equal(0);
    const st = (n: string) => r.results(n).map((x) => x.status);
    expect(['gb1', 'gb2', 'gb3', 'gb4', 'ah1', 'ah2', 'ah3', 'ah4'].map((n) => st(n)[0])).to.deep.equal([
      'changed', 'ok', 'changed', 'ok', 'changed', 'ok', 'changed', 'changed',
    ]);
    expect(r.results('ah5')[0].data?.results).to.satisfy((xs: { changed: boolean }[]) => !xs[0].changed && xs[1].changed);
  });

  it('a changed_when/failed_when that cannot be evaluated fails the task and keeps the module result (targets changed_when, failed_when)', async () => {
    const r = await play({
      'site.yaml': `
- hosts: localhost
  gather_facts: false
  tasks:
    - command: echo foo
      changed_when: boomboomboom
      register: cw
      ignore_errors: true
    - command: echo foo
      failed_when: boomboomboom
      register: fw
      ignore_errors: true
    - name: check
      assert:
        that:
          - cw is failed
          - cw.stdout == 'foo'
          - cw.changed_when_result is contains('boomboomboom')
          - fw is failed
          - fw.stdout is defined
          - fw.failed_when_result is contains('boomboomboom')
`,
    });
    expect(r.code, r.text).to.equal(0);
    expect(r.results('check')[0].status, r.text).to.equal('ok');
  });

  it("command expands $NAME from the environment the program gets: ansible_env.PATH is the commands' PATH, a task's environment counts (target environment)", async () => {
    const r = await play({
      'site.yaml': `
- hosts: localhost
  gather_facts: true
  tasks:
    - command: echo $PATH
      register: target_path
    - command: echo $FOO
      environment: { FOO: bar }
      register: foo
    - name: check
      assert:
        that:
          - target_path.stdout == ansible_env.PATH
          - foo.stdout == 'bar'
`,
    });
    expect(r.code, r.text).to.equal(0);
    expect(r.results('check')[0].status, r.text).to.equal('ok');
  });

  it("facts are gathered with the play's environment; a variable needing ansible_env before facts exist is left out there (target environment)", async () => {
    const r = await play({
      'site.yaml': `
- hosts: localhost
  gather_facts: false
  tasks:
    - command: echo $PATH
      register: target_path
- hosts: localhost
  gather_facts: true
  environment:
    PATH: '{{ ansible_env.PATH + ":/lola" }}'
    lola: ido
  tasks:
    - command: echo $PATH
      register: later_path
    - name: check
      assert:
        that:
          - target_path.stdout == ansible_env.PATH
          - "'/lola' not in ansible_env.PATH"
          - ansible_env.lola == 'ido'
          - later_path.stdout == ansible_env.PATH + ':/lola'
`,
    });
    expect(r.code, r.text).to.equal(0);
    expect(r.results('check')[0].status, r.text).to.equal('ok');
  });

  it('add_host takes its arguments as one templated dictionary; a host in no group has group_names [ungrouped] (target add_host 36045)', async () => {
    const r = await play({
      'site.yaml': `
- hosts: localhost
  gather_facts: false
  tasks:
    - set_fact:
        inventory_data:
          ansible_host: 127.0.0.3
          ansible_port: "2222"
          hostname: newdynamichost2
    - name: Add host from dict 36045
      add_host: "{{ inventory_data }}"
    - name: show
      debug:
        msg: "{{ [hostvars['newdynamichost2'].group_names, hostvars['newdynamichost2'].ansible_port] }}"
    - add_host: { name: nh, groups: newdynamicgroup }
    - group_by: { key: gb1 }
    - name: groups now
      debug:
        msg: "{{ [groups['newdynamicgroup'], groups['gb1']] }}"
`,
    });
    expect(r.code, r.text).to.equal(0);
    expect(r.results('show')[0].data?.msg).to.deep.equal([['ungrouped'], '2222']);
    // the play's `groups` follows add_host and group_by at once, as Ansible's (target add_host)
    expect(r.results('groups now')[0].data?.msg).to.deep.equal([['nh'], ['localhost']]);
  });

  it('a delegated task sees ansible_delegated_vars: the delegate\'s variables under its name, inventory_hostname the task\'s host; handlers of a delegated import_role too (target include_import/import_role)', async () => {
    const r = await play({
      'inventory.yaml': 'all:\n  hosts:\n    testhost: { ansible_connection: local }\n    other: { ansible_connection: local, color: blue }\n',
      'site.yaml': `
- hosts: testhost
  gather_facts: false
  tasks:
    - name: delegated
      debug:
        msg: "{{ [ansible_delegated_vars.keys() | list, ansible_delegated_vars.other.inventory_hostname, ansible_delegated_vars.other.color] }}"
      delegate_to: other
    - name: not delegated
      debug:
        msg: "{{ ansible_delegated_vars is defined }}"
    - import_role: { name: dh }
      delegate_to: other
`,
      'roles/dh/tasks/main.yml': '- { command: "true", notify: [delegated assert handler] }\n',
      'roles/dh/handlers/main.yml': '- name: delegated assert handler\n  assert:\n    that:\n      - ansible_delegated_vars is defined\n',
    }, { inventory: [] });
    expect(r.code, r.text).to.equal(0);
    expect(r.results('delegated')[0].data?.msg).to.deep.equal([['other'], 'testhost', 'blue']);
    expect(r.results('not delegated')[0].data?.msg).to.equal(false);
    expect(r.results('dh : delegated assert handler')[0]?.status, r.text).to.equal('ok');
  });

  it('loop_control.index_var is seen by until, and each item result names it in ansible_index_var (target loop-until)', async () => {
    const r = await play({
      'site.yaml': `
- hosts: localhost
  gather_facts: false
  tasks:
    - name: count
      command: echo {{ idx }}
      register: r
      until: r.stdout | int == idx
      retries: 1
      delay: 0
      loop: [a, b]
      loop_control: { index_var: idx }
    - name: show
      debug:
        msg: "{{ r.results | map(attribute='ansible_index_var') | list }}"
`,
    });
    expect(r.code, r.text).to.equal(0);
    expect(r.results('show')[0].data?.msg).to.deep.equal(['idx', 'idx']);
  });

  it('debug var= of a variable whose value is undefined inside shows VARIABLE IS NOT DEFINED! (target var_templating/undefined)', async () => {
    const r = await play({
      'site.yaml': `
- hosts: localhost
  gather_facts: false
  tasks:
    - name: show
      debug: var=mytest
      vars:
        mytest: "{{ und }}"
`,
    });
    expect(r.code, r.text).to.equal(0);
    expect(r.results('show')[0].data?.mytest).to.equal('VARIABLE IS NOT DEFINED!');
  });

  it('with until, changed_when and failed_when see the registered attempts (target loop-until)', async () => {
    const r = await play({
      'site.yaml': `
- hosts: localhost
  gather_facts: false
  tasks:
    - name: retried
      command: "true"
      register: res
      until: res.attempts == 2
      retries: 3
      delay: 0
      changed_when: res.attempts > 1
      failed_when: res.attempts > 6
`,
    });
    expect(r.code, r.text).to.equal(0);
    expect(r.results('retried')[0]).to.deep.include({ status: 'changed' });
    expect(r.results('retried')[0].data?.attempts).to.equal(2);
  });

  it('until never met: failed, unless a failed_when says otherwise (Ansible reads failed_when_result first; target loop-until)', async () => {
    const r = await play({
      'site.yaml': `
- hosts: localhost
  gather_facts: false
  tasks:
    - name: judged
      command: "true"
      register: res
      until: 1 == 0
      retries: 2
      delay: 0
      failed_when: res.attempts > 6
    - name: plain
      command: "true"
      register: res2
      until: 1 == 0
      retries: 1
      delay: 0
      ignore_errors: true
`,
    });
    expect(r.code, r.text).to.equal(0);
    expect(r.results('judged')[0].status).to.equal('changed');
    expect(r.results('plain')[0].status).to.equal('failed');
  });

  it('set_fact of null defines the variable as None (target omit/75692: `{{ x or omit }}`)', async () => {
    const r = await play({
      'site.yaml': `
- hosts: localhost
  gather_facts: false
  tasks:
    - set_fact: { g: null }
    - name: show
      debug:
        msg: "{{ [g is defined, g is none, g or 'f'] }}"
`,
    });
    expect(r.code, r.text).to.equal(0);
    expect(r.results('show')[0].data?.msg).to.deep.equal([true, true, 'f']);
  });

  it('ansible.builtin.include_vars: templates in the file render when read, as with the short name (target include_vars)', async () => {
    const r = await play({
      'site.yaml': `
- hosts: localhost
  gather_facts: false
  tasks:
    - ansible.builtin.include_vars: svc.yml
    - name: show
      debug:
        msg: "{{ service_name_tmpl_fqcn }}"
`,
      'vars/svc.yml': "service_name_fqcn: my_custom_service\nservice_name_tmpl_fqcn: '{{ service_name_fqcn }}'\n",
    });
    expect(r.code, r.text).to.equal(0);
    expect(r.results('show')[0].data?.msg).to.equal('my_custom_service');
  });
});
