// The lookups behind Ansible's `with_<name>:` loops, written from lib/ansible/plugins/lookup/*.py at
// v2.17.5 (items, list, dict, together, nested/cartesian, indexed_items, flattened, sequence,
// subelements, fileglob, first_found, file, lines, env, random_choice). Each takes the rendered
// terms as a list (Ansible's listify_lookup_plugin_terms) and returns the loop's items.
// TODO(lang-filters): once engine/vars/lookups (runLookup) is merged, loop-items.ts calls it instead
// and this file goes.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join } from 'node:path';
import { GxError } from '../errors.js';
import { searchCandidates, type FileKind, type SearchPath } from '../load/find-file.js';
import { parseKv } from '../load/split-args.js';

export interface LookupContext {
  /** where relative file names are looked for (the role's files/, beside the task file, the play's) */
  search: SearchPath;
  /** the subdirectory file lookups search: templates/ for template tasks, vars/ for include_vars, else files/ */
  subdir?: FileKind;
}

export type LookupFn = (terms: unknown[], ctx: LookupContext) => unknown[];

const fail = (name: string, msg: string): never => {
  throw new GxError('module', `with_${name}: ${msg}`);
};
const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** One level: lists are spread, anything else kept (lookup/items.py, the `flatten` of LookupBase). */
const flatOne = (terms: unknown[]): unknown[] => terms.flatMap((t) => (Array.isArray(t) ? t : [t]));

function flattenAll(v: unknown[]): unknown[] {
  return v.flatMap((t) => (Array.isArray(t) ? flattenAll(t) : t === null || t === undefined ? [] : [t]));
}

/** Python's int(x, 0) for the sequence lookup: decimal, 0x…, 0o… or a leading-zero octal. */
function num(name: string, s: string): number {
  const t = s.trim().toLowerCase();
  const n = /^0x[0-9a-f]+$/.test(t) ? parseInt(t.slice(2), 16) : /^0o?[0-7]+$/.test(t) && t !== '0' ? parseInt(t.replace(/^0o?/, ''), 8) : /^-?\d+$/.test(t) ? parseInt(t, 10) : NaN;
  if (Number.isNaN(n)) fail(name, `can't parse '${s}' as a number`);
  return n;
}

/** printf with one conversion, as Python's `format % i` for the sequence lookup. */
function printf(format: string, i: number): string {
  return format.replace(/%(-?0?\d*)([dixXo])/, (_m, flags: string, conv: string) => {
    let s = conv === 'x' ? i.toString(16) : conv === 'X' ? i.toString(16).toUpperCase() : conv === 'o' ? i.toString(8) : String(i);
    const width = parseInt(flags.replace(/^-?0?/, '') || '0', 10);
    if (flags.startsWith('-')) s = s.padEnd(width, ' ');
    else s = s.padStart(width, flags.startsWith('0') ? '0' : ' ');
    return s;
  });
}

const SHORTCUT = /^((0[xX][0-9a-fA-F]+|0[oO]?[0-7]+|[0-9]+)-)?(0[xX][0-9a-fA-F]+|0[oO]?[0-7]+|[0-9]+)(\/(0[xX][0-9a-fA-F]+|0[oO]?[0-7]+|[0-9]+))?(:(.+))?$/;

function sequence(terms: unknown[]): unknown[] {
  const out: string[] = [];
  for (const term of terms) {
    const o: Record<string, string | undefined> = {};
    const m = SHORTCUT.exec(String(term).trim());
    if (m) Object.assign(o, { start: m[2], end: m[3], stride: m[5], format: m[7] });
    else {
      const { options, rawWords } = parseKv(String(term));
      const extra = [...Object.keys(options).filter((k) => !['start', 'end', 'stride', 'count', 'format'].includes(k)), ...rawWords];
      if (extra.length) fail('sequence', `unrecognized arguments: ${extra.join(', ')}`);
      Object.assign(o, options);
    }
    let start = o.start !== undefined ? num('sequence', o.start) : 1;
    const stride = o.stride !== undefined ? num('sequence', o.stride) : 1;
    const format = o.format ?? '%d';
    let end: number;
    if (o.count === undefined && o.end === undefined) return fail('sequence', 'must specify count or end');
    if (o.count !== undefined && o.end !== undefined) return fail('sequence', "can't specify both count and end");
    if (o.count !== undefined) {
      const count = num('sequence', o.count);
      if (count === 0) {
        start = 0;
        end = 0;
        continue;
      }
      end = start + count * stride - 1;
    } else end = num('sequence', o.end!);
    if (stride > 0 && end < start) fail('sequence', 'to count backwards make stride negative');
    if (stride < 0 && end > start) fail('sequence', "to count forward don't make stride negative");
    if ((format.match(/%/g) ?? []).length !== 1) fail('sequence', `bad formatting string: ${format}`);
    if (stride === 0) continue;
    for (let i = start; stride > 0 ? i <= end : i >= end; i += stride) out.push(printf(format, i));
  }
  return out;
}

