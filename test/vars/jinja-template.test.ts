import { expect } from 'chai';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TemplateError } from '../../engine/errors.js';
import { locate, registerNode } from '../../engine/load/source.js';
import { lazyScope } from '../../engine/run/lazy-scope.js';
import { hasTemplate, renderString, renderTemplateFile, renderValue, templateFileSyntaxErrors, templateLoader, templateSyntaxErrors } from '../../engine/vars/template.js';
import { isUnknown, Unknown } from '../../engine/vars/unknown.js';

const vars = { n: 5, flag: false, nothing: null, l: ['a', 'b'], d: { k: 1 }, users: [{ name: 'ada' }, { name: 'bob' }], s: "it's" };
const fail = (f: () => unknown): TemplateError => {
  try {
    f();
  } catch (e) {
    if (e instanceof TemplateError) return e;
    throw e;
  }
  throw new Error('expected a TemplateError');
};

describe('vars/template (Jinja): types', () => {
  it('a lone {{ expr }} keeps its type, whitespace around allowed', () => {
    expect(renderValue('{{ n }}', vars)).to.equal(5);
    expect(renderValue('  {{ flag }}\n', vars)).to.equal(false);
    expect(renderValue('{{ nothing }}', vars)).to.equal(null);
    expect(renderValue('{{ l }}', vars)).to.deep.equal(['a', 'b']);
    expect(renderValue('{{ d }}', vars)).to.deep.equal({ k: 1 });
    expect(renderValue("{{ l | join(',') }}", vars)).to.equal('a,b');
    expect(renderValue('{{ n * 2 }}', vars)).to.equal(10);
  });

  it('text with several parts is a string; lists, dicts, bools and none inside it print as Python would', () => {
    expect(renderValue('n={{ n }}', vars)).to.equal('n=5');
    expect(renderValue('{{ n }}{{ n }}', vars)).to.equal('55');
    expect(renderValue('x {{ l }} {{ d }} {{ flag }} {{ true }}', vars)).to.equal("x ['a', 'b'] {'k': 1} False True");
    expect(renderValue('[{{ nothing }}] [{{ [none, s] }}]', vars)).to.equal(`[] [[None, "it's"]]`);
    expect(renderString('{{ n }}', vars)).to.equal('5');
  });

  it("text with several parts that reads as a list, dict or bool becomes one (Ansible 2.14's ansible_eval_concat, JSON null/true/false too)", () => {
    expect(renderValue('[{{ n }}, 2]', vars)).to.deep.equal([5, 2]);
    expect(renderValue('{{ "" }}{"null": null, "true": true, "false": false, "n": -1}', vars)).to.deep.equal({ null: null, true: true, false: false, n: -1 });
    expect(renderValue("{{ '' }}True", vars)).to.equal(true);
    expect(renderValue('[{{ n }}] and more', vars)).to.equal('[5] and more');
    expect(renderValue('[{{ n }}, x]', vars)).to.equal('[5, x]');
  });

  it('walks lists and maps, rendering keys too, without mutating the input', () => {
    const input = { dest: '{{ n }}/x', mode: '0644', list: ['{{ n }}', 2, { deep: '{{ flag }}' }], '{{ s }}_key': 1 };
    const copy = structuredClone(input);
    expect(renderValue(input, vars)).to.deep.equal({ dest: '5/x', mode: '0644', list: [5, 2, { deep: false }], "it's_key": 1 });
    expect(input).to.deep.equal(copy);
  });

  it('returns the very same object when nothing is templated, and carries source positions', () => {
    const input = { a: 'plain', b: [1, 2, { c: 'x' }], d: null };
    expect(renderValue(input, vars)).to.equal(input);
    const partly = { a: 'plain', b: { c: 'x' }, t: '{{ n }}' };
    registerNode(partly, { loc: { file: 'a.yaml', line: 3, col: 5 } });
    const out = renderValue(partly, vars) as Record<string, unknown>;
    expect(out).to.not.equal(partly);
    expect(out['b']).to.equal(partly.b);
    expect(locate(out)).to.deep.equal({ file: 'a.yaml', line: 3, col: 5 });
  });

  it('hasTemplate knows the three Jinja start strings', () => {
    expect(['{{ x }}', '{% if %}', '{# c #}'].map(hasTemplate)).to.deep.equal([true, true, true]);
    expect(['plain', '{ x }', 'a{b'].map(hasTemplate)).to.deep.equal([false, false, false]);
  });
});

