// Templating, one language per place:
//  - playbook values (tasks, vars, inventories, -e) and every template file that is not `.hbs`
//    are Jinja2, as in Ansible: `{{ expr }}` is evaluated by the same evaluator as `when`
//    (expr.ts), and `{% if %}`, `{% for %}`, `{% set %}`, macros, includes and comments work
//    (jinja-lex.ts, jinja-parse.ts, jinja-render.ts);
//  - `.hbs` template files are Handlebars (handlebars.ts, loaded on first use).
// A value that is exactly one `{{ expr }}` (whitespace around allowed) keeps the expression's type;
// anything else is text, with lists and dicts inside it printed as Python does.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join } from 'node:path';
import { searchCandidates, type SearchPath } from '../load/find-file.js';
import type { SourceLocation } from '../load/source.js';
import { carryLocation, locate, nodeInfo } from '../load/source.js';
import { TemplateError } from '../errors.js';
import { lineAt, quoteTemplate } from './expr.js';
import { setTemplateRenderer } from './lookups/index.js';
import { searchCandidates as lookupCandidates } from './lookups/context.js';
import { handlebarsForm } from './handlebars-forms.js';
import { handlebarsSyntaxErrors, renderHandlebars } from './handlebars.js';
import { concatToLiteral } from './py-literal.js';
import { JinjaSyntaxError, type LexOptions } from './jinja-lex.js';
import { parseTemplate, type JNode, type ParsedTemplate } from './jinja-parse.js';
import { JinjaRenderer } from './jinja-render.js';
import { outputText } from './pytext.js';
import { Unknown, watchUnknownText } from './unknown.js';
import { isPlainObject } from './values.js';
import { describeWhere, templateLoc, type Where } from './where.js';

export type { Where } from './where.js';

/**
 * Ansible's environment for every templated string: trim_blocks on, lstrip_blocks off
 * (lib/ansible/template/__init__.py at v2.17.5: AnsibleEnvironment.__init__ sets trim_blocks = True;
 * the template action, lib/ansible/plugins/action/template.py, defaults trim_blocks: true,
 * lstrip_blocks: false, newline_sequence '\n', and Templar.do_template(preserve_trailing_newlines=True)
 * puts back the trailing newlines Jinja's keep_trailing_newline=False dropped).
 */
export const ANSIBLE_DEFAULTS: LexOptions = { trimBlocks: true, lstripBlocks: false };

/** Playbook values: Ansible's defaults, and string literals in `{{ }}` keep their backslashes. */
const VALUE_OPTIONS: LexOptions = { ...ANSIBLE_DEFAULTS, rawStrings: true };

// --- parsing and caching ---------------------------------------------------------------------

interface Compiled extends ParsedTemplate {
  /** only text and `{{ }}`: rendered without scopes */
  simple: boolean;
}

const cache = new Map<string, Compiled>();
const CACHE_LIMIT = 20_000;

/** The first Handlebars form in a value that failed to parse as Jinja, as a syntax error. */
function habit(text: string, e: JinjaSyntaxError, place?: string): JinjaSyntaxError {
  const hb = handlebarsForm(text, place);
  return hb ? new JinjaSyntaxError(hb.message, hb.offset, hb.hint) : e;
}

function parse(text: string, o: LexOptions): Compiled {
  try {
    const t = parseTemplate(text, o);
    return { ...t, simple: t.nodes.every((n: JNode) => n.k === 'text' || n.k === 'out') };
  } catch (e) {
    if (e instanceof JinjaSyntaxError) throw habit(text, e);
    throw e;
  }
}

function compiled(text: string, o: LexOptions = VALUE_OPTIONS): Compiled {
  const key = o === VALUE_OPTIONS ? text : `${o.trimBlocks ? 1 : 0}${o.lstripBlocks ? 1 : 0}${o.rawStrings ? 1 : 0}${o.newline ?? ''}\u0000${text}`;
  let c = cache.get(key);
  if (!c) {
    c = parse(text, o);
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(key, c);
  }
  return c;
}

