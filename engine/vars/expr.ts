// Ansible-style expressions (when, changed_when, failed_when, until, assert) evaluated against a
// scope. Undefined variables travel as an internal marker so `is defined` and `default` can look at
// them; any other use raises a TemplateError naming the variable. `Unknown` (check mode) values
// follow three-valued logic: comparisons on them are Unknown, `false and ?` is false, `true or ?`
// is true.
import { TemplateError } from '../errors.js';
import { suggest } from '../load/suggest.js';
import { isCallable } from './callable.js';
import { callMethod, compareValues, contains, Fail, FILTERS, TESTS } from './expr-builtins.js';
import { owned } from './methods.js';
import { UndefinedArg, UndefinedResult } from './fail.js';
import { FUNCTIONS, unknownFunction } from './functions.js';
import { renderTemplateText } from './lookups/index.js';
import { pyPercent } from './filters/text.js';
import { pyText } from './pytext.js';
import { ExprSyntaxError, parseExpr, rootNames, type Node, type ParseOptions } from './expr-parse.js';
import { isUnknown, Unknown, watchUnknownText } from './unknown.js';
import { getMember, isEmptyish, isMapping, MISSING, pyEqual, truthy, typeName } from './values.js';
import { describeWhere, templateLoc, type Where } from './where.js';

export type { Where } from './where.js';

/** A variable (or attribute) that does not exist; only `is defined` and `default` may touch it. */
class Undef {
  constructor(
    readonly path: string,
    readonly detail?: string,
  ) {}
}

export interface CompiledExpr {
  /** the expression as written (with any `{{ }}` around it) */
  readonly source: string;
  /** true when the whole thing was wrapped in `{{ }}`, which Ansible warns about */
  readonly wrapped: boolean;
  /** the root variable names it reads */
  readonly vars: readonly string[];
  /** the whole expression is one quoted string (`when: "'false'"`): Python's truth, non-empty is true */
  readonly stringLiteral?: boolean;
  evaluate(scope: Record<string, unknown>, where?: Where): unknown;
}

const WRAPPED = /^\s*\{\{([\s\S]*)\}\}\s*$/;
const cache = new Map<string, CompiledExpr>();
const CACHE_LIMIT = 10_000;

/** Filters that may receive undefined items (what `map(attribute=…)` gives for items without it). */
const UNDEFINED_ITEMS_OK = new Set(['select', 'reject', 'selectattr', 'rejectattr', 'list', 'length', 'count', 'map', 'first', 'last', 'reverse', 'batch', 'slice']);

/** A finished value must not hold undefined items: a list from map(attribute=…) no filter cleaned. */
function noUndefinedItems(v: unknown, fail: (msg: string) => never): unknown {
  if (Array.isArray(v)) {
    const bad = v.find((x) => x instanceof UndefinedResult) as UndefinedResult | undefined;
    if (bad) fail(`an item of the list is undefined (${bad.reason})`);
  }
  return v;
}

/** `"'{{ item }}' in names"`: a condition holding `{{ }}`/`{% %}` inside it, not around it. */
function hasInlineTemplate(src: string): boolean {
  if (!src.includes('{{') && !src.includes('{%')) return false;
  const m = WRAPPED.exec(src);
  return !(m && !m[1]!.includes('{{') && !m[1]!.includes('}}'));
}

// Lookups are refused while a condition that templating produced is evaluated: its text may hold
// variable data, and data must not become a command (Ansible disables lookups for unsafe text).
let lookupsAllowed = true;

/**
 * A condition with `{{ }}` inside it, as Ansible ≤2.18 reads it: rendered first, the text that
 * gives evaluated as the expression. A value check mode cannot know makes the condition unknown.
 */
function templatedCondition(src: string, where: Where | undefined): CompiledExpr {
  return {
    source: src,
    wrapped: false,
    vars: [],
    evaluate(scope, w) {
      const at = w ?? where;
      const rendered = watchUnknownText(() => renderTemplateText(src, scope, { vars: scope, where: at }));
      if (rendered.unknown) return rendered.unknown;
      const text = String(rendered.value);
      const outer = lookupsAllowed;
      lookupsAllowed = false;
      try {
        return parsedExpr(text, at).evaluate(scope, at);
      } finally {
        lookupsAllowed = outer;
      }
    },
  };
}