describe('vars/template (Jinja): statements', () => {
  const r = (t: string, v: Record<string, unknown> = vars): unknown => renderValue(t, v);
  it('if / elif / else', () => {
    expect(r('{% if n > 6 %}big{% elif n > 3 %}mid{% else %}small{% endif %}')).to.equal('mid');
    expect(r('{% if flag %}on{% else %}off{% endif %}')).to.equal('off');
  });
  it('for with loop.*, else, filtering, and unpacking items()', () => {
    expect(r('{% for u in users %}{{ loop.index }}/{{ loop.length }}:{{ u.name }}{% if not loop.last %},{% endif %}{% endfor %}')).to.equal('1/2:ada,2/2:bob');
    expect(r('{% for u in users %}{{ loop.index0 }}{{ loop.revindex }}{{ loop.first }}{% endfor %}')).to.equal('02True11False');
    expect(r('{% for x in [] %}a{% else %}empty{% endfor %}')).to.equal('empty');
    expect(r('{% for x in [1, 2, 3, 4] if x is even %}{{ x }}{{ loop.length }}{% endfor %}')).to.equal('2242');
    expect(r('{% for k, v in d.items() %}{{ k }}={{ v }}{% endfor %}')).to.equal('k=1');
  });
  it('set (inline, tuple, block with a filter), and a loop does not leak its sets', () => {
    expect(r('{% set x = n * 2 %}{{ x }}')).to.equal('10');
    expect(r('{% set a, b = l %}{{ b }}{{ a }}')).to.equal('ba');
    expect(r('{% set t | upper %}hi {{ n }}{% endset %}{{ t }}')).to.equal('HI 5');
    expect(r('{% set x = 1 %}{% for i in l %}{% set x = 2 %}{% endfor %}{{ x }}')).to.equal('1');
    expect(r('{% if true %}{% set x = 3 %}{% endif %}{{ x }}')).to.equal('3');
  });
  it('raw, comments, filter blocks and with', () => {
    expect(r('{# gone #}{% raw %}{{ kept }}{% endraw %}')).to.equal('{{ kept }}');
    expect(r('{% filter upper %}a{{ n }}{% endfilter %}')).to.equal('A5');
    expect(r('{% with y = n + 1 %}{{ y }}{% endwith %}')).to.equal('6');
  });
  it('macros with defaults and keyword arguments, and call blocks', () => {
    expect(r("{% macro greet(who, punct='!') %}hi {{ who }}{{ punct }}{% endmacro %}{{ greet('ada') }} {{ greet('bob', punct='?') }}")).to.equal('hi ada! hi bob?');
    expect(r('{% macro box() %}[{{ caller() }}]{% endmacro %}{% call box() %}in {{ n }}{% endcall %}')).to.equal('[in 5]');
    expect(r("{% for x in l %}{{ loop.cycle('odd', 'even') }} {% endfor %}")).to.equal('odd even ');
  });
});

