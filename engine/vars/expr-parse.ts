// Tokenizer and recursive-descent parser for Ansible's (Jinja's) expression language, as used in
// when/changed_when/failed_when/until/assert. Precedence follows Jinja's parser: or < and < not <
// comparisons (chained) < + - < ~ < * / // % < ** < unary minus < postfix (. [] () | is).
// Hand-written on purpose: no eval, no Function, nothing that can reach JS objects. A name
// followed by `(` is a global function call (lookup, query, range, dict… — functions.ts decides
// which exist); `x.m(…)` a method from methods.ts.

export type Node =
  | { k: 'lit'; value: unknown; pos: number; end: number }
  | { k: 'list'; items: Node[]; pos: number; end: number }
  | { k: 'dict'; entries: [Node, Node][]; pos: number; end: number }
  | { k: 'name'; id: string; pos: number; end: number }
  | { k: 'attr'; obj: Node; key: string; pos: number; end: number }
  | { k: 'index'; obj: Node; index: Node; pos: number; end: number }
  | { k: 'call'; obj: Node; method: string; args: Args; pos: number; end: number }
  | { k: 'fn'; name: string; args: Args; pos: number; end: number }
  | { k: 'slice'; obj: Node; start?: Node; stop?: Node; step?: Node; pos: number; end: number }
  | { k: 'neg' | 'pos' | 'not'; arg: Node; pos: number; end: number }
  | { k: 'bin'; op: string; l: Node; r: Node; pos: number; end: number }
  | { k: 'cmp'; first: Node; rest: { op: string; node: Node; pos: number }[]; pos: number; end: number }
  | { k: 'and' | 'or'; l: Node; r: Node; pos: number; end: number }
  | { k: 'cond'; then: Node; test: Node; else?: Node; pos: number; end: number }
  | { k: 'filter'; arg: Node; name: string; args: Args; pos: number; end: number }
  | { k: 'test'; arg: Node; name: string; negate: boolean; args: Args; pos: number; end: number };

export interface Args {
  pos: Node[];
  kw: Record<string, Node>;
  /** Jinja's `f(*items)`: more positional arguments from a list */
  star?: Node;
  /** Jinja's `f(**mapping)`: more keyword arguments from a mapping */
  dstar?: Node;
}

interface Token {
  t: 'num' | 'str' | 'name' | 'op' | 'end';
  v: string;
  value?: unknown;
  pos: number;
  end: number;
}

export class ExprSyntaxError extends Error {
  readonly pos: number;
  constructor(message: string, pos: number) {
    super(message);
    this.pos = pos;
  }
}

const OPS = ['**', '//', '==', '!=', '<=', '>=', '<', '>', '+', '-', '*', '/', '%', '~', '(', ')', '[', ']', '{', '}', ',', ':', '.', '|', '='];
const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '0': '\0', '\\': '\\', "'": "'", '"': '"' };

function tokenize(src: string, rawBackslashes = false): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const start = i;
    if (/[0-9]/.test(c)) {
      // after a '.', digits are an index (x.0), not the start of a float
      const prev = out[out.length - 1];
      const afterDot = prev?.t === 'op' && prev.v === '.';
      const m = (afterDot ? /^\d+/ : /^\d[\d_]*(?:\.\d[\d_]*)?(?:[eE][+-]?\d+)?/).exec(src.slice(i))!;
      i += m[0].length;
      out.push({ t: 'num', v: m[0], value: Number(m[0].replace(/_/g, '')), pos: start, end: i });
      continue;
    }
    if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i))!;
      i += m[0].length;
      out.push({ t: 'name', v: m[0], pos: start, end: i });
      continue;
    }
    if (c === "'" || c === '"') {
      let s = '';
      i++;
      for (;;) {
        if (i >= src.length) throw new ExprSyntaxError('unterminated string', start);
        const d = src[i]!;
        if (d === c) break;
        if (d === '\\' && i + 1 < src.length) {
          const e = src[i + 1]!;
          s += rawBackslashes ? `\\${e}` : (ESCAPES[e] ?? `\\${e}`);
          i += 2;
          continue;
        }
        s += d;
        i++;
      }
      i++;
      out.push({ t: 'str', v: src.slice(start, i), value: s, pos: start, end: i });
      continue;
    }
    const op = OPS.find((o) => src.startsWith(o, i));
    if (!op) throw new ExprSyntaxError(`unexpected character '${c}'`, i);
    i += op.length;
    out.push({ t: 'op', v: op, pos: start, end: i });
  }
  out.push({ t: 'end', v: '', pos: src.length, end: src.length });
  return out;
}

