// Ansible's everyday keywords, run end to end on localhost through the CLI path (issue 14): each
// playbook here is what an Ansible user writes, and ansible-playbook runs it the same way.
import { expect } from 'chai';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { play } from '../run/play-helper.js';

const local = (tasks: string, extra = ''): string => `- hosts: localhost\n  connection: local\n  gather_facts: false\n${extra}  tasks:\n${tasks}`;

describe('e2e: Ansible keywords', () => {
  it('key=value arguments holding templates: each value rendered on its own (a space in it splits nothing)', async () => {
    const r = await play({
      'site.yaml': local('    - file: path={{ playbook_dir }}/{{ name }} state=touch\n    - copy: dest="{{ playbook_dir }}/c.txt" content="{{ name }}"\n', '  vars: {name: "a b"}\n'),
    });
    expect(r.code, r.text).to.equal(0);
    expect(existsSync(join(r.dir, 'a b'))).to.equal(true);
    expect(readFileSync(join(r.dir, 'c.txt'), 'utf8')).to.equal('a b');
  });

  it('when: no / yes are booleans', async () => {
    const r = await play({ 'site.yaml': local('    - {name: never, debug: {msg: x}, when: no}\n    - {name: always, debug: {msg: x}, when: yes}\n    - {name: listed, debug: {msg: x}, when: [yes, no]}\n') });
    expect(r.code, r.text).to.equal(0);
    expect(r.results('never')[0]!.status).to.equal('skipped');
    expect(r.results('always')[0]!.status).to.equal('ok');
    expect(r.results('listed')[0]!.status).to.equal('skipped');
  });

  it('notify on a block and on an import reaches the handlers from every changed task inside', async () => {
    const r = await play({
      'site.yaml': local(
        '    - notify: from block\n      block:\n        - {name: b1, command: "true"}\n    - {import_tasks: more.yaml, notify: from import}\n',
        '  handlers:\n    - {name: from block, debug: {msg: b}}\n    - {name: from import, debug: {msg: i}}\n',
      ),
      'more.yaml': '- {name: m1, command: "true"}\n',
    });
    expect(r.code, r.text).to.equal(0);
    expect(r.tasks()).to.include.members(['from block', 'from import']);
  });

  it('handlers defined by include_tasks, import_tasks and in a block', async () => {
    const r = await play({
      'site.yaml': local(
        '    - {name: go, command: "true", notify: [restart all, h2, topic]}\n',
        '  handlers:\n    - {name: restart all, include_tasks: restart.yaml}\n    - import_tasks: h2.yaml\n    - {name: by topic, include_tasks: t.yaml, listen: topic}\n    - block: [{name: in block, debug: {msg: b}, listen: topic}]\n      when: true\n',
      ),
      'restart.yaml': '- {name: r1, debug: {msg: one}}\n- {name: r2, debug: {msg: two}}\n',
      'h2.yaml': '- {name: h2, debug: {msg: h2}}\n',
      't.yaml': '- {name: t1, debug: {msg: t}}\n',
    });
    expect(r.code, r.text).to.equal(0);
    expect(r.tasks()).to.deep.equal(['go', 'r1', 'r2', 'h2', 't1', 'in block']);
  });

  it('action and local_action run the module (local_action on the controller)', async () => {
    const r = await play({ 'site.yaml': local('    - action: copy dest={{ playbook_dir }}/a.txt content=A\n    - local_action: {module: copy, dest: "{{ playbook_dir }}/b.txt", content: B}\n') });
    expect(r.code, r.text).to.equal(0);
    expect(readFileSync(join(r.dir, 'a.txt'), 'utf8')).to.equal('A');
    expect(readFileSync(join(r.dir, 'b.txt'), 'utf8')).to.equal('B');
  });

  it('include_role with a templated tasks_from, per loop item', async () => {
    const r = await play({
      'site.yaml': local('    - include_role: {name: web, tasks_from: "{{ item }}"}\n      loop: [one, two]\n'),
      'roles/web/tasks/one.yaml': '- {name: first, debug: {msg: "1"}}\n',
      'roles/web/tasks/two.yaml': '- {name: second, debug: {msg: "2"}}\n',
    });
    expect(r.code, r.text).to.equal(0);
    expect(r.tasks().filter((t) => !t.startsWith('include_role'))).to.deep.equal(['web : first', 'web : second']);
  });

  it('problems in a conditional include (or a handler include) fail only the hosts that reach it; a warning says so first', async () => {
    const files = {
      'windows.yaml': '- win_file: {path: C:\\x, state: absent}\n',
      'site.yaml': local(
        '    - {include_tasks: windows.yaml, when: ansible_os_family_is_windows}\n    - {name: after, debug: {msg: ok}, changed_when: true, notify: "{{ cleanup }}"}\n',
        '  vars: {ansible_os_family_is_windows: false, cleanup: none}\n  handlers:\n    - {name: win cleanup, include_tasks: windows.yaml}\n    - {name: none, debug: {msg: n}}\n',
      ),
    };
    const skipped = await play(files);
    expect(skipped.code, skipped.text).to.equal(0);
    const warnings = skipped.events.flatMap((e) => (e.type === 'warning' ? [e.msg] : []));
    expect(warnings.some((m) => m.includes("unknown keyword or module 'win_file'") && m.includes("include_tasks 'windows.yaml'"))).to.equal(true);
    const reached = await play(files, { extraVars: ['ansible_os_family_is_windows=true'] });
    expect(reached.code).to.equal(2);
    expect(reached.results('include_tasks : windows.yaml')[0]!.msg).to.include("unknown keyword or module 'win_file'");
    const notified = await play(files, { extraVars: ['cleanup="win cleanup"'] });
    expect(notified.code).to.equal(2);
    expect(notified.results('win cleanup')[0]!.msg).to.include("unknown keyword or module 'win_file'");
  });

  it('argument errors of a task with ignore_errors: true are warnings, and the task fails and is ignored at run time', async () => {
    const r = await play({
      'site.yaml': local('    - name: bad input\n      add_host: namenewdynamichost groupsnewdynamicgroup\n      ignore_errors: true\n      register: badinput\n    - {name: check, assert: {that: ["badinput is failed"]}}\n'),
    });
    expect(r.code, r.text).to.equal(0);
    expect(r.events.some((e) => e.type === 'warning' && e.msg.includes("module 'add_host'"))).to.equal(true);
    expect(r.results('bad input')[0]!.status).to.equal('failed');
    expect(r.results('check')[0]!.status).to.equal('ok');
  });

  it('a templated action module fails only if the task runs (tags: never keeps it from running)', async () => {
    const files = { 'site.yaml': local('    - name: never runs\n      action: {module: "{{ entire_task }}"}\n      tags: [never]\n    - {name: runs, debug: {msg: x}}\n') };
    const r = await play(files);
    expect(r.code, r.text).to.equal(0);
    const forced = await play(files, { tags: ['never'] });
    expect(forced.code).to.equal(2);
    expect(forced.results('never runs')[0]!.msg).to.include('the module name of action is a template');
  });

  it('!unsafe values are never templated, as variables or as arguments', async () => {
    const r = await play({
      'site.yaml': local("    - {name: arg, debug: {msg: !unsafe '{{ not_a_var }}'}}\n    - {name: var, debug: {msg: '{{ raw_text }}'}}\n", "  vars:\n    raw_text: !unsafe '{% if x %}{{ y }}'\n"),
    });
    expect(r.code, r.text).to.equal(0);
    expect(r.results('arg')[0]!.msg).to.equal('{{ not_a_var }}');
    expect(r.results('var')[0]!.msg).to.equal('{% if x %}{{ y }}');
  });

  it("the issue's key=value example: a filter with a quoted space in a free-form command, and chdir taken out", async () => {
    const r = await play({ 'site.yaml': local("    - name: cmd\n      command: echo {{ a | default('x y') }} chdir=/tmp\n      register: out\n    - {name: check, assert: {that: [\"out.stdout == 'x y'\", \"out.cmd == ['echo', 'x', 'y']\"]}}\n") });
    expect(r.code, r.text).to.equal(0);
  });

  it("public roles' defaults and vars are seen by the whole play (roles:, import_role); include_role's only with public: true", async () => {
    const roles = Object.fromEntries(
      ['a', 'b', 'c', 'd'].flatMap((r) => [
        [`roles/${r}/defaults/main.yaml`, `${r}_default: ${r}\nshared: from_${r}\n`],
        [`roles/${r}/vars/main.yaml`, `${r}_var: ${r}\n`],
        [`roles/${r}/tasks/main.yaml`, `- {name: in ${r}, debug: {msg: "{{ shared }}"}}\n`],
      ]),
    );
    const r = await play({
      ...roles,
      'site.yaml': local(
        '    - {name: before, assert: {that: ["b_default == \'b\'", "b_var == \'b\'", "a_var == \'a\'", "d_var is not defined"]}}\n    - import_role: {name: b}\n    - include_role: {name: c}\n    - {name: after, assert: {that: ["c_var is not defined", "c_default is not defined", "shared == \'from_b\'"]}}\n    - include_role: {name: d, public: true}\n    - {name: after d, assert: {that: ["d_var == \'d\'", "d_default == \'d\'"]}}\n',
        '  roles: [a]\n',
      ),
    });
    expect(r.code, r.text).to.equal(0);
    // a role's own defaults win inside it
    expect(r.results('c : in c')[0]!.msg).to.equal('from_c');
  });

  it('two handlers with the same name: notifying the name runs the first only; listen reaches every listener (as ansible-core)', async () => {
    const r = await play({
      'site.yaml': local(
        '    - {name: go, command: "true", notify: notify_listen}\n    - meta: flush_handlers\n    - {name: check, assert: {that: ["first is defined", "second is not defined", "listener is defined"]}}\n',
        '  handlers:\n    - {name: notify_listen, set_fact: {first: 1}}\n    - {name: notify_listen, set_fact: {second: 1}}\n    - {name: other, set_fact: {listener: 1}, listen: notify_listen}\n',
      ),
    });
    expect(r.code, r.text).to.equal(0);
  });

  it('an include whose condition fails, with ignore_errors and register: the failed result is registered and the play goes on', async () => {
    const r = await play({
      'site.yaml': local('    - include_tasks: inc.yaml\n      ignore_errors: true\n      register: inc\n      when: ["_undefined == \'yes\'"]\n    - {name: check, assert: {that: ["inc is failed", "in_include is not defined"]}}\n'),
      'inc.yaml': '- {set_fact: {in_include: 1}}\n',
    });
    expect(r.code, r.text).to.equal(0);
  });
});
