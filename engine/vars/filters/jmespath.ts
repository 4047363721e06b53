// JMESPath (https://jmespath.org/specification.html) for community.general's json_query filter,
// following the reference implementation jmespath.py 1.0 (lexer.py, parser.py with its binding
// powers, visitor.py's TreeInterpreter, functions.py). Checked against Python's jmespath in
// test/vars/conformance/table.ts.
import { Fail } from './args.js';
import { isMapping, pyEqual } from '../values.js';

type Tok = { t: string; v?: unknown; pos: number };
type N = { k: string; c?: N[]; v?: unknown };

const BP: Record<string, number> = {
  eof: 0, unquoted_identifier: 0, quoted_identifier: 0, literal: 0, rbracket: 0, rparen: 0, comma: 0, rbrace: 0, number: 0, current: 0, expref: 0, colon: 0,
  pipe: 1, or: 2, and: 3, eq: 5, gt: 5, lt: 5, gte: 5, lte: 5, ne: 5, flatten: 9, star: 20, filter: 21, dot: 40, not: 45, lbrace: 50, lbracket: 55, lparen: 60,
};
const PROJECTION_STOP = 10;
const err = (msg: string): Fail => new Fail(`json_query: ${msg}`);

function lex(src: string): Tok[] {
  const out: Tok[] = [];
  const simple: Record<string, string> = { '.': 'dot', '*': 'star', ']': 'rbracket', ',': 'comma', ':': 'colon', '@': 'current', '(': 'lparen', ')': 'rparen', '{': 'lbrace', '}': 'rbrace' };
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    const pos = i;
    if (/\s/.test(c)) {
      i++;
    } else if (simple[c]) {
      out.push({ t: simple[c]!, pos });
      i++;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i))!;
      out.push({ t: 'unquoted_identifier', v: m[0], pos });
      i += m[0].length;
    } else if (c === '[') {
      if (src[i + 1] === ']') (out.push({ t: 'flatten', pos }), (i += 2));
      else if (src[i + 1] === '?') (out.push({ t: 'filter', pos }), (i += 2));
      else (out.push({ t: 'lbracket', pos }), i++);
    } else if (/[-0-9]/.test(c)) {
      const m = /^-?\d+/.exec(src.slice(i));
      if (!m) throw err(`unknown token '-' at ${pos}`);
      out.push({ t: 'number', v: Number(m[0]), pos });
      i += m[0].length;
    } else if (c === '"' || c === "'" || c === '`') {
      let j = i + 1;
      while (j < src.length && src[j] !== c) j += src[j] === '\\' ? 2 : 1;
      if (j >= src.length) throw err(`unterminated ${c === '`' ? 'literal' : 'string'} at ${pos}`);
      const body = src.slice(i + 1, j);
      if (c === '"') out.push({ t: 'quoted_identifier', v: JSON.parse(`"${body}"`), pos });
      else if (c === "'") out.push({ t: 'literal', v: body.replace(/\\'/g, "'"), pos });
      else {
        const text = body.replace(/\\`/g, '`');
        let v: unknown;
        try {
          v = JSON.parse(text);
        } catch {
          try {
            // jmespath.py: the legacy form is a JSON string of the text, leading blanks dropped
            v = JSON.parse(`"${text.trimStart()}"`);
          } catch {
            throw err(`bad JSON literal \`${text}\``);
          }
        }
        out.push({ t: 'literal', v, pos });
      }
      i = j + 1;
    } else {
      const two = src.slice(i, i + 2);
      const ops: Record<string, string> = { '||': 'or', '&&': 'and', '==': 'eq', '!=': 'ne', '<=': 'lte', '>=': 'gte' };
      if (ops[two]) (out.push({ t: ops[two]!, pos }), (i += 2));
      else if (c === '|') (out.push({ t: 'pipe', pos }), i++);
      else if (c === '&') (out.push({ t: 'expref', pos }), i++);
      else if (c === '!') (out.push({ t: 'not', pos }), i++);
      else if (c === '<') (out.push({ t: 'lt', pos }), i++);
      else if (c === '>') (out.push({ t: 'gt', pos }), i++);
      else throw err(`unknown token '${c}' at ${pos}`);
    }
  }
  out.push({ t: 'eof', pos: src.length });
  return out;
}

function parse(src: string): N {
  const toks = lex(src);
  let p = 0;
  const cur = (o = 0): string => toks[Math.min(p + o, toks.length - 1)]!.t;
  const tok = (): Tok => toks[p]!;
  const advance = (): Tok => toks[p++]!;
  const match = (t: string): void => {
    if (cur() !== t) throw err(`expected ${t}, found ${cur()} at ${tok().pos}`);
    p++;
  };
  const id: N = { k: 'identity' };

  function expression(bp = 0): N {
    let left = nud(advance());
    while (bp < (BP[cur()] ?? 0)) left = led(advance(), left);
    return left;
  }
  function projectionRhs(bp: number): N {
    if ((BP[cur()] ?? 0) < PROJECTION_STOP) return id;
    if (cur() === 'lbracket' || cur() === 'filter') return expression(bp);
    if (cur() === 'dot') {
      match('dot');
      return dotRhs(bp);
    }
    throw err(`unexpected ${cur()} at ${tok().pos}`);
  }
  function dotRhs(bp: number): N {
    const t = cur();
    if (t === 'quoted_identifier' || t === 'unquoted_identifier' || t === 'star') return expression(bp);
    if (t === 'lbracket') {
      match('lbracket');
      return multiList();
    }
    if (t === 'lbrace') {
      match('lbrace');
      return multiDict();
    }
    throw err(`expected an identifier, [ or { after '.', found ${t}`);
  }
  function multiList(): N {
    const c: N[] = [];
    for (;;) {
      c.push(expression());
      if (cur() === 'rbracket') break;
      match('comma');
    }
    match('rbracket');
    return { k: 'multi_list', c };
  }
  function multiDict(): N {
    const c: N[] = [];
    for (;;) {
      const key = advance();
      if (key.t !== 'quoted_identifier' && key.t !== 'unquoted_identifier') throw err(`expected a key, found ${key.t}`);
      match('colon');
      c.push({ k: 'kv', v: key.v, c: [expression()] });
      if (cur() === 'rbrace') break;
      match('comma');
    }
    match('rbrace');
    return { k: 'multi_dict', c };
  }
  function indexExpr(): N {
    if (cur() === 'colon' || cur(1) === 'colon') {
      const parts: (number | null)[] = [null, null, null];
      let i = 0;
      while (cur() !== 'rbracket' && i < 3) {
        if (cur() === 'colon') {
          i++;
          if (i === 3) throw err('too many colons in a slice');
          advance();
        } else if (cur() === 'number') {
          parts[i] = advance().v as number;
        } else throw err(`unexpected ${cur()} in a slice`);
      }
      match('rbracket');
      return { k: 'slice', v: parts };
    }
    const n = advance();
    if (n.t !== 'number') throw err(`expected a number, found ${n.t}`);
    match('rbracket');
    return { k: 'index', v: n.v };
  }
  function projectIfSlice(left: N, right: N): N {
    const ix: N = { k: 'index_expression', c: [left, right] };
    return right.k === 'slice' ? { k: 'projection', c: [ix, projectionRhs(BP['star']!)] } : ix;
  }
  function nud(t: Tok): N {
    switch (t.t) {
      case 'literal':
        return { k: 'literal', v: t.v };
      case 'unquoted_identifier':
        return { k: 'field', v: t.v };
      case 'quoted_identifier':
        if (cur() === 'lparen') throw err('quoted identifier not allowed for function names');
        return { k: 'field', v: t.v };
      case 'star':
        return { k: 'value_projection', c: [id, cur() === 'rbracket' ? id : projectionRhs(BP['star']!)] };
      case 'filter':
        return led(t, id);
      case 'lbrace':
        return multiDict();
      case 'lparen': {
        const e = expression();
        match('rparen');
        return e;
      }
      case 'flatten':
        return { k: 'projection', c: [{ k: 'flatten', c: [id] }, projectionRhs(BP['flatten']!)] };
      case 'not':
        return { k: 'not', c: [expression(BP['not'])] };
      case 'lbracket':
        if (cur() === 'number' || cur() === 'colon') return projectIfSlice(id, indexExpr());
        if (cur() === 'star' && cur(1) === 'rbracket') {
          p += 2;
          return { k: 'projection', c: [id, projectionRhs(BP['star']!)] };
        }
        return multiList();
      case 'current':
        return { k: 'current' };
      case 'expref':
        return { k: 'expref', c: [expression(BP['expref'])] };
    }
    throw err(`unexpected ${t.t} at ${t.pos}`);
  }
  function led(t: Tok, left: N): N {
    switch (t.t) {
      case 'dot':
        if (cur() !== 'star') {
          const right = dotRhs(BP['dot']!);
          if (left.k === 'subexpression') return { k: 'subexpression', c: [...left.c!, right] };
          return { k: 'subexpression', c: [left, right] };
        }
        advance();
        return { k: 'value_projection', c: [left, projectionRhs(BP['dot']!)] };
      case 'pipe':
        return { k: 'pipe', c: [left, expression(BP['pipe'])] };
      case 'or':
        return { k: 'or', c: [left, expression(BP['or'])] };
      case 'and':
        return { k: 'and', c: [left, expression(BP['and'])] };
      case 'lparen': {
        if (left.k !== 'field') throw err('invalid function name');
        const args: N[] = [];
        while (cur() !== 'rparen') {
          args.push(expression());
          if (cur() === 'comma') match('comma');
        }
        match('rparen');
        return { k: 'function', v: left.v, c: args };
      }
      case 'filter': {
        const cond = expression(0);
        match('rbracket');
        const right = cur() === 'flatten' ? id : projectionRhs(BP['filter']!);
        return { k: 'filter_projection', c: [left, right, cond] };
      }
      case 'eq':
      case 'ne':
      case 'gt':
      case 'gte':
      case 'lt':
      case 'lte':
        return { k: 'comparator', v: t.t, c: [left, expression(BP[t.t])] };
      case 'flatten':
        return { k: 'projection', c: [{ k: 'flatten', c: [left] }, projectionRhs(BP['flatten']!)] };
      case 'lbracket': {
        if (cur() === 'number' || cur() === 'colon') {
          const right = indexExpr();
          if (left.k === 'index_expression') return { k: 'index_expression', c: [...left.c!, right] };
          return projectIfSlice(left, right);
        }
        match('star');
        match('rbracket');
        return { k: 'projection', c: [left, projectionRhs(BP['star']!)] };
      }
    }
    throw err(`unexpected ${t.t} at ${t.pos}`);
  }
  const root = expression();
  if (cur() !== 'eof') throw err(`unexpected ${cur()} at ${tok().pos}`);
  return root;
}

const isFalse = (v: unknown): boolean => v === null || v === undefined || v === false || v === '' || (Array.isArray(v) && !v.length) || (isMapping(v) && !Object.keys(v).length);
const isNum = (v: unknown): v is number => typeof v === 'number';
const typeOf = (v: unknown): string => (v === null || v === undefined ? 'null' : typeof v === 'string' ? 'string' : typeof v === 'number' ? 'number' : typeof v === 'boolean' ? 'boolean' : Array.isArray(v) ? 'array' : 'object');
/** jmespath equality: true is not 1 */
const equals = (a: unknown, b: unknown): boolean => (typeof a === 'boolean') !== (typeof b === 'boolean') ? false : pyEqual(a, b);

class ExpRef {
  constructor(readonly node: N) {}
}

function sliceList(v: unknown[], [start, stop, step]: (number | null)[]): unknown[] {
  const n = v.length;
  const s = step ?? 1;
  if (s === 0) throw err('slice step cannot be 0');
  const norm = (x: number | null, dflt: number, lo: number, hi: number): number => (x === null ? dflt : Math.min(Math.max(x < 0 ? x + n : x, lo), hi));
  const out: unknown[] = [];
  if (s > 0) for (let i = norm(start!, 0, 0, n); i < norm(stop!, n, 0, n); i += s) out.push(v[i]);
  else for (let i = norm(start!, n - 1, -1, n - 1); i > norm(stop!, -1, -1, n - 1); i += s) out.push(v[i]);
  return out;
}

function visit(n: N, value: unknown): unknown {
  switch (n.k) {
    case 'identity':
    case 'current':
      return value;
    case 'literal':
      return n.v;
    case 'field':
      return isMapping(value) && Object.prototype.hasOwnProperty.call(value, n.v as string) ? value[n.v as string] : null;
    case 'subexpression': {
      let r = visit(n.c![0]!, value);
      for (const child of n.c!.slice(1)) {
        r = visit(child, r);
        if (r === null || r === undefined) return null;
      }
      return r;
    }
    case 'index': {
      if (!Array.isArray(value)) return null;
      const i = n.v as number;
      return value[i < 0 ? value.length + i : i] ?? null;
    }
    case 'slice':
      return Array.isArray(value) ? sliceList(value, n.v as (number | null)[]) : null;
    case 'index_expression': {
      let r = value;
      for (const child of n.c!) r = visit(child, r);
      return r;
    }
    case 'comparator': {
      const a = visit(n.c![0]!, value);
      const b = visit(n.c![1]!, value);
      if (n.v === 'eq') return equals(a, b);
      if (n.v === 'ne') return !equals(a, b);
      if (!isNum(a) || !isNum(b)) return null;
      return n.v === 'gt' ? a > b : n.v === 'gte' ? a >= b : n.v === 'lt' ? a < b : a <= b;
    }
    case 'expref':
      return new ExpRef(n.c![0]!);
    case 'function':
      return callFn(n.v as string, n.c!.map((a) => visit(a, value)));
    case 'filter_projection': {
      const base = visit(n.c![0]!, value);
      if (!Array.isArray(base)) return null;
      const out: unknown[] = [];
      for (const el of base) {
        if (isFalse(visit(n.c![2]!, el))) continue;
        const r = visit(n.c![1]!, el);
        if (r !== null && r !== undefined) out.push(r);
      }
      return out;
    }
    case 'flatten': {
      const base = visit(n.c![0]!, value);
      if (!Array.isArray(base)) return null;
      return base.flatMap((x) => (Array.isArray(x) ? x : [x]));
    }
    case 'projection':
    case 'value_projection': {
      let base = visit(n.c![0]!, value);
      if (n.k === 'value_projection') {
        if (!isMapping(base)) return null;
        base = Object.values(base);
      }
      if (!Array.isArray(base)) return null;
      const out: unknown[] = [];
      for (const el of base) {
        const r = visit(n.c![1]!, el);
        if (r !== null && r !== undefined) out.push(r);
      }
      return out;
    }
    case 'multi_list':
      return value === null || value === undefined ? null : n.c!.map((c) => visit(c, value));
    case 'multi_dict': {
      if (value === null || value === undefined) return null;
      const out: Record<string, unknown> = {};
      for (const kv of n.c!) Object.defineProperty(out, kv.v as string, { value: visit(kv.c![0]!, value), enumerable: true, writable: true, configurable: true });
      return out;
    }
    case 'or': {
      const a = visit(n.c![0]!, value);
      return isFalse(a) ? visit(n.c![1]!, value) : a;
    }
    case 'and': {
      const a = visit(n.c![0]!, value);
      return isFalse(a) ? a : visit(n.c![1]!, value);
    }
    case 'not':
      return isFalse(visit(n.c![0]!, value));
    case 'pipe':
      return visit(n.c![1]!, visit(n.c![0]!, value));
  }
  throw err(`unknown node ${n.k}`);
}

function want(name: string, v: unknown, ...types: string[]): void {
  const t = typeOf(v);
  const ok = types.some((x) => x === t || (x === 'array-number' && Array.isArray(v) && v.every(isNum)) || (x === 'array-string' && Array.isArray(v) && v.every((e) => typeof e === 'string')) || (x === 'expref' && v instanceof ExpRef));
  if (!ok) throw err(`invalid type for value: ${JSON.stringify(v)}, expected one of: ${types.join(', ')}, received: "${t}" (in ${name}())`);
}

function byKey(name: string, arr: unknown[], ref: ExpRef): { k: unknown; v: unknown }[] {
  const keyed = arr.map((v) => ({ k: visit(ref.node, v), v }));
  const t = keyed.length ? typeOf(keyed[0]!.k) : 'number';
  if (t !== 'number' && t !== 'string') throw err(`${name}: the expression must give numbers or strings`);
  for (const x of keyed) if (typeOf(x.k) !== t) throw err(`${name}: the expression gave mixed types`);
  return keyed;
}
const cmp = (a: unknown, b: unknown): number => ((a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0);

function callFn(name: string, a: unknown[]): unknown {
  const arity = (n: number): void => {
    if (a.length !== n) throw err(`${name}() takes ${n} arguments but received ${a.length}`);
  };
  switch (name) {
    case 'abs':
      arity(1), want(name, a[0], 'number');
      return Math.abs(a[0] as number);
    case 'avg':
      arity(1), want(name, a[0], 'array-number');
      return (a[0] as number[]).length ? (a[0] as number[]).reduce((x, y) => x + y, 0) / (a[0] as number[]).length : null;
    case 'ceil':
      arity(1), want(name, a[0], 'number');
      return Math.ceil(a[0] as number);
    case 'floor':
      arity(1), want(name, a[0], 'number');
      return Math.floor(a[0] as number);
    case 'contains':
      arity(2), want(name, a[0], 'array', 'string');
      return typeof a[0] === 'string' ? typeof a[1] === 'string' && a[0].includes(a[1]) : (a[0] as unknown[]).some((x) => equals(x, a[1]));
    case 'ends_with':
    case 'starts_with':
      arity(2), want(name, a[0], 'string'), want(name, a[1], 'string');
      return name === 'ends_with' ? (a[0] as string).endsWith(a[1] as string) : (a[0] as string).startsWith(a[1] as string);
    case 'join':
      arity(2), want(name, a[0], 'string'), want(name, a[1], 'array-string');
      return (a[1] as string[]).join(a[0] as string);
    case 'keys':
    case 'values':
      arity(1), want(name, a[0], 'object');
      return name === 'keys' ? Object.keys(a[0] as object) : Object.values(a[0] as object);
    case 'length':
      arity(1), want(name, a[0], 'string', 'array', 'object');
      return typeof a[0] === 'string' ? [...a[0]].length : Array.isArray(a[0]) ? a[0].length : Object.keys(a[0] as object).length;
    case 'map':
      arity(2), want(name, a[0], 'expref'), want(name, a[1], 'array');
      return (a[1] as unknown[]).map((x) => visit((a[0] as ExpRef).node, x));
    case 'max':
    case 'min': {
      arity(1), want(name, a[0], 'array-number', 'array-string');
      const l = a[0] as (number | string)[];
      if (!l.length) return null;
      return l.reduce((x, y) => ((name === 'max' ? y > x : y < x) ? y : x));
    }
    case 'max_by':
    case 'min_by': {
      arity(2), want(name, a[0], 'array'), want(name, a[1], 'expref');
      const keyed = byKey(name, a[0] as unknown[], a[1] as ExpRef);
      if (!keyed.length) return null;
      return keyed.reduce((x, y) => ((name === 'max_by' ? cmp(y.k, x.k) > 0 : cmp(y.k, x.k) < 0) ? y : x)).v;
    }
    case 'merge': {
      if (!a.length) throw err('merge() takes at least 1 argument');
      const out: Record<string, unknown> = {};
      for (const o of a) {
        want(name, o, 'object');
        for (const [k, v] of Object.entries(o as object)) Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
      }
      return out;
    }
    case 'not_null':
      if (!a.length) throw err('not_null() takes at least 1 argument');
      return a.find((x) => x !== null && x !== undefined) ?? null;
    case 'reverse':
      arity(1), want(name, a[0], 'array', 'string');
      return typeof a[0] === 'string' ? [...a[0]].reverse().join('') : [...(a[0] as unknown[])].reverse();
    case 'sort':
      arity(1), want(name, a[0], 'array-number', 'array-string');
      return [...(a[0] as unknown[])].sort(cmp);
    case 'sort_by': {
      arity(2), want(name, a[0], 'array'), want(name, a[1], 'expref');
      return byKey(name, a[0] as unknown[], a[1] as ExpRef)
        .map((x, i) => ({ ...x, i }))
        .sort((x, y) => cmp(x.k, y.k) || x.i - y.i)
        .map((x) => x.v);
    }
    case 'sum':
      arity(1), want(name, a[0], 'array-number');
      return (a[0] as number[]).reduce((x, y) => x + y, 0);
    case 'to_array':
      arity(1);
      return Array.isArray(a[0]) ? a[0] : [a[0]];
    case 'to_string':
      arity(1);
      return typeof a[0] === 'string' ? a[0] : JSON.stringify(a[0] ?? null);
    case 'to_number': {
      arity(1);
      if (isNum(a[0])) return a[0];
      if (typeof a[0] === 'string' && a[0].trim() !== '' && !Number.isNaN(Number(a[0]))) return Number(a[0]);
      return null;
    }
    case 'type':
      arity(1);
      return typeOf(a[0]);
  }
  throw err(`unknown function: ${name}()`);
}

const cache = new Map<string, N>();

/** community.general.json_query: the JMESPath expression applied to the data. */
export function jsonQuery(data: unknown, expr: string): unknown {
  let ast = cache.get(expr);
  if (!ast) {
    ast = parse(expr);
    if (cache.size > 500) cache.clear();
    cache.set(expr, ast);
  }
  return visit(ast, data) ?? null;
}
