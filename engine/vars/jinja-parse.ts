// Jinja statements on top of gx's expression language: the lexer's pieces become a tree of text,
// outputs and statements; every expression inside is compiled by the one evaluator that `when`
// uses (expr.ts), so a template and a condition know the same filters and tests.
// Statements: if/elif/else, for (targets, `if` filter, else, loop.*), set (inline, tuple,
// namespace attribute, block with filters), macro, call, include, import/from, filter, with. Ansible loads no
// Jinja extensions by default (lib/ansible/template/__init__.py, _get_extensions), so break,
// continue and do are unknown tags there and here.
import { compileExprAt, type CompiledExpr } from './expr.js';
import { ExprSyntaxError, type ParseOptions } from './expr-parse.js';
import { JinjaSyntaxError, lex, type LexOptions, type Piece } from './jinja-lex.js';

export type JNode =
  | { k: 'text'; text: string }
  | { k: 'out'; expr: CompiledExpr; pos: number }
  | { k: 'if'; branches: { test: CompiledExpr; body: JNode[] }[]; else?: JNode[]; pos: number }
  | { k: 'for'; targets: string[]; iter: CompiledExpr; cond?: CompiledExpr; body: JNode[]; else?: JNode[]; pos: number }
  | { k: 'set'; targets: string[]; attr?: string; expr: CompiledExpr; pos: number }
  | { k: 'setblock'; name: string; filter?: Filtered; body: JNode[]; pos: number }
  | { k: 'macro'; name: string; params: Param[]; body: JNode[]; pos: number }
  | { k: 'call'; params: Param[]; expr: CompiledExpr; body: JNode[]; pos: number }
  | { k: 'include'; expr: CompiledExpr; ignoreMissing: boolean; withContext: boolean; pos: number }
  | { k: 'extends'; expr: CompiledExpr; pos: number }
  | { k: 'block'; name: string; body: JNode[]; pos: number }
  /** `{% import 'm.j2' as m %}` (alias) or `{% from 'm.j2' import a, b as c %}` (names) */
  | { k: 'import'; expr: CompiledExpr; alias?: string; names?: [string, string][]; withContext: boolean; pos: number }
  | { k: 'filter'; filter: Filtered; body: JNode[]; pos: number }
  | { k: 'with'; assigns: { name: string; expr: CompiledExpr }[]; body: JNode[]; pos: number };

export interface Param {
  name: string;
  default?: CompiledExpr;
}

/** A filter chain applied to a block's text: the expression reads the text from `name`. */
export interface Filtered {
  name: string;
  expr: CompiledExpr;
}