function subelements(terms: unknown[]): unknown[] {
  const bad = (m = ''): never => fail('subelements', `expects a list of two or three items${m ? `, ${m}` : ''}`);
  if (terms.length < 2 || terms.length > 3) bad();
  const [list, key, flags] = terms;
  if ((!Array.isArray(list) && !isObj(list)) || typeof key !== 'string') bad('first a dict or a list, second a string pointing to the subkey');
  if (isObj(list) && list.skipped !== undefined && list.skipped !== false) return [];
  const elements = isObj(list) ? Object.values(list) : (list as unknown[]);
  const skipMissing = isObj(flags) && [true, 'yes', 'true', 'True', 1].includes(flags.skip_missing as never);
  const path = (key as string).split('.');
  const out: unknown[] = [];
  for (const item0 of elements) {
    if (!isObj(item0)) return fail('subelements', `expects a dictionary, got '${JSON.stringify(item0)}'`);
    if (item0.skipped !== undefined && item0.skipped !== false) continue;
    let sub: Record<string, unknown> = item0;
    let list1: unknown[] | undefined;
    let owner: Record<string, unknown> = item0;
    for (let i = 0; i < path.length; i++) {
      const k = path[i]!;
      if (!(k in sub)) {
        if (skipMissing) break;
        return fail('subelements', `could not find '${k}' key in iterated item '${JSON.stringify(sub)}'`);
      }
      if (i < path.length - 1) {
        if (!isObj(sub[k])) {
          if (skipMissing) break;
          return fail('subelements', `the key ${k} should point to a dictionary, got '${JSON.stringify(sub[k])}'`);
        }
        sub = sub[k] as Record<string, unknown>;
      } else {
        if (!Array.isArray(sub[k])) return fail('subelements', `the key ${k} should point to a list, got '${JSON.stringify(sub[k])}'`);
        list1 = sub[k] as unknown[];
        owner = sub;
      }
    }
    // Ansible pops the list out of the item it pairs with each of its elements
    const first = list1 && owner === item0 ? Object.fromEntries(Object.entries(item0).filter(([k]) => k !== path[0])) : item0;
    for (const item1 of list1 ?? []) out.push([first, item1]);
  }
  return out;
}

function product(lists: unknown[][]): unknown[][] {
  return lists.reduce<unknown[][]>((acc, l) => acc.flatMap((a) => l.map((x) => [...a, x])), [[]]);
}

/** Where a relative file name is, among the search path; undefined when nowhere. */
function findIn(ctx: LookupContext, name: string): string | undefined {
  return searchCandidates(name, ctx.subdir ?? 'files', ctx.search).find((p) => existsSync(p));
}

