// compile/plays.ts: import_playbook, vars_files and a play's sections; compile/checks.ts: the
// static checks on conditions, templates and notify.
import { expect } from 'chai';
import { join } from 'node:path';
import { conditionErrors, notifyErrors, templateErrors, templateFileError } from '../../engine/compile/checks.js';
import { parseYamlText } from '../../engine/load/yaml.js';
import { compile, flat, play, problems, tree } from './helpers.js';

describe('compile/plays: playbooks and plays', () => {
  it('import_playbook brings its plays in order, with the import\'s tags, when and vars', () => {
    const pb = compile({
      'site.yaml': '- {import_playbook: pb/web.yaml, tags: web, when: deploy, vars: {port: 80}}\n- hosts: db\n  tasks: [{name: db task, debug: {msg: d}}]\n',
      'pb/web.yaml': '- hosts: web\n  vars: {size: 2}\n  tasks: [{name: web task, debug: {msg: w}}]\n',
    });
    expect(pb.plays.map((p) => p.hosts)).to.deep.equal([['web'], ['db']]);
    const [web] = pb.plays;
    expect(web!.dir).to.equal(join(pb.root, 'pb'));
    expect(web!.vars).to.deep.equal({ port: 80, size: 2 });
    expect(flat(web!.sections.tasks)).to.deep.equal(['web task [web]']);
    expect(web!.sections.tasks[0]!.eff.when.map((c) => c.expr)).to.deep.equal(['deploy']);
  });

  it('refuses an import_playbook cycle and an import templated over what is not known at load time', () => {
    const cyc = problems({ 'site.yaml': '- import_playbook: a.yaml\n', 'a.yaml': '- import_playbook: site.yaml\n' });
    expect(cyc).to.have.length(1);
    expect(cyc[0]).to.match(/^import_playbook cycle: .*site\.yaml -> .*a\.yaml -> .*site\.yaml$/);
    const [templated] = problems({ 'site.yaml': '- import_playbook: "{{ x }}.yaml"\n' });
    expect(templated).to.match(/^import_playbook '\{\{ x \}\}.yaml' must be known when the playbook loads \(play vars, vars_files, -e\): /);
  });

  it('vars_files: a list entry is the first file that exists; templated names wait for run time', () => {
    const pb = compile({ 'site.yaml': '- hosts: all\n  vars_files:\n    - [missing.yaml, found.yaml]\n    - "{{ env }}.yaml"\n', 'found.yaml': 'a: 1\n' });
    const vf = pb.plays[0]!.varsFiles;
    expect(vf[0]).to.deep.include({ path: join(pb.root, 'found.yaml'), data: { a: 1 } });
    expect(vf[1]).to.deep.include({ path: '{{ env }}.yaml' });
    expect(problems({ 'site.yaml': '- hosts: all\n  vars_files: [nope.yaml]\n' })).to.deep.equal(['vars file not found: nope.yaml']);
  });

  it('roles run between pre_tasks and tasks; play settings are read', () => {
    const pb = compile({
      'site.yaml': '- hosts: "a, b"\n  serial: [1, "50%"]\n  strategy: free\n  gather_facts: "no"\n  secrets: [db_pass]\n  pre_tasks: [{name: pre, debug: {}}]\n  roles: [r]\n  tasks: [{name: main, debug: {}}]\n  post_tasks: [{name: post, debug: {}}]\n',
      'roles/r/tasks/main.yaml': '- {name: role task, debug: {}}\n',
    });
    const p = pb.plays[0]!;
    expect(p.hosts).to.deep.equal(['a', 'b']);
    expect(p).to.include({ strategy: 'free', gatherFacts: false });
    expect(p.serial).to.deep.equal([1, '50%']);
    expect(p.secrets).to.deep.equal(['db_pass']);
    expect([p.sections.pre_tasks, p.sections.tasks, p.sections.post_tasks].map((s) => s.map((t) => t.name))).to.deep.equal([['pre'], ['role task', 'main'], ['post']]);
  });

  it('collects every problem at once', () => {
    expect(problems({ 'site.yaml': play('    - {debug: {msg: "{{ x"}, when: "a ==", notify: restrat}\n', '  handlers: [{name: restart, debug: {}}]\n') })).to.have.length(3);
  });
});

