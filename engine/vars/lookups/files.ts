// Lookups that read the controller: env, file, template, pipe, lines, first_found, fileglob.
// Behaviour follows Ansible 2.17's lib/ansible/plugins/lookup/{env,file,template,pipe,lines,
// first_found,fileglob}.py (read at tag v2.17.5).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { pyLiteral } from '../py-literal.js';
import { Fail } from '../fail.js';
import { globFiles } from '../glob.js';
import { templateMagicVars } from '../template-vars.js';
import { isMapping, pyStr, truthy } from '../values.js';
import { baseDir, findInSearchPath, requireFile, searchDirs, type LookupContext } from './context.js';

type Kw = Record<string, unknown>;

/** Renders a template file's text with its variables; set by the template layer (setTemplateRenderer). */
export type TemplateRenderer = (text: string, vars: Record<string, unknown>, file: string, ctx: LookupContext) => unknown;
let renderer: TemplateRenderer | undefined;

/** The template layer registers how `lookup('template', …)` renders a file (.j2 with Jinja, .hbs with Handlebars). */
export function setTemplateRenderer(fn: TemplateRenderer): void {
  renderer = fn;
}

/** Jinja text rendered by the registered renderer (a condition with `{{ }}` inside it). */
export function renderTemplateText(text: string, vars: Record<string, unknown>, ctx: LookupContext): unknown {
  if (!renderer) throw new Fail('no template renderer is registered (gx internal error)');
  return renderer(text, vars, join(baseDir(ctx), 'condition'), ctx);
}