const CMP = new Set(['==', '!=', '<', '>', '<=', '>=']);
/** Words that end an operand: a test written without parentheses does not take them as its argument. */
const STOP_WORDS = new Set(['and', 'or', 'else', 'if', 'is', 'in', 'not']);

export interface ParseOptions {
  /**
   * String literals keep their backslashes (`'\d'`, `'\n'` stay two characters): what Ansible's
   * `_escape_backslashes` makes of `{{ }}` in playbook values, so `regex_replace('\d', '\1')` means
   * what it says. Conditions and template files unescape as Jinja does.
   */
  rawBackslashes?: boolean;
  /** `a, b` without brackets is a tuple, as Jinja reads `{% for x in 'a', 'b' %}` and `{% set t = 1, 2 %}` */
  tuple?: boolean;
}

export function parseExpr(src: string, opts: ParseOptions = {}): Node {
  const toks = tokenize(src, opts.rawBackslashes);
  let p = 0;
  const peek = (o = 0): Token => toks[Math.min(p + o, toks.length - 1)]!;
  const next = (): Token => toks[p++]!;
  const isOp = (v: string, o = 0): boolean => peek(o).t === 'op' && peek(o).v === v;
  const isWord = (v: string, o = 0): boolean => peek(o).t === 'name' && peek(o).v === v;
  const describe = (t: Token): string => (t.t === 'end' ? 'end of expression' : `'${t.v}'`);
  const expect = (v: string): Token => {
    if (!isOp(v)) throw new ExprSyntaxError(`expected '${v}' but found ${describe(peek())}`, peek().pos);
    return next();
  };

  function expression(): Node {
    const then = or();
    if (!isWord('if')) return then;
    next();
    const test = or();
    let otherwise: Node | undefined;
    if (isWord('else')) {
      next();
      otherwise = expression();
    }
    return { k: 'cond', then, test, else: otherwise, pos: then.pos, end: (otherwise ?? test).end };
  }
  function or(): Node {
    let l = and();
    while (isWord('or')) {
      next();
      const r = and();
      l = { k: 'or', l, r, pos: l.pos, end: r.end };
    }
    return l;
  }
  function and(): Node {
    let l = not();
    while (isWord('and')) {
      next();
      const r = not();
      l = { k: 'and', l, r, pos: l.pos, end: r.end };
    }
    return l;
  }
  function not(): Node {
    if (isWord('not')) {
      const t = next();
      const arg = not();
      return { k: 'not', arg, pos: t.pos, end: arg.end };
    }
    return compare();
  }
  function compare(): Node {
    const first = math1();
    const rest: { op: string; node: Node; pos: number }[] = [];
    for (;;) {
      const t = peek();
      if (t.t === 'op' && CMP.has(t.v)) {
        next();
        rest.push({ op: t.v, node: math1(), pos: t.pos });
      } else if (isWord('in')) {
        next();
        rest.push({ op: 'in', node: math1(), pos: t.pos });
      } else if (isWord('not') && isWord('in', 1)) {
        next();
        next();
        rest.push({ op: 'not in', node: math1(), pos: t.pos });
      } else break;
    }
    if (!rest.length) return first;
    return { k: 'cmp', first, rest, pos: first.pos, end: rest[rest.length - 1]!.node.end };
  }
  function binary(ops: string[], sub: () => Node): Node {
    let l = sub();
    while (peek().t === 'op' && ops.includes(peek().v)) {
      const op = next().v;
      const r = sub();
      l = { k: 'bin', op, l, r, pos: l.pos, end: r.end };
    }
    return l;
  }
  const math1 = (): Node => binary(['+', '-'], concat);
  const concat = (): Node => binary(['~'], math2);
  const math2 = (): Node => binary(['*', '/', '//', '%'], pow);
  const pow = (): Node => binary(['**'], () => unary(true));

  function unary(withFilter: boolean): Node {
    let node: Node;
    if (isOp('-') || isOp('+')) {
      const t = next();
      const arg = unary(false);
      node = { k: t.v === '-' ? 'neg' : 'pos', arg, pos: t.pos, end: arg.end };
    } else {
      node = postfix(primary());
    }
    return withFilter ? filters(node) : node;
  }

  function primary(): Node {
    const t = peek();
    if (t.t === 'num' || t.t === 'str') {
      next();
      let value = t.value;
      // adjacent string literals concatenate, as in Python and Jinja
      while (t.t === 'str' && peek().t === 'str') value = String(value) + String(next().value);
      return { k: 'lit', value, pos: t.pos, end: toks[p - 1]!.end };
    }
    if (t.t === 'name') {
      next();
      switch (t.v) {
        case 'true':
        case 'True':
          return { k: 'lit', value: true, pos: t.pos, end: t.end };
        case 'false':
        case 'False':
          return { k: 'lit', value: false, pos: t.pos, end: t.end };
        case 'none':
        case 'None':
          return { k: 'lit', value: null, pos: t.pos, end: t.end };
      }
      if (STOP_WORDS.has(t.v)) throw new ExprSyntaxError(`unexpected '${t.v}'`, t.pos);
      if (isOp('(')) {
        const args = callArgs();
        return { k: 'fn', name: t.v, args, pos: t.pos, end: toks[p - 1]!.end };
      }
      return { k: 'name', id: t.v, pos: t.pos, end: t.end };
    }
    if (isOp('(')) {
      next();
      if (isOp(')')) return { k: 'list', items: [], pos: t.pos, end: next().end };
      const first = expression();
      if (isOp(')')) {
        next();
        return first;
      }
      // a tuple: (a, b) — Ansible users write `x in ('a', 'b')`
      const items = [first];
      while (isOp(',')) {
        next();
        if (isOp(')')) break;
        items.push(expression());
      }
      return { k: 'list', items, pos: t.pos, end: expect(')').end };
    }
    if (isOp('[')) {
      next();
      const items: Node[] = [];
      while (!isOp(']')) {
        items.push(expression());
        if (!isOp(',')) break;
        next();
      }
      return { k: 'list', items, pos: t.pos, end: expect(']').end };
    }
    if (isOp('{')) {
      next();
      const entries: [Node, Node][] = [];
      while (!isOp('}')) {
        const key = expression();
        expect(':');
        entries.push([key, expression()]);
        if (!isOp(',')) break;
        next();
      }
      return { k: 'dict', entries, pos: t.pos, end: expect('}').end };
    }
    throw new ExprSyntaxError(t.t === 'end' ? 'unexpected end of expression' : `unexpected ${describe(t)}`, t.pos);
  }

  function postfix(node: Node): Node {
    for (;;) {
      if (isOp('.')) {
        next();
        const t = next();
        if (t.t !== 'name' && t.t !== 'num') throw new ExprSyntaxError(`expected an attribute name after '.' but found ${describe(t)}`, t.pos);
        if (isOp('(')) {
          node = { k: 'call', obj: node, method: t.v, args: callArgs(), pos: node.pos, end: toks[p - 1]!.end };
        } else {
          node = { k: 'attr', obj: node, key: t.v, pos: node.pos, end: t.end };
        }
      } else if (isOp('[')) {
        next();
        // x[i], or a slice x[a:b:c] with any part left out
        const first = isOp(':') ? undefined : expression();
        if (first && !isOp(':')) {
          node = { k: 'index', obj: node, index: first, pos: node.pos, end: expect(']').end };
          continue;
        }
        expect(':');
        const stop = isOp(':') || isOp(']') ? undefined : expression();
        let step: Node | undefined;
        if (isOp(':')) {
          next();
          step = isOp(']') ? undefined : expression();
        }
        node = { k: 'slice', obj: node, start: first, stop, step, pos: node.pos, end: expect(']').end };
      } else if (isOp('(')) {
        throw new ExprSyntaxError('only functions (lookup, query, range, dict…) and methods (x.split(…)) can be called', peek().pos);
      } else return node;
    }
  }

  function callArgs(): Args {
    expect('(');
    const args: Args = { pos: [], kw: {} };
    while (!isOp(')')) {
      if (isOp('**')) {
        next();
        args.dstar = expression();
      } else if (isOp('*')) {
        next();
        args.star = expression();
      } else if (peek().t === 'name' && isOp('=', 1)) {
        const name = next().v;
        next();
        Object.defineProperty(args.kw, name, { value: expression(), enumerable: true, writable: true, configurable: true });
      } else {
        if (Object.keys(args.kw).length) throw new ExprSyntaxError('positional argument after keyword argument', peek().pos);
        args.pos.push(expression());
      }
      if (!isOp(',')) break;
      next();
    }
    expect(')');
    return args;
  }

  /** `ansible.builtin.to_json`: a filter or test named by its collection. */
  function dottedName(first: string): string {
    let name = first;
    while (isOp('.') && peek(1).t === 'name') {
      next();
      name += `.${next().v}`;
    }
    return name;
  }

  function filters(node: Node): Node {
    for (;;) {
      if (isOp('|')) {
        next();
        const t = next();
        if (t.t !== 'name') throw new ExprSyntaxError(`expected a filter name after '|' but found ${describe(t)}`, t.pos);
        const name = dottedName(t.v);
        const args = isOp('(') ? callArgs() : { pos: [], kw: {} };
        node = { k: 'filter', arg: node, name, args, pos: node.pos, end: toks[p - 1]!.end };
      } else if (isWord('is')) {
        next();
        let negate = false;
        if (isWord('not')) {
          next();
          negate = true;
        }
        const t = next();
        if (t.t !== 'name') throw new ExprSyntaxError(`expected a test name after 'is' but found ${describe(t)}`, t.pos);
        const name = dottedName(t.v);
        let args: Args = { pos: [], kw: {} };
        if (isOp('(')) args = callArgs();
        else if (peek().t === 'str' || peek().t === 'num' || isOp('[') || isOp('{') || (peek().t === 'name' && !STOP_WORDS.has(peek().v))) {
          args = { pos: [postfix(primary())], kw: {} };
        }
        node = { k: 'test', arg: node, name, negate, args, pos: node.pos, end: toks[p - 1]!.end };
      } else return node;
    }
  }

  let root = expression();
  if (opts.tuple && isOp(',')) {
    const items = [root];
    while (isOp(',')) {
      next();
      if (peek().t === 'end') break;
      items.push(expression());
    }
    root = { k: 'list', items, pos: root.pos, end: toks[p - 1]!.end };
  }
  if (peek().t !== 'end') {
    const t = peek();
    const hint = t.t === 'op' && t.v === '=' ? " (use '==' to compare)" : '';
    throw new ExprSyntaxError(`unexpected ${describe(t)} after a complete expression${hint}`, t.pos);
  }
  return root;
}