describe('compile/checks: static checks', () => {
  const raw = (text: string) => parseYamlText(text, 't.yaml') as Record<string, unknown>;

  it('condition syntax, with the condition\'s line', () => {
    const errs = conditionErrors(raw('debug: {}\nwhen:\n  - a == 1\n  - "b =="\n'));
    expect(errs).to.have.length(1);
    expect(errs[0]!.loc?.line).to.equal(4);
    expect(conditionErrors(raw('debug: {}\nchanged_when: true\nuntil: r is defined\n'))).to.deep.equal([]);
  });

  it('Jinja syntax, and Handlebars forms, anywhere in a value, at the string\'s place', () => {
    const r = raw('copy:\n  content: ok\n  dest: ["{{ fine }}", "{{#if x}}"]\n');
    const errs = templateErrors(r.copy, r, 'copy');
    expect(errs.map((e) => [e.message.startsWith('template syntax error:'), e.loc?.line])).to.deep.equal([[true, 3]]);
    const j = raw('debug:\n  msg: "{% if x %}open"\n');
    expect(templateErrors(j.debug, j, 'debug').map((e) => e.message)).to.deep.equal(["template syntax error: line 1, col 1: unexpected end of template: '{% if %}' is never closed (expected '{% endif %}')"]);
  });

  it('a template task\'s file, looked for where the module looks (the configured directories last)', () => {
    const root = tree({ 'templates/bad.hbs': '{{#if x}}\n', 'extra/worse.hbs': 'a\n{{/each}}\n' });
    const r = raw('template: {src: bad.hbs, dest: /x}\n');
    expect(templateFileError('template', r.template, r, { playbookDir: root })?.message).to.match(/^template syntax error in bad\.hbs: /);
    const w = raw('template: {src: worse.hbs, dest: /x}\n');
    expect(templateFileError('template', w.template, w, { playbookDir: root })).to.equal(undefined);
    expect(templateFileError('template', w.template, w, { playbookDir: root, templateDirs: [join(root, 'extra')] })?.loc?.file).to.equal(join(root, 'extra/worse.hbs'));
    expect(templateFileError('copy', r.template, r, { playbookDir: root })).to.equal(undefined);
  });

  it('Jinja syntax in task keywords, vars files and role variables is found at load time', () => {
    const found = problems({
      'site.yaml': '- hosts: all\n  vars_files: [vf.yaml]\n  roles: [r]\n  tasks:\n    - name: "n {{ x }"\n      debug: {msg: hi}\n      loop: "{{ [1] + }}"\n      vars: {y: "{% if y %}"}\n',
      'vf.yaml': 'a: "{{default a 1}}"\n',
      'roles/r/defaults/main.yaml': 'd: "{% for %}{% endfor %}"\n',
      'roles/r/tasks/main.yaml': '- debug: {msg: ok}\n',
    });
    expect(found.map((m) => m.replace(/ — .*/, ''))).to.have.members([
      "template syntax error: line 1, col 1: Handlebars '{{default a 1}}' in a playbook value: playbooks use Ansible's Jinja2 expressions (Handlebars is for .hbs template files)",
      "template syntax error: line 1, col 4: expected 'in' in a for loop ({% for x in list %})",
      "template syntax error: line 1, col 8: unexpected '}'",
      'template syntax error: line 1, col 9: unexpected end of expression',
      "template syntax error: line 1, col 1: unexpected end of template: '{% if %}' is never closed (expected '{% endif %}')",
    ]);
  });

  it('a template task\'s .j2 file is checked as Jinja, with the line inside the file', () => {
    const root = tree({ 'templates/ok.j2': '{% for x in xs %}{{ x }}{% endfor %}\n', 'templates/bad.j2': 'a\n{% for x in xs %}\n{{ x }}\n' });
    const ok = raw('template: {src: ok.j2, dest: /x}\n');
    expect(templateFileError('template', ok.template, ok, { playbookDir: root })).to.equal(undefined);
    const r = raw('template: {src: bad.j2, dest: /x}\n');
    const e = templateFileError('template', r.template, r, { playbookDir: root });
    expect(e?.message).to.match(/^template syntax error in bad\.j2: line 2, col 1: .*'\{% for %\}' is never closed/);
    expect(e?.loc).to.deep.include({ file: join(root, 'templates/bad.j2'), line: 2 });
  });

  it('notify names no handler answers to; templated names and listen names pass', () => {
    const pb = compile({ 'site.yaml': play('    - {debug: {}, notify: [restart, "{{ h }}", web changed]}\n', '  handlers: [{name: restart, debug: {}, listen: web changed}]\n') });
    expect(notifyErrors(pb.plays[0]!)).to.deep.equal([]);
    const bad = problems({ 'site.yaml': play('    - {debug: {}, notify: restrat}\n', '  handlers: [{name: restart, debug: {}}]\n') });
    expect(bad).to.deep.equal(["notify: no handler named 'restrat' in this play"]);
  });

  it('vars_files: vars/<name> beside the playbook first, as Ansible looks (so a name that is also the playbook\'s is the vars file); a list of mappings is merged', () => {
    const pb = compile({
      'site.yaml': '- hosts: all\n  vars_files: [site.yaml, listed.yml]\n',
      'vars/site.yaml': 'a: 1\n',
      'listed.yml': '- {b: 1, c: 1}\n- {c: 2}\n',
    });
    expect(pb.plays[0]!.varsFiles.map((f) => f.data)).to.deep.equal([{ a: 1 }, { b: 1, c: 2 }]);
  });
});