/** Parses once per distinct source text; throws a TemplateError with column and caret. */
export function compileExpr(src: string, where?: Where): CompiledExpr {
  const hit = cache.get(src);
  if (hit) return hit;
  if (hasInlineTemplate(src)) {
    const t = templatedCondition(src, where);
    cache.set(src, t);
    return t;
  }
  return parsedExpr(src, where);
}

function parsedExpr(src: string, where?: Where): CompiledExpr {
  const hit = cache.get(src);
  if (hit) return hit;
  const m = WRAPPED.exec(src);
  const wrapped = !!m && !m[1]!.includes('{{') && !m[1]!.includes('}}');
  const body = wrapped ? m![1]! : src;
  const offset = wrapped ? src.indexOf('{{') + 2 : 0;
  let ast: Node;
  try {
    ast = parseExpr(body);
  } catch (e) {
    if (e instanceof ExprSyntaxError) {
      const hint = src.includes('{{') ? 'conditions are expressions: write `x == 1`, without {{ }} around variables' : undefined;
      throw positioned(`invalid expression: ${e.message}`, src, e.pos + offset, where, hint);
    }
    throw e;
  }
  const compiled: CompiledExpr = {
    source: src,
    wrapped,
    vars: [...rootNames(ast)],
    stringLiteral: !wrapped && isStringLiteral(ast),
    evaluate(scope, w) {
      const run = new Run(src, body, offset, scope, w);
      return noUndefinedItems(run.use(run.ev(ast), ast), (m) => {
        throw run.fail(m, ast);
      });
    },
  };
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(src, compiled);
  return compiled;
}

/** The value of an expression (Python semantics for `and`/`or`: they return an operand). */
export function evaluate(src: string, scope: Record<string, unknown>, where?: Where): unknown {
  return compileExpr(src, where).evaluate(scope, where);
}

/**
 * A `when`-style condition: a string expression, a boolean, or a list of them (all must hold).
 * Absent (null/undefined) means "no condition". Returns an Unknown when check mode cannot know.
 */
export function evaluateCondition(cond: unknown, scope: Record<string, unknown>, where?: Where): boolean | Unknown {
  if (cond === undefined || cond === null) return true;
  if (Array.isArray(cond)) {
    let unknown: Unknown | undefined;
    for (const c of cond) {
      const r = evaluateCondition(c, scope, where);
      if (r === false) return false;
      if (isUnknown(r)) unknown ??= r;
    }
    return unknown ?? true;
  }
  if (typeof cond === 'boolean') return cond;
  if (typeof cond === 'number') return cond !== 0;
  if (isUnknown(cond)) return cond;
  if (typeof cond !== 'string') throw new TemplateError(`a condition must be an expression string, a boolean or a list of them, not a ${typeName(cond)}${describeWhere(where)}`, { loc: where?.loc });
  const compiled = compileExpr(cond, where);
  const v = compiled.evaluate(scope, where);
  if (compiled.stringLiteral) return v !== '';
  return isUnknown(v) ? v : truthy(v);
}

/**
 * A quoted string written in the expression itself: its truth is Python's (`'false'` is a non-empty
 * string, true, as in Ansible), while a variable holding "false"/"no"/"off"/"0" stays false (gx's rule).
 */
function isStringLiteral(node: Node): boolean {
  return node.k === 'lit' && typeof node.value === 'string';
}

function positioned(message: string, src: string, pos: number, where: Where | undefined, hint?: string, template = false): TemplateError {
  if (!template) {
    const oneLine = src.replace(/[\r\n\t]/g, ' ');
    return new TemplateError(`${message} at column ${pos + 1}${describeWhere(where)}\n  ${oneLine}\n  ${' '.repeat(pos)}^`, { loc: where?.loc, hint });
  }
  // inside a template (a playbook value or a template file): line and column in the whole text
  const { line, col, text } = lineAt(src, pos);
  return new TemplateError(`${message} at line ${line + (where?.lineOffset ?? 0)}, col ${col} of template ${quoteTemplate(src)}${describeWhere(where)}\n  ${text.replace(/\t/g, ' ')}\n  ${' '.repeat(col - 1)}^`, { loc: templateLoc(where, line, col), hint });
}

