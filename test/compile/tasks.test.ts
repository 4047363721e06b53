// compile/tasks.ts and inherit.ts: task lists, blocks, imports and includes, and how tags, when and
// vars flow into what they contain.
import { expect } from 'chai';
import { join } from 'node:path';
import { moduleArgs, resolveTaskFile, taskKeywords } from '../../engine/compile/tasks.js';
import type { IncludeNode, ModuleTask } from '../../engine/compile/types.js';
import { rootInherited } from '../../engine/compile/inherit.js';
import { parseYamlText } from '../../engine/load/yaml.js';
import { compile, flat, play, problems, tree } from './helpers.js';

describe('compile/tasks: imports, includes and inherited keywords', () => {
  it('tags flow from the play, a block and an import into every task inside, without duplicates', () => {
    const pb = compile({
      'site.yaml': play('    - name: b\n      tags: [blk]\n      block:\n        - {name: in block, debug: {msg: x}, tags: [own, blk]}\n    - {import_tasks: more.yaml, tags: imp}\n', '  tags: p\n'),
      'more.yaml': '- {name: imported, debug: {msg: y}}\n',
    });
    expect(flat(pb.plays[0]!.sections.tasks)).to.deep.equal(['b [p,blk]', 'in block [p,blk,own]', 'imported [p,imp]']);
  });

  it('a static include_tasks is compiled now with its tags; its when stays on the include node', () => {
    const pb = compile({
      'site.yaml': play('    - {name: inc, include_tasks: more.yaml, tags: [i], when: go}\n'),
      'more.yaml': '- {name: included, debug: {msg: y}}\n',
    });
    const inc = pb.plays[0]!.sections.tasks[0] as IncludeNode;
    expect(inc.kind).to.equal('include');
    expect(inc.eff.when.map((c) => c.expr)).to.deep.equal(['go']);
    expect(flat(inc.precompiled!.nodes)).to.deep.equal(['included [i]']);
    expect(inc.precompiled!.nodes[0]!.eff.when).to.deep.equal([]);
  });

  it('a templated include is left for run time; a looped static one is validated now but not precompiled', () => {
    const pb = compile({
      'site.yaml': play('    - include_tasks: "{{ which }}.yaml"\n    - {include_tasks: more.yaml, loop: [1, 2]}\n'),
      'more.yaml': '- debug: {msg: y}\n',
    });
    const [templated, looped] = pb.plays[0]!.sections.tasks as IncludeNode[];
    expect(templated!.precompiled).to.equal(undefined);
    expect(looped!.precompiled).to.equal(undefined);
    expect(problems({ 'site.yaml': play('    - {include_tasks: more.yaml, loop: [1]}\n'), 'more.yaml': '- nosuchmodule: {}\n' })).to.have.length(1);
  });

  it('import_tasks refuses a path templated over what is not known at load time; a task file that includes itself is refused', () => {
    const [undef] = problems({ 'site.yaml': play('    - import_tasks: "{{ x }}.yaml"\n') });
    expect(undef).to.match(/^import_tasks '\{\{ x \}\}.yaml' must be known when the playbook loads \(play vars, vars_files, -e\): .*'x'/);
    const msgs = problems({ 'site.yaml': play('    - import_tasks: a.yaml\n'), 'a.yaml': '- import_tasks: a.yaml\n' });
    expect(msgs).to.have.length(1);
    expect(msgs[0]).to.match(/^task file includes itself: .*a\.yaml -> .*a\.yaml$/);
  });

  it('block vars and import vars become layers of the tasks inside, outer first', () => {
    const pb = compile({
      'site.yaml': play('    - vars: {a: 1}\n      block:\n        - {import_tasks: more.yaml, vars: {b: 2}}\n'),
      'more.yaml': '- debug: {msg: y}\n',
    });
    const t = flat(pb.plays[0]!.sections.tasks);
    expect(t).to.have.length(2);
    const block = pb.plays[0]!.sections.tasks[0]!;
    expect(block.kind === 'block' && block.block[0]!.eff.vars).to.deep.equal([{ a: 1 }, { b: 2 }]);
  });

  it('resolves a task file beside the current file, else in the role\'s tasks/', () => {
    const root = tree({ 'roles/r/tasks/x.yaml': '[]\n' });
    const role = { name: 'r', dir: join(root, 'roles/r'), defaults: {}, vars: {}, params: {}, handlers: [] };
    expect(resolveTaskFile('x.yaml', { dir: join(root, 'elsewhere'), inh: { ...rootInherited(), role } })).to.equal(join(root, 'roles/r/tasks/x.yaml'));
    expect(resolveTaskFile('x.yaml', { dir: join(root, 'elsewhere'), inh: rootInherited() })).to.equal(join(root, 'elsewhere/x.yaml'));
    expect(resolveTaskFile('/abs.yaml', { dir: root, inh: rootInherited() })).to.equal('/abs.yaml');
  });

  it('module arguments: the value over args:, a free-form string under the module\'s free-form name', () => {
    const free = (m: string) => (m === 'command' ? 'cmd' : undefined);
    expect(moduleArgs({ command: 'ls', args: { chdir: '/' } }, 'command', free)).to.deep.equal({ chdir: '/', cmd: 'ls' });
    expect(moduleArgs({ command: 'ls' }, 'command', free)).to.equal('ls');
    expect(moduleArgs({ debug: null }, 'debug', free)).to.deep.equal({});
    expect(moduleArgs({ copy: { dest: '/b' }, args: { src: 'a', dest: '/a' } }, 'copy', free)).to.deep.equal({ src: 'a', dest: '/b' });
  });

  it('key=value text becomes a mapping at load time, so each value is rendered on its own (issue 14)', () => {
    const pb = compile({
      'site.yaml': play('    - file: path={{ x }} state=absent\n    - command: echo "{{ a }}" {{ b }} chdir=/tmp\n    - command: ls -l\n'),
    });
    const [file, cmd, ls] = pb.plays[0]!.sections.tasks as ModuleTask[];
    expect(file!.args).to.deep.equal({ path: '{{ x }}', state: 'absent' });
    expect(cmd!.args).to.deep.equal({ cmd: 'echo "{{ a }}" {{ b }}', chdir: '/tmp' });
    expect(ls!.args).to.equal('ls -l');
  });

  it('task keywords: loops, register, notify as a list, result conditions and numbers', () => {
    const raw = parseYamlText('debug: {}\nnotify: h\nregister: r\nuntil: r.rc == 0\nretries: "3"\nwith_items: [1]\nthrottle: 2\n', 't.yaml') as Record<string, unknown>;
    const kw = taskKeywords(raw);
    expect(kw).to.include({ register: 'r', retries: 3, throttle: 2 });
    expect(kw.notify).to.deep.equal(['h']);
    expect(kw.withItems).to.deep.equal([1]);
    expect(kw.until!.map((c) => c.expr)).to.deep.equal(['r.rc == 0']);
    expect(kw.notifyLoc?.line).to.equal(2);
  });

  it('handlers are marked with their listen names', () => {
    const pb = compile({ 'site.yaml': '- hosts: all\n  handlers:\n    - {name: restart, debug: {msg: r}, listen: [web changed]}\n' });
    const h = pb.plays[0]!.sections.handlers[0] as ModuleTask;
    expect(h).to.include({ handler: true });
    expect(h.listen).to.deep.equal(['web changed']);
  });
});
