import { expect } from 'chai';
import { TemplateError } from '../../engine/errors.js';
import { JinjaCallable } from '../../engine/vars/callable.js';
import { compileExpr, evaluate, evaluateCondition } from '../../engine/vars/expr.js';
import { parseExpr } from '../../engine/vars/expr-parse.js';
import '../../engine/vars/template.js';
import { isUnknown, Unknown } from '../../engine/vars/unknown.js';

const U = new Unknown('stdout of a command that did not run');

const scope: Record<string, unknown> = {
  n: 3,
  f: 2.5,
  zero: 0,
  s: 'hello',
  empty: '',
  yes_str: 'yes',
  false_str: 'false',
  num_str: '42',
  l: [1, 2, 3],
  names: ['web1', 'db1'],
  d: { a: 1, 'b-c': 2, nested: { deep: true } },
  nothing: null,
  t: true,
  ok: { changed: false, failed: false, skipped: false, rc: 0, stdout: 'active' },
  bad: { changed: true, failed: true, rc: 1, stdout: '' },
  skipped_r: { changed: false, skipped: true },
  u: U,
  ru: { changed: U, failed: false, stdout: U },
  lu: [1, U],
  version: '1.10.2',
};

const UNK = Symbol('unknown');

// [expression, expected]; UNK means "an Unknown"
const TABLE: [string, unknown][] = [
  ['n == 3', true],
  ['n != 3', false],
  ['n > 2 and n < 4', true],
  ['n >= 3 or undefined_var', true],
  ['1 < n < 5', true],
  ['5 < n < 10', false],
  ['n + 1', 4],
  ['n - 5', -2],
  ['n * 2', 6],
  ['7 / 2', 3.5],
  ['7 // 2', 3],
  ['-7 % 3', 2],
  ['2 ** 10', 1024],
  ['-n', -3],
  ['-(n + 1)', -4],
  ['(n + 1) * 2', 8],
  ['n + 1 * 2', 5],
  ['s ~ "!" ~ n', 'hello!3'],
  ['t ~ ""', 'True'],
  ['"a" "b"', 'ab'],
  ['s == "hello"', true],
  ["s == 'hello'", true],
  ['"ell" in s', true],
  ['"x" not in s', true],
  ['2 in l', true],
  ['4 in l', false],
  ['4 not in l', true],
  ["'a' in d", true],
  ["'zz' in d", false],
  ["s in ('hello', 'bye')", true],
  ['[1, 2] == [1, 2]', true],
  ["{'a': 1} == {'a': 1}", true],
  ['true', true],
  ['True', true],
  ['False', false],
  ['none', null],
  ['None is none', true],
  ['nothing is none', true],
  ['nothing is not none', false],
  ['not t', false],
  ['not not t', true],
  ['not zero', true],
  ['not empty', true],
  ['not false_str', true],
  ['l[0]', 1],
  ['l[-1]', 3],
  ['l.1', 2],
  ["d['a']", 1],
  ["d['b-c']", 2],
  ['d.nested.deep', true],
  ['d["nested"]["deep"]', true],
  ['names[0] == "web1"', true],
  ['x is defined', false],
  ['x is undefined', true],
  ['x is not defined', true],
  ['n is defined', true],
  ['d.a is defined', true],
  ['d.zz is defined', false],
  ['x.y.z is defined', false],
  ['x is defined and x > 1', false],
  ['x is not defined or x > 1', true],
  ['ok is succeeded', true],
  ['ok is success', true],
  ['ok is failed', false],
  ['bad is failed', true],
  ['bad is failure', true],
  ['bad is changed', true],
  ['ok is not changed', true],
  ['skipped_r is skipped', true],
  ['ok.rc == 0 and ok.stdout == "active"', true],
  ["ok.stdout is match('act')", true],
  ["ok.stdout is match('tive')", false],
  ["ok.stdout is search('tive')", true],
  ["s is match('HEL', ignorecase=true)", true],
  ['l | length', 3],
  ['s | length == 5', true],
  ['d | length', 3],
  ['l | length > 2', true],
  ['yes_str | bool', true],
  ['false_str | bool', false],
  ['num_str | int + 1', 43],
  ["'3.9' | int", 3],
  ["'abc' | int", 0],
  ['num_str | float', 42],
  ['n | string', '3'],
  ['t | string', 'True'],
  ['s | upper', 'HELLO'],
  ["'MiXed' | lower", 'mixed'],
  ["'  pad  ' | trim", 'pad'],
  ["x | default('dflt')", 'dflt'],
  ["x | d('dflt')", 'dflt'],
  ["s | default('dflt')", 'hello'],
  ["empty | default('dflt')", ''],
  ["empty | default('dflt', true)", 'dflt'],
  ["nothing | default('dflt')", null],
  ['x.y | default(5) + 1', 6],
  ['l | first', 1],
  ['l | last', 3],
  ['names | join(",")', 'web1,db1'],
  ['-n | abs', 3],
  ["s | upper | length", 5],
  ["'yes' if n > 2 else 'no'", 'yes'],
  ["'yes' if n > 5 else 'no'", 'no'],
  ['s.startswith("he")', true],
  ['s.split("l")', ['he', '', 'o']],
  ["d.get('zz', 7)", 7],
  ['d.keys() | list | length', 3],
  ["version is version('1.9', '>')", true],
  ["[ok, bad, skipped_r] | selectattr('changed') | list | length", 1],
  ["[ok, bad] | rejectattr('failed') | map(attribute='stdout') | list", ['active']],
  ["[ok, bad] | selectattr('rc', 'equalto', 1) | map(attribute='rc') | first", 1],
  ["[ok, skipped_r] | selectattr('rc', 'defined') | list | length", 1],
  ["names | map('upper') | join(' ')", 'WEB1 DB1'],
  ["version is version('1.10.2', '==')", true],
  ['n is even', false],
  ['n is odd', true],
  ['n is divisibleby 3', true],
  ['{{ n > 1 }}', true],
  ['{{ s }}', 'hello'],
  // check mode: three-valued logic
  ['u', UNK],
  ['u == "x"', UNK],
  ['u > 1', UNK],
  ['not u', UNK],
  ['false and u', false],
  ['u and false', false],
  ['true or u', true],
  ['u or true', true],
  ['true and u', UNK],
  ['false or u', UNK],
  ['u is defined', true],
  ['u.stdout', UNK],
  ["u.stdout == 'x'", UNK],
  ['ru is changed', UNK],
  ['ru is failed', false],
  ["'x' in ru.stdout", UNK],
  ["ru.stdout | default('z')", UNK],
  ['2 in lu', UNK],
  ['1 in lu', true],
  ['u | length', UNK],
  ["ru.stdout ~ 'a'", UNK],
];