describe('vars/template (Jinja): whitespace control and Ansible defaults', () => {
  it('trim_blocks is on (the newline after a block tag goes), lstrip_blocks off, trailing newlines kept', () => {
    expect(renderValue('a\n{% if true %}\nyes\n{% endif %}\nb\n', vars)).to.equal('a\nyes\nb\n');
    expect(renderValue('a\n  {% if true %}\nyes\n  {% endif %}\n', vars)).to.equal('a\n  yes\n  \n');
    expect(renderValue('{{ n }}\n\n', { n: 'x' })).to.equal('x');
    expect(renderValue('a {{ n }}\n\n', vars)).to.equal('a 5\n\n');
  });
  it('{%- -%} and {{- -}} strip whitespace; {%+ keeps it under lstrip_blocks', () => {
    expect(renderValue('{%- for x in l -%}\n  [{{ x }}]\n{%- endfor %}', vars)).to.equal('[a][b]');
    expect(renderValue('a  {{- n -}}  b', vars)).to.equal('a5b');
  });
  it('template files: Ansible\'s template defaults, #jinja2: overrides, includes beside the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gx-jinja-'));
    writeFileSync(join(dir, 'part.j2'), 'part {{ n }}\n');
    const path = join(dir, 'main.j2');
    const text = '{% for x in l %}\n- {{ x }}\n{% endfor %}\n{% include "part.j2" %}!\n';
    expect(renderTemplateFile(text, vars, { path, load: templateLoader(path) })).to.equal('- a\n- b\npart 5!\n');
    const lstrip = '#jinja2: lstrip_blocks: True\n  {% for x in l %}\n{{ x }}\n  {% endfor %}\n';
    expect(renderTemplateFile(lstrip, vars, { path })).to.equal('a\nb\n');
    expect(() => renderTemplateFile('{% include "nope.j2" %}', vars, { path, load: templateLoader(path) })).to.throw(/template not found: nope\.j2/);
    expect(renderTemplateFile('{% include "nope.j2" ignore missing %}ok', vars, { path, load: templateLoader(path) })).to.equal('ok');
  });
  it("lookup('template', …) renders a .j2 file with the same engine, includes included", () => {
    const dir = mkdtempSync(join(tmpdir(), 'gx-lookup-'));
    mkdirSync(join(dir, 'templates'));
    writeFileSync(join(dir, 'templates', 'a.j2'), '{% for x in l %}{{ x }};{% endfor %}{% include "b.j2" %}\n');
    writeFileSync(join(dir, 'templates', 'b.j2'), 'B{{ n }}\n');
    expect(renderValue("{{ lookup('template', 'a.j2') }}", { ...vars, playbook_dir: dir })).to.equal('a;b;B5\n');
  });

  it('include, import and extends need a file: in a playbook value they say so; a missing parent is named', () => {
    for (const t of ['{% include "x.j2" %}', "{% import 'x.j2' as m %}", '{% extends "x.j2" %}']) {
      expect(() => renderValue(t, vars), t).to.throw(TemplateError, /only available in template files/);
    }
    const dir = mkdtempSync(join(tmpdir(), 'gx-extends-'));
    const path = join(dir, 'child.j2');
    expect(() => renderTemplateFile('{% extends "nope.j2" %}', vars, { path, load: templateLoader(path) })).to.throw(TemplateError, /template not found: nope\.j2 at line 1, col 1/);
  });

  it('.hbs files are still Handlebars', () => {
    expect(renderTemplateFile('{{#each l}}{{this}};{{/each}}', vars, { path: 'x.yaml.hbs' })).to.equal('a;b;');
    expect(templateFileSyntaxErrors('{{ x | default("a") }}', 'x.hbs')).to.match(/Jinja filter/);
    expect(templateFileSyntaxErrors('{{#if x}}', 'x.j2')).to.match(/^line 1, col 1: Handlebars '\{\{#if x\}\}' in a Jinja2 template file: files not named \.hbs are Jinja2.* — write \{% if x %\}/);
  });
});