/** 1-based line and column of `pos` in `src`, and that line's text. */
export function lineAt(src: string, pos: number): { line: number; col: number; text: string } {
  const start = src.lastIndexOf('\n', pos - 1) + 1;
  let end = src.indexOf('\n', pos);
  if (end < 0) end = src.length;
  let line = 1;
  for (let i = src.indexOf('\n'); i >= 0 && i < start; i = src.indexOf('\n', i + 1)) line++;
  return { line, col: pos - start + 1, text: src.slice(start, end) };
}

/** A template quoted on one line for a message, shortened when long. */
export function quoteTemplate(text: string): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return JSON.stringify(one.length > 80 ? `${one.slice(0, 77)}...` : one);
}

/**
 * An expression inside a template (`{{ expr }}`, `{% if expr %}`): `text.slice(start, end)` parsed
 * once; syntax errors are ExprSyntaxError with `pos` inside `text`, evaluation errors name the line
 * and column in `text`. Not cached here: the template that holds it is.
 */
export function compileExprAt(text: string, start: number, end: number, opts: ParseOptions = {}): CompiledExpr {
  const body = text.slice(start, end);
  let ast: Node;
  try {
    ast = parseExpr(body, opts);
  } catch (e) {
    if (e instanceof ExprSyntaxError) throw new ExprSyntaxError(e.message, e.pos + start);
    throw e;
  }
  return {
    source: body,
    wrapped: false,
    vars: [...rootNames(ast)],
    evaluate(scope, w) {
      const run = new Run(text, body, start, scope, w, true);
      return noUndefinedItems(run.use(run.ev(ast), ast), (m) => {
        throw run.fail(m, ast);
      });
    },
  };
}

/** One evaluation: carries what error messages need. */
class Run {
  constructor(
    private readonly src: string,
    private readonly body: string,
    private readonly offset: number,
    private readonly scope: Record<string, unknown>,
    private readonly where: Where | undefined,
    private readonly template = false,
  ) {}

  fail(message: string, node: { pos: number }): TemplateError {
    return positioned(message, this.src, node.pos + this.offset, this.where, undefined, this.template);
  }