export interface ParsedTemplate {
  nodes: JNode[];
  /** set when the whole template is one `{{ expr }}` (whitespace around allowed): its value is kept */
  lone?: CompiledExpr;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Index of the first top-level occurrence of `word` (a keyword or '='), outside strings and brackets. */
function findTop(src: string, from: number, to: number, test: (i: number) => boolean): number {
  let depth = 0;
  for (let i = from; i < to; i++) {
    const c = src[i]!;
    if (c === "'" || c === '"') {
      let j = i + 1;
      while (j < to && src[j] !== c) j += src[j] === '\\' ? 2 : 1;
      i = j;
      continue;
    }
    if (depth === 0 && test(i)) return i;
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
  }
  return -1;
}

const isWordAt = (src: string, i: number, word: string): boolean =>
  src.startsWith(word, i) && !/[A-Za-z0-9_.]/.test(src[i - 1] ?? ' ') && !/[A-Za-z0-9_]/.test(src[i + word.length] ?? ' ');

function wordTop(src: string, from: number, to: number, word: string): number {
  return findTop(src, from, to, (i) => isWordAt(src, i, word));
}

function skipWs(src: string, i: number, to: number): number {
  while (i < to && /\s/.test(src[i]!)) i++;
  return i;
}

function trimEnd(src: string, from: number, to: number): number {
  while (to > from && /\s/.test(src[to - 1]!)) to--;
  return to;
}

function expr(src: string, start: number, end: number, what: string, opts: ParseOptions = {}): CompiledExpr {
  const s = skipWs(src, start, end);
  const e = trimEnd(src, s, end);
  if (s >= e) throw new JinjaSyntaxError(`expected an expression ${what}`, start);
  try {
    return compileExprAt(src, s, e, opts);
  } catch (err) {
    if (err instanceof ExprSyntaxError) throw new JinjaSyntaxError(err.message, err.pos);
    throw err;
  }
}

/**
 * `upper | replace('a', 'b')` applied to a block's text: the expression is compiled from a copy of
 * the source where the statement keyword (and name) before the filters is replaced by a variable
 * name of the same length, so positions in errors stay right.
 */
function filtered(src: string, from: number, bar: number, end: number): Filtered {
  // `{% filter upper %}`: the keyword itself becomes `_____|`
  const name = '_'.repeat(src[bar] === '|' ? bar - from : bar - from - 1);
  const copy = src.slice(0, from) + name + (src[bar] === '|' ? '' : '|') + src.slice(bar);
  return { name, expr: expr(copy, from, end, 'for the filter') };
}

function params(src: string, open: number, close: number): Param[] {
  const out: Param[] = [];
  let i = open + 1;
  while (i < close) {
    const comma = findTop(src, i, close, (j) => src[j] === ',');
    const end = comma < 0 ? close : comma;
    const eq = findTop(src, i, end, (j) => src[j] === '=');
    const name = src.slice(i, eq < 0 ? end : eq).trim();
    if (name || comma >= 0) {
      if (!NAME.test(name)) throw new JinjaSyntaxError(`expected a parameter name, found '${name}'`, skipWs(src, i, end));
      out.push({ name, default: eq < 0 ? undefined : expr(src, eq + 1, end, `as the default of '${name}'`) });
    }
    i = end + 1;
  }
  return out;
}

/** The closing parenthesis matching the one at `open`. */
function closing(src: string, open: number, to: number): number {
  const c = findTop(src, open + 1, to, (i) => src[i] === ')');
  if (c < 0) throw new JinjaSyntaxError("expected ')'", open);
  return c;
}

interface Frame {
  tag: string;
  pos: number;
}

export function parseTemplate(src: string, o: LexOptions): ParsedTemplate {
  const pieces = lex(src, o);
  let p = 0;

  /** Statements until one of `ends` (returned, not consumed past its piece). */
  function body(open: Frame | undefined, ends: string[]): { nodes: JNode[]; end?: { word: string; piece: Extract<Piece, { t: 'block' }>; at: number } } {
    const nodes: JNode[] = [];
    while (p < pieces.length) {
      const piece = pieces[p++]!;
      if (piece.t === 'text') {
        nodes.push({ k: 'text', text: piece.text });
        continue;
      }
      if (piece.t === 'var') {
        nodes.push({ k: 'out', expr: expr(src, piece.start, piece.end, "inside '{{ }}'", { rawBackslashes: o.rawStrings }), pos: piece.pos });
        continue;
      }
      const at = skipWs(src, piece.start, piece.end);
      const word = /^[A-Za-z_]\w*/.exec(src.slice(at, piece.end))?.[0] ?? '';
      if (ends.includes(word)) return { nodes, end: { word, piece, at } };
      nodes.push(statement(word, piece, at, open));
    }
    if (open) throw new JinjaSyntaxError(`unexpected end of template: '{% ${open.tag} %}' is never closed (expected '{% end${open.tag} %}')`, open.pos);
    return { nodes };
  }

  function block(tag: string, pos: number, ends = [`end${tag}`]): ReturnType<typeof body> {
    return body({ tag, pos }, ends);
  }

  function statement(word: string, piece: Extract<Piece, { t: 'block' }>, at: number, open: Frame | undefined): JNode {
    const end = piece.end;
    const rest = at + word.length;
    const pos = piece.pos;
    switch (word) {
      case 'if': {
        const branches: { test: CompiledExpr; body: JNode[] }[] = [];
        let test = expr(src, rest, end, "after 'if'");
        let elseBody: JNode[] | undefined;
        for (;;) {
          const r = block('if', pos, ['elif', 'else', 'endif']);
          if (elseBody) elseBody = r.nodes;
          else branches.push({ test, body: r.nodes });
          const next = r.end!;
          if (next.word === 'endif') break;
          if (elseBody) throw new JinjaSyntaxError(`'${next.word}' after 'else' in one 'if'`, next.piece.pos);
          if (next.word === 'elif') test = expr(src, next.at + 4, next.piece.end, "after 'elif'");
          else elseBody = [];
        }
        return { k: 'if', branches, else: elseBody, pos };
      }
      case 'for': {
        const inAt = wordTop(src, rest, end, 'in');
        if (inAt < 0) throw new JinjaSyntaxError("expected 'in' in a for loop ({% for x in list %})", at);
        const targets = src.slice(rest, inAt).replace(/^\s*\(|\)\s*$/g, '').split(',').map((t) => t.trim());
        if (targets[targets.length - 1] === '' && targets.length > 1) targets.pop();
        for (const t of targets) if (!NAME.test(t)) throw new JinjaSyntaxError(`can't assign to '${t}' in a for loop`, skipWs(src, rest, inAt));
        let iterEnd = trimEnd(src, inAt, end);
        if (/\brecursive$/.test(src.slice(inAt, iterEnd))) throw new JinjaSyntaxError('recursive loops are not supported by gx', iterEnd - 9);
        const ifAt = wordTop(src, inAt + 2, iterEnd, 'if');
        const cond = ifAt < 0 ? undefined : expr(src, ifAt + 2, iterEnd, "after 'if' in a for loop");
        if (ifAt >= 0) iterEnd = ifAt;
        // a bare tuple is the sequence: {% for x in 'a', 'b' %}
        const iter = expr(src, inAt + 2, iterEnd, "after 'in'", { tuple: true });
        const r = block('for', pos, ['else', 'endfor']);
        let elseBody: JNode[] | undefined;
        if (r.end?.word === 'else') elseBody = block('for', pos).nodes;
        return { k: 'for', targets, iter, cond, body: r.nodes, else: elseBody, pos };
      }
      case 'set': {
        const eq = findTop(src, rest, end, (i) => src[i] === '=' && src[i + 1] !== '=' && !'=!<>'.includes(src[i - 1]!));
        if (eq < 0) {
          const bar = findTop(src, rest, end, (i) => src[i] === '|');
          const name = src.slice(rest, bar < 0 ? end : bar).trim();
          if (!NAME.test(name)) throw new JinjaSyntaxError(`expected a variable name after 'set', found '${name}'`, skipWs(src, rest, end));
          const filter = bar < 0 ? undefined : filtered(src, at, bar, end);
          return { k: 'setblock', name, filter, body: block('set', pos).nodes, pos };
        }
        const lhs = src.slice(rest, eq).trim();
        const value = expr(src, eq + 1, end, "after '='", { tuple: true });
        const attr = /^([A-Za-z_]\w*)\.([A-Za-z_]\w*)$/.exec(lhs);
        if (attr) return { k: 'set', targets: [attr[1]!], attr: attr[2]!, expr: value, pos };
        const targets = lhs.replace(/^\(|\)$/g, '').split(',').map((t) => t.trim()).filter(Boolean);
        for (const t of targets) if (!NAME.test(t)) throw new JinjaSyntaxError(`can't assign to '${t}'`, skipWs(src, rest, eq));
        return { k: 'set', targets, expr: value, pos };
      }
      case 'macro': {
        const m = /^\s*([A-Za-z_]\w*)\s*\(/.exec(src.slice(rest, end));
        if (!m) throw new JinjaSyntaxError('expected a macro name and its parameters: {% macro name(a, b=1) %}', rest);
        const open = rest + m[0].length - 1;
        const close = closing(src, open, end);
        if (skipWs(src, close + 1, end) !== end) throw new JinjaSyntaxError('unexpected text after the macro parameters', skipWs(src, close + 1, end));
        return { k: 'macro', name: m[1]!, params: params(src, open, close), body: block('macro', pos).nodes, pos };
      }
      case 'call': {
        let from = skipWs(src, rest, end);
        let ps: Param[] = [];
        if (src[from] === '(') {
          const close = closing(src, from, end);
          ps = params(src, from, close);
          from = close + 1;
        }
        return { k: 'call', params: ps, expr: expr(src, from, end, "after 'call'"), body: block('call', pos).nodes, pos };
      }
      case 'include': {
        let e = trimEnd(src, rest, end);
        let withContext = true;
        let ignoreMissing = false;
        const tail = (w: string): boolean => {
          if (!src.slice(rest, e).endsWith(w) || !/\s/.test(src[e - w.length - 1] ?? '')) return false;
          e = trimEnd(src, rest, e - w.length);
          return true;
        };
        if (tail('with context')) withContext = true;
        else if (tail('without context')) withContext = false;
        if (tail('ignore missing')) ignoreMissing = true;
        return { k: 'include', expr: expr(src, rest, e, "after 'include'"), ignoreMissing, withContext, pos };
      }
      case 'filter': {
        return { k: 'filter', filter: filtered(src, at, at + 6, end), body: block('filter', pos).nodes, pos };
      }
      case 'with': {
        const assigns: { name: string; expr: CompiledExpr }[] = [];
        let i = rest;
        while (skipWs(src, i, end) < end) {
          const comma = findTop(src, i, end, (j) => src[j] === ',');
          const e = comma < 0 ? end : comma;
          const eq = findTop(src, i, e, (j) => src[j] === '=' && src[j + 1] !== '=');
          const name = src.slice(i, eq < 0 ? e : eq).trim();
          if (eq < 0 || !NAME.test(name)) throw new JinjaSyntaxError("expected 'name = value' in 'with'", skipWs(src, i, e));
          assigns.push({ name, expr: expr(src, eq + 1, e, `for '${name}'`) });
          i = e + 1;
        }
        return { k: 'with', assigns, body: block('with', pos).nodes, pos };
      }
    }
    if (/^(end\w+|elif|else)$/.test(word)) {
      const expected = open ? ` (the open block is '{% ${open.tag} %}', closed by '{% end${open.tag} %}')` : '';
      throw new JinjaSyntaxError(`unexpected '{% ${word} %}'${expected}`, pos);
    }
    if (word === 'import' || word === 'from') return importStatement(word, piece, at, rest);
    if (word === 'block') {
      const m = /^\s+([A-Za-z_]\w*)(\s+(scoped|required))*\s*$/.exec(src.slice(rest, end));
      if (!m) throw new JinjaSyntaxError('expected a block name: {% block name %}', at);
      return { k: 'block', name: m[1]!, body: block('block', pos).nodes, pos };
    }
    if (word === 'extends') return { k: 'extends', expr: expr(src, rest, end, "after 'extends'"), pos };
    if (!word) throw new JinjaSyntaxError('expected a statement name after {%', at);
    throw new JinjaSyntaxError(`unknown tag '${word}'`, at, ['break', 'continue', 'do'].includes(word) ? 'Ansible loads no Jinja extensions by default; neither does gx' : undefined);
  }

  /** import and from: a context clause at the end, Jinja's default being without context. */
  function importStatement(word: string, piece: Extract<Piece, { t: 'block' }>, at: number, rest: number): JNode {
    let e = trimEnd(src, rest, piece.end);
    let withContext = false;
    const m = /\s(with|without)\s+context$/.exec(src.slice(rest, e));
    if (m) {
      withContext = m[1] === 'with';
      e = trimEnd(src, rest, e - m[0].length);
    }
    if (word === 'import') {
      const as = /\sas\s+([A-Za-z_]\w*)$/.exec(src.slice(rest, e));
      if (!as) throw new JinjaSyntaxError("expected {% import 'file' as name %}", at);
      return { k: 'import', expr: expr(src, rest, e - as[0].length, "after 'import'"), alias: as[1]!, withContext, pos: piece.pos };
    }
    const imp = wordTop(src, rest, e, 'import');
    if (imp < 0) throw new JinjaSyntaxError("expected {% from 'file' import name %}", at);
    const names = src
      .slice(imp + 6, e)
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean)
      .map((x): [string, string] => {
        const n = /^([A-Za-z_]\w*)(?:\s+as\s+([A-Za-z_]\w*))?$/.exec(x);
        if (!n) throw new JinjaSyntaxError(`expected a name to import, found '${x}'`, imp + 6);
        return [n[1]!, n[2] ?? n[1]!];
      });
    if (!names.length) throw new JinjaSyntaxError("expected a name after 'import'", imp);
    return { k: 'import', expr: expr(src, rest, imp, "after 'from'"), names, withContext, pos: piece.pos };
  }

  const { nodes } = body(undefined, []);
  const real = nodes.filter((n) => n.k !== 'text' || /\S/.test(n.text));
  const lone = real.length === 1 && real[0]!.k === 'out' ? real[0].expr : undefined;
  return { nodes, lone };
}
