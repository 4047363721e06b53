// Renders a parsed Jinja template (jinja-parse.ts) against a scope. Statements create scopes as
// Jinja does: a for-loop iteration, a macro call and `with` get their own; `if` does not, so a
// `set` inside an `if` is seen after it. Values not known in check mode (Unknown) never pick a
// branch or an iteration count: the statement renders the Unknown marker instead, so the text
// around it is known to be unknown (watchUnknownText in template.ts).
import { TemplateError } from '../errors.js';
import { JinjaCallable } from './callable.js';
import { lineAt, quoteTemplate, type CompiledExpr } from './expr.js';
import type { LexOptions } from './jinja-lex.js';
import type { JNode, Param, ParsedTemplate } from './jinja-parse.js';
import { outputText } from './pytext.js';
import { isUnknown } from './unknown.js';
import { getMember, isMapping, MISSING, truthy, typeName } from './values.js';
import { describeWhere, templateLoc, type Where } from './where.js';

type Vars = Record<string, unknown>;

export interface RenderEnv {
  where?: Where;
  /** parses another template (include) with the same options */
  parse(text: string, o: LexOptions): ParsedTemplate;
  options: LexOptions;
  /** finds an included template by name: its text and path, or undefined with the places searched */
  load?: (name: string) => { text: string; path: string } | { missing: string[] };
}

/** A scope that reads `locals` first, then `parent`; own-property reads, as getMember does. */
export function layered(parent: Vars, locals: Vars): Vars {
  const own = (k: string | symbol): boolean => Object.prototype.hasOwnProperty.call(locals, k);
  return new Proxy(locals, {
    get: (t, k) => (own(k) ? t[k as string] : (parent as Record<string | symbol, unknown>)[k]),
    has: (t, k) => own(k) || k in parent,
    getOwnPropertyDescriptor(t, k) {
      if (own(k)) return Reflect.getOwnPropertyDescriptor(t, k);
      if (typeof k !== 'string') return undefined;
      const v = getMember(parent, k);
      return v === MISSING ? undefined : { configurable: true, enumerable: true, writable: true, value: v };
    },
    ownKeys: (t) => [...new Set([...Reflect.ownKeys(t), ...Reflect.ownKeys(parent)])],
  });
}

interface Ctx {
  scope: Vars;
  locals: Vars;
}

/** One definition of a block: its body and the renderer of the template it is written in. */
interface BlockImpl {
  r: JinjaRenderer;
  body: JNode[];
}

/** Every `{% block %}` of a template, nested ones included (not those inside macros). */
function collectBlocks(nodes: JNode[], add: (b: Extract<JNode, { k: 'block' }>) => void): void {
  for (const n of nodes) {
    if (n.k === 'block') {
      add(n);
      collectBlocks(n.body, add);
    } else if (n.k === 'if') {
      for (const b of n.branches) collectBlocks(b.body, add);
      collectBlocks(n.else ?? [], add);
    } else if (n.k === 'for') {
      collectBlocks(n.body, add);
      collectBlocks(n.else ?? [], add);
    } else if (n.k === 'with' || n.k === 'filter' || n.k === 'setblock' || n.k === 'call') collectBlocks(n.body, add);
  }
}

/** The caller of the next macro that reads `caller` ({% call %}). */
let pendingCaller: JinjaCallable | undefined;

function usesName(nodes: JNode[], name: string): boolean {
  const word = new RegExp(`\\b${name}\\b`);
  // the source, not e.vars: a called name (caller()) is not among the variables an expression reads
  const inExpr = (e: CompiledExpr | undefined): boolean => !!e && (e.vars.includes(name) || word.test(e.source));
  return nodes.some((n) => {
    switch (n.k) {
      case 'text':
        return false;
      case 'out':
        return inExpr(n.expr);
      case 'if':
        return n.branches.some((b) => inExpr(b.test) || usesName(b.body, name)) || usesName(n.else ?? [], name);
      case 'for':
        return inExpr(n.iter) || inExpr(n.cond) || usesName(n.body, name) || usesName(n.else ?? [], name);
      case 'set':
        return inExpr(n.expr);
      case 'setblock':
      case 'filter':
        return usesName(n.body, name);
      case 'macro':
        return false;
      case 'call':
        return inExpr(n.expr) || usesName(n.body, name);
      case 'include':
      case 'import':
      case 'extends':
        return inExpr(n.expr);
      case 'block':
        return usesName(n.body, name);
      case 'with':
        return n.assigns.some((a) => inExpr(a.expr)) || usesName(n.body, name);
    }
  });
}

