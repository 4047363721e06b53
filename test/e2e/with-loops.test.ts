// Every with_* loop Ansible users write, run end to end on localhost (issue 14). The expected items
// are those ansible-playbook 2.17 gives for the same task (lib/ansible/plugins/lookup/*.py).
import { expect } from 'chai';
import { problems } from '../compile/helpers.js';
import { play } from '../run/play-helper.js';
import { WITH_LOOPS } from '../../engine/schema/keywords.js';
import { LOOKUP_NAMES } from '../../engine/vars/lookups/index.js';
import { lookupSubdir } from '../../engine/run/loop-items.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const local = (tasks: string, extra = ''): string => `- hosts: localhost\n  connection: local\n  gather_facts: false\n${extra}  tasks:\n${tasks}`;

/** The items a looped debug task went over, as the reporter saw them. */
async function itemsOf(task: string, files: Record<string, string> = {}, vars = ''): Promise<unknown[]> {
  const r = await play({ 'site.yaml': local(`    - name: t\n      debug: {msg: x}\n${task.replace(/^/gm, '      ')}\n`, vars), ...files });
  expect(r.code, r.text).to.equal(0);
  return r.events.flatMap((e) => (e.type === 'item.result' ? [e.result.item] : []));
}

describe('e2e: with_* loops', () => {
  it('with_items flattens one level; with_list does not', async () => {
    expect(await itemsOf('with_items: [[1, 2], 3, [[4]]]')).to.deep.equal([1, 2, 3, [4]]);
    expect(await itemsOf('with_list: [[1, 2], 3]')).to.deep.equal([[1, 2], 3]);
  });

  it('with_dict, with_together, with_nested / with_cartesian, with_indexed_items, with_flattened', async () => {
    expect(await itemsOf('with_dict: "{{ d }}"', {}, '  vars: {d: {a: 1, b: 2}}\n')).to.deep.equal([{ key: 'a', value: 1 }, { key: 'b', value: 2 }]);
    expect(await itemsOf('with_together: [[a, b, c], [1, 2]]')).to.deep.equal([['a', 1], ['b', 2], ['c', null]]);
    expect(await itemsOf('with_nested: [[a, b], [1, 2]]')).to.deep.equal([['a', 1], ['a', 2], ['b', 1], ['b', 2]]);
    expect(await itemsOf('with_cartesian: [[a], [1, 2]]')).to.deep.equal([['a', 1], ['a', 2]]);
    expect(await itemsOf('with_indexed_items: [a, b]')).to.deep.equal([[0, 'a'], [1, 'b']]);
    expect(await itemsOf('with_flattened: [1, [2, [3, [4]]]]')).to.deep.equal([1, 2, 3, 4]);
    expect(await itemsOf('with_community.general.flattened: [1, [2, [3]]]')).to.deep.equal([1, 2, 3]);
  });

  it('with_sequence: key=value and short forms, count, format', async () => {
    expect(await itemsOf('with_sequence: start=1 end=3')).to.deep.equal(['1', '2', '3']);
    expect(await itemsOf('with_sequence: 2-10/4:web%02d')).to.deep.equal(['web02', 'web06', 'web10']);
    expect(await itemsOf('with_sequence: start=0x0f00 count=2 format=%04x')).to.deep.equal(['0f00', '0f01']);
  });

  it('with_subelements pairs each element with each entry of its list (the list taken out of the element)', async () => {
    const users = '  vars:\n    users: [{name: a, keys: [k1, k2]}, {name: b, keys: [k3]}, {name: c}]\n';
    expect(await itemsOf('with_subelements: ["{{ users }}", keys, {skip_missing: true}]', {}, users)).to.deep.equal([
      [{ name: 'a' }, 'k1'],
      [{ name: 'a' }, 'k2'],
      [{ name: 'b' }, 'k3'],
    ]);
  });

  it('with_fileglob, with_first_found and with_file look in files/ like copy does', async () => {
    const files = { 'files/a.conf': 'A\n', 'files/b.conf': 'B\n', 'files/c.txt': 'C' };
    const globbed = (await itemsOf('with_fileglob: "*.conf"', files)) as string[];
    expect(globbed.map((p) => p.replace(/^.*\/files\//, 'files/'))).to.deep.equal(['files/a.conf', 'files/b.conf']);
    const first = (await itemsOf('with_first_found: [missing.conf, b.conf, a.conf]', files)) as string[];
    expect(first.map((p) => p.replace(/^.*\/files\//, 'files/'))).to.deep.equal(['files/b.conf']);
    expect(await itemsOf('with_first_found: [{files: [nope], skip: true}]', files)).to.deep.equal([]);
    expect(await itemsOf('with_file: [a.conf, c.txt]', files)).to.deep.equal(['A', 'C']);
  });

  it('with_first_found searches templates/ for a template task (vars/ for include_vars), skips undefined terms, takes paths', async () => {
    expect(['template', 'ansible.builtin.include_vars', 'copy', 'file', 'debug'].map(lookupSubdir)).to.deep.equal(['templates', 'vars', 'files', 'files', 'files']);
    const r = await play({
      'site.yaml': local('    - template: {src: "{{ item }}", dest: "{{ playbook_dir }}/out.txt"}\n      with_first_found: ["{{ nope }}.hbs", missing.hbs, b.hbs]\n    - debug: {msg: "{{ item }}"}\n      with_first_found: [{files: [x.yml, y.yml], paths: "conf:extra"}]\n'),
      'templates/b.hbs': 'B={{ 1 }}',
      'b.hbs': 'wrong one',
      'extra/y.yml': '',
    });
    expect(r.code, r.text).to.equal(0);
    expect(readFileSync(join(r.dir, 'out.txt'), 'utf8')).to.equal('B=1');
    const found = r.events.flatMap((e) => (e.type === 'item.result' ? [String(e.result.item)] : []));
    expect(found[1]).to.equal(join(r.dir, 'extra/y.yml'));
  });

  it('with_lines runs a command on the controller', async () => {
    expect(await itemsOf('with_lines: printf "x\\ny\\n"')).to.deep.equal(['x', 'y']);
  });

  it('an include_tasks loops with with_* too, sees ansible_loop, and registers its result', async () => {
    const r = await play({
      'site.yaml': local('    - {include_tasks: inc.yaml, with_sequence: count=2, register: inc}\n    - {include_tasks: other.yaml, register: one, vars: {v: 1}}\n    - {name: after, assert: {that: ["inc.results | length == 2", "inc.results[1].item == \'2\'", "inc.results[0].include == \'inc.yaml\'", "inc.skipped == false", "one.include == \'other.yaml\'", "one.changed == false"]}}\n'),
      'inc.yaml': '- {name: in, debug: {msg: "{{ item }} of {{ ansible_loop.length }}"}}\n',
      'other.yaml': '- {name: other, debug: {msg: "{{ v }}"}}\n',
    });
    expect(r.code, r.text).to.equal(0);
    expect(r.results('in').map((x) => x.msg)).to.deep.equal(['1 of 2', '2 of 2']);
    expect(r.results('after')[0]!.status).to.equal('ok');
  });

  it('set_fact with a templated name over with_dict (a common role idiom)', async () => {
    const r = await play({
      'site.yaml': local('    - set_fact: {"{{ item.key }}": "{{ item.value }}"}\n      with_dict: {a: 1, b: two}\n    - {name: check, assert: {that: ["a == 1", "b == \'two\'"]}}\n'),
    });
    expect(r.code, r.text).to.equal(0);
    expect(r.results('check')[0]!.status).to.equal('ok');
  });

  it('loop_control extended: ansible_loop with every field Ansible gives; extended_allitems: false leaves allitems out', async () => {
    const r = await play({
      'site.yaml': local(
        '    - name: ext\n      assert: {that: ["ansible_loop.index == i + 1", "ansible_loop.index0 == i", "ansible_loop.length == 3", "ansible_loop.revindex == 3 - i", "ansible_loop.revindex0 == 2 - i", "ansible_loop.first == (i == 0)", "ansible_loop.last == (i == 2)", "ansible_loop.allitems == [\'a\', \'b\', \'c\']", "i == 0 or ansible_loop.previtem == ansible_loop.allitems[i - 1]", "i == 2 or ansible_loop.nextitem == ansible_loop.allitems[i + 1]"]}\n      loop: [a, b, c]\n      loop_control: {extended: true, index_var: i, label: "{{ item }}"}\n' +
          '    - name: lean\n      assert: {that: ["ansible_loop.allitems is not defined", "ansible_loop.length == 2"]}\n      loop: [a, b]\n      loop_control: {extended: true, extended_allitems: false}\n',
      ),
    });
    expect(r.code, r.text).to.equal(0);
    expect(r.events.filter((e) => e.type === 'item.result').length).to.equal(5);
  });

  it('a loop over an undefined variable is skipped when the task\'s when is false without it (Ansible keeps the error until then)', async () => {
    const r = await play({ 'site.yaml': local('    - name: skipped\n      debug: {msg: x}\n      with_items: ["{{ baz }}"]\n      when: false\n    - name: fails\n      debug: {msg: x}\n      loop: "{{ baz }}"\n      when: true\n') });
    expect(r.code).to.equal(2);
    expect(r.results('skipped')[0]!.status).to.equal('skipped');
    expect(r.results('fails')[0]!.msg).to.include("'baz'");
  });

  it('a skipped include registers a skipped result, its loop (over an undefined variable) never evaluated', async () => {
    const r = await play({
      'site.yaml': local('    - {include_tasks: nope.yaml, loop: "{{ undefined_list }}", when: false, register: skipped_include}\n    - {name: check, assert: {that: ["skipped_include is skipped", "skipped_include.results is undefined", "skipped_include.skip_reason is defined"]}}\n'),
    });
    expect(r.code, r.text).to.equal(0);
  });

  it('lookups fail with their own words: a mapping where a list is wanted, bad sequence arguments', async () => {
    const r = await play({ 'site.yaml': local('    - {name: idx, debug: {msg: x}, with_indexed_items: {a: 1}, ignore_errors: true}\n    - {name: seq, debug: {msg: x}, with_sequence: start=0 junk=3, ignore_errors: true}\n') });
    expect(r.code, r.text).to.equal(0);
    expect(r.results('idx')[0]!.msg).to.match(/^with_indexed_items expects a list/);
    expect(r.results('seq')[0]!.msg).to.match(/^unrecognized arguments to with_sequence: \['junk'\]/);
  });

  it('loop_var and index_var may be templates (on tasks and includes)', async () => {
    const r = await play({
      'site.yaml': local('    - {include_tasks: inc.yaml, loop: [value], loop_control: {loop_var: "{{ lv }}", index_var: "{{ iv }}"}}\n    - {name: t, assert: {that: ["other == \'a\'", "n == 0"]}, loop: [a], loop_control: {loop_var: "{{ \'oth\' ~ \'er\' }}", index_var: "{{ \'n\' }}"}}\n', '  vars: {lv: templated_loop_var_name, iv: idx}\n'),
      'inc.yaml': '- {name: check, assert: {that: ["templated_loop_var_name == \'value\'", "idx == 0"]}}\n',
    });
    expect(r.code, r.text).to.equal(0);
    expect(r.results('t')[0]!.status).to.equal('ok');
  });

  it('every with_* keyword the schema accepts has its lookup, and every lookup its with_* keyword', () => {
    expect(Object.keys(WITH_LOOPS).map((k) => k.replace(/^with_/, '')).sort()).to.deep.equal(LOOKUP_NAMES.filter((n) => n !== 'password').sort());
  });

  it('a lookup gx does not have is refused before anything runs, saying what to write', () => {
    expect(problems({ 'site.yaml': local('    - {debug: {msg: x}, with_k8s: all}\n') })).to.deep.equal(["unknown keyword or module 'with_k8s'"]);
  });
});
