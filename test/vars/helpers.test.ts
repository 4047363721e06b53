import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { TemplateError } from '../../engine/errors.js';
import { HELPERS } from '../../engine/vars/helpers.js';
import { renderHandlebars } from '../../engine/vars/handlebars.js';
import { textOf } from '../../engine/vars/values.js';

const vars: Record<string, unknown> = {
  s: 'Hello World',
  empty: '',
  zero: 0,
  f: false,
  none: null,
  list: ['b', 'a', 'c'],
  nums: [1, 2, 3],
  map: { b: 2, a: { x: [1, 'y'] } },
  path: '/etc/nginx/conf.d/site.conf',
  json: '{"a": [1, 2], "b": null}',
  yaml: 'a: 1\nb:\n  - x\n  - y\n',
  text: 'line1\nline2\n\nline4',
  word: "it's",
  spaced: '  pad me  ',
  csv: 'a, b ,c',
  version: 'v1.2.3',
};

// .hbs templates render to text: a value shows as textOf shows it (lists and dicts as JSON)
const r = (t: string): string => renderHandlebars(t, vars);
const shown = (v: unknown): string => textOf(v);

// [template, expected] — at least one per helper; the docs (docs/variables.md) show the same calls
const CASES: Record<string, [string, unknown][]> = {
  default: [
    ['{{default missing "d"}}', 'd'],
    ['{{default s "d"}}', 'Hello World'],
    ['{{default empty "d"}}', ''],
    ['{{default empty "d" true}}', 'd'],
    ['{{default f "d" true}}', 'd'],
    ['{{default zero "d" true}}', 'd'],
    ['{{default none "d"}}', null],
    ['{{default missing.deep.path 3}}', 3],
    ['{{default missing}}', ''],
  ],
  to_json: [['{{to_json map}}', '{"b":2,"a":{"x":[1,"y"]}}'], ['{{to_json s}}', '"Hello World"']],
  to_nice_json: [['{{to_nice_json map}}', '{\n    "a": {\n        "x": [\n            1,\n            "y"\n        ]\n    },\n    "b": 2\n}'], ['{{to_nice_json nums 2}}', '[\n  1,\n  2,\n  3\n]']],
  // PyYAML's dump (what Ansible's to_yaml is) in the data's key order, block style
  to_yaml: [['{{to_yaml map}}', "b: 2\na:\n  x:\n  - 1\n  - 'y'\n"]],
  from_json: [['{{from_json json}}', { a: [1, 2], b: null }]],
  from_yaml: [['{{from_yaml yaml}}', { a: 1, b: ['x', 'y'] }]],
  b64encode: [['{{b64encode s}}', 'SGVsbG8gV29ybGQ=']],
  b64decode: [['{{b64decode "SGVsbG8gV29ybGQ="}}', 'Hello World'], ['{{b64decode (b64encode word)}}', "it's"]],
  quote: [['{{quote word}}', `'it'\\''s'`], ['{{quote "plain"}}', 'plain'], ['{{quote s}}', "'Hello World'"], ['{{quote empty}}', "''"]],
  join: [['{{join list ","}}', 'b,a,c'], ['{{join nums}}', '123']],
  indent: [['{{indent text 2}}', 'line1\n  line2\n\n  line4'], ['{{indent text 2 true}}', '  line1\n  line2\n\n  line4'], ['{{indent text first=true}}', '    line1\n    line2\n\n    line4']],
  lower: [['{{lower s}}', 'hello world']],
  upper: [['{{upper s}}', 'HELLO WORLD']],
  replace: [['{{replace s "World" "gx"}}', 'Hello gx'], ['{{replace "a-b-c" "-" ""}}', 'abc']],
  regex_replace: [['{{regex_replace version "^v(\\d+)\\..*$" "major \\1"}}', 'major 1'], ['{{regex_replace s "o" "0"}}', 'Hell0 W0rld'], ['{{regex_replace "cost" "o" "$"}}', 'c$st']],
  basename: [['{{basename path}}', 'site.conf']],
  dirname: [['{{dirname path}}', '/etc/nginx/conf.d']],
  sha256: [['{{sha256 s}}', createHash('sha256').update('Hello World').digest('hex')]],
  length: [['{{length list}}', 3], ['{{length s}}', 11], ['{{length map}}', 2]],
  int: [['{{int "42"}}', 42], ['{{int "3.9"}}', 3], ['{{int "nope"}}', 0], ['{{int "nope" 7}}', 7]],
  bool: [['{{bool "yes"}}', true], ['{{bool "off"}}', false], ['{{bool 1}}', true]],
  string: [['{{string 5}}', '5'], ['{{string nums}}', '[1, 2, 3]'], ['{{string list}}', "['b', 'a', 'c']"]],
  trim: [['{{trim spaced}}', 'pad me']],
  split: [['{{split csv ","}}', ['a', ' b ', 'c']], ['{{split "a b  c"}}', ['a', 'b', 'c']]],
  first: [['{{first list}}', 'b'], ['{{first s}}', 'H'], ['{{default (first empty) "none"}}', 'none']],
  last: [['{{last list}}', 'c']],
  keys: [['{{keys map}}', ['b', 'a']]],
  values: [['{{values map}}', [2, { x: [1, 'y'] }]]],
  lookup: [['{{lookup map "b"}}', 2], ['{{lookup list 1}}', 'a'], ['{{default (lookup map "zz") "none"}}', 'none'], ['{{lookup map "constructor"}}', null]],
  eq: [['{{eq 1 1}}', true], ['{{eq list list}}', true], ['{{#if (eq s "Hello World")}}yes{{/if}}', 'yes']],
  ne: [['{{ne 1 2}}', true]],
  and: [['{{and true 1 "x"}}', true], ['{{and true empty}}', false]],
  or: [['{{or f zero "x"}}', true], ['{{or f zero}}', false]],
  not: [['{{not f}}', true], ['{{#if (not empty)}}empty{{/if}}', 'empty']],
};

describe('vars/helpers', () => {
  it('every helper has a test case here', () => {
    expect(Object.keys(HELPERS).sort()).to.deep.equal(Object.keys(CASES).sort());
  });

  for (const [name, cases] of Object.entries(CASES)) {
    describe(name, () => {
      for (const [t, want] of cases) it(`${t}  →  ${JSON.stringify(want)}`, () => expect(r(t)).to.equal(shown(want)));
    });
  }

  it('composes: join of a split, upper of a default, length of keys', () => {
    expect(r('{{join (split csv ",") "|"}}')).to.equal('a| b |c');
    expect(r('{{length (keys map)}}')).to.equal('2');
    expect(r('cmd {{quote (join list " ")}}')).to.equal("cmd 'b a c'");
  });

  it('wrong argument types are template errors naming the helper', () => {
    expect(() => r('{{length 5}}')).to.throw(TemplateError, /length: object of type 'int' has no len\(\)/);
    expect(() => r('{{regex_replace s "(?i:o)" "x"}}')).to.throw(TemplateError, /scoped inline flags \(\?i:…\) are not supported/);
    expect(() => r('{{from_json s}}')).to.throw(TemplateError, /from_json/);
    expect(() => r('{{regex_replace s "(" "x"}}')).to.throw(TemplateError, /invalid regular expression/);
  });
});