export class JinjaRenderer {
  constructor(
    private readonly src: string,
    private readonly env: RenderEnv,
  ) {}

  fail(message: string, pos: number, hint?: string): TemplateError {
    const { line, col } = lineAt(this.src, pos);
    return new TemplateError(`${message} at line ${line + (this.env.where?.lineOffset ?? 0)}, col ${col} of template ${quoteTemplate(this.src)}${describeWhere(this.env.where)}`, { loc: templateLoc(this.env.where, line, col), hint });
  }

  /** Renders a whole template with `vars` as its context. */
  render(t: ParsedTemplate, vars: Vars): string {
    return this.renderModule(t, vars).text;
  }

  /**
   * Renders a template and keeps what its top level defined (macros, sets): what import reads.
   * `derived` holds the blocks of the templates that extend this one, most derived first.
   */
  renderModule(t: ParsedTemplate, vars: Vars, derived?: Map<string, BlockImpl[]>): { text: string; exports: Vars } {
    const locals: Vars = Object.create(null) as Vars;
    const ctx: Ctx = { scope: layered(vars, locals), locals };
    const blocks = new Map(derived);
    collectBlocks(t.nodes, (b) => blocks.set(b.name, [...(derived?.get(b.name) ?? []), { r: this, body: b.body }]));
    this.blocks = blocks;
    const out: string[] = [];
    let parent: string | undefined;
    let parentPos = 0;
    const discard: string[] = [];
    for (const n of t.nodes) {
      if (n.k === 'extends') {
        const p = this.ev(n.expr, ctx);
        if (parent === undefined) [parent, parentPos] = [String(p), n.pos];
        continue;
      }
      // after {% extends %}, the template's own text is not output (its sets and macros still run)
      if (parent !== undefined) {
        if (n.k !== 'block' && n.k !== 'text' && n.k !== 'out') this.run([n], ctx, discard);
      } else this.run([n], ctx, out);
    }
    if (parent === undefined) return { text: out.join(''), exports: locals };
    if (!this.env.load) throw this.fail('extends is only available in template files', parentPos);
    const found = this.env.load(parent);
    if ('missing' in found) throw this.fail(`template not found: ${parent}`, parentPos, `looked in: ${found.missing.join(', ')}`);
    const base = new JinjaRenderer(found.text, { ...this.env, where: { ...this.env.where, what: `template ${found.path}`, file: found.path, lineOffset: 0 } });
    const r = base.renderModule(this.env.parse(found.text, this.env.options), ctx.scope, blocks);
    return { text: out.join('') + r.text, exports: locals };
  }

  /** The blocks of the template being rendered (and of those extending it), by name. */
  private blocks = new Map<string, BlockImpl[]>();

  /** `{% block %}`: the most derived definition, with super() rendering the next one up. */
  private block(name: string, ctx: Ctx, i = 0): string {
    const impls = this.blocks.get(name) ?? [];
    const impl = impls[i];
    if (!impl) return '';
    const locals: Vars = Object.create(null) as Vars;
    locals.super = new JinjaCallable('super', () => (i + 1 < impls.length ? this.block(name, ctx, i + 1) : ''));
    const out: string[] = [];
    impl.r.run(impl.body, { scope: layered(ctx.scope, locals), locals }, out);
    return out.join('');
  }

  private ev(e: CompiledExpr, ctx: Ctx): unknown {
    return e.evaluate(ctx.scope, this.env.where);
  }

  private child(ctx: Ctx, locals: Vars = Object.create(null) as Vars): Ctx {
    return { scope: layered(ctx.scope, locals), locals };
  }

  private renderBody(nodes: JNode[], ctx: Ctx): string {
    const out: string[] = [];
    this.run(nodes, ctx, out);
    return out.join('');
  }