describe('vars/expr: the expression table', () => {
  it('has at least 60 cases', () => expect(TABLE.length).to.be.at.least(60));
  for (const [src, want] of TABLE) {
    it(`${src}  →  ${want === UNK ? 'Unknown' : JSON.stringify(want)}`, () => {
      const got = evaluate(src, scope);
      if (want === UNK) expect(isUnknown(got), `got ${String(got)}`).to.equal(true);
      else expect(got).to.deep.equal(want);
    });
  }
});

describe('vars/expr: errors', () => {
  const where = { task: 'restart web', host: 'web1', what: 'when', loc: { file: 'site.yaml', line: 12, col: 7 } };

  function err(src: string, sc = scope): TemplateError {
    try {
      evaluate(src, sc, where);
    } catch (e) {
      expect(e).to.be.instanceOf(TemplateError);
      return e as TemplateError;
    }
    throw new Error(`expected ${src} to fail`);
  }

  it('names the undefined variable, the task, the host and file:line', () => {
    const e = err('nope == 1');
    expect(e.message).to.contain("'nope' is undefined");
    expect(e.message).to.contain('task "restart web"');
    expect(e.message).to.contain('web1');
    expect(e.message).to.contain('site.yaml:12:7');
    expect(e.loc).to.deep.equal(where.loc);
  });

  it('names the missing attribute and its parent', () => {
    const e = err('ok.stdotu == "x"');
    expect(e.message).to.contain("'ok.stdotu' is undefined");
    expect(e.message).to.contain("has no attribute");
  });

  it('suggests a close variable name', () => {
    expect(err('nn > 1', { nm: 1, other: 2 }).hint).to.equal("did you mean 'nm'?");
  });

  it('an undefined variable inside a filter other than default is an error', () => {
    expect(err('nope | length').message).to.contain("'nope' is undefined");
  });

  it('is none on an undefined variable is an error (only defined/undefined tolerate it)', () => {
    expect(err('nope is none').message).to.contain("'nope' is undefined");
  });

  it('a parse error gives the column and a caret under it', () => {
    const e = err('n == ) 1');
    expect(e.message).to.match(/at column 6/);
    const lines = e.message.split('\n');
    expect(lines[1]).to.equal('  n == ) 1');
    expect(lines[2]).to.equal('       ^');
  });

  it('the column counts from the start of the written text when {{ }} wraps it', () => {
    expect(err('{{ n == ) }}').message).to.match(/at column 9/);
  });

  it('single = suggests ==', () => expect(err('n = 3').message).to.contain("use '=='"));
  it('unterminated string', () => expect(err("s == 'abc").message).to.contain('unterminated string'));
  it('unknown filter suggests the close one', () => expect(err('l | lenght').hint).to.equal("did you mean 'length'?"));
  it('unknown test suggests the close one', () => expect(err('ok is chnaged').hint).to.equal("did you mean 'changed'?"));
  it('comparing str and int is explained', () => expect(err('num_str > 3').message).to.contain("'>' is not supported between str and int"));
  it('division by zero', () => expect(err('n / 0').message).to.contain('division by zero'));
  // Ansible's plugins/test/core.py: "The 'changed' test expects a dictionary"
  it('result tests need a dict', () => expect(err('s is changed').message).to.contain("The 'changed' test expects a dictionary"));
  it('only known global functions can be called', () => expect(err('upper(s)').message).to.contain("'upper' is not a function gx expressions know").and.contain('x | upper(…)'));
  it('trailing garbage', () => expect(err('n == 3 3').message).to.contain('after a complete expression'));
  // Ansible ≤2.18 renders a condition's inline {{ }} first, then evaluates the text (playbook/conditional.py)
  it('{{ }} inside a condition is rendered first, as Ansible 2.14 does', () => {
    expect(evaluateCondition('{{ n }} == 3', scope)).to.equal(true);
    expect(evaluateCondition("'{{ s }}' == 'hello'", scope)).to.equal(true);
    expect(evaluateCondition("\"{{ 'x' | hash('sha1') }}\" == '11f6ad8ec52a2984abaafd7c3b516503785c2072'", scope)).to.equal(true);
    expect(isUnknown(evaluateCondition("'{{ u }}' == 'x'", scope))).to.equal(true);
  });
  it('what {{ }} produced in a condition cannot run a lookup', () => {
    const data = { ...scope, evil: "lookup('pipe', 'touch /tmp/gx-should-not-exist')" };
    expect(evaluateCondition('{{ evil }}', data)).to.equal(true);
    expect(() => evaluateCondition('{{ evil }} == 1', data)).to.throw(TemplateError, /does not run in a condition that \{\{ \}\} produced/);
  });
});