function syntaxError(e: JinjaSyntaxError, text: string, where: Where | undefined): TemplateError {
  const { line, col } = lineAt(text, e.pos);
  return new TemplateError(`template syntax error: ${e.message} at line ${line + (where?.lineOffset ?? 0)}, col ${col} of template ${quoteTemplate(text)}${describeWhere(where)}`, { loc: templateLoc(where, line, col), hint: e.hint });
}

function trailingNewlines(s: string): number {
  let n = 0;
  for (let i = s.length - 1; i >= 0 && s[i] === '\n'; i--) n++;
  return n;
}

export interface FileRender {
  /** the template file's path (its extension picks the language; includes are found beside it) */
  path: string;
  where?: Where;
  /** finds an included template by name (Ansible's template search path) */
  load?: (name: string) => { text: string; path: string } | { missing: string[] };
  /** the template module's trim_blocks / lstrip_blocks / newline_sequence (a `#jinja2:` line still wins) */
  options?: TemplateOptions;
}

export interface TemplateOptions {
  trimBlocks?: boolean;
  lstripBlocks?: boolean;
  newlineSequence?: string;
}

/** Renders to text: `{{ x }}` of a list prints as Python would; none prints nothing. */
function renderJinjaText(text: string, vars: Record<string, unknown>, where: Where | undefined, o = VALUE_OPTIONS, load?: FileRender['load']): string {
  const c = compiled(text, o);
  let out: string;
  if (c.simple) {
    out = '';
    for (const n of c.nodes) out += n.k === 'text' ? n.text : outputText((n as Extract<JNode, { k: 'out' }>).expr.evaluate(vars, where));
  } else {
    out = new JinjaRenderer(text, { where, options: o, parse: (t, opts) => compiled(t, opts), load }).render(c, vars);
  }
  // Templar.do_template(preserve_trailing_newlines=True): as many trailing newlines as the source
  const want = trailingNewlines(text);
  const have = trailingNewlines(out);
  return want > have ? out + (o.newline ?? '\n').repeat(want - have) : out;
}

// --- public API ------------------------------------------------------------------------------

/** Does this string need rendering? (a Jinja start string: `{{`, `{%` or `{#`, as Ansible's is_possibly_template) */
export function hasTemplate(s: string): boolean {
  for (let i = s.indexOf('{'); i >= 0; i = s.indexOf('{', i + 1)) {
    const c = s.charCodeAt(i + 1);
    if (c === 123 || c === 37 || c === 35) return true;
  }
  return false;
}

/**
 * Static check for the loader: the first syntax problem of a playbook value (Jinja syntax, or a
 * Handlebars form with its Jinja hint) as "line L, col C: message — hint", or undefined.
 */
export function templateSyntaxErrors(text: string): string | undefined {
  if (!hasTemplate(text)) return undefined;
  try {
    compiled(text);
    return undefined;
  } catch (e) {
    if (!(e instanceof JinjaSyntaxError)) throw e;
    const { line, col } = lineAt(text, e.pos);
    return `line ${line}, col ${col}: ${e.message}${e.hint ? ` — ${e.hint}` : ''}`;
  }
}

/**
 * Every template syntax problem in `parent[key]` and under it (playbook values, vars files,
 * inventories), each at its value's place in the YAML: found at load time, not on the first host
 * that renders the string.
 */
export function templateErrorsIn(value: unknown, parent: unknown, key: string | number): TemplateError[] {
  const out: TemplateError[] = [];
  const walk = (v: unknown, owner: unknown, k: string | number): void => {
    if (typeof v === 'string') {
      const problem = templateSyntaxErrors(v);
      if (problem) out.push(new TemplateError(`template syntax error: ${problem}`, { loc: locate(owner, k, 'value') }));
    } else if (Array.isArray(v)) v.forEach((x, i) => walk(x, v, i));
    else if (isPlainObject(v)) for (const [kk, x] of Object.entries(v)) walk(x, v, kk);
  };
  walk(value, parent, key);
  return out;
}