  run(nodes: JNode[], ctx: Ctx, out: string[]): void {
    for (const n of nodes) {
      switch (n.k) {
        case 'text':
          out.push(n.text);
          break;
        case 'out':
          out.push(outputText(this.ev(n.expr, ctx)));
          break;
        case 'if': {
          let done = false;
          for (const b of n.branches) {
            const t = this.ev(b.test, ctx);
            if (isUnknown(t)) {
              out.push(String(t));
              done = true;
              break;
            }
            if (truthy(t)) {
              this.run(b.body, ctx, out);
              done = true;
              break;
            }
          }
          if (!done && n.else) this.run(n.else, ctx, out);
          break;
        }
        case 'for':
          this.loop(n, ctx, out);
          break;
        case 'set': {
          const v = this.ev(n.expr, ctx);
          if (n.attr) {
            const target = getMember(ctx.scope, n.targets[0]!);
            if (!isMapping(target) || Array.isArray(target)) throw this.fail(`can't set '${n.attr}' on ${target === MISSING ? 'an undefined variable' : typeName(target)} '${n.targets[0]}' (use {% set ns = namespace(…) %} first)`, n.pos);
            Object.defineProperty(target, n.attr, { value: v, enumerable: true, writable: true, configurable: true });
          } else this.assign(n.targets, v, ctx.locals, n.pos);
          break;
        }
        case 'setblock': {
          let v: unknown = this.renderBody(n.body, ctx);
          if (n.filter) v = n.filter.expr.evaluate(layered(ctx.scope, { [n.filter.name]: v }), this.env.where);
          ctx.locals[n.name] = v;
          break;
        }
        case 'macro':
          ctx.locals[n.name] = this.macro(n.name, n.params, n.body, ctx.scope, usesName(n.body, 'caller'));
          break;
        case 'call': {
          const caller = this.macro('caller', n.params, n.body, ctx.scope, false);
          const before = pendingCaller;
          pendingCaller = caller;
          try {
            out.push(outputText(this.ev(n.expr, ctx)));
          } finally {
            pendingCaller = before;
          }
          break;
        }
        case 'include':
          this.include(n, ctx, out);
          break;
        case 'import':
          this.import(n, ctx, out);
          break;
        case 'block':
          out.push(this.block(n.name, ctx));
          break;
        case 'extends':
          throw this.fail("'{% extends %}' must be at the top level of a template", n.pos);
        case 'filter': {
          const text = this.renderBody(n.body, this.child(ctx));
          out.push(outputText(n.filter.expr.evaluate(layered(ctx.scope, { [n.filter.name]: text }), this.env.where)));
          break;
        }
        case 'with': {
          const locals: Vars = Object.create(null) as Vars;
          for (const a of n.assigns) locals[a.name] = this.ev(a.expr, ctx);
          this.run(n.body, this.child(ctx, locals), out);
          break;
        }
      }
    }
  }

  private assign(targets: string[], v: unknown, locals: Vars, pos: number): void {
    if (targets.length === 1) {
      locals[targets[0]!] = v;
      return;
    }
    if (isUnknown(v)) {
      for (const t of targets) locals[t] = v;
      return;
    }
    const items = Array.isArray(v) ? v : typeof v === 'string' ? [...v] : undefined;
    if (!items) throw this.fail(`cannot unpack ${typeName(v)} into ${targets.join(', ')}`, pos);
    if (items.length !== targets.length) throw this.fail(`cannot unpack ${items.length} values into ${targets.length} names (${targets.join(', ')})`, pos);
    targets.forEach((t, i) => (locals[t] = items[i]));
  }