function globToRegex(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const close = pattern.indexOf(']', i + 1);
      if (close < 0) re += '\\[';
      else {
        re += `[${pattern.slice(i + 1, close).replace(/^!/, '^').replace(/\\/g, '\\\\')}]`;
        i = close;
      }
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

function fileglob(terms: unknown[], ctx: LookupContext): unknown[] {
  const out: string[] = [];
  for (const t of terms) {
    const term = String(t);
    const dir = isAbsolute(term) ? dirname(term) : findIn(ctx, dirname(term) === '.' ? '.' : dirname(term));
    if (!dir || !existsSync(dir) || !statSync(dir).isDirectory()) continue;
    const re = globToRegex(basename(term));
    const hits = readdirSync(dir)
      .filter((f) => re.test(f) && !(f.startsWith('.') && !basename(term).startsWith('.')))
      .map((f) => join(dir, f))
      .filter((p) => statSync(p).isFile())
      .sort();
    out.push(...hits);
  }
  return out;
}

function firstFound(terms: unknown[], ctx: LookupContext): unknown[] {
  const files: string[] = [];
  let skip = false;
  // lookup/first_found.py _process_terms: files split on , and ;, paths on , : and ;, nested lists walked
  const split = (v: unknown, seps: RegExp): string[] => (Array.isArray(v) ? v.flatMap((x) => split(x, seps)) : typeof v === 'string' ? v.split(seps).map((s) => s.trim()).filter(Boolean) : []);
  const walk = (list: unknown[]): void => {
    for (const t of list) {
      if (isObj(t)) {
        const fl = split(t.files, /[,;]/);
        const pl = split(t.paths, /[,:;]/);
        files.push(...(pl.length ? pl.flatMap((p) => fl.map((f) => join(p, f))) : fl));
        if (t.skip !== undefined) skip = [true, 'yes', 'true', 'True'].includes(t.skip as never);
      } else if (Array.isArray(t)) walk(t);
      else if (typeof t === 'string') files.push(t);
    }
  };
  walk(terms);
  for (const f of files) {
    const hit = isAbsolute(f) ? (existsSync(f) ? f : undefined) : findIn(ctx, f);
    if (hit) return [hit];
  }
  if (skip) return [];
  return fail('first_found', 'No file was found when using first_found.');
}

export const WITH_LOOKUPS: Record<string, LookupFn> = {
  items: (terms) => flatOne(terms),
  list: (terms) => terms,
  flattened: (terms) => flattenAll(terms),
  indexed_items: (terms) => flatOne(terms).map((x, i) => [i, x]),
  dict: (terms) =>
    terms.flatMap((t) => {
      if (!isObj(t)) return fail('dict', `with_dict expects a dict, got ${JSON.stringify(t)}`);
      return Object.entries(t).map(([key, value]) => ({ key, value }));
    }),
  together: (terms) => {
    if (terms.length === 0) return fail('together', 'with_together requires at least one element in each list');
    const lists = terms.map((t) => (Array.isArray(t) ? t : [t]));
    const n = Math.max(...lists.map((l) => l.length));
    return Array.from({ length: n }, (_, i) => lists.map((l) => (i < l.length ? l[i] : null)));
  },
  nested: (terms) => {
    if (terms.length === 0) return fail('nested', 'with_nested requires at least one element in the nested list');
    return product(terms.map((t) => (Array.isArray(t) ? t : [t])));
  },
  cartesian: (terms) => product(terms.map((t) => (Array.isArray(t) ? t : [t]))),
  sequence: (terms) => sequence(terms),
  subelements: (terms) => subelements(terms),
  fileglob: (terms, ctx) => fileglob(terms, ctx),
  first_found: (terms, ctx) => firstFound(terms, ctx),
  file: (terms, ctx) =>
    terms.map((t) => {
      const p = isAbsolute(String(t)) ? String(t) : findIn(ctx, String(t));
      if (!p || !existsSync(p)) return fail('file', `could not locate file in lookup: ${String(t)}`);
      return readFileSync(p, 'utf8').replace(/\s+$/, '');
    }),
  lines: (terms) =>
    terms.flatMap((t) => {
      try {
        const out = execFileSync('/bin/sh', ['-c', String(t)], { encoding: 'utf8' });
        return out === '' ? [] : out.replace(/\r?\n$/, '').split(/\r?\n/);
      } catch (err) {
        return fail('lines', `lookup_plugin.lines(${String(t)}) returned ${(err as { status?: number }).status ?? 'an error'}`);
      }
    }),
  env: (terms) => terms.map((t) => process.env[String(t)] ?? ''),
  random_choice: (terms) => (terms.length ? [terms[Math.floor(Math.random() * terms.length)]] : []),
};

export const WITH_NAMES: readonly string[] = Object.keys(WITH_LOOKUPS);