/** Renders a playbook string to text, always. */
export function renderString(text: string, vars: Record<string, unknown>, where?: Where): string {
  if (!hasTemplate(text)) return text;
  try {
    return renderJinjaText(text, vars, where);
  } catch (e) {
    if (e instanceof JinjaSyntaxError) throw syntaxError(e, text, where);
    throw e;
  }
}

/** `#jinja2: trim_blocks: False, lstrip_blocks: True` on a template's first line (Ansible's _create_overlay). */
function overrides(text: string, given?: TemplateOptions): { text: string; o: LexOptions } {
  const base: LexOptions = given ? { trimBlocks: given.trimBlocks ?? true, lstripBlocks: given.lstripBlocks ?? false, newline: given.newlineSequence } : ANSIBLE_DEFAULTS;
  if (!text.startsWith('#jinja2:')) return { text, o: base };
  const eol = text.indexOf('\n');
  const line = text.slice('#jinja2:'.length, eol < 0 ? undefined : eol);
  const o = { ...base };
  for (const pair of line.split(',')) {
    const [k, v] = pair.split(':').map((s) => s.trim());
    const on = v === 'True' || v === 'true';
    if (k === 'trim_blocks') o.trimBlocks = on;
    else if (k === 'lstrip_blocks') o.lstripBlocks = on;
  }
  return { text: eol < 0 ? '' : text.slice(eol + 1), o };
}

/**
 * `{% include 'x' %}` inside a template file: beside the including file first, then Ansible's
 * template search path (the role's templates/, the task file's, the play's; lib/ansible/plugins/
 * action/template.py puts dirname(source) and each search path with and without templates/).
 */
export function templateLoader(templatePath: string, search?: SearchPath): FileRender['load'] {
  return (name) => {
    const candidates = isAbsolute(name) ? [name] : [...new Set([join(dirname(templatePath), name), ...(search ? searchCandidates(name, 'templates', search) : [])])];
    for (const c of candidates) if (existsSync(c) && statSync(c).isFile()) return { text: readFileSync(c, 'utf8'), path: c };
    return { missing: candidates };
  };
}

export function isHandlebarsFile(path: string): boolean {
  return basename(path).endsWith('.hbs');
}

/** Renders a template file: `.hbs` with Handlebars, anything else with Jinja (Ansible's template defaults). */
export function renderTemplateFile(text: string, vars: Record<string, unknown>, f: FileRender): string {
  if (isHandlebarsFile(f.path)) return renderHandlebars(text, vars, f.where);
  const { text: body, o } = overrides(text, f.options);
  if (!hasTemplate(body)) return body;
  // errors point at the template's own line (the CLI shows it); the task is named in the message
  const where: Where = { ...f.where, file: f.path, lineOffset: body === text ? 0 : 1 };
  try {
    return renderJinjaText(body, vars, where, o, f.load);
  } catch (e) {
    if (e instanceof JinjaSyntaxError) throw syntaxError(habit(body, e, 'a Jinja2 template file'), body, where);
    throw e;
  }
}

/** Static check of a template file, by its extension: "line L, col C: message — hint" or undefined. */
export function templateFileSyntaxErrors(text: string, path: string): string | undefined {
  if (isHandlebarsFile(path)) return handlebarsSyntaxErrors(text);
  const { text: body, o } = overrides(text);
  if (!hasTemplate(body)) return undefined;
  try {
    parseTemplate(body, o);
    return undefined;
  } catch (err) {
    if (!(err instanceof JinjaSyntaxError)) throw err;
    const e = habit(body, err, 'a Jinja2 template file');
    const { line, col } = lineAt(body, e.pos);
    const shift = body === text ? 0 : 1; // the #jinja2: line
    return `line ${line + shift}, col ${col}: ${e.message}${e.hint ? ` — ${e.hint}` : ''}`;
  }
}

