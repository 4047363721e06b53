// Handlebars templating for task arguments and file contents. Templates are parsed once per
// source text, then their AST is rewritten before compiling so that:
//  - every variable lookup is strict (Handlebars' own strict mode skips helper arguments), goes
//    through own properties only, and passes check-mode Unknown values through;
//  - `{{default x "d"}}` can still look at an undefined x;
//  - a string that is exactly one {{…}} yields the expression's value, not its text;
//  - lists and dicts inside text render as JSON rather than "a,b" / "[object Object]".
import Handlebars from 'handlebars';
import type { SourceLocation } from '../load/source.js';
import { carryLocation, locate, nodeInfo } from '../load/source.js';
import { suggest } from '../load/suggest.js';
import { TemplateError } from '../errors.js';
import { callHelper, Fail, HELPERS } from './helpers.js';
import { isUnknown } from './unknown.js';
import { getMember, isPlainObject, MISSING, textOf, typeName } from './values.js';
import { describeWhere, type Where } from './where.js';

export type { Where } from './where.js';

// --- the Handlebars environment -------------------------------------------------------------

const hb = Handlebars.create();

/** A lookup that found nothing; turned into a TemplateError with the where-info by the caller. */
class MissingVar extends Error {
  constructor(
    readonly path: string,
    readonly detail?: string,
  ) {
    super(`'${path}' is undefined`);
  }
}

interface HbOptions {
  hash?: Record<string, unknown>;
  data?: { gxBox?: { v: unknown } };
  fn?: unknown;
}

/** Looks up parts[from..] on ctx, own properties only; `original` names the path in errors. */
function lookup(strict: boolean, ctx: unknown, original: string, parts: unknown[], from: number): unknown {
  let v: unknown = ctx;
  for (let i = from; i < parts.length; i++) {
    if (isUnknown(v)) return v;
    if (v === null || v === undefined) {
      if (!strict) return undefined;
      throw new MissingVar(original, `'${parts.slice(from, i).join('.')}' is none`);
    }
    const next = getMember(v, parts[i] as string);
    if (next === MISSING) {
      if (!strict) return undefined;
      throw new MissingVar(original, i === from ? undefined : `${typeName(v)} '${parts.slice(from, i).join('.')}' has no attribute '${String(parts[i])}'`);
    }
    v = next;
  }
  return v;
}

// Every call the rewriter produces goes through this one helper: Handlebars copies all registered
// helpers on each top-level render, so each extra helper costs every render (45 helpers made a
// render 10× slower). `{{__gx "get" this "a.b" "a" "b"}}`, `{{__gx "join" list ","}}`…
function gxOp(op: string, rest: unknown[], hash: Record<string, unknown> | undefined, options?: HbOptions): unknown {
  switch (op) {
    case 'get':
      return lookup(true, rest[0], rest[1] as string, rest, 2);
    case 'soft':
      return lookup(false, rest[0], rest[1] as string, rest, 2);
    case 'show':
      return textOf(lookup(true, rest[0], rest[1] as string, rest, 2));
    case 'out':
      return textOf(rest[0]);
    case 'cap':
      options!.data!.gxBox!.v = rest[0];
      return '';
    default:
      return callHelper(op, rest, hash ?? {});
  }
}
hb.registerHelper('__gx', function (op: string, ...rest: unknown[]): unknown {
  const options = rest.pop() as HbOptions;
  return gxOp(op, rest, options.hash, options);
});
hb.unregisterHelper('log');
hb.unregisterHelper('lookup');

// Block helpers: an Unknown condition or list cannot pick a branch, so the block renders as the
// Unknown marker (the diff then shows plainly that this part is not known in check mode).
const BLOCKS = ['if', 'unless', 'each', 'with'];
for (const name of BLOCKS) {
  const original = hb.helpers[name] as (this: unknown, ...a: unknown[]) => unknown;
  hb.registerHelper(name, function (this: unknown, ...args: unknown[]) {
    const u = args.slice(0, -1).find(isUnknown);
    return u ? String(u) : original.apply(this, args);
  });
}