  /** Any use of a value other than `is defined`/`default`: undefined becomes an error here. */
  use(v: unknown, node: { pos: number }): unknown {
    if (!(v instanceof Undef)) return v;
    const root = v.path.split(/[.[]/)[0]!;
    const near = root === v.path && !Object.prototype.hasOwnProperty.call(this.scope, root) ? suggest(root, Object.keys(this.scope)) : undefined;
    const detail = v.detail ? ` (${v.detail})` : '';
    const fallback = `{{ ${v.path} | default('…') }}`;
    const hint = !this.template ? (near ? `did you mean '${near}'?` : undefined) : near ? `did you mean '${near}'? (or give a fallback: ${fallback})` : `give a fallback with ${fallback} if it may be missing`;
    throw positioned(`'${v.path}' is undefined${detail}`, this.src, node.pos + this.offset, this.where, hint, this.template);
  }

  text(node: Node): string {
    return this.body.slice(node.pos, node.end);
  }

  member(obj: unknown, key: string | number, node: Node, objNode: Node): unknown {
    if (obj instanceof Undef) return new Undef(this.text(node), obj.detail);
    if (isUnknown(obj)) return obj;
    if (obj === null || obj === undefined) return new Undef(this.text(node), `'${this.text(objNode)}' is none`);
    const v = getMember(obj, key);
    if (v === MISSING) return new Undef(this.text(node), `${typeName(obj)} '${this.text(objNode)}' has no ${typeof key === 'number' ? 'item' : 'attribute'} ${JSON.stringify(key)}`);
    return v;
  }

  ev(node: Node): unknown {
    switch (node.k) {
      case 'lit':
        return node.value;
      case 'name': {
        const v = getMember(this.scope, node.id);
        // Ansible's `vars`: every variable of the host, as one dict (`vars['app_' ~ name]`)
        if (v === MISSING && node.id === 'vars') return this.scope;
        return v === MISSING ? new Undef(node.id) : v;
      }
      case 'list':
        return owned(node.items.map((n) => this.use(this.ev(n), n)));
      case 'dict': {
        const out: Record<string, unknown> = {};
        for (const [kn, vn] of node.entries) {
          const k = this.use(this.ev(kn), kn);
          if (typeof k !== 'string' && typeof k !== 'number') throw this.fail(`a dict key must be a string or number, not ${typeName(k)}`, kn);
          Object.defineProperty(out, String(k), { value: this.use(this.ev(vn), vn), enumerable: true, writable: true, configurable: true });
        }
        return owned(out);
      }
      case 'attr':
        return this.member(this.ev(node.obj), node.key, node, node.obj);
      case 'index': {
        const key = this.use(this.ev(node.index), node.index);
        if (isUnknown(key)) return key;
        if (typeof key !== 'string' && typeof key !== 'number') throw this.fail(`an index must be a string or number, not ${typeName(key)}`, node.index);
        return this.member(this.ev(node.obj), key, node, node.obj);
      }
      case 'call': {
        const obj = this.use(this.ev(node.obj), node.obj);
        const { pos: args, kw, unknown } = this.args(node);
        if (isUnknown(obj)) return obj;
        // a macro or loop.cycle the template put in a dict: `loop.cycle('a', 'b')`
        const member = isMapping(obj) ? getMember(obj, node.method) : MISSING;
        if (isCallable(member)) return this.guard(() => member.call(args, kw), node);
        if (unknown) return unknown;
        return this.guard(() => callMethod(obj, node.method, args, kw), node, [obj, args, kw]);
      }
      case 'fn': {
        // a macro defined by the template shadows a global of the same name, as in Jinja
        const local = getMember(this.scope, node.name);
        // an argument built from a check-mode Unknown turned into text ('cat ' ~ [u] | join): the
        // marker must never reach a lookup that runs a command or writes a file
        const watched = watchUnknownText(() => this.args(node));
        const { pos: args, kw } = watched.value;
        const unknown = watched.value.unknown ?? (FUNCTIONS[node.name] ? watched.unknown : undefined);
        if (isCallable(local)) return this.guard(() => local.call(args, kw), node);
        // Ansible's undef(hint): an undefined value that only default/defined/mandatory accept
        if (node.name === 'undef' && !Object.prototype.hasOwnProperty.call(this.scope, 'undef')) {
          const hint = args[0] ?? kw['hint'];
          return new Undef(this.text(node), hint === undefined || hint === null ? 'Mandatory variable has not been overridden' : pyText(hint));
        }
        const fn = Object.prototype.hasOwnProperty.call(FUNCTIONS, node.name) ? FUNCTIONS[node.name] : undefined;
        if (!fn) throw this.fail(unknownFunction(node.name), node);
        if (!lookupsAllowed && (node.name === 'lookup' || node.name === 'query' || node.name === 'q')) {
          throw this.fail(`${node.name}() does not run in a condition that {{ }} produced: write the condition without {{ }} around variables`, node);
        }
        if (unknown) return unknown;
        return this.guard(() => fn(args, kw, { vars: this.scope, where: this.where }), node, [args, kw]);
      }
      case 'slice':
        return this.slice(node);
      case 'not': {
        const v = this.use(this.ev(node.arg), node.arg);
        if (isStringLiteral(node.arg)) return v === '';
        return isUnknown(v) ? v : !truthy(v);
      }
      case 'neg':
      case 'pos': {
        const v = this.use(this.ev(node.arg), node.arg);
        if (isUnknown(v)) return v;
        if (typeof v !== 'number' && typeof v !== 'boolean') throw this.fail(`bad operand for unary ${node.k === 'neg' ? '-' : '+'}: ${typeName(v)}`, node);
        return node.k === 'neg' ? -Number(v) : Number(v);
      }
      case 'and':
      case 'or':
        return this.logic(node);
      case 'bin':
        return this.binary(node);
      case 'cmp':
        return this.compare(node);
      case 'cond': {
        const t = this.use(this.ev(node.test), node.test);
        const pick = (n: Node | undefined): unknown => (n ? this.ev(n) : new Undef(this.text(node), 'the condition was false and there is no else'));
        if (!isUnknown(t)) return pick(truthy(t) ? node.then : node.else);
        const a = this.use(pick(node.then), node.then);
        const b = this.use(pick(node.else), node);
        return pyEqual(a, b) ? a : t;
      }
      case 'filter':
        return this.filter(node);
      case 'test':
        return this.test(node);
    }
  }

  /**
   * Runs a filter/test/function/method. A misuse caused by a value check mode cannot know yet
   * (`[1, u] | sum`) is that Unknown, not an error: the real run may well succeed.
   */
  private guard(f: () => unknown, node: { pos: number }, inputs: unknown[] = []): unknown {
    try {
      return f();
    } catch (e) {
      if (e instanceof Fail) {
        const u = findUnknown(inputs);
        if (u) return u;
        throw this.fail(e.message, node);
      }
      if (isUnknown(e)) return e;
      throw e;
    }
  }

  private logic(node: Extract<Node, { k: 'and' | 'or' }>): unknown {
    const l = this.use(this.ev(node.l), node.l);
    const isAnd = node.k === 'and';
    if (!isUnknown(l)) {
      // short-circuit: `x is defined and x > 1` must not touch x when it is undefined
      if (truthy(l) !== isAnd) return l;
      return this.use(this.ev(node.r), node.r);
    }
    const r = this.use(this.ev(node.r), node.r);
    if (isUnknown(r)) return l;
    // false and ? = false; true or ? = true; otherwise the answer is still unknown
    if (truthy(r) !== isAnd) return r;
    return l;
  }

  private binary(node: Extract<Node, { k: 'bin' }>): unknown {
    const a = this.use(this.ev(node.l), node.l);
    const b = this.use(this.ev(node.r), node.r);
    if (isUnknown(a)) return a;
    if (isUnknown(b)) return b;
    const op = node.op;
    if (op === '~') return pyText(a) + pyText(b);
    // datetime - datetime is a timedelta (to_datetime, now())
    if (op === '-' && a instanceof Date && b instanceof Date) return timedelta(a.getTime() - b.getTime());
    const num = (x: unknown): x is number | boolean => typeof x === 'number' || typeof x === 'boolean';
    if (num(a) && num(b)) {
      const x = Number(a);
      const y = Number(b);
      if ((op === '/' || op === '//' || op === '%') && y === 0) throw this.fail('division by zero', node);
      switch (op) {
        case '+':
          return x + y;
        case '-':
          return x - y;
        case '*':
          return x * y;
        case '/':
          return x / y;
        case '//':
          return Math.floor(x / y);
        case '%':
          return ((x % y) + y) % y;
        case '**':
          return x ** y;
      }
    }
    if (op === '+' && typeof a === 'string' && typeof b === 'string') return a + b;
    // Python's printf-style formatting: "%s-%02d" % (name, n)
    if (op === '%' && typeof a === 'string') return this.guard(() => pyPercent(a, Array.isArray(b) ? b : [b]), node, [b]);
    if (op === '+' && Array.isArray(a) && Array.isArray(b)) return [...a, ...b];
    if (op === '*' && typeof b === 'number' && Number.isInteger(b)) {
      if (typeof a === 'string') return a.repeat(Math.max(0, b));
      if (Array.isArray(a)) return Array.from({ length: Math.max(0, b) }, () => a).flat();
    }
    throw this.fail(`unsupported operand types for ${op}: ${typeName(a)} and ${typeName(b)}`, node);
  }

  private compare(node: Extract<Node, { k: 'cmp' }>): unknown {
    let left = this.use(this.ev(node.first), node.first);
    let unknown: Unknown | undefined;
    for (const step of node.rest) {
      const right = this.use(this.ev(step.node), step.node);
      let r: boolean | Unknown;
      if (isUnknown(left)) r = left;
      else if (isUnknown(right)) r = right;
      else if (step.op === '==') r = pyEqual(left, right);
      else if (step.op === '!=') r = !pyEqual(left, right);
      else if (step.op === 'in' || step.op === 'not in') {
        const c = this.guard(() => contains(right, left), step) as boolean | Unknown;
        r = isUnknown(c) ? c : step.op === 'in' ? c : !c;
      } else {
        const [l, o] = [left, right];
        r = this.guard(() => compareValues(step.op, l, o), step) as boolean;
      }
      if (r === false) return false;
      if (isUnknown(r)) unknown ??= r;
      left = right;
    }
    return unknown ?? true;
  }

  private args(node: Extract<Node, { k: 'filter' | 'test' | 'call' | 'fn' }>, undefinedArgs = false): { pos: unknown[]; kw: Record<string, unknown>; unknown?: Unknown } {
    // format's positional arguments may be undefined: `%r` shows them (Jinja's Undefined has a repr)
    const pos = node.args.pos.map((n) => {
      const v = this.ev(n);
      return undefinedArgs && v instanceof Undef && !v.path.includes('.') && !v.path.includes('[') ? new UndefinedArg(v.path) : this.use(v, n);
    });
    const kw: Record<string, unknown> = {};
    // defined, not assigned: a keyword named __proto__ stays an argument
    for (const [k, n] of Object.entries(node.args.kw)) Object.defineProperty(kw, k, { value: this.use(this.ev(n), n), enumerable: true, writable: true, configurable: true });
    // f(*items, **mapping), as Jinja calls
    if (node.args.star) {
      const items = this.use(this.ev(node.args.star), node.args.star);
      if (!Array.isArray(items)) throw this.fail(`*${this.text(node.args.star)} must be a list, got ${typeName(items)}`, node.args.star);
      pos.push(...items);
    }
    if (node.args.dstar) {
      const m = this.use(this.ev(node.args.dstar), node.args.dstar);
      if (!isMapping(m)) throw this.fail(`**${this.text(node.args.dstar)} must be a mapping, got ${typeName(m)}`, node.args.dstar);
      for (const [k, v] of Object.entries(m)) Object.defineProperty(kw, k, { value: v, enumerable: true, writable: true, configurable: true });
    }
    const unknown = [...pos, ...Object.values(kw)].find(isUnknown) as Unknown | undefined;
    return { pos, kw, unknown };
  }

  private filter(node: Extract<Node, { k: 'filter' }>): unknown {
    const v = this.ev(node.arg);
    if (node.name === 'default' || node.name === 'd') {
      const { pos, kw } = this.args(node);
      const boolean = truthy(pos[1] ?? kw['boolean'] ?? false);
      if (v instanceof Undef || (boolean && !isUnknown(v) && isEmptyish(v))) return pos[0] ?? kw['default_value'] ?? '';
      return v;
    }
    if (node.name === 'mandatory' || node.name === 'ansible.builtin.mandatory') {
      const { pos, kw } = this.args(node);
      const msg = pos[0] ?? kw['msg'];
      if (v instanceof Undef) throw this.fail(msg !== undefined && msg !== null ? pyText(msg) : `Mandatory variable '${v.path}' not defined.`, node);
      return v;
    }
    const fn = FILTERS[node.name];
    if (!fn) {
      const known = [...Object.keys(FILTERS).filter((f) => !f.startsWith('ansible.builtin.')), 'default', 'mandatory'];
      const near = suggest(node.name.replace(/^ansible\.builtin\./, ''), known);
      const elsewhere = /^(community|ansible\.(?!builtin\.))|^[a-z_]+\.[a-z_]+\./.test(node.name) ? ' (gx loads no collections: it has ansible.builtin\'s filters, ansible.utils\' ip filters and a few of community.general\'s, listed in docs/expressions.md)' : '';
      throw positioned(`unknown filter '${node.name}'${elsewhere}`, this.src, node.pos + this.offset, this.where, near ? `did you mean '${near}'?` : 'the filters gx knows are listed in docs/expressions.md', this.template);
    }
    const value = this.use(v, node.arg);
    const { pos, kw, unknown } = this.args(node, node.name === 'format' || node.name === 'ansible.builtin.format');
    if (isUnknown(value)) return value;
    if (unknown) return unknown;
    // `map(attribute=…)` over items without it gives undefined items, as Jinja: only the filters
    // that look at definedness or count may take them (`| select('defined')`, `| length`)
    if (Array.isArray(value) && !UNDEFINED_ITEMS_OK.has(node.name)) {
      const bad = value.find((x) => x instanceof UndefinedResult) as UndefinedResult | undefined;
      if (bad) throw this.fail(`an item of the list is undefined (${bad.reason})`, node);
    }
    const out = this.guard(() => fn(value, pos, kw), node, [value, pos, kw]);
    return out instanceof UndefinedResult ? new Undef(this.text(node), out.reason) : out;
  }

  /** Python slicing x[a:b:c] of a list or string. */
  private slice(node: Extract<Node, { k: 'slice' }>): unknown {
    const obj = this.use(this.ev(node.obj), node.obj);
    const part = (n: Node | undefined): number | null | Unknown => {
      if (!n) return null;
      const v = this.use(this.ev(n), n);
      if (isUnknown(v) || v === null) return v as Unknown | null;
      if (typeof v !== 'number' || !Number.isInteger(v)) throw this.fail(`slice indices must be integers or none, not ${typeName(v)}`, n);
      return v;
    };
    const [a, b, c] = [part(node.start), part(node.stop), part(node.step)];
    if (isUnknown(obj)) return obj;
    for (const x of [a, b, c]) if (isUnknown(x)) return x;
    if (typeof obj !== 'string' && !Array.isArray(obj)) throw this.fail(`${typeName(obj)} cannot be sliced`, node);
    const items: unknown[] = typeof obj === 'string' ? [...obj] : obj;
    const n = items.length;
    const step = (c as number | null) ?? 1;
    if (step === 0) throw this.fail('slice step cannot be zero', node);
    const clamp = (x: number | null, dflt: number, lo: number, hi: number): number => (x === null ? dflt : Math.min(Math.max(x < 0 ? x + n : x, lo), hi));
    const out: unknown[] = [];
    if (step > 0) for (let i = clamp(a as number | null, 0, 0, n); i < clamp(b as number | null, n, 0, n); i += step) out.push(items[i]);
    else for (let i = clamp(a as number | null, n - 1, -1, n - 1); i > clamp(b as number | null, -1, -1, n - 1); i += step) out.push(items[i]);
    return typeof obj === 'string' ? out.join('') : out;
  }

  private test(node: Extract<Node, { k: 'test' }>): unknown {
    const v = this.ev(node.arg);
    let r: unknown;
    if (node.name === 'defined' || node.name === 'undefined') {
      r = (v instanceof Undef) === (node.name === 'undefined');
    } else {
      const fn = TESTS[node.name];
      if (!fn) {
        const near = suggest(node.name.replace(/^ansible\.builtin\./, ''), [...Object.keys(TESTS).filter((t) => !t.startsWith('ansible.builtin.')), 'defined', 'undefined']);
        throw positioned(`unknown test '${node.name}'`, this.src, node.pos + this.offset, this.where, near ? `did you mean '${near}'?` : undefined, this.template);
      }
      const value = this.use(v, node.arg);
      const { pos, kw, unknown } = this.args(node);
      if (isUnknown(value)) return value;
      if (unknown) return unknown;
      r = this.guard(() => fn(value, pos, kw), node, [value, pos, kw]);
    }
    if (isUnknown(r)) return r;
    return node.negate ? !truthy(r) : truthy(r);
  }
}

/** Python's timedelta as data: days, seconds, microseconds (total_seconds() in methods.ts). */
function timedelta(ms: number): Record<string, number> {
  const days = Math.floor(ms / 86_400_000);
  const rest = ms - days * 86_400_000;
  return { days, seconds: Math.floor(rest / 1000), microseconds: (rest % 1000) * 1000 };
}

/** The first Unknown inside a value (lists and dicts, a few levels down). */
function findUnknown(v: unknown, depth = 4): Unknown | undefined {
  if (isUnknown(v)) return v;
  if (depth === 0) return undefined;
  if (Array.isArray(v)) {
    for (const x of v) {
      const u = findUnknown(x, depth - 1);
      if (u) return u;
    }
  } else if (isMapping(v)) {
    for (const k of Object.keys(v)) {
      const u = findUnknown(getMember(v, k), depth - 1);
      if (u) return u;
    }
  }
  return undefined;
}