describe('vars/template (Jinja): errors', () => {
  it('syntax errors carry line and column inside the text', () => {
    expect(templateSyntaxErrors('line one\n  {{ x }')).to.match(/^line 2, col 8: /);
    expect(templateSyntaxErrors('a\n{% if x %}b')).to.match(/^line 2, col 1: .*'\{% if %\}' is never closed/);
    expect(templateSyntaxErrors('{% for x %}{% endfor %}')).to.match(/expected 'in'/);
    expect(templateSyntaxErrors('{% endif %}')).to.match(/unexpected '\{% endif %\}'/);
    expect(templateSyntaxErrors('{% break %}')).to.match(/unknown tag 'break'/);
    expect(templateSyntaxErrors('{# open')).to.match(/missing end of comment/);
    expect(templateSyntaxErrors('{{ x | default("a") }} and {% if x %}y{% endif %}')).to.equal(undefined);
  });
  it('Handlebars forms in playbook values are refused with the Jinja form', () => {
    const cases: [string, string][] = [
      ['{{default x "d"}}', '{{ x | default("d") }}'],
      ['{{#if x}}a{{else}}b{{/if}}', '{% if x %}…{% else %}…{% endif %}'],
      ['{{to_json v}}', '{{ v | to_json }}'],
      ['{{b64encode (to_json x)}}', '{{ x | to_json | b64encode }}'],
      ['{{#if (eq a "b")}}x{{/if}}', '{% if a == "b" %}'],
      ['{{ hostvars.[db-1].port }}', "{{ hostvars['db-1'].port }}"],
      ['{{lookup hostvars inventory_hostname}}', '{{ hostvars[inventory_hostname] }}'],
    ];
    for (const [hbs, jinja] of cases) {
      const e = templateSyntaxErrors(hbs);
      expect(e, hbs).to.contain("playbooks use Ansible's Jinja2 expressions");
      expect(e, hbs).to.contain(jinja);
    }
  });
  it('an undefined variable names itself, the task, the value\'s place, with a Jinja hint', () => {
    const e = fail(() => renderValue({ args: { dest: '{{ nope }}/x' } }, vars, { task: 'write', host: 'web1' }));
    expect(e.message).to.match(/^'nope' is undefined at line 1, col 4 of template "\{\{ nope \}\}\/x" \(in args\.dest of task "write" on host web1\)/);
    expect(e.hint).to.equal("give a fallback with {{ nope | default('…') }} if it may be missing");
    expect(fail(() => renderValue('{{ usres }}', vars)).hint).to.match(/did you mean 'users'/);
    expect(fail(() => renderValue('{% for x in nothing %}{% endfor %}', vars)).message).to.match(/'none' object is not iterable at line 1, col 1/);
  });

  it('nested values name their path and point at the value in the file (and the task)', () => {
    const where = { task: 'write config', host: 'web1', what: 'args', loc: { file: 'roles/app/tasks/main.yml', line: 9, col: 5 } };
    const args = { dest: '/x', content: { lines: ['ok', '{{ missing_var }}'] } };
    registerNode(args, { loc: { file: 'site.yaml', line: 4, col: 7 }, keys: new Map([['content', { key: { file: 'site.yaml', line: 6, col: 9 }, value: { file: 'site.yaml', line: 6, col: 18 } }]]) });
    const e = fail(() => renderValue(args, vars, where));
    expect(e.message).to.contain('args.content.lines[1]');
    expect(e.message).to.contain('site.yaml:6:18');
    expect(e.message).to.contain('task at roles/app/tasks/main.yml:9:5');
    expect(e.loc).to.deep.equal({ file: 'site.yaml', line: 6, col: 18 });
  });

  it('a null in the middle of a path is reported as such', () => {
    expect(fail(() => renderValue('{{ nothing.path }}', vars)).message).to.contain("'nothing' is none");
  });
});

describe('vars/template (Jinja): no prototype access', () => {
  for (const t of ['{{ s.constructor }}', '{{ d.__proto__ }}', '{{ d.constructor.prototype }}', '{{ l.length }}', "{{ d['constructor'] }}"]) {
    it(`${t} is undefined, never Object.prototype`, () => expect(() => renderValue(t, vars)).to.throw(TemplateError, /is undefined/));
  }
});

describe('vars/template (Jinja): Unknown in check mode', () => {
  const U = new Unknown('registered by a command that did not run');
  const v = { ...vars, u: U, r: { stdout: U } };
  it('a lone unknown stays unknown; text around it is unknown, keeping the text for messages', () => {
    expect(renderValue('{{ r.stdout }}', v)).to.equal(U);
    expect(renderValue('{{ u.deeper.still }}', v)).to.equal(U);
    const url = renderValue({ registry: 'http://{{ r.stdout }}:5000', port: ':{{ n }}' }, v) as Record<string, unknown>;
    expect(isUnknown(url.registry)).to.equal(true);
    expect(String(url.registry)).to.equal(`http://${U.toString()}:5000`);
    expect(url.port).to.equal(':5');
  });
  it('a nested (lazy variable) render does not leak its Unknown into the text around it, nor hide one', () => {
    const lazy = lazyScope({ ...v, inner: 'i {{ r.stdout }}', plain: 'p {{ n }}' });
    expect(renderValue('o {{ plain }}', lazy)).to.equal('o p 5');
    expect(isUnknown(renderValue('o {{ inner }}', lazy))).to.equal(true);
  });
  it('statements never guess a branch or a count over an unknown', () => {
    expect(isUnknown(renderValue('{% if u %}a{% else %}b{% endif %}', v))).to.equal(true);
    expect(isUnknown(renderValue('{% for x in u %}a{% endfor %}', v))).to.equal(true);
    expect(renderValue('{% if n %}known{% endif %}', v)).to.equal('known');
    expect(renderTemplateFile('x: {% if u %}a{% endif %}', v, { path: 'f.j2' })).to.equal(`x: ${U.toString()}`);
  });
});