const COMPILE_OPTIONS = {
  noEscape: true,
  strict: true,
  knownHelpers: Object.fromEntries(['__gx', ...BLOCKS].map((n) => [n, true])),
};

// --- AST rewriting ---------------------------------------------------------------------------

/* Handlebars' AST types are loose in its typings; these are the shapes we read and build. */
interface Loc {
  start: { line: number; column: number };
  end: { line: number; column: number };
}
type HNode = { type: string; loc?: Loc; [k: string]: unknown };
interface HPath extends HNode {
  type: 'PathExpression';
  data: boolean;
  depth: number;
  parts: string[];
  original: string;
}

const str = (value: string, loc?: Loc): HNode => ({ type: 'StringLiteral', value, original: value, loc });
const path = (name: string, loc?: Loc): HPath => ({ type: 'PathExpression', data: false, depth: 0, parts: [name], original: name, loc });
const thisPath = (loc?: Loc): HPath => ({ type: 'PathExpression', data: false, depth: 0, parts: [], original: 'this', loc });
const sexpr = (p: HNode, params: HNode[], hash?: unknown, loc?: Loc): HNode => ({ type: 'SubExpression', path: p, params, hash, loc });

class Rewriter {
  constructor(
    private readonly unknownHelper: (name: string, loc?: Loc) => never,
    private readonly problem: (message: string, loc?: Loc) => never,
  ) {}

  /**
   * How we look a path up ourselves: from which base (the context, a parent context, @root or a
   * block parameter, all resolved by Handlebars) and which parts after it. Undefined for paths
   * with nothing to look up (`this`, `@index`, a bare block parameter).
   */
  private target(p: HPath, bp: Set<string>): { base: HPath; parts: string[] } | undefined {
    if (p.data) {
      if (p.parts[0] !== 'root' || p.parts.length < 2) return undefined;
      return { base: { type: 'PathExpression', data: true, depth: 0, parts: ['root'], original: '@root', loc: p.loc }, parts: p.parts.slice(1) };
    }
    if (!p.parts.length) return undefined;
    if (p.depth > 0) return { base: { type: 'PathExpression', data: false, depth: p.depth, parts: [], original: '../'.repeat(p.depth), loc: p.loc }, parts: p.parts };
    if (bp.has(p.parts[0]!)) return p.parts.length > 1 ? { base: path(p.parts[0]!, p.loc), parts: p.parts.slice(1) } : undefined;
    return { base: thisPath(p.loc), parts: p.parts };
  }

  private lookupArgs(op: string, p: HPath, t: { base: HPath; parts: string[] }): HNode[] {
    return [str(op, p.loc), t.base, str(p.original, p.loc), ...t.parts.map((x) => str(x, p.loc))];
  }

  expr(n: HNode, bp: Set<string>, soft = false): HNode {
    if (n.type === 'PathExpression') {
      const p = n as HPath;
      const t = this.target(p, bp);
      return t ? sexpr(path('__gx', p.loc), this.lookupArgs(soft ? 'soft' : 'get', p, t), undefined, p.loc) : p;
    }
    if (n.type === 'SubExpression') return this.call(n, bp, 'SubExpression');
    return n;
  }

  private hash(h: unknown, bp: Set<string>): unknown {
    if (!h) return h;
    const hash = h as HNode & { pairs: { key: string; value: HNode }[] };
    return { ...hash, pairs: hash.pairs.map((pair) => ({ ...pair, value: this.expr(pair.value, bp) })) };
  }