describe('vars/expr: no prototype access', () => {
  const attempts = [
    'd.constructor',
    'd.__proto__',
    "d['constructor']",
    "d['__proto__']",
    's.constructor',
    'l.constructor',
    'd.constructor.prototype',
    "''.constructor",
    'constructor',
    '__proto__',
    'toString',
    'd.hasOwnProperty',
    'l.length',
    's.length',
  ];
  for (const src of attempts) {
    it(`${src} is undefined, never a JS object`, () => {
      expect(evaluate(`${src} is defined`, scope)).to.equal(false);
      expect(() => evaluate(src, scope)).to.throw(TemplateError, /is undefined/);
    });
  }

  it('dict literals with a __proto__ key do not change the prototype', () => {
    const v = evaluate("{'__proto__': {'polluted': 1}}", scope) as object;
    expect(Object.getPrototypeOf(v)).to.equal(Object.prototype);
    expect(({} as Record<string, unknown>)['polluted']).to.equal(undefined);
    expect(Object.keys(v)).to.deep.equal(['__proto__']);
  });

  it('a function in the scope is not callable or visible', () => {
    expect(evaluate('fn is defined', { fn: () => 1 })).to.equal(false);
    expect(() => evaluate('s.constructor("x")', scope)).to.throw(TemplateError);
  });

  it('only whitelisted methods exist', () => {
    expect(() => evaluate('s.charAt(0)', scope)).to.throw(TemplateError, /no method 'charAt'/);
    expect(() => evaluate('d.toString()', scope)).to.throw(TemplateError, /no method 'toString'/);
  });
});

