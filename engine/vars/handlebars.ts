// Handlebars, for `.hbs` template files only (the gauntlet's manifests): playbook values and every
// other template file are Jinja (template.ts). Loaded on first use, so a run that renders no
// `.hbs` file never loads the Handlebars package. Templates are parsed once per source text, then
// their AST is rewritten before compiling so that:
//  - every variable lookup is strict (Handlebars' own strict mode skips helper arguments), goes
//    through own properties only, and passes check-mode Unknown values through;
//  - `{{default x "d"}}` can still look at an undefined x;
//  - lists and dicts inside text render as JSON rather than "a,b" / "[object Object]".
import { createRequire } from 'node:module';
import type HandlebarsNs from 'handlebars';
import type { SourceLocation } from '../load/source.js';
import { suggest } from '../load/suggest.js';
import { TemplateError } from '../errors.js';
import { callHelper, Fail, HELPERS } from './helpers.js';
import { BLOCKS, Rewriter, type HNode, type HPath, type Loc } from './template-ast.js';
import { jinjaProblem } from './template-jinja.js';
import { isUnknown } from './unknown.js';
import { getMember, MISSING, textOf, typeName } from './values.js';
import { describeWhere, type Where } from './where.js';

// --- the Handlebars environment -------------------------------------------------------------

type Hb = typeof HandlebarsNs;
let hbEnv: Hb | undefined;

/**
 * The Handlebars environment, created on first use. A synchronous lazy require rather than a
 * dynamic import: the load-time syntax check (compile/checks.ts) and a module's renderTemplate are
 * synchronous, and either way the package is read only when a `.hbs` file is rendered or checked.
 */
function handlebars(): Hb {
  if (!hbEnv) {
    const Handlebars = createRequire(import.meta.url)('handlebars') as Hb;
    hbEnv = setup(Handlebars.create());
  }
  return hbEnv;
}

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
function setup(hb: Hb): Hb {
hb.registerHelper('__gx', function (op: string, ...rest: unknown[]): unknown {
    const options = rest.pop() as HbOptions;
    return gxOp(op, rest, options.hash, options);
  });
  hb.unregisterHelper('log');
  hb.unregisterHelper('lookup');
  
  // Block helpers: an Unknown condition or list cannot pick a branch, so the block renders as the
  // Unknown marker (the diff then shows plainly that this part is not known in check mode).
  for (const name of BLOCKS) {
    const original = hb.helpers[name] as (this: unknown, ...a: unknown[]) => unknown;
    hb.registerHelper(name, function (this: unknown, ...args: unknown[]) {
      const u = args.slice(0, -1).find(isUnknown);
      return u ? String(u) : original.apply(this, args);
    });
  }
  return hb;
}

const COMPILE_OPTIONS = {
  noEscape: true,
  strict: true,
  knownHelpers: Object.fromEntries(['__gx', ...BLOCKS].map((n) => [n, true])),
};

// --- compiling and caching -------------------------------------------------------------------

type HbProgram = Parameters<Hb['compile']>[0];
type Delegate = (ctx: unknown, opts: { data: { gxBox: { v: unknown } } }) => string;

interface Compiled {
  /** renders to text */
  text?: Delegate;
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
    return handlebars().parseWithoutProcessing(text) as unknown as HNode;
  } catch (e) {
    const ex = e as Error & { lineNumber?: number; column?: number };
    const yy = ((handlebars() as unknown as { Parser: unknown }).Parser as { lexer?: { yylloc?: { first_line: number; first_column: number } } }).lexer?.yylloc;
    const line = ex.lineNumber ?? yy?.first_line ?? 1;
    const col = ex.column !== undefined ? ex.column + 1 : (yy?.first_column ?? 0) + 1;
    const expecting = /Expecting (.*), got '(\w+)'/.exec(ex.message);
    const msg = expecting ? `unexpected ${TOKEN_NAMES[expecting[2]!] ?? expecting[2]}${/'CLOSE'/.test(expecting[1]!) ? " (expected '}}')" : ''}` : ex.message.replace(/ - \d+:\d+$/, '').split('\n')[0]!;
    throw new SyntaxProblem(msg, line, col);
  }
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
  const ast = handlebars().parse(text) as unknown as HNode; // with whitespace control (~) applied
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
    // rewrite now, so unknown helpers are reported before anything renders
    const rewritten = rewriter().program(ast, new Set());
    c = { fast: fastPieces(text) };
    if (!c.fast) c.text = handlebars().compile(rewritten as unknown as HbProgram, COMPILE_OPTIONS) as unknown as Delegate;
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

/**
 * Static check of a `.hbs` file: the first syntax problem (Handlebars syntax, unknown helper,
 * Jinja habits) as "line L, col C: message — hint", or undefined when the template is fine.
 */
export function handlebarsSyntaxErrors(text: string): string | undefined {
  try {
    if (text.includes('{{')) compiled(text);
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

/** Renders a `.hbs` template's text (the template module, kubectl/helm/multipass templates). */
export function renderHandlebars(text: string, vars: Record<string, unknown>, where?: Where): string {
  if (!text.includes('{{')) return text;
  try {
    return renderText(compiled(text), vars);
  } catch (e) {
    throw toTemplateError(e, text, vars, where);
  }
}