  private helperName(n: HNode, block: boolean): string {
    const p = n['path'] as HNode;
    const hp = p as HPath;
    const name = p.type === 'PathExpression' && hp.parts.length === 1 && !hp.data && hp.depth === 0 ? hp.parts[0]! : String(hp.original ?? p['value']);
    if (block ? !BLOCKS.includes(name) : !Object.prototype.hasOwnProperty.call(HELPERS, name)) {
      if (block && Object.prototype.hasOwnProperty.call(HELPERS, name)) this.problem(`'${name}' is not a block helper: write {{#if (${name} …)}}`, hp.loc);
      if (block && !(n['params'] as HNode[]).length) this.problem(`sections like {{#${name}}} are not supported: write {{#each ${name}}} or {{#if ${name}}}`, hp.loc);
      if (!block && BLOCKS.includes(name)) this.problem(`'${name}' is a block helper: write {{#${name} …}}…{{/${name}}}`, hp.loc);
      this.unknownHelper(name, hp.loc);
    }
    return name;
  }

  /** A helper call (subexpression, or a mustache/block with arguments): rewrite its arguments. */
  call(n: HNode, bp: Set<string>, type: string): HNode {
    const block = type === 'BlockStatement';
    const name = this.helperName(n, block);
    const params = (n['params'] as HNode[]).map((x, i) => this.expr(x, bp, i === 0 && name === 'default'));
    const hash = this.hash(n['hash'], bp);
    if (block) return { ...n, type, params, hash };
    return { ...n, type, path: path('__gx', (n['path'] as HNode).loc), params: [str(name), ...params], hash };
  }

  /** The value a lone mustache stands for, as an expression (for the cap and out ops). */
  mustacheValue(m: HNode, bp: Set<string>): HNode {
    const params = m['params'] as HNode[];
    const p = m['path'] as HNode;
    if (params.length || m['hash']) return this.call({ ...m, loc: m.loc }, bp, 'SubExpression');
    if (p.type === 'PathExpression') return this.expr(p, bp);
    return p; // a literal: {{ 5 }}, {{ "x" }}
  }

  statement(s: HNode, bp: Set<string>): HNode {
    switch (s.type) {
      case 'MustacheStatement': {
        const p = s['path'] as HNode;
        const plain = !(s['params'] as HNode[]).length && !s['hash'];
        const t = plain && p.type === 'PathExpression' ? this.target(p as HPath, bp) : undefined;
        if (t) {
          const hp = p as HPath;
          return { ...s, path: path('__gx', hp.loc), params: this.lookupArgs('show', hp, t), hash: undefined };
        }
        return { ...s, path: path('__gx', s.loc), params: [str('out', s.loc), this.mustacheValue(s, bp)], hash: undefined };
      }
      case 'BlockStatement': {
        const b = this.call(s, bp, 'BlockStatement');
        const program = s['program'] as HNode | undefined;
        const inner = new Set(bp);
        for (const name of (program?.['blockParams'] as string[] | undefined) ?? []) inner.add(name);
        return { ...b, program: program && this.program(program, inner), inverse: s['inverse'] && this.program(s['inverse'] as HNode, bp) };
      }
      default:
        return s;
    }
  }

  program(p: HNode, bp: Set<string>): HNode {
    return { ...p, body: (p['body'] as HNode[]).map((s) => this.statement(s, bp)) };
  }
}

// --- Jinja habits ----------------------------------------------------------------------------

