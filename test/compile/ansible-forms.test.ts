// Ansible's other spellings compile to the same tasks as gx's own (engine/load/ansible-forms.ts):
// action / local_action, the old include, FQCN include keywords, vars as a list (issue 14).
import { expect } from 'chai';
import type { IncludeNode, ModuleTask } from '../../engine/compile/types.js';
import { compile, flat, play } from './helpers.js';

describe('compile/ansible-forms: Ansible\'s other spellings of tasks and plays', () => {
  it('action and local_action become the module, local_action delegated to localhost', () => {
    const pb = compile({
      'site.yaml': play('    - action: copy dest={{ d }} content=x\n    - local_action: {module: command, cmd: ls, chdir: /tmp}\n    - {local_action: ansible.builtin.debug msg=hi}\n'),
    });
    const [a, b, c] = pb.plays[0]!.sections.tasks as ModuleTask[];
    expect([a!.module, a!.args, a!.eff.delegateTo]).to.deep.equal(['copy', { dest: '{{ d }}', content: 'x' }, undefined]);
    expect([b!.module, b!.args, b!.eff.delegateTo]).to.deep.equal(['command', { cmd: 'ls', chdir: '/tmp' }, 'localhost']);
    expect([c!.module, c!.args, c!.eff.delegateTo]).to.deep.equal(['ansible.builtin.debug', { msg: 'hi' }, 'localhost']);
  });

  it('include in a task list is include_tasks (its key=value words are vars); FQCN forms of includes and imports', () => {
    const pb = compile({
      'site.yaml': play('    - include: a.yaml x=1\n    - ansible.builtin.import_tasks: b.yaml\n    - ansible.legacy.include_role: {name: r}\n    - ansible.builtin.import_role: {name: r}\n'),
      'a.yaml': '- {name: in a, debug: {msg: "{{ x }}"}}\n',
      'b.yaml': '- {name: in b, debug: {msg: b}}\n',
      'roles/r/tasks/main.yaml': '- {name: in r, debug: {msg: r}}\n',
    });
    const tasks = pb.plays[0]!.sections.tasks;
    expect(flat(tasks)).to.deep.equal(['include_tasks : a.yaml []', 'in a []', 'in b []', 'include_role : r []', 'in r []', 'in r []']);
    expect((tasks[0] as IncludeNode).vars).to.deep.equal({ x: '1' });
  });

  it('include in a playbook is import_playbook; vars given as a list of mappings are merged', () => {
    const pb = compile({
      'site.yaml': '- include: other.yaml\n- ansible.builtin.import_playbook: other.yaml\n',
      'other.yaml': '- hosts: all\n  vars: [{a: 1, b: 1}, {b: 2}]\n  tasks:\n    - {name: t, debug: {msg: x}, vars: [{c: 3}]}\n',
    });
    expect(pb.plays.map((p) => p.vars)).to.deep.equal([{ a: 1, b: 2 }, { a: 1, b: 2 }]);
    expect((pb.plays[0]!.sections.tasks[0] as ModuleTask).vars).to.deep.equal({ c: 3 });
  });
});
