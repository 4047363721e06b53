// compile/roles.ts: where roles are found, their files, parameters, dependencies and dedup.
import { expect } from 'chai';
import { join } from 'node:path';
import { ansibleRolesPath, findRole, roleFile, roleKey, roleParams } from '../../engine/compile/roles.js';
import { searchCandidates } from '../../engine/load/find-file.js';
import type { IncludeNode, ModuleTask } from '../../engine/compile/types.js';
import { compile, compiler, flat, problems, tree } from './helpers.js';

describe('compile/roles: finding and loading roles', () => {
  it('finds a role beside the current file, beside the play, on the roles path, then in those directories', () => {
    const root = tree({ 'pb/roles/a/tasks/main.yaml': '[]\n', 'extra/b/tasks/main.yaml': '[]\n', 'pb/c/tasks/main.yaml': '[]\n', 'pb/sub/roles/d/x': '' });
    const from = { file: join(root, 'pb/site.yaml'), play: { topDir: join(root, 'pb') } };
    expect(findRole('a', from)).to.equal(join(root, 'pb/roles/a'));
    expect(findRole('b', from)).to.equal(undefined);
    expect(findRole('b', from, [join(root, 'extra')])).to.equal(join(root, 'extra/b'));
    expect(findRole('c', from)).to.equal(join(root, 'pb/c'));
    expect(findRole('d', { file: join(root, 'pb/sub/tasks.yaml'), play: from.play })).to.equal(join(root, 'pb/sub/roles/d'));
  });

  it('reads main.yaml, .yml, .json or a bare name, in that order', () => {
    const root = tree({ 'r/tasks/main.yml': '[]\n', 'r/tasks/main.json': '[]\n', 'r/vars/other': 'a: 1\n' });
    expect(roleFile(join(root, 'r'), 'tasks')).to.equal(join(root, 'r/tasks/main.yml'));
    expect(roleFile(join(root, 'r'), 'vars', 'other')).to.equal(join(root, 'r/vars/other'));
    expect(roleFile(join(root, 'r'), 'handlers')).to.equal(undefined);
  });

  it('parameters are the keys that are not keywords, then vars; dedup ignores tags and when', () => {
    expect(roleParams({ role: 'web', port: 80, tags: ['x'], become: true, vars: { port: 81, size: 2 } })).to.deep.equal({ port: 81, size: 2 });
    expect(roleKey('web', { role: 'web', port: 80, tags: 'a' })).to.equal(roleKey('web', { name: 'web', port: 80, when: 'x' }));
    expect(roleKey('web', { port: 80 })).to.not.equal(roleKey('web', { port: 81 }));
  });

  it('dependencies come first; a role applied twice with the same parameters runs once, allow_duplicates or other parameters again', () => {
    const pb = compile({
      'site.yaml': '- hosts: all\n  roles:\n    - web\n    - web\n    - {role: web, port: 2}\n    - {role: web, allow_duplicates: true}\n',
      'roles/web/meta/main.yaml': 'dependencies: [base]\n',
      'roles/web/tasks/main.yaml': '- {name: web task, debug: {msg: w}}\n',
      'roles/base/tasks/main.yaml': '- {name: base task, debug: {msg: b}}\n',
    });
    expect(flat(pb.plays[0]!.sections.tasks).map((t) => t.replace(/ \[.*\]$/, ''))).to.deep.equal(['base task', 'web task', 'web task', 'web task']);
    expect(pb.plays[0]!.roles.map((r) => r.name)).to.deep.equal(['base', 'web', 'web', 'web']);
  });

  it('a role\'s tasks carry the role, its defaults, vars and params, and the role entry\'s tags', () => {
    const pb = compile({
      'site.yaml': '- hosts: all\n  roles:\n    - {role: web, port: 80, tags: [w]}\n',
      'roles/web/defaults/main.yaml': 'port: 1\nsize: 2\n',
      'roles/web/vars/main.yaml': 'mode: fast\n',
      'roles/web/tasks/main.yaml': '- {name: t, debug: {msg: w}, tags: own}\n',
    });
    const t = pb.plays[0]!.sections.tasks[0] as ModuleTask;
    expect(t.eff.tags).to.deep.equal(['w', 'own']);
    expect(t.eff.role).to.include({ name: 'web' });
    expect(t.eff.role!.defaults).to.deep.equal({ port: 1, size: 2 });
    expect(t.eff.role!.vars).to.deep.equal({ mode: 'fast' });
    expect(t.eff.role!.params).to.deep.equal({ port: 80 });
  });

  it('role handlers join the play\'s handlers after its own, and can be notified by their qualified name', () => {
    const pb = compile({
      'site.yaml': '- hosts: all\n  roles: [web]\n  tasks:\n    - {debug: {msg: x}, notify: "web : restart"}\n  handlers:\n    - {name: own, debug: {msg: h}}\n',
      'roles/web/tasks/main.yaml': '[]\n',
      'roles/web/handlers/main.yaml': '- {name: restart, debug: {msg: r}}\n',
    });
    expect(pb.plays[0]!.sections.handlers.map((h) => h.name)).to.deep.equal(['own', 'restart']);
  });

  it("role handlers inherit the keywords of import_role, the role entry and the play (delegate_to, become), not a notify (target include_import/import_role)", () => {
    const pb = compile({
      'site.yaml':
        '- hosts: all\n  become: true\n  roles: [{role: web, become_user: app}]\n  tasks:\n    - {import_role: {name: dh}, delegate_to: localhost, notify: other}\n  handlers:\n    - {name: other, debug: {msg: o}}\n',
      'roles/web/tasks/main.yaml': '[]\n',
      'roles/web/handlers/main.yaml': '- {name: restart, debug: {msg: r}}\n',
      'roles/dh/tasks/main.yaml': '- {command: "true", notify: delegated}\n',
      'roles/dh/handlers/main.yaml': '- {name: delegated, debug: {msg: d}}\n',
    });
    const byName = Object.fromEntries(pb.plays[0]!.sections.handlers.map((h) => [h.name, h.eff]));
    expect(byName.delegated).to.include({ delegateTo: 'localhost', become: true });
    expect(byName.delegated!.notify).to.equal(undefined);
    expect(byName.restart).to.include({ become: true, becomeUser: 'app' });
  });

  it('refuses a missing role, a role without a name, a dependency cycle and a missing tasks_from', () => {
    const [missing] = problems({ 'site.yaml': '- hosts: all\n  roles: [nope]\n' });
    expect(missing).to.match(/^the role 'nope' was not found in \/.*\/roles:\/.*$/);
    expect(problems({ 'site.yaml': '- hosts: all\n  tasks:\n    - import_role: {name: ""}\n' })).to.deep.equal(['role entry has no name']);
    expect(problems({ 'site.yaml': '- hosts: all\n  roles: [a]\n', 'roles/a/meta/main.yaml': 'dependencies: [b]\n', 'roles/b/meta/main.yaml': 'dependencies: [a]\n' })).to.deep.equal(['role dependency cycle: a -> b -> a']);
    expect(problems({ 'site.yaml': '- hosts: all\n  tasks:\n    - import_role: {name: a, tasks_from: other}\n', 'roles/a/tasks/main.yaml': '[]\n' })).to.deep.equal(["role 'a' has no tasks file 'other'"]);
  });

  it('include_role with a static name is loaded now, its handlers known to the play', () => {
    const pb = compile({
      'site.yaml': '- hosts: all\n  tasks:\n    - include_role: {name: web, tasks_from: setup}\n',
      'roles/web/tasks/setup.yaml': '- {name: set up, debug: {msg: s}}\n',
      'roles/web/handlers/main.yaml': '- {name: restart, debug: {msg: r}}\n',
    });
    expect(flat(pb.plays[0]!.sections.tasks)).to.deep.equal(['include_role : web []', 'set up []']);
    expect(pb.plays[0]!.sections.handlers.map((h) => h.name)).to.deep.equal(['restart']);
  });

  it('Ansible\'s search path (issue 14): ANSIBLE_ROLES_PATH or its default, a role named by its path (keeps that name), a dependency beside its role', () => {
    expect(ansibleRolesPath({ HOME: '/h' })).to.deep.equal(['/h/.ansible/roles', '/usr/share/ansible/roles', '/etc/ansible/roles']);
    expect(ansibleRolesPath({ HOME: '/h', ANSIBLE_ROLES_PATH: '~/r:/x:./roles' })).to.deep.equal(['/h/r', '/x', join(process.cwd(), 'roles')]);
    const pb = compile({
      'site.yaml': '- hosts: all\n  roles: [{role: ./vendor/web}]\n',
      'vendor/web/tasks/main.yaml': '- {name: web task, debug: {msg: w}}\n',
      'vendor/web/meta/main.yaml': 'dependencies: [common]\n',
      'vendor/common/tasks/main.yaml': '- {name: common task, debug: {msg: c}}\n',
    });
    const tasks = pb.plays[0]!.sections.tasks as ModuleTask[];
    // checked against ansible-core 2.14: the role keeps the name it was written with
    expect(tasks.map((t) => `${t.eff.role!.name}: ${t.name}`)).to.deep.equal(['common: common task', './vendor/web: web task']);
    // the dependency searches its own files, then those of the role that depends on it
    expect(tasks[0]!.eff.role!.parentDirs).to.deep.equal([join(pb.root, 'vendor/web')]);
  });

  it('a collection role is refused with what to do instead', () => {
    const [msg] = problems({ 'site.yaml': '- hosts: all\n  roles: [community.general.thing]\n' });
    expect(msg).to.equal("role 'community.general.thing' is from a collection, and gx does not load collections");
    // an old galaxy name (user.role) is a directory name like any other
    expect(problems({ 'site.yaml': '- hosts: all\n  roles: [geerlingguy.nginx]\n', 'roles/geerlingguy.nginx/tasks/main.yaml': '[]\n' })).to.deep.equal([]);
  });

  it('files and templates: the role, the roles that included or depend on it, the task file, the play; files/x not doubled', () => {
    expect(searchCandidates('a.conf', 'files', { roleDir: '/p/roles/dep', parentRoleDirs: ['/p/roles/web'], taskFile: '/p/roles/dep/tasks/main.yml', playbookDir: '/p' })).to.deep.equal([
      '/p/roles/dep/files/a.conf',
      '/p/roles/dep/a.conf',
      '/p/roles/web/files/a.conf',
      '/p/roles/web/a.conf',
      '/p/roles/dep/tasks/files/a.conf',
      '/p/roles/dep/tasks/a.conf',
      '/p/files/a.conf',
      '/p/a.conf',
    ]);
    expect(searchCandidates('files/a.conf', 'files', { playbookDir: '/p' })).to.deep.equal(['/p/files/a.conf']);
  });

  it('include_tasks and import_tasks: beside the file, in the role\'s tasks/, else in the play\'s directory', () => {
    const pb = compile({
      'site.yaml': '- hosts: all\n  roles: [web]\n',
      'roles/web/tasks/main.yaml': '- import_tasks: shared/common.yaml\n',
      'shared/common.yaml': '- {name: shared, debug: {msg: s}}\n',
    });
    expect(flat(pb.plays[0]!.sections.tasks)).to.deep.equal(['shared []']);
  });

  it('meta allow_duplicates lets a role run twice; defaults/main/ as a directory is merged in name order; meta argument_specs accepted', () => {
    const pb = compile({
      'site.yaml': '- hosts: all\n  roles: [dup, dup]\n',
      'roles/dup/meta/main.yaml': 'allow_duplicates: true\nargument_specs: {main: {options: {}}}\ncollections: [a.b]\n',
      'roles/dup/tasks/main.yaml': '- {name: d, debug: {msg: x}}\n',
      'roles/dup/defaults/main/a.yml': 'x: 1\ny: 1\n',
      'roles/dup/defaults/main/b.yml': 'y: 2\n',
    });
    const tasks = pb.plays[0]!.sections.tasks as ModuleTask[];
    expect(tasks.map((t) => t.name)).to.deep.equal(['d', 'd']);
    expect(tasks[0]!.eff.role!.defaults).to.deep.equal({ x: 1, y: 2 });
  });

  it('Ansible keywords on a role entry are keywords, not role parameters (module_defaults, run_once, debugger…)', () => {
    const pb = compile({
      'site.yaml': '- hosts: all\n  roles:\n    - {role: r, module_defaults: {copy: {mode: "0600"}}, run_once: true, debugger: never, port_number: 8080}\n',
      'roles/r/tasks/main.yaml': '- {copy: {dest: /x, content: y}}\n',
    });
    const t = pb.plays[0]!.sections.tasks[0] as ModuleTask;
    expect(t.args).to.deep.equal({ mode: '0600', dest: '/x', content: 'y' });
    expect(t.eff.role!.params).to.deep.equal({ port_number: 8080 });
  });

  it('a templated include_role inside a role finds roles/ beside the playbook at run time; a templated include_tasks falls back to the play\'s directory', () => {
    const root = tree({
      'site.yaml': '- hosts: all\n  roles: [a]\n',
      'roles/a/tasks/main.yaml': '- include_role: {name: "{{ which }}"}\n- include_tasks: "{{ f }}"\n',
      'roles/b/tasks/main.yaml': '- {name: in b, debug: {msg: b}}\n',
      'shared.yaml': '- {name: shared, debug: {msg: s}}\n',
    });
    const c = compiler();
    const pb = c.compilePlaybook(join(root, 'site.yaml'));
    const [role, tasks] = pb.plays[0]!.sections.tasks as IncludeNode[];
    expect(c.compileInclude(role!, 'b').nodes.map((n) => n.name)).to.deep.equal(['in b']);
    expect(c.compileInclude(tasks!, 'shared.yaml').nodes.map((n) => n.name)).to.deep.equal(['shared']);
  });

  it('marks which roles are public (their vars seen by the whole play): roles:, import_role and dependencies; include_role only with public: true', () => {
    const pb = compile({
      'site.yaml': '- hosts: all\n  roles: [a]\n  tasks:\n    - import_role: {name: b}\n    - include_role: {name: c}\n    - include_role: {name: d, public: yes}\n',
      'roles/a/meta/main.yaml': 'dependencies: [dep]\n',
      ...Object.fromEntries(['a', 'b', 'c', 'd', 'dep'].map((r) => [`roles/${r}/tasks/main.yaml`, `- {name: in ${r}, debug: {msg: x}}\n`])),
    });
    const tasks = pb.plays[0]!.sections.tasks;
    const roleOf = (n: (typeof tasks)[number]): { name: string; public?: boolean } => (n.kind === 'include' ? n.precompiled!.role! : n.eff.role!);
    expect(tasks.map((n) => `${roleOf(n).name}:${roleOf(n).public}`)).to.deep.equal(['dep:true', 'a:true', 'b:true', 'c:false', 'd:true']);
  });
});