/** Ansible's Templar.SINGLE_VAR: a template that is nothing but one variable name. */
const SINGLE_VAR = /^\{\{\s*(\w*)\s*\}\}$/;

/** Renders one string; raw errors (the caller attaches the where-info). */
function renderTypedRaw(text: string, vars: Record<string, unknown>, where: Where | undefined): unknown {
  const c = compiled(text);
  if (c.lone) {
    const v = c.lone.evaluate(vars, where) ?? null;
    // Ansible 2.14 renders None as '' (its finalize), except for a template that is one bare variable
    // (Templar's SINGLE_VAR shortcut keeps it None): `{{ lookup(..., errors='ignore') }}` is ''
    if (v !== null) return v;
    const single = SINGLE_VAR.exec(text);
    return single && single[1]! in vars ? null : '';
  }
  // text around a value unknown in check mode is unknown too (never "http://<unknown: …>:5000")
  const { value, unknown } = watchUnknownText(() => renderJinjaText(text, vars, where));
  if (unknown) return new Unknown(unknown.reason, value);
  return typeof value === 'string' ? concatToLiteral(value) : value;
}

function whatAt(where: Where | undefined, pathTo: (string | number)[]): string | undefined {
  const suffix = pathTo.map((k) => (typeof k === 'number' ? `[${k}]` : `.${k}`)).join('');
  return where?.what ? where.what + suffix : suffix.replace(/^\./, '') || undefined;
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

/**
 * The where-info of the value being rendered, computed only when an error message reads it: the
 * walk is hot, the path and the value's own location are wanted only on the error path.
 */
function lazyWhere(where: Where | undefined, pathTo: (string | number)[], root: unknown, key = false): Where {
  return {
    get task() {
      return where?.task;
    },
    get host() {
      return where?.host;
    },
    get loc() {
      return where?.loc;
    },
    get what() {
      const w = whatAt(where, pathTo);
      return key ? `${w ?? ''} (key)`.trim() : w;
    },
    get at() {
      return locAlong(root, pathTo) ?? where?.at;
    },
  };
}

function renderOne(text: string, vars: Record<string, unknown>, where: Where): unknown {
  try {
    return renderTypedRaw(text, vars, where);
  } catch (e) {
    if (e instanceof JinjaSyntaxError) throw syntaxError(e, text, where);
    throw e;
  }
}

function walk(value: unknown, vars: Record<string, unknown>, where: Where, pathTo: (string | number)[], root: unknown): unknown {
  if (typeof value === 'string') return hasTemplate(value) ? renderOne(value, vars, where) : value;
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
      const nk = hasTemplate(k) ? outputText(renderOne(k, vars, lazyWhere(where, [...pathTo], root, true))) : k;
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

/**
 * Renders every string inside `value` (lists and maps walked, never mutated). Returns `value`
 * itself when nothing needed rendering. A string that is exactly one {{…}} keeps its type.
 */
export function renderValue(value: unknown, vars: Record<string, unknown>, where?: Where): unknown {
  if (typeof value === 'string') return hasTemplate(value) ? renderOne(value, vars, where ?? {}) : value;
  if (value === null || typeof value !== 'object') return value;
  const pathTo: (string | number)[] = [];
  return walk(value, vars, lazyWhere(where, pathTo, value), pathTo, value);
}

// lookup('template', 'x.j2'): the same renderer as the template module; includes inside it are
// found beside the file, then on the lookup's search path (role, task file, playbook; templates/).
setTemplateRenderer((text, vars, file, ctx) =>
  renderTemplateFile(text, vars, {
    path: file,
    where: ctx.where && { ...ctx.where, what: `lookup('template', '${basename(file)}')` },
    load: (name) => {
      const candidates = isAbsolute(name) ? [name] : [...new Set([join(dirname(file), name), ...lookupCandidates(name, 'templates', ctx)])];
      for (const c of candidates) if (existsSync(c) && statSync(c).isFile()) return { text: readFileSync(c, 'utf8'), path: c };
      return { missing: candidates };
    },
  }),
);