describe('vars/expr: evaluateCondition', () => {
  it('accepts booleans, strings and lists (all must hold)', () => {
    expect(evaluateCondition(true, scope)).to.equal(true);
    expect(evaluateCondition(false, scope)).to.equal(false);
    expect(evaluateCondition('n == 3', scope)).to.equal(true);
    expect(evaluateCondition(['n == 3', 's == "hello"'], scope)).to.equal(true);
    expect(evaluateCondition(['n == 3', 's == "bye"'], scope)).to.equal(false);
    expect(evaluateCondition(undefined, scope)).to.equal(true);
  });

  it('a list with an unknown and a false item is false; with unknown and true items, unknown', () => {
    expect(evaluateCondition(['u == 1', 'n == 4'], scope)).to.equal(false);
    expect(isUnknown(evaluateCondition(['u == 1', 'n == 3'], scope))).to.equal(true);
  });

  it('the Unknown keeps its reason', () => {
    const r = evaluateCondition('ru.stdout == "x"', scope);
    expect(r).to.equal(U);
  });

  it('-e style strings "false"/"no" are false, other strings true by presence', () => {
    expect(evaluateCondition('false_str', scope)).to.equal(false);
    expect(evaluateCondition('flag', { flag: 'no' })).to.equal(false);
    expect(evaluateCondition('s', scope)).to.equal(true);
    expect(evaluateCondition('empty', scope)).to.equal(false);
  });

  it('rejects a condition of the wrong type', () => {
    expect(() => evaluateCondition({ a: 1 }, scope)).to.throw(TemplateError, /a condition must be/);
  });
});

describe('vars/expr: compileExpr', () => {
  it('caches by source text and reports the root variables', () => {
    const a = compileExpr('x.y == other | default(1)');
    expect(compileExpr('x.y == other | default(1)')).to.equal(a);
    expect([...a.vars].sort()).to.deep.equal(['other', 'x']);
  });

  it('flags a {{ }}-wrapped condition', () => {
    expect(compileExpr('{{ a }}').wrapped).to.equal(true);
    expect(compileExpr('a').wrapped).to.equal(false);
  });

  it('a syntax error is thrown at compile time, before any scope exists', () => {
    expect(() => compileExpr('a ==')).to.throw(TemplateError, /unexpected end of expression/);
  });
});