/** The variables an expression reads at its root (for static checks and did-you-mean). */
export function rootNames(node: Node, out = new Set<string>()): Set<string> {
  switch (node.k) {
    case 'name':
      out.add(node.id);
      break;
    case 'lit':
      break;
    case 'list':
      node.items.forEach((n) => rootNames(n, out));
      break;
    case 'dict':
      node.entries.forEach(([a, b]) => (rootNames(a, out), rootNames(b, out)));
      break;
    case 'attr':
      rootNames(node.obj, out);
      break;
    case 'index':
      rootNames(node.obj, out);
      rootNames(node.index, out);
      break;
    case 'neg':
    case 'pos':
    case 'not':
      rootNames(node.arg, out);
      break;
    case 'bin':
    case 'and':
    case 'or':
      rootNames(node.l, out);
      rootNames(node.r, out);
      break;
    case 'cmp':
      rootNames(node.first, out);
      node.rest.forEach((r) => rootNames(r.node, out));
      break;
    case 'cond':
      rootNames(node.then, out);
      rootNames(node.test, out);
      if (node.else) rootNames(node.else, out);
      break;
    case 'slice':
      rootNames(node.obj, out);
      for (const n of [node.start, node.stop, node.step]) if (n) rootNames(n, out);
      break;
    case 'fn':
    case 'call':
    case 'filter':
    case 'test':
      if (node.k !== 'fn') rootNames(node.k === 'call' ? node.obj : node.arg, out);
      node.args.pos.forEach((n) => rootNames(n, out));
      Object.values(node.args.kw).forEach((n) => rootNames(n, out));
      if (node.args.star) rootNames(node.args.star, out);
      if (node.args.dstar) rootNames(node.args.dstar, out);
      break;
  }
  return out;
}
