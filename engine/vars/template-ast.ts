// The Handlebars AST as gx rewrites it (see template.ts): every variable lookup becomes a call to
// the one internal helper `__gx` ("get"/"soft"/"show" ops), every helper call `{{join x ","}}`
// becomes `{{__gx "join" x ","}}`, and misused helpers are reported before anything renders.
import { HELPERS } from './helpers.js';

/** The Handlebars block helpers gx keeps; every other helper is called through `__gx`. */
export const BLOCKS = ['if', 'unless', 'each', 'with'];

/* Handlebars' AST types are loose in its typings; these are the shapes we read and build. */
export interface Loc {
  start: { line: number; column: number };
  end: { line: number; column: number };
}
export type HNode = { type: string; loc?: Loc; [k: string]: unknown };
export interface HPath extends HNode {
  type: 'PathExpression';
  data: boolean;
  depth: number;
  parts: string[];
  original: string;
}

export const str = (value: string, loc?: Loc): HNode => ({ type: 'StringLiteral', value, original: value, loc });
export const path = (name: string, loc?: Loc): HPath => ({ type: 'PathExpression', data: false, depth: 0, parts: [name], original: name, loc });
export const thisPath = (loc?: Loc): HPath => ({ type: 'PathExpression', data: false, depth: 0, parts: [], original: 'this', loc });
export const sexpr = (p: HNode, params: HNode[], hash?: unknown, loc?: Loc): HNode => ({ type: 'SubExpression', path: p, params, hash, loc });

export class Rewriter {
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
