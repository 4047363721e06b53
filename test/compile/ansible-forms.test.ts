// Ansible's other spellings compile to the same tasks as gx's own (engine/load/ansible-forms.ts):
// action / local_action, the old include, FQCN include keywords, vars as a list (issue 14).
import { expect } from 'chai';
import type { IncludeNode, ModuleTask } from '../../engine/compile/types.js';
import { join } from 'node:path';
import { ErrorList } from '../../engine/errors.js';
import { compile, compiler, flat, play, problems, tree } from './helpers.js';

describe('compile/ansible-forms: Ansible\'s other spellings of tasks and plays', () => {
  it('action and local_action become the module, local_action delegated to localhost', () => {
    const pb = compile({
      'site.yaml': play('    - action: copy dest={{ d }} content=x\n    - local_action: {module: command, cmd: ls, chdir: /tmp}\n    - {local_action: ansible.builtin.debug msg=hi}\n'),
    });
    const [a, b, c] = pb.plays[0]!.sections.tasks as ModuleTask[];
    expect([a!.module, a!.args, a!.eff.delegateTo]).to.deep.equal(['copy', { dest: '{{ d }}', content: 'x' }, undefined]);
    expect([b!.module, b!.args, b!.eff.delegateTo]).to.deep.equal(['command', { cmd: 'ls', chdir: '/tmp' }, 'localhost']);
    expect([c!.module, c!.args, c!.eff.delegateTo]).to.deep.equal(['ansible.builtin.debug', { msg: 'hi' }, 'localhost']);
    const local = compile({ 'site.yaml': play('    - {debug: {msg: x}, connection: local}\n') }).plays[0]!.sections.tasks[0] as ModuleTask;
    expect(local.eff.delegateTo).to.equal('localhost');
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

  it('include and import keywords written as key=value words', () => {
    const pb = compile({
      'site.yaml': play('    - include_role: name=web tasks_from=setup\n    - import_tasks: file=a.yaml\n'),
      'roles/web/tasks/setup.yaml': '- {name: set up, debug: {msg: s}}\n',
      'a.yaml': '- {name: in a, debug: {msg: a}}\n',
    });
    expect(flat(pb.plays[0]!.sections.tasks)).to.deep.equal(['include_role : web []', 'set up []', 'in a []']);
  });

  it('args: beside an include go into it (apply, tasks_from)', () => {
    const pb = compile({
      'site.yaml': play('    - ansible.builtin.include_tasks: a.yaml\n      args: {apply: {tags: [t]}}\n    - include_role: {name: web}\n      args: {tasks_from: setup}\n'),
      'roles/web/tasks/setup.yaml': '- {name: set up, debug: {msg: s}}\n',
      'a.yaml': '- {name: in a, debug: {msg: a}}\n',
    });
    expect(flat(pb.plays[0]!.sections.tasks)).to.deep.equal(['include_tasks : a.yaml []', 'in a [t]', 'include_role : web []', 'set up []']);
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

describe('compile: smaller Ansible habits (issue 14)', () => {
  it('include with static: yes is an import; numeric tags are text; a templated hosts pattern stays whole; any loop label', () => {
    const pb = compile({
      'site.yaml': '- hosts: "{{ groups.a | join(\',\') }}"\n  tags: [2024]\n  tasks:\n    - {include: a.yaml, static: yes}\n    - {debug: {msg: x}, loop: [1], loop_control: {label: {n: "{{ item }}"}}}\n',
      'a.yaml': '- {name: in a, debug: {msg: a}}\n',
    });
    const p = pb.plays[0]!;
    expect(p.hosts).to.deep.equal(["{{ groups.a | join(',') }}"]);
    expect(flat(p.sections.tasks)).to.deep.equal(['in a [2024]', 'debug [2024]']);
  });
});

describe('compile: vars_prompt without prompting (issue 14)', () => {
  const pb = '- hosts: all\n  vars_prompt:\n    - {name: user, prompt: Who?, default: admin, private: no}\n    - {name: pw, prompt: Password?}\n';
  it('takes -e, else the default (a play variable); private ones are secrets', () => {
    const p = compile({ 'site.yaml': pb }, { extraVarNames: ['pw'] }).plays[0]!;
    expect(p.vars).to.deep.equal({ user: 'admin' });
    expect(p.secrets).to.deep.equal(['pw']);
  });
  it('refuses an entry with neither, or one asking for encryption, before anything runs', () => {
    expect(problems({ 'site.yaml': pb })).to.deep.equal(["vars_prompt 'pw' has no default and gx never prompts ('Password?')"]);
    expect(problems({ 'site.yaml': '- hosts: all\n  vars_prompt: [{name: h, encrypt: sha512_crypt, default: x}]\n' })).to.deep.equal([
      "vars_prompt 'h' asks for an encrypted answer; gx never prompts nor hashes",
    ]);
  });
});

describe('compile: import names templated over load-time variables (issue 14)', () => {
  it('import_playbook vars name the role an imported play imports; play vars name an import_tasks file; -e names a role', () => {
    const pb = compile(
      {
        'site.yaml': '- import_playbook: "{{ which }}.yaml"\n  vars: {which: needs, role_name: web}\n',
        'needs.yaml': '- hosts: all\n  vars: {f: more}\n  roles: ["{{ extra_role }}"]\n  tasks:\n    - import_role: {name: "{{ role_name }}"}\n    - import_tasks: "{{ f }}.yaml"\n',
        'more.yaml': '- {name: more task, debug: {msg: m}}\n',
        'roles/web/tasks/main.yaml': '- {name: web task, debug: {msg: w}}\n',
        'roles/db/tasks/main.yaml': '- {name: db task, debug: {msg: d}}\n',
      },
      { extraVars: { extra_role: 'db' } },
    );
    expect(flat(pb.plays[0]!.sections.tasks)).to.deep.equal(['db task []', 'web task []', 'more task []']);
  });
});

describe('compile: a custom module from library/ (issue 14)', () => {
  it('is named as such, with what to do instead', () => {
    const root = tree({ 'site.yaml': play('    - helloworld: {}\n'), 'library/helloworld.py': '# module\n' });
    let msgs: string[] = [];
    try {
      compiler().compilePlaybook(join(root, 'site.yaml'));
    } catch (err) {
      msgs = (err as ErrorList).errors.map((e) => `${e.message} | ${e.hint}`);
    }
    expect(msgs).to.deep.equal([`unknown keyword or module 'helloworld' | 'helloworld' is a custom module (${join(root, 'library/helloworld.py')}): gx runs only its own modules; write it as one (modules/helloworld.ts) or call the script with the script or command module`]);
  });
});

describe('compile: module_defaults and include apply (issue 14)', () => {
  it('module_defaults from the play, a block and the task fill a module\'s arguments under its own, by short or FQCN name', () => {
    const pb = compile({
      'site.yaml':
        '- hosts: all\n  module_defaults: {ansible.builtin.file: {owner: app, mode: "0644"}, command: {chdir: /srv}}\n  tasks:\n' +
        '    - module_defaults: [{file: {group: app}}]\n      block:\n        - {file: {path: /a, mode: "0600"}}\n        - command: ls\n    - {copy: {dest: /b, content: x}}\n',
    });
    const block = pb.plays[0]!.sections.tasks[0]!;
    const [file, cmd] = block.kind === 'block' ? (block.block as ModuleTask[]) : [];
    expect(file!.args).to.deep.equal({ owner: 'app', mode: '0600', group: 'app', path: '/a' });
    expect(cmd!.args).to.deep.equal({ chdir: '/srv', cmd: 'ls' });
    expect((pb.plays[0]!.sections.tasks[1] as ModuleTask).args).to.deep.equal({ dest: '/b', content: 'x' });
  });

  it('include_tasks apply: its keywords reach every included task (tags, become, vars)', () => {
    const pb = compile({
      'site.yaml': play('    - include_tasks: {file: inc.yaml, apply: {tags: [deploy], become: true, vars: {v: 1}}}\n'),
      'inc.yaml': '- {name: inside, debug: {msg: x}}\n',
    });
    const inc = pb.plays[0]!.sections.tasks[0] as IncludeNode;
    const inside = inc.precompiled!.nodes[0] as ModuleTask;
    expect(inside.eff.tags).to.deep.equal(['deploy']);
    expect(inside.eff.vars).to.deep.equal([{ v: 1 }]);
    expect(inside.eff.become).to.not.equal(undefined);
  });
});
