// Language details Ansible's own integration targets rely on, run through a whole play: where a
// lookup in an include's name looks for files, null-valued variables, string literals in `when`,
// debug's var= of an undefined template.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { join } from 'node:path';
import { play } from './play-helper.js';

describe('run: Ansible language details from its integration targets', () => {
  it("include_tasks: \"{{ lookup('first_found', files) }}\" in a role finds a file beside the role's task file (setup_remote_tmp_dir)", async () => {
    const r = await play({
      'site.yaml': `
- hosts: localhost
  gather_facts: false
  roles: [rr]
`,
      'roles/rr/tasks/main.yml': `
- include_tasks: "{{ lookup('first_found', files) }}"
  vars:
    files:
      - "{{ 'Nope' | lower }}.yml"
      - default.yml
`,
      'roles/rr/tasks/default.yml': `
- name: included
  debug: msg=from-default
`,
    });
    expect(r.code, r.text).to.equal(0);
    expect(r.tasks()).to.include('rr : included');
    expect(r.results('rr : included').map((h) => h.status)).to.deep.equal(['ok']);
  });

  it('set_fact: {x: null} defines x as None (`x or default`, `x is defined`, `x is none`)', async () => {
    const r = await play({
      'site.yaml': `
- hosts: localhost
  gather_facts: false
  tasks:
    - set_fact: { g: null }
    - name: check
      assert:
        that:
          - (g or 'f') == 'f'
          - g is defined
          - g is none
`,
    });
    expect(r.code, r.text).to.equal(0);
    expect(r.results('check').map((h) => h.status)).to.deep.equal(['ok']);
  });

  it("when: \"'false'\" (a quoted string in the condition) is true, a variable holding \"false\" is false; set_fact makes true/false/yes/no booleans", async () => {
    const r = await play({
      'site.yaml': `
- hosts: localhost
  gather_facts: false
  vars: { myvar: "false" }
  tasks:
    - name: literal
      debug: msg=ran
      when: "'false'"
    - name: not literal
      debug: msg=ran
      when: "not 'no'"
    - name: variable
      debug: msg=ran
      when: myvar
    - set_fact: bt=False s2="yes" s3=off
    - name: facts
      assert:
        that: [bt is sameas false, s2 is sameas true, s3 == 'off']
`,
    });
    expect(r.code, r.text).to.equal(0);
    expect(['literal', 'not literal', 'variable', 'facts'].map((t) => r.results(t)[0]!.status)).to.deep.equal(['ok', 'skipped', 'skipped', 'ok']);
  });

  it('debug: var=mytest with mytest: "{{ und }}" shows VARIABLE IS NOT DEFINED! and does not fail', async () => {
    const r = await play({
      'site.yaml': `
- hosts: localhost
  gather_facts: false
  tasks:
    - name: show
      debug: var=mytest
      vars:
        mytest: "{{ und }}"
    - name: nested
      debug: var=m.x
      vars:
        m: { x: "{{ und }}" }
`,
    });
    expect(r.code, r.text).to.equal(0);
    expect(r.results('show')[0]!.data).to.deep.include({ mytest: 'VARIABLE IS NOT DEFINED!' });
    expect(r.results('nested')[0]!.data).to.deep.include({ 'm.x': 'VARIABLE IS NOT DEFINED!' });
  });

  it("a task sees ansible_host (the inventory name unless set), also through lookup('vars', ...)", async () => {
    const r = await play({
      'site.yaml': `
- hosts: localhost
  gather_facts: false
  tasks:
    - name: check
      assert:
        that:
          - lookup('vars', 'ansible_host') == 'localhost'
          - query('vars', 'ansible_host', 'ansible_connection') == ['localhost', ansible_connection]
`,
    });
    expect(r.code, r.text).to.equal(0);
    expect(r.results('check')[0]!.status).to.equal('ok');
  });

  it("a with_* lookup's error is the result's msg exactly, as Ansible's (a rescue compares ansible_failed_result.msg)", async () => {
    const r = await play({
      'site.yaml': `
- hosts: localhost
  gather_facts: false
  tasks:
    - block:
        - name: together
          debug: msg="{{ item }}"
          with_together: []
      rescue:
        - name: msg together
          assert: { that: ['ansible_failed_result.msg == "with_together requires at least one element in each list"'] }
    - block:
        - name: indexed
          debug: msg="{{ item }}"
          with_indexed_items: { a: 1 }
      rescue:
        - name: msg indexed
          assert: { that: ['ansible_failed_result.msg == "with_indexed_items expects a list"'] }
    - block:
        - name: sequence
          debug: msg="{{ item }}"
          with_sequence: start=A end=3
      rescue:
        - name: msg sequence
          assert: { that: ["ansible_failed_result.msg == \\"can't parse start=A as integer\\""] }
`,
    });
    expect(r.code, r.text).to.equal(0);
    expect(['msg together', 'msg indexed', 'msg sequence'].map((t) => r.results(t)[0]?.status)).to.deep.equal(['ok', 'ok', 'ok']);
  });

  it("a task failing on an undefined variable registers Ansible's words ('...with an undefined variable. The error was: ...')", async () => {
    const r = await play({
      'site.yaml': `
- hosts: localhost
  gather_facts: false
  tasks:
    - set_fact:
        names: '{{ things | map(attribute="name") }}'
      vars:
        things: [{ name: one }, { notname: two }]
      ignore_errors: true
      register: res
    - name: check
      assert:
        that: [res is failed, "res.msg is contains 'undefined variable'"]
`,
    });
    expect(r.code, r.text).to.equal(0);
    expect(r.results('check')[0]!.status).to.equal('ok');
  });

  it('loop_control.index_var is visible in until and changed_when (Ansible task vars hold it)', async () => {
    const r = await play({
      'site.yaml': `
- hosts: localhost
  gather_facts: false
  tasks:
    - name: loop
      command: echo {{ idx }}
      register: res
      until: res.stdout == idx | string
      changed_when: idx == 1
      retries: 1
      delay: 0
      loop: [a, b]
      loop_control: { index_var: idx }
    - name: check
      assert:
        that: ["res.results | map(attribute='changed') | list == [false, true]", "res.results[1].ansible_index_var == 'idx'"]
`,
    });
    expect(r.code, r.text).to.equal(0);
    expect(r.results('check')[0]!.status).to.equal('ok');
  });

  it('a template file sees template_host, template_path (src as written), template_fullpath, template_mtime, template_uid, template_run_date', async () => {
    const r = await play({
      'site.yaml': `
- hosts: localhost
  gather_facts: false
  tasks:
    - template: { src: foo.j2, dest: "{{ playbook_dir }}/out.txt" }
`,
      'templates/foo.j2': '{{ template_host }}|{{ template_path }}|{{ template_fullpath }}|{{ template_mtime }}|{{ template_uid }}|{{ template_run_date }}\n',
    });
    expect(r.code, r.text).to.equal(0);
    const [host, path, full, mtime, uid, run] = readFileSync(join(r.dir, 'out.txt'), 'utf8').trim().split('|');
    expect(host).to.equal(hostname());
    expect(path).to.equal('foo.j2');
    expect(full).to.equal(join(r.dir, 'templates', 'foo.j2'));
    expect(mtime).to.match(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{6})?$/);
    expect(uid).to.equal(userInfo().username);
    expect(run).to.match(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{6})?$/);
  });

  it('with until, the result has attempts when changed_when/failed_when read it', async () => {
    const r = await play({
      'site.yaml': `
- hosts: localhost
  gather_facts: false
  tasks:
    - name: retry
      command: echo hi
      register: res
      until: res.stdout == 'hi'
      changed_when: res.attempts == 1
      failed_when: res.attempts > 1
      retries: 2
      delay: 0
`,
    });
    expect(r.code, r.text).to.equal(0);
    expect(r.results('retry')[0]!.status).to.equal('changed');
  });

  it('until never met but failed_when false: the result is not failed (Ansible reads failed_when_result first)', async () => {
    const r = await play({
      'site.yaml': `
- hosts: localhost
  gather_facts: false
  tasks:
    - name: retry
      command: 'true'
      register: res
      until: 1 == 0
      retries: 2
      delay: 0
      failed_when: res.attempts > 6
`,
    });
    expect(r.code, r.text).to.equal(0);
    expect(r.results('retry')[0]!.status).to.equal('changed');
  });

  it('template: comment_start_string/comment_end_string and variable_start_string/variable_end_string', async () => {
    const r = await play({
      'site.yaml': `
- hosts: localhost
  gather_facts: false
  vars: { who: world }
  tasks:
    - template:
        src: custom.j2
        dest: "{{ playbook_dir }}/out.txt"
        comment_start_string: "[#"
        comment_end_string: "#]"
        variable_start_string: "[%"
        variable_end_string: "%]"
`,
      'templates/custom.j2': '[# gone #]Hello [% who %] {{ kept }} {# kept too #}\n',
    });
    expect(r.code, r.text).to.equal(0);
    expect(readFileSync(join(r.dir, 'out.txt'), 'utf8')).to.equal('Hello world {{ kept }} {# kept too #}\n');
  });

  it('ansible_parent_role_names/paths: set in a role that another role includes or imports, nearest first; unset elsewhere', async () => {
    const r = await play({
      'site.yaml': `
- hosts: localhost
  gather_facts: false
  roles: [outer]
`,
      'roles/outer/tasks/main.yml': `
- name: outer
  assert: { that: [ansible_parent_role_names is undefined] }
- include_role: { name: inner }
- import_role: { name: inner, tasks_from: again }
`,
      'roles/inner/tasks/main.yml': `
- name: inner
  assert: { that: ["ansible_parent_role_names == ['outer']", ansible_parent_role_paths | length == 1] }
- import_role: { name: inner, tasks_from: self }
`,
      'roles/inner/tasks/self.yml': `
- name: self
  assert: { that: ["ansible_parent_role_names == ['inner', 'outer']"] }
`,
      'roles/inner/tasks/again.yml': `
- name: again
  assert: { that: ["ansible_parent_role_names == ['outer']"] }
`,
    });
    expect(r.code, r.text).to.equal(0);
    expect(['outer : outer', 'inner : inner', 'inner : self', 'inner : again'].map((t) => r.results(t)[0]?.status)).to.deep.equal(['ok', 'ok', 'ok', 'ok']);
  });

  it("a role's dependency sees the params given to the roles that depend on it, its own winning (var_precedence)", async () => {
    const r = await play({
      'site.yaml': `
- hosts: localhost
  gather_facts: false
  roles:
    - { role: top, p: top, q: top }
`,
      'roles/top/meta/main.yml': 'dependencies:\n  - { role: mid, p: mid }\n',
      'roles/top/tasks/main.yml': '[]\n',
      'roles/mid/meta/main.yml': 'dependencies:\n  - leaf\n',
      'roles/mid/tasks/main.yml': '[]\n',
      'roles/leaf/tasks/main.yml': `
- name: leaf
  assert: { that: ["p == 'mid'", "q == 'top'"] }
`,
    });
    expect(r.code, r.text).to.equal(0);
    expect(r.results('leaf : leaf')[0]?.status).to.equal('ok');
  });

  it('ansible_search_path (the task file\'s directory) and ansible_loop.previtem/nextitem only where there is one', async () => {
    const r = await play({
      'site.yaml': `
- hosts: localhost
  gather_facts: false
  tasks:
    - name: path
      assert: { that: ["ansible_search_path == [playbook_dir]"] }
    - name: loop
      assert:
        that:
          - (ansible_loop.first and ansible_loop.previtem is undefined) or ansible_loop.previtem == 'a'
          - (ansible_loop.last and ansible_loop.nextitem is undefined) or ansible_loop.nextitem == 'b'
      loop: [a, b]
      loop_control: { extended: true }
`,
    });
    expect(r.code, r.text).to.equal(0);
    expect(r.results('path')[0]?.status).to.equal('ok');
  });
});