  private loop(n: Extract<JNode, { k: 'for' }>, ctx: Ctx, out: string[]): void {
    const seq = this.ev(n.iter, ctx);
    if (isUnknown(seq)) {
      out.push(String(seq));
      return;
    }
    let items: unknown[];
    if (Array.isArray(seq)) items = seq;
    else if (typeof seq === 'string') items = [...seq];
    else if (isMapping(seq)) items = Object.keys(seq);
    else throw this.fail(`'${typeName(seq)}' object is not iterable`, n.pos, seq === null || seq === undefined ? 'loop over `x | default([])` when it may be none' : undefined);
    const bind = (item: unknown): Ctx => {
      const locals: Vars = Object.create(null) as Vars;
      this.assign(n.targets, item, locals, n.pos);
      return this.child(ctx, locals);
    };
    if (n.cond) {
      const kept: unknown[] = [];
      for (const item of items) {
        const c = this.ev(n.cond, bind(item));
        if (isUnknown(c)) {
          out.push(String(c));
          return;
        }
        if (truthy(c)) kept.push(item);
      }
      items = kept;
    }
    if (!items.length) {
      if (n.else) this.run(n.else, ctx, out);
      return;
    }
    const length = items.length;
    let last: unknown = MISSING;
    items.forEach((item, i) => {
      const c = bind(item);
      const loop: Vars = {
        index: i + 1,
        index0: i,
        revindex: length - i,
        revindex0: length - i - 1,
        first: i === 0,
        last: i === length - 1,
        length,
        depth: 1,
        depth0: 0,
        cycle: new JinjaCallable('loop.cycle', (args) => {
          if (!args.length) throw this.fail('loop.cycle needs at least one value', n.pos);
          return args[i % args.length];
        }),
        changed: new JinjaCallable('loop.changed', (args) => {
          const now = JSON.stringify(args);
          const changed = now !== last;
          last = now;
          return changed;
        }),
      };
      if (i > 0) loop.previtem = items[i - 1];
      if (i < length - 1) loop.nextitem = items[i + 1];
      c.locals.loop = loop;
      this.run(n.body, c, out);
    });
  }

  private macro(name: string, params: Param[], body: JNode[], defScope: Vars, takesCaller: boolean): JinjaCallable {
    return new JinjaCallable(name, (args, kw) => {
      const locals: Vars = Object.create(null) as Vars;
      const ctx: Ctx = { scope: layered(defScope, locals), locals };
      const rest = { ...kw };
      params.forEach((p, i) => {
        if (i < args.length) locals[p.name] = args[i];
        else if (Object.prototype.hasOwnProperty.call(rest, p.name)) locals[p.name] = rest[p.name];
        else if (p.default) locals[p.name] = this.ev(p.default, ctx);
        delete rest[p.name];
      });
      locals.varargs = args.slice(params.length);
      locals.kwargs = rest;
      if (takesCaller && pendingCaller) {
        locals.caller = pendingCaller;
        pendingCaller = undefined;
      }
      return this.renderBody(body, ctx);
    });
  }

  private import(n: Extract<JNode, { k: 'import' }>, ctx: Ctx, out: string[]): void {
    const target = this.ev(n.expr, ctx);
    if (isUnknown(target)) {
      out.push(String(target));
      return;
    }
    const name = String(target);
    if (!this.env.load) throw this.fail('import is only available in template files', n.pos);
    const found = this.env.load(name);
    if ('missing' in found) throw this.fail(`template not found: ${name}`, n.pos, `looked in: ${found.missing.join(', ')}`);
    const inner = new JinjaRenderer(found.text, { ...this.env, where: { ...this.env.where, what: `template ${found.path}`, file: found.path, lineOffset: 0 } });
    // without context (Jinja's default for imports) the imported template sees no variables
    const { exports } = inner.renderModule(this.env.parse(found.text, this.env.options), n.withContext ? ctx.scope : {});
    if (n.alias) {
      ctx.locals[n.alias] = exports;
      return;
    }
    for (const [from, as] of n.names ?? []) {
      if (!Object.prototype.hasOwnProperty.call(exports, from)) throw this.fail(`the template ${name} does not export '${from}'`, n.pos);
      ctx.locals[as] = exports[from];
    }
  }

  private include(n: Extract<JNode, { k: 'include' }>, ctx: Ctx, out: string[]): void {
    const target = this.ev(n.expr, ctx);
    if (isUnknown(target)) {
      out.push(String(target));
      return;
    }
    const names = (Array.isArray(target) ? target : [target]).map(String);
    if (!this.env.load) throw this.fail('include is only available in template files', n.pos);
    const searched: string[] = [];
    for (const name of names) {
      const found = this.env.load(name);
      if ('missing' in found) {
        searched.push(...found.missing);
        continue;
      }
      const parsed = this.env.parse(found.text, this.env.options);
      const inner = new JinjaRenderer(found.text, { ...this.env, where: { ...this.env.where, what: `template ${found.path}`, file: found.path, lineOffset: 0 } });
      out.push(inner.render(parsed, n.withContext ? ctx.scope : {}));
      return;
    }
    if (n.ignoreMissing) return;
    throw this.fail(`template not found: ${names.join(', ')}`, n.pos, searched.length ? `looked in: ${searched.join(', ')}` : undefined);
  }
}