const MUSTACHE = /\{\{(?![{!#/^>~]|\s*else\b)([\s\S]*?)\}\}/g;
const JINJA_BLOCK = /\{%-?\s*(if|for|set|endif|endfor|elif|else|raw|macro|block)\b/;

/** Splits at top-level occurrences of `sep`, outside quotes and brackets. */
function splitTop(s: string, sep: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quote = '';
  let cur = '';
  for (const c of s) {
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === "'" || c === '"') quote = c;
    else if ('([{'.includes(c)) depth++;
    else if (')]}'.includes(c)) depth--;
    else if (c === sep && depth === 0) {
      out.push(cur);
      cur = '';
      continue;
    }
    cur += c;
  }
  out.push(cur);
  return out;
}

/** `x | default('a') | upper` → `{{upper (default x "a")}}` */
function handlebarsForm(inner: string): string {
  const [base, ...filters] = splitTop(inner, '|').map((s) => s.trim());
  let cur = base!;
  for (const f of filters) {
    const m = /^(\w+)\s*(?:\(([\s\S]*)\))?$/.exec(f);
    if (!m) return '';
    const args = m[2] ? splitTop(m[2], ',').map((a) => a.trim().replace(/^'(.*)'$/s, (_, x: string) => JSON.stringify(x))) : [];
    cur = `(${[m[1] === 'd' ? 'default' : m[1], cur, ...args].join(' ')})`;
  }
  return `{{${cur.replace(/^\((.*)\)$/s, '$1')}}}`;
}

/** A Jinja construct in a Handlebars template: the message and the Handlebars way to write it. */
function jinjaProblem(text: string): { message: string; hint: string; offset: number } | undefined {
  for (const m of text.matchAll(MUSTACHE)) {
    const inner = m[1]!;
    const unquoted = inner.replace(/'[^']*'|"[^"]*"/g, (q) => ' '.repeat(q.length));
    const bar = unquoted.search(/\|\s*[A-Za-z_]/);
    if (bar >= 0 && !/\bas\s*\|/.test(unquoted)) {
      const form = handlebarsForm(inner);
      return {
        message: `Jinja filter syntax '|' in "{{${inner}}}": gx templates are Handlebars`,
        hint: form ? `write ${form} (helpers take the value first, then the arguments)` : `write {{default var "x"}} instead of {{ var | default('x') }}`,
        offset: m.index + 2 + bar,
      };
    }
  }
  const b = JINJA_BLOCK.exec(text);
  if (b) return { message: `Jinja block '{% ${b[1]} %}': gx templates are Handlebars`, hint: 'write {{#if cond}}…{{else}}…{{/if}} and {{#each list}}{{this}}{{/each}}', offset: b.index };
  return undefined;
}

// --- compiling and caching -------------------------------------------------------------------

type HbProgram = Parameters<typeof hb.compile>[0];
type Delegate = (ctx: unknown, opts: { data: { gxBox: { v: unknown } } }) => string;

interface Compiled {
  /** renders to text */
  text?: Delegate;
  /** for a lone {{…}}: captures the value into the box */
  value?: Delegate;
  single: boolean;
  ast: HNode;
  /** set when the template can skip the Handlebars runtime */
  fast?: Piece[];
}

const cache = new Map<string, Compiled>();
const CACHE_LIMIT = 20_000;

/** A static problem of a template, with line and column inside the text. */
class SyntaxProblem extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly col: number,
    readonly hint?: string,
  ) {
    super(message);
  }
}

function lineCol(text: string, offset: number): { line: number; col: number } {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, col: before[before.length - 1]!.length + 1 };
}

function rewriter(): Rewriter {
  const at = (loc?: Loc): [number, number] => [loc?.start.line ?? 1, (loc?.start.column ?? 0) + 1];
  return new Rewriter(
    (name, loc) => {
      const near = suggest(name, [...Object.keys(HELPERS), ...BLOCKS]);
      throw new SyntaxProblem(`unknown helper '${name}'`, ...at(loc), near ? `did you mean '${near}'?` : undefined);
    },
    (message, loc) => {
      throw new SyntaxProblem(message, ...at(loc));
    },
  );
}

const TOKEN_NAMES: Record<string, string> = {
  INVALID: 'character',
  EOF: 'end of template',
  CLOSE_BLOCK_PARAMS: "'|'",
  OPEN_SEXPR: "'('",
  CLOSE_SEXPR: "')'",
  CLOSE: "'}}'",
  OPEN: "'{{'",
  EQUALS: "'='",
};

function parse(text: string): HNode {
  const jinja = jinjaProblem(text);
  if (jinja) {
    const { line, col } = lineCol(text, jinja.offset);
    throw new SyntaxProblem(jinja.message, line, col, jinja.hint);
  }
  try {
    return hb.parseWithoutProcessing(text) as unknown as HNode;
  } catch (e) {
    const ex = e as Error & { lineNumber?: number; column?: number };
    const yy = ((hb as unknown as { Parser: unknown }).Parser as { lexer?: { yylloc?: { first_line: number; first_column: number } } }).lexer?.yylloc;
    const line = ex.lineNumber ?? yy?.first_line ?? 1;
    const col = ex.column !== undefined ? ex.column + 1 : (yy?.first_column ?? 0) + 1;
    const expecting = /Expecting (.*), got '(\w+)'/.exec(ex.message);
    const msg = expecting ? `unexpected ${TOKEN_NAMES[expecting[2]!] ?? expecting[2]}${/'CLOSE'/.test(expecting[1]!) ? " (expected '}}')" : ''}` : ex.message.replace(/ - \d+:\d+$/, '').split('\n')[0]!;
    throw new SyntaxProblem(msg, line, col);
  }
}

function lone(ast: HNode): HNode | undefined {
  let found: HNode | undefined;
  for (const s of ast['body'] as HNode[]) {
    if (s.type === 'ContentStatement' && /^\s*$/.test(s['value'] as string)) continue;
    if (s.type !== 'MustacheStatement' || found) return undefined;
    found = s;
  }
  return found;
}

/*
 * The fast path. Most templates in task arguments are text and {{…}} without blocks: those are
 * evaluated here straight from the rewritten AST with the same operations (gxOp), skipping the
 * Handlebars runtime, whose per-render setup costs more than the whole evaluation. Templates with
 * blocks, partials, ../ or @data other than @root go through Handlebars.
 */
type Piece = string | HNode;

function evalExpr(n: HNode, ctx: unknown): unknown {
  switch (n.type) {
    case 'StringLiteral':
    case 'NumberLiteral':
    case 'BooleanLiteral':
      return n['value'];
    case 'NullLiteral':
      return null;
    case 'UndefinedLiteral':
      return undefined;
    case 'PathExpression': {
      const p = n as HPath;
      // only `this` and @root.… reach here (see fastPieces)
      return p.data ? lookup(true, ctx, p.original, p.parts, 1) : ctx;
    }
    case 'SubExpression': {
      const params = n['params'] as HNode[];
      const args: unknown[] = [];
      for (let i = 1; i < params.length; i++) args.push(evalExpr(params[i]!, ctx));
      const pairs = (n['hash'] as { pairs: { key: string; value: HNode }[] } | undefined)?.pairs;
      let hash: Record<string, unknown> | undefined;
      if (pairs) {
        hash = {};
        for (const pair of pairs) hash[pair.key] = evalExpr(pair.value, ctx);
      }
      return gxOp(params[0]!['value'] as string, args, hash);
    }
  }
  throw new Error(`gx: unexpected ${n.type} in a template expression`);
}

function fastExpr(n: HNode): boolean {
  if (n.type === 'PathExpression') {
    const p = n as HPath;
    return p.depth === 0 && (p.data ? p.parts.length === 1 && p.parts[0] === 'root' : p.parts.length === 0);
  }
  if (n.type === 'SubExpression') {
    const pairs = (n['hash'] as { pairs: { value: HNode }[] } | undefined)?.pairs ?? [];
    return (n['params'] as HNode[]).every(fastExpr) && pairs.every((pair) => fastExpr(pair.value));
  }
  return n.type.endsWith('Literal');
}

/** Text and value expressions, or undefined when the template needs the Handlebars runtime. */
function fastPieces(text: string): Piece[] | undefined {
  const ast = hb.parse(text) as unknown as HNode; // with whitespace control (~) applied
  const rw = rewriter();
  const pieces: Piece[] = [];
  for (const st of ast['body'] as HNode[]) {
    if (st.type === 'ContentStatement') pieces.push(st['value'] as string);
    else if (st.type === 'CommentStatement') continue;
    else if (st.type === 'MustacheStatement') {
      const value = rw.mustacheValue(st, new Set());
      if (!fastExpr(value)) return undefined;
      pieces.push(value);
    } else return undefined;
  }
  return pieces;
}

function compiled(text: string): Compiled {
  let c = cache.get(text);
  if (!c) {
    const ast = parse(text);
    const single = lone(ast) !== undefined;
    // rewrite now, so unknown helpers are reported before anything renders
    const rewritten = rewriter().program(ast, new Set());
    c = { single, ast, fast: fastPieces(text) };
    if (!c.fast) c.text = hb.compile(rewritten as unknown as HbProgram, COMPILE_OPTIONS) as unknown as Delegate;
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(text, c);
  }
  return c;
}

function renderText(c: Compiled, vars: Record<string, unknown>): string {
  if (!c.fast) return c.text!(vars, { data: { gxBox: { v: undefined } } });
  let out = '';
  for (const p of c.fast) out += typeof p === 'string' ? p : textOf(evalExpr(p, vars));
  return out;
}

function valueDelegate(c: Compiled): Delegate {
  if (!c.value) {
    const m = lone(c.ast)!;
    const value = rewriter().mustacheValue(m, new Set());
    const program = { type: 'Program', body: [{ type: 'MustacheStatement', path: path('__gx', m.loc), params: [str('cap', m.loc), value], escaped: true, strip: { open: false, close: false }, loc: m.loc }], strip: {}, loc: c.ast.loc };
    c.value = hb.compile(program as unknown as HbProgram, COMPILE_OPTIONS) as unknown as Delegate;
  }
  return c.value;
}

// --- errors ----------------------------------------------------------------------------------

function quoteTemplate(text: string): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return JSON.stringify(one.length > 80 ? `${one.slice(0, 77)}...` : one);
}

function toTemplateError(e: unknown, text: string, vars: Record<string, unknown>, where: Where | undefined, at?: SourceLocation): unknown {
  const w = describeWhere(where, at);
  const loc = at ?? where?.loc;
  if (e instanceof MissingVar) {
    const root = e.path.split('.')[0]!;
    const near = e.detail === undefined ? suggest(root, Object.keys(vars)) : undefined;
    return new TemplateError(`undefined variable '${e.path}'${e.detail ? ` (${e.detail})` : ''} in template ${quoteTemplate(text)}${w}`, {
      loc,
      hint: near ? `did you mean '${near}'? (or give a fallback: {{default ${e.path} "…"}})` : `give a fallback with {{default ${e.path} "…"}} if it may be missing`,
    });
  }
  if (e instanceof SyntaxProblem) return new TemplateError(`${e.message} at line ${e.line}, col ${e.col} of template ${quoteTemplate(text)}${w}`, { loc, hint: e.hint });
  if (e instanceof Fail) return new TemplateError(`${e.message} in template ${quoteTemplate(text)}${w}`, { loc });
  if (e instanceof TemplateError) return e;
  if (e instanceof Error && e.name === 'Error' && /not defined in|could not be found|Missing helper|doesn't match/.test(e.message)) {
    // Handlebars' own checks (@data, ../ paths, partials)
    return new TemplateError(`${e.message.replace(/ in \[object Object\]/, '').replace(/ - \d+:\d+$/, '')} in template ${quoteTemplate(text)}${w}`, { loc, cause: e });
  }
  return e;
}

// --- public API ------------------------------------------------------------------------------

/** Does this string need rendering? */
export function hasTemplate(s: string): boolean {
  return s.includes('{{');
}

/**
 * Static check for the loader: the first syntax problem (Handlebars syntax, unknown helper, Jinja
 * habits) with "line L, col C" inside the text, or undefined when the template is fine.
 */
export function templateSyntaxErrors(text: string): string | undefined {
  try {
    if (hasTemplate(text)) compiled(text);
    else {
      const j = jinjaProblem(text);
      if (j) {
        const { line, col } = lineCol(text, j.offset);
        throw new SyntaxProblem(j.message, line, col, j.hint);
      }
    }
    return undefined;
  } catch (e) {
    if (e instanceof SyntaxProblem) return `line ${e.line}, col ${e.col}: ${e.message}${e.hint ? ` — ${e.hint}` : ''}`;
    throw e;
  }
}

/** Renders to text, always (template module, file contents). */
export function renderString(text: string, vars: Record<string, unknown>, where?: Where): string {
  if (!hasTemplate(text)) return text;
  try {
    return renderText(compiled(text), vars);
  } catch (e) {
    throw toTemplateError(e, text, vars, where);
  }
}

/** Renders one string; raw errors (the caller attaches the where-info). */
function renderTypedRaw(text: string, vars: Record<string, unknown>): unknown {
  const c = compiled(text);
  if (!c.single) return renderText(c, vars);
  if (c.fast) {
    for (const p of c.fast) if (typeof p !== 'string') return evalExpr(p, vars) ?? null;
  }
  const box = { v: undefined as unknown };
  valueDelegate(c)(vars, { data: { gxBox: box } });
  return box.v === undefined ? null : box.v;
}

function whereAt(where: Where | undefined, pathTo: (string | number)[]): Where {
  const suffix = pathTo.map((k) => (typeof k === 'number' ? `[${k}]` : `.${k}`)).join('');
  const what = where?.what ? where.what + suffix : suffix.replace(/^\./, '') || undefined;
  return { ...where, what };
}

/** The most precise known source location of the value at `pathTo` inside `root`. */
function locAlong(root: unknown, pathTo: (string | number)[]): SourceLocation | undefined {
  let obj = root;
  let best: SourceLocation | undefined;
  for (const key of pathTo) {
    if (nodeInfo(obj)) best = locate(obj, key, 'value') ?? best;
    obj = obj !== null && typeof obj === 'object' ? (obj as Record<string | number, unknown>)[key] : undefined;
  }
  return best;
}

function walk(value: unknown, vars: Record<string, unknown>, where: Where | undefined, pathTo: (string | number)[], root: unknown): unknown {
  if (typeof value === 'string') {
    if (!hasTemplate(value)) return value;
    try {
      return renderTypedRaw(value, vars);
    } catch (e) {
      // the precise where-info (path, value location) is built only on the error path: this walk is hot
      throw toTemplateError(e, value, vars, whereAt(where, pathTo), locAlong(root, pathTo));
    }
  }
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      pathTo.push(i);
      const r = walk(value[i], vars, where, pathTo, root);
      pathTo.pop();
      if (r !== value[i] && !out) out = value.slice(0, i);
      if (out) out.push(r);
    }
    return out ? carryLocation(value, out) : value;
  }
  if (isPlainObject(value)) {
    let out: Record<string, unknown> | undefined;
    const keys = Object.keys(value);
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i]!;
      pathTo.push(k);
      const nk = hasTemplate(k) ? renderKey(k, vars, whereAt(where, pathTo), locAlong(root, pathTo)) : k;
      const r = walk(value[k], vars, where, pathTo, root);
      pathTo.pop();
      if ((r !== value[k] || nk !== k) && !out) {
        out = {};
        for (let j = 0; j < i; j++) out[keys[j]!] = value[keys[j]!];
      }
      if (out) Object.defineProperty(out, nk, { value: r, enumerable: true, writable: true, configurable: true });
    }
    return out ? carryLocation(value, out) : value;
  }
  return value;
}

function renderKey(k: string, vars: Record<string, unknown>, where: Where, at: SourceLocation | undefined): string {
  try {
    return textOf(renderTypedRaw(k, vars));
  } catch (e) {
    throw toTemplateError(e, k, vars, { ...where, what: `${where.what ?? ''} (key)`.trim() }, at);
  }
}

/**
 * Renders every string inside `value` (lists and maps walked, never mutated). Returns `value`
 * itself when nothing needed rendering. A string that is exactly one {{…}} keeps its type.
 */
export function renderValue(value: unknown, vars: Record<string, unknown>, where?: Where): unknown {
  if (typeof value === 'string') {
    if (!hasTemplate(value)) return value;
    try {
      return renderTypedRaw(value, vars);
    } catch (e) {
      throw toTemplateError(e, value, vars, where);
    }
  }
  return walk(value, vars, where, [], value);
}

