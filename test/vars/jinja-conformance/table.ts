// Jinja statements and whitespace as Ansible renders them. `want` is what ansible-core answered
// (check-with-ansible.ts asks it again); test/vars/jinja-conformance.test.ts holds gx to it.
// `value` cases are playbook values (Templar.template), `file` cases template files (the template
// action's environment). Only text results: Ansible 2.14 turns a lone {{ }} into text where gx
// (like ansible-core 2.19) keeps the type, which jinja-template.test.ts covers.

export interface Case {
  text: string;
  vars?: Record<string, unknown>;
  file?: boolean;
  trim_blocks?: boolean;
  lstrip_blocks?: boolean;
  /** a file case whose includes and imports are found in ./templates */
  includes?: boolean;
  want: string;
}

const V = { n: 5, l: ['a', 'b'], d: { k: 1, j: 'x' }, t: true, f: false, z: null, users: [{ name: 'ada', on: true }, { name: 'bob', on: false }], s: "it's" };

export const CASES: Case[] = [
  // text around values: Python's str() of lists, dicts, bools; none is ''
  { text: 'x {{ l }} {{ d }} {{ t }} {{ z }}|', vars: V, want: "x ['a', 'b'] {'k': 1, 'j': 'x'} True |" },
  { text: '{{ [z, s, 1.5, -2] }} !', vars: V, want: `[None, "it's", 1.5, -2] !` },
  // in a playbook value, a string literal inside {{ }} keeps its backslashes (Ansible's
  // _escape_backslashes doubles them before Jinja reads the literal): 'a\nb' is a, backslash, n, b
  { text: "{{ 'a\\nb' }} {{ [\"q'\"] }} !", vars: V, want: `a\\nb ["q'"] !` },
  { file: true, text: "{{ 'a\\nb' }}|", vars: V, want: 'a\nb|' },
  // if / elif / else
  { text: '{% if n > 6 %}big{% elif n > 3 %}mid{% else %}small{% endif %}!', vars: V, want: 'mid!' },
  { text: 'a\n{% if t %}\nyes\n{% endif %}\nb', vars: V, want: 'a\nyes\nb' },
  { text: 'a\n  {% if t %}\n  yes\n  {% endif %}\nb', vars: V, want: 'a\n    yes\n  b' },
  { text: 'a {%- if t %} yes {% endif -%} b', vars: V, want: 'a yes b' },
  { text: 'a  {{- n -}}  b', vars: V, want: 'a5b' },
  // for
  { text: '{% for u in users %}{{ loop.index }}{{ loop.index0 }}{{ loop.revindex }}{{ loop.revindex0 }}{{ loop.first }}{{ loop.last }}{{ loop.length }};{% endfor %}', vars: V, want: '1021TrueFalse2;2110FalseTrue2;' },
  { text: '{% for u in users if u.on %}{{ u.name }}{{ loop.length }}{% endfor %}!', vars: V, want: 'ada1!' },
  { text: '{% for x in [] %}a{% else %}empty{% endfor %}', vars: V, want: 'empty' },
  { text: '{% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %}', vars: V, want: 'k=1;j=x;' },
  { text: '{% for k in d %}{{ k }}{% endfor %}', vars: V, want: 'kj' },
  { text: "{% for x in l %}{{ loop.cycle('o', 'e') }}{% endfor %}", vars: V, want: 'oe' },
  { text: '{% for x in l %}{{ loop.previtem | default("-") }}{{ x }}{{ loop.nextitem | default("-") }} {% endfor %}', vars: V, want: '-ab ab- ' },
  { text: '{% for c in "ab" %}[{{ c }}]{% endfor %}', vars: V, want: '[a][b]' },
  // set
  { text: '{% set x = n * 2 %}{{ x }}!', vars: V, want: '10!' },
  { text: '{% set a, b = l %}{{ b }}{{ a }}!', vars: V, want: 'ba!' },
  { text: '{% set x = 1 %}{% for i in l %}{% set x = 2 %}{% endfor %}{{ x }}!', vars: V, want: '1!' },
  { text: '{% set ns = namespace(c=0) %}{% for i in l %}{% set ns.c = ns.c + 1 %}{% endfor %}{{ ns.c }}!', vars: V, want: '2!' },
  { text: '{% set b | upper %}hi {{ n }}{% endset %}{{ b }}!', vars: V, want: 'HI 5!' },
  // macro, call, filter, with, raw, comments
  { text: "{% macro g(who, p='!') %}hi {{ who }}{{ p }}{% endmacro %}{{ g('ada') }} {{ g('bob', p='?') }}", vars: V, want: 'hi ada! hi bob?' },
  { text: '{% macro box() %}[{{ caller() }}]{% endmacro %}{% call box() %}in {{ n }}{% endcall %}', vars: V, want: '[in 5]' },
  { text: '{% filter upper %}a{{ n }}{% endfilter %}!', vars: V, want: 'A5!' },
  { text: '{% with y = n + 1 %}{{ y }}{% endwith %}!', vars: V, want: '6!' },
  { text: '{# gone #}{% raw %}{{ kept }}{% endraw %}!', vars: V, want: '{{ kept }}!' },
  { text: 'a\n{# c #}\nb', vars: V, want: 'a\nb' },
  // trailing newlines (Ansible puts back what Jinja drops)
  { text: 'a {{ n }}\n\n', vars: V, want: 'a 5\n\n' },
  // the lexer: end tags inside strings and brackets, comments and raw with whitespace control
  { text: "{{ '}}' }}|{{ {'a': {'b': 1}} }}|", vars: V, want: "}}|{'a': {'b': 1}}|" },
  { text: 'a {#- c -#} b', vars: V, want: 'ab' },
  { text: 'a {%- raw %} {{ x }} {% endraw -%} b', vars: V, want: 'a {{ x }} b' },
  { text: '{% if t +%}\nx{% endif %}', vars: V, want: '\nx' },
  { text: '{% if f %}\na\n{%- else -%}\n  b\n{% endif %}\nc', vars: V, want: 'b\nc' },
  // nesting, unpacking, filters with arguments, set blocks in loops
  { text: '{% for a, b in [[1, 2], [3, 4]] %}{{ a + b }} {% endfor %}', vars: V, want: '3 7 ' },
  { text: '{% for u in users %}{% set outer = loop %}{% for x in l %}{{ outer.index }}{{ loop.index }} {% endfor %}{% endfor %}', vars: V, want: '11 12 21 22 ' },
  { text: "{% filter replace('a', 'b') %}banana{% endfilter %}", vars: V, want: 'bbnbnb' },
  { text: '{% for x in l %}{% set y %}<{{ x }}>{% endset %}{{ y }}{% endfor %}', vars: V, want: '<a><b>' },
  { text: 'x={{ none }}|{{ [none] }}', vars: V, want: 'x=|[None]' },
  // loop.changed, caller arguments, lists a template made and changed
  { text: '{% for x in [1, 1, 2, 2, 1] %}{% if loop.changed(x) %}{{ x }}{% endif %}{% endfor %}', vars: V, want: '121' },
  { text: '{% macro m() %}{{ caller(1) }}{{ caller(2) }}{% endmacro %}{% call(v) m() %}[{{ v }}]{% endcall %}', vars: V, want: '[1][2]' },
  { text: '{% set acc = [] %}{% for u in users %}{% set _ = acc.append(u.name | upper) %}{% endfor %}{{ acc | join(",") }}', vars: V, want: 'ADA,BOB' },
  { text: 'a\n  {%- if t %} x{% endif %}', vars: V, want: 'a x' },
  { text: '{% for k, v in d | dictsort %}{{ k }}{{ v }}{% endfor %}', vars: V, want: 'jxk1' },
  // bare tuples in for and set (kubespray writes them); }} inside open braces is not the end tag
  { text: "{% for x in 'kube', 'system' %}{{ x }};{% endfor %}{% set t = 1, 2 %}{{ t | length }}", vars: V, want: 'kube;system;2' },
  { text: "{{ d | combine({'spec': {'bgp': {'id': n}}}, recursive=True) }}|", vars: V, want: "{'k': 1, 'j': 'x', 'spec': {'bgp': {'id': 5}}}|" },
  // a block without extends renders where it stands (geerlingguy's nginx vhost.j2 has them)
  { file: true, text: '{% block head %}\nh{{ n }}\n{% endblock head %}\n{% block body scoped %}b{% endblock %}\n', vars: V, want: 'h5\nb\n' },
  // template files
  { file: true, text: '{% for x in l %}\n- {{ x }}\n{% endfor %}\nend\n', vars: V, want: '- a\n- b\nend\n' },
  { file: true, text: 'a\n  {% if t %}\n  yes {{ n }}\n  {% endif %}\n', vars: V, want: 'a\n    yes 5\n  \n' },
  { file: true, lstrip_blocks: true, text: 'a\n  {% if t %}\n  yes {{ n }}\n  {% endif %}\n', vars: V, want: 'a\n  yes 5\n' },
  { file: true, trim_blocks: false, text: 'a\n{% if t %}\nyes\n{% endif %}\n', vars: V, want: 'a\n\nyes\n' },
  { file: true, lstrip_blocks: true, text: '  {%+ if t %}x{% endif %}\n', vars: V, want: '  x\n' },
  { file: true, text: 'x={{ z }}\n', vars: V, want: 'x=\n' },
  { file: true, lstrip_blocks: true, text: 'a\n    {# note #}\nb\n', vars: V, want: 'a\nb\n' },
  // include (the included file's trailing newline is dropped, as Jinja does), import and from
  { file: true, includes: true, text: '{% include "part.j2" %}!\n', vars: V, want: 'part 5!\n' },
  { file: true, includes: true, text: "{% import 'macros.j2' as m %}{% for x in l %}{{ m.li(x) }}{{ m.sep }}{% endfor %}\n", vars: V, want: '<li>a</li>;<li>b</li>;\n' },
  { file: true, includes: true, text: "{% from 'macros.j2' import li as item, who %}{{ item(1) }} {{ who() }}\n", vars: { ...V, name: 'ada' }, want: '<li>1</li> nobody\n' },
  { file: true, includes: true, text: "{% from 'macros.j2' import who with context %}{{ who() }}\n", vars: { ...V, name: 'ada' }, want: 'ada\n' },
  // template inheritance: blocks replace the parent's, super() renders the parent's, the child's
  // text outside blocks is not output but its sets run (debops' nginx templates extend a base)
  { file: true, includes: true, text: '{% extends "base.j2" %}\n{% set x = n %}\nignored\n{% block body %}child {{ x }} [{{ super() }}]{% endblock %}\n', vars: V, want: '<base-head>\nchild 5 [base-body]\n' },
  { file: true, includes: true, text: '{# c #}\n{% extends "mid.j2" %}\n{% block inner %}leaf{% endblock %}\n{% block head %}H{% endblock %}\n', vars: V, want: '<H>\nmid leaf [base-body]\n' },
  { file: true, text: '{% macro li(x) -%}\n<li>{{ x }}</li>\n{%- endmacro %}\n{% for x in l %}\n{{ li(x) }}\n{% endfor %}\n', vars: V, want: '<li>a</li>\n<li>b</li>\n' },
];