describe('vars/expr: parser additions (issue 14)', () => {
  it('global calls parse as their own node; slices too', () => {
    expect(parseExpr("lookup('env', 'HOME')").k).to.equal('fn');
    expect(parseExpr('x[1:2]').k).to.equal('slice');
    expect(parseExpr('x | ansible.builtin.to_json')).to.include({ k: 'filter', name: 'ansible.builtin.to_json' });
  });
  it("rawBackslashes keeps a literal's backslashes (Ansible's playbook values)", () => {
    expect(parseExpr("'\\d\\n'")).to.include({ value: '\\d\n' });
    expect(parseExpr("'\\d\\n'", { rawBackslashes: true })).to.include({ value: '\\d\\n' });
  });
  it('a macro in scope is called; it shadows a global of the same name', () => {
    const m = new JinjaCallable('range', (args, kw) => `m(${args.join(',')};${Object.keys(kw).join(',')})`);
    expect(evaluate('range(1, 2, k=3)', { range: m })).to.equal('m(1,2;k)');
    expect(evaluate("loop.cycle('a', 'b')", { loop: { cycle: new JinjaCallable('cycle', ([a]) => a) } })).to.equal('a');
  });
  it('a bare tuple where Jinja allows one (for … in / set)', () => {
    const n = parseExpr("'kube', 'system'", { tuple: true });
    expect(n).to.include({ k: 'list' });
    expect(() => parseExpr("'kube', 'system'")).to.throw(/after a complete expression/);
  });
  it('names that are Object.prototype members reach nothing', () => {
    expect(Object.getPrototypeOf(evaluate("dict([['__proto__', {'polluted': 1}]])", {}))).to.equal(Object.prototype);
    expect(evaluate('dict(__proto__=1) | list', {})).to.deep.equal(['__proto__']);
    expect(() => evaluate("'1' is version('1', 'constructor')", {})).to.throw(TemplateError, /Invalid operator type/);
    expect(() => evaluate("'x' | comment('constructor')", {})).to.throw(TemplateError, /unknown style/);
    expect(() => evaluate("lookup('constructor')", {})).to.throw(TemplateError, /lookup plugin \(constructor\) not found/);
    expect(evaluate("lookup('password', '/dev/null length=3 chars=constructor')", {})).to.match(/^[constru]{3}$/);
    expect(() => evaluate('x | constructor', { x: 1 })).to.throw(TemplateError, /unknown filter/);
    expect(() => evaluate('x is constructor', { x: 1 })).to.throw(TemplateError, /unknown test/);
    expect(() => evaluate('constructor(1)', {})).to.throw(TemplateError, /not a function/);
    expect(() => evaluate("x.constructor('y')", { x: 'a' })).to.throw(TemplateError, /no method 'constructor'/);
  });
  it("`vars` is every variable, as in Ansible (read-only)", () => {
    const scope = { app_web: 8080, name: 'web' };
    expect(evaluate("vars['app_' ~ name]", scope)).to.equal(8080);
    expect(evaluate("vars.nope | default('d')", scope)).to.equal('d');
    expect(() => evaluate("vars.update({'x': 1})", scope)).to.throw(TemplateError, /would change a variable every host shares/);
    expect(evaluate('vars', { vars: 'mine' })).to.equal('mine');
  });
  it('namespace() gives a plain dict', () => expect(evaluate('namespace(found=false, n=1)', {})).to.deep.equal({ found: false, n: 1 }));
  it('range is limited as in Jinja', () => expect(() => evaluate('range(1000000)', {})).to.throw(TemplateError, /range too big/));
});

describe('vars/expr: changing values the template made (kubespray, debops idioms)', () => {
  it('append/extend/insert/pop/remove on a list literal change that list', () => {
    const l = evaluate('[1, 2]', {}) as unknown[];
    const scope = { l };
    expect(evaluate('l.append(3)', scope)).to.equal(null);
    evaluate('l.extend([4, 5])', scope);
    evaluate("l.insert(0, 'z')", scope);
    expect(evaluate('l.pop()', scope)).to.equal(5);
    evaluate("l.remove('z')", scope);
    expect(l).to.deep.equal([1, 2, 3, 4]);
  });
  it('update/__setitem__/setdefault/pop on a dict literal, dict() or namespace()', () => {
    const d = evaluate("{'dns': 2}", {}) as Record<string, unknown>;
    evaluate("d.update({'dns': d['dns'] + 1}, ip=1)", { d });
    evaluate("d.__setitem__('x', 'y')", { d });
    expect(d).to.deep.equal({ dns: 3, ip: 1, x: 'y' });
    const ns = evaluate('namespace(found=false)', {}) as Record<string, unknown>;
    evaluate("ns.update(found=true)", { ns });
    expect(ns['found']).to.equal(true);
  });
  it("the playbook's own variables are never changed", () => {
    const scope = { shared: [1], cfg: { a: 1 } };
    expect(() => evaluate('shared.append(2)', scope)).to.throw(TemplateError, /would change a variable every host shares/);
    expect(() => evaluate("cfg.update({'b': 2})", scope)).to.throw(TemplateError, /x \| combine\(other\)/);
    expect(scope).to.deep.equal({ shared: [1], cfg: { a: 1 } });
  });
});