function runShell(command: string, ctx: LookupContext, lookup: string): string {
  try {
    return execFileSync('/bin/sh', ['-c', command], { cwd: baseDir(ctx), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
  } catch (e) {
    const err = e as { status?: number; stderr?: string; message: string };
    if (typeof err.status === 'number') throw new Fail(`${lookup}: lookup_plugin.${lookup}(${command}) returned ${err.status}${err.stderr ? `: ${err.stderr.trim()}` : ''}`);
    throw new Fail(`${lookup}: ${err.message}`);
  }
}

/** Ansible's _split_on (first_found.py): strings split at the given characters, lists flattened. */
function splitOn(terms: unknown, chars: string): string[] {
  if (typeof terms === 'string') return terms.split(new RegExp(`[${chars.replace(/[\]\\^-]/g, '\\$&')}]`));
  if (Array.isArray(terms)) return terms.flatMap((t) => splitOn(t, chars));
  return [];
}

function firstFound(terms: unknown[], kw: Kw, ctx: LookupContext): unknown[] {
  let skip = truthy(kw['skip'] ?? false);
  const search: string[] = [];
  const process1 = (list: unknown[]): void => {
    for (const term of list) {
      let files: unknown;
      let paths: unknown = kw['paths'] ?? [];
      if (isMapping(term)) {
        files = term['files'] ?? [];
        paths = term['paths'] ?? [];
        if (term['skip'] !== undefined) skip = truthy(term['skip']);
      } else if (typeof term === 'string') files = [term];
      else if (Array.isArray(term)) {
        process1(term);
        continue;
      } else throw new Fail(`first_found: Invalid term supplied, can handle string, mapping or list of strings but got: ${typeof term} for ${pyStr(term)}`);
      const fileList = splitOn(files, ',;');
      const pathList = splitOn(paths, ',:;');
      if (pathList.length) for (const p of pathList) for (const f of fileList) search.push(join(p, f));
      else search.push(...fileList);
    }
  };
  process1(terms.length ? terms : ((kw['files'] as unknown[] | undefined) ?? []));
  const subdir = ctx.subdir ?? 'files';
  for (const f of search) {
    const found = findInSearchPath(f, subdir, ctx);
    if (found) return [found];
  }
  if (skip) return [];
  throw new Fail('first_found: No file was found when using first_found.');
}

const DELIMITERS: [string, string, string][] = [
  ['variable_start_string', 'variable_end_string', '{{ }}'],
  ['block_start_string', 'block_end_string', '{% %}'],
  ['comment_start_string', 'comment_end_string', '{# #}'],
];

/**
 * The template lookup's variable_start_string=… options: the text is rewritten to the standard
 * delimiters (the standard ones of a rewritten kind first kept as literal text), so the one Jinja
 * renderer reads it.
 */
function withDelimiters(text: string, kw: Kw): string {
  const swaps: [string, string][] = [];
  for (const [startOpt, endOpt, std] of DELIMITERS) {
    const [s0, e0] = std.split(' ') as [string, string];
    const s = kw[startOpt] === undefined ? s0 : pyStr(kw[startOpt]);
    const e = kw[endOpt] === undefined ? e0 : pyStr(kw[endOpt]);
    if (s !== s0 || e !== e0) swaps.push([s0, s], [e0, e]);
  }
  if (!swaps.length) return text;
  const held: string[] = [];
  let out = text;
  // 1. the standard delimiters of a rewritten kind are text now: hold them aside
  for (const [std] of swaps) out = out.split(std).join(`\u0000${held.push(std) - 1}\u0000`);
  // 2. the custom ones become standard
  for (const [std, custom] of swaps) out = out.split(custom).join(std);
  // 3. the held text comes back as literal Jinja text
  return out.replace(/\u0000(\d+)\u0000/g, (_m, i: string) => `{{ '${held[Number(i)]}' }}`);
}

/** Ansible's convert_data: a result that reads as a Python dict or list literal becomes that value. */
function literalOf(text: string): unknown {
  const t = text.trim();
  if (!(t.startsWith('[') || (t.startsWith('{') && !t.startsWith('{{')) || t === 'True' || t === 'False')) return text;
  // Python's literal_eval, as Ansible's safe_eval reads it (not a literal: the text as it was)
  const v = pyLiteral(t);
  return v === t ? text : v;
}

export const FILE_LOOKUPS: Record<string, (terms: unknown[], kw: Kw, ctx: LookupContext) => unknown[]> = {
  env: (terms, kw) => terms.map((t) => process.env[pyStr(t)] ?? (kw['default'] === undefined ? '' : kw['default'])),
  file: (terms, kw, ctx) => {
    const rstrip = truthy(kw['rstrip'] ?? true);
    const lstrip = truthy(kw['lstrip'] ?? false);
    return terms.map((t) => {
      let s = readFileSync(requireFile(pyStr(t), 'files', ctx, 'file'), 'utf8');
      if (lstrip) s = s.replace(/^\s+/, '');
      if (rstrip) s = s.replace(/\s+$/, '');
      return s;
    });
  },
  template: (terms, kw, ctx) =>
    terms.map((t) => {
      const path = requireFile(pyStr(t), 'templates', ctx, 'template');
      if (!renderer) throw new Fail('template: no template renderer is registered (gx internal error)');
      const extra = isMapping(kw['template_vars']) ? kw['template_vars'] : {};
      // as Ansible's template lookup: the file's template_* variables, then template_vars
      const out = renderer(withDelimiters(readFileSync(path, 'utf8'), kw), { ...ctx.vars, ...templateMagicVars(path, pyStr(t)), ...extra }, path, ctx);
      // convert_data (default true): text that reads as a dict or list literal becomes one
      return truthy(kw['convert_data'] ?? true) && typeof out === 'string' ? literalOf(out) : out;
    }),
  pipe: (terms, _kw, ctx) => terms.map((t) => runShell(pyStr(t), ctx, 'pipe').replace(/\s+$/, '')),
  lines: (terms, _kw, ctx) =>
    terms.flatMap((t) => {
      const out = runShell(pyStr(t), ctx, 'lines');
      return out.split(/\r\n|\n|\r/).filter((_l, i, all) => i < all.length - 1 || all[i] !== '');
    }),
  first_found: firstFound,
  fileglob: (terms, _kw, ctx) => {
    const out: string[] = [];
    for (const t of terms) {
      const term = pyStr(t);
      const file = basename(term);
      const dirs: string[] = [];
      if (file !== term) {
        const d = findInSearchPath(dirname(term), 'files', ctx);
        if (d) dirs.push(d);
      } else for (const p of searchDirs(ctx)) dirs.push(join(p, 'files'), p);
      for (const d of dirs) {
        const found = globFiles(join(d, file));
        if (found.length) {
          out.push(...found);
          break;
        }
      }
    }
    return out;
  },
};
