// The filters, tests and methods the expression language knows. Each receives plain, defined,
// known values (the evaluator deals with undefined and Unknown first) and throws Fail for a
// misuse, which the evaluator turns into a TemplateError pointing at the column.
import { getMember, isMapping, isPlainObject, lengthOf, MISSING, pyEqual, pyStr, toBool, toFloat, toInt, truthy, typeName } from './values.js';
import { isUnknown, Unknown } from './unknown.js';

export class Fail extends Error {}

type Fn = (v: unknown, args: unknown[], kw: Record<string, unknown>) => unknown;

const str = (v: unknown, what: string): string => {
  if (typeof v !== 'string') throw new Fail(`${what} expects a string, got ${typeName(v)}`);
  return v;
};
const seq = (v: unknown, what: string): unknown[] => {
  if (Array.isArray(v)) return v;
  if (typeof v === 'string') return [...v];
  if (isMapping(v)) return Object.keys(v);
  throw new Fail(`${what} expects a list, got ${typeName(v)}`);
};

export const FILTERS: Record<string, Fn> = {
  length: (v) => {
    const n = lengthOf(v);
    if (n === undefined) throw new Fail(`length of ${typeName(v)} is not defined`);
    return n;
  },
  bool: (v) => toBool(v),
  int: (v, [d]) => toInt(v, d === undefined ? 0 : toInt(d)),
  float: (v, [d]) => toFloat(v, d === undefined ? 0 : toFloat(d)),
  string: (v) => pyStr(v),
  lower: (v) => pyStr(v).toLowerCase(),
  upper: (v) => pyStr(v).toUpperCase(),
  trim: (v) => str(v, 'trim').trim(),
  first: (v) => seq(v, 'first')[0] ?? null,
  last: (v) => {
    const s = seq(v, 'last');
    return s.length ? s[s.length - 1] : null;
  },
  join: (v, [sep = '']) => seq(v, 'join').map(pyStr).join(pyStr(sep)),
  list: (v) => [...seq(v, 'list')],
  abs: (v) => Math.abs(toFloat(v)),
  min: (v) => pickBy(seq(v, 'min'), (a, b) => compareValues('<', a, b)),
  max: (v) => pickBy(seq(v, 'max'), (a, b) => compareValues('>', a, b)),
  unique: (v) => seq(v, 'unique').filter((x, i, all) => all.findIndex((y) => pyEqual(x, y)) === i),
  sort: (v) => [...seq(v, 'sort')].sort((a, b) => (compareValues('<', a, b) ? -1 : compareValues('>', a, b) ? 1 : 0)),
  reverse: (v) => (typeof v === 'string' ? [...v].reverse().join('') : [...seq(v, 'reverse')].reverse()),
  keys: (v) => Object.keys(mapping(v, 'keys')),
  replace: (v, [a, b]) => str(v, 'replace').split(pyStr(a)).join(pyStr(b)),
  regex_search: (v, [re]) => {
    const m = regex(re, 'regex_search').exec(str(v, 'regex_search'));
    return m ? m[0] : null;
  },
};
FILTERS['count'] = FILTERS['length']!;
// selectattr / rejectattr / map: `results | selectattr('changed') | list`, `users | map(attribute='name')`
FILTERS['selectattr'] = (v, args) => seq(v, 'selectattr').filter((x) => attrTest(x, args, 'selectattr'));
FILTERS['rejectattr'] = (v, args) => seq(v, 'rejectattr').filter((x) => !attrTest(x, args, 'rejectattr'));
FILTERS['map'] = (v, args, kw) => {
  const items = seq(v, 'map');
  if (kw['attribute'] !== undefined) return items.map((x) => attrOf(x, pyStr(kw['attribute'])) ?? kw['default'] ?? null);
  const name = pyStr(args[0]);
  const f = FILTERS[name];
  if (!f || name === 'map') throw new Fail(`map: unknown filter '${name}'`);
  return items.map((x) => f(x, args.slice(1), {}));
};

/** A dotted attribute of an item (`a.b`), own keys only; undefined when missing. */
function attrOf(item: unknown, path: string): unknown {
  let cur = item;
  for (const part of path.split('.')) {
    const next = getMember(cur, part);
    if (next === MISSING) return undefined;
    cur = next;
  }
  return cur;
}

function attrTest(item: unknown, [attr, test, ...rest]: unknown[], what: string): boolean {
  const value = attrOf(item, pyStr(attr));
  if (test === undefined) return value !== undefined && truthy(value);
  const name = pyStr(test);
  if (name === 'defined') return value !== undefined;
  if (name === 'undefined') return value === undefined;
  const t = name === '==' ? TESTS['eq'] : name === '!=' ? TESTS['ne'] : TESTS[name];
  if (!t) throw new Fail(`${what}: unknown test '${name}'`);
  if (value === undefined) return false;
  const r = t(value, rest, {});
  return !isUnknown(r) && truthy(r);
}

function mapping(v: unknown, what: string): Record<string, unknown> {
  if (!isMapping(v)) throw new Fail(`${what} expects a dict, got ${typeName(v)}`);
  return v;
}

function regex(re: unknown, what: string, flags = ''): RegExp {
  try {
    return new RegExp(str(re, what), flags);
  } catch (e) {
    throw new Fail(`${what}: invalid regular expression: ${(e as Error).message}`);
  }
}

function pickBy(items: unknown[], better: (a: unknown, b: unknown) => boolean): unknown {
  if (!items.length) return null;
  return items.reduce((best, x) => (better(x, best) ? x : best));
}

/** Python ordering: numbers with numbers, strings with strings, lists lexicographically. */
export function compareValues(op: string, a: unknown, b: unknown): boolean {
  const num = (x: unknown): x is number | boolean => typeof x === 'number' || typeof x === 'boolean';
  let c: number;
  if (num(a) && num(b)) c = Number(a) - Number(b);
  else if (typeof a === 'string' && typeof b === 'string') c = a < b ? -1 : a > b ? 1 : 0;
  else if (Array.isArray(a) && Array.isArray(b)) {
    c = 0;
    for (let i = 0; i < Math.min(a.length, b.length) && c === 0; i++) {
      if (!pyEqual(a[i], b[i])) c = compareValues('<', a[i], b[i]) ? -1 : 1;
    }
    if (c === 0) c = a.length - b.length;
  } else {
    throw new Fail(`'${op}' is not supported between ${typeName(a)} and ${typeName(b)} (convert first, e.g. x | int)`);
  }
  switch (op) {
    case '<':
      return c < 0;
    case '<=':
      return c <= 0;
    case '>':
      return c > 0;
    default:
      return c >= 0;
  }
}

/** `needle in haystack`; Unknown when the answer depends on an unknown item. */
export function contains(hay: unknown, needle: unknown): boolean | Unknown {
  if (typeof hay === 'string') {
    if (typeof needle !== 'string') throw new Fail(`'in <string>' requires a string on the left, got ${typeName(needle)}`);
    return hay.includes(needle);
  }
  if (Array.isArray(hay)) {
    let unknown: Unknown | undefined;
    for (const x of hay) {
      if (isUnknown(x)) unknown ??= x;
      else if (pyEqual(x, needle)) return true;
    }
    return unknown ?? false;
  }
  if (isMapping(hay)) return typeof needle === 'string' || typeof needle === 'number' ? Object.prototype.hasOwnProperty.call(hay, String(needle)) : false;
  throw new Fail(`'in' needs a list, string or dict on the right, got ${typeName(hay)}`);
}

/** Loose version comparison for `is version('1.2', '>=')`: numeric parts numerically. */
function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.\-+_]/);
  const pb = b.split(/[.\-+_]/);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] ?? '0';
    const y = pb[i] ?? '0';
    const d = /^\d+$/.test(x) && /^\d+$/.test(y) ? Number(x) - Number(y) : x < y ? -1 : x > y ? 1 : 0;
    if (d !== 0) return d;
  }
  return 0;
}

function resultField(v: unknown, field: string, test: string): unknown {
  if (!isMapping(v)) throw new Fail(`the '${test}' test expects a registered result (a dict), got ${typeName(v)}`);
  return Object.prototype.hasOwnProperty.call(v, field) ? v[field] : false;
}

/** Tests on results return the field itself, so an Unknown `changed` stays Unknown. */
export const TESTS: Record<string, Fn> = {
  none: (v) => v === null,
  succeeded: (v) => {
    const f = resultField(v, 'failed', 'succeeded');
    return isUnknown(f) ? f : !truthy(f);
  },
  failed: (v) => resultField(v, 'failed', 'failed'),
  changed: (v) => resultField(v, 'changed', 'changed'),
  skipped: (v) => resultField(v, 'skipped', 'skipped'),
  match: (v, [re], kw) => regex(re, 'match', flags(kw)).exec(str(v, 'match'))?.index === 0,
  search: (v, [re], kw) => regex(re, 'search', flags(kw)).test(str(v, 'search')),
  string: (v) => typeof v === 'string',
  number: (v) => typeof v === 'number',
  integer: (v) => typeof v === 'number' && Number.isInteger(v),
  float: (v) => typeof v === 'number' && !Number.isInteger(v),
  boolean: (v) => typeof v === 'boolean',
  mapping: (v) => isPlainObject(v),
  sequence: (v) => Array.isArray(v) || typeof v === 'string',
  iterable: (v) => Array.isArray(v) || typeof v === 'string' || isMapping(v),
  true: (v) => v === true,
  false: (v) => v === false,
  even: (v) => toInt(v) % 2 === 0,
  odd: (v) => Math.abs(toInt(v) % 2) === 1,
  divisibleby: (v, [n]) => toInt(v) % toInt(n) === 0,
  in: (v, [hay]) => contains(hay, v),
  eq: (v, [o]) => pyEqual(v, o),
  ne: (v, [o]) => !pyEqual(v, o),
  version: (v, [other, op = '==']) => {
    const c = compareVersions(pyStr(v), pyStr(other));
    const ops: Record<string, boolean> = { '<': c < 0, lt: c < 0, '<=': c <= 0, le: c <= 0, '>': c > 0, gt: c > 0, '>=': c >= 0, ge: c >= 0, '==': c === 0, '=': c === 0, eq: c === 0, '!=': c !== 0, '<>': c !== 0, ne: c !== 0 };
    const r = ops[pyStr(op)];
    if (r === undefined) throw new Fail(`version: unknown operator '${pyStr(op)}'`);
    return r;
  },
};
TESTS['success'] = TESTS['succeeded']!;
TESTS['failure'] = TESTS['failed']!;
TESTS['change'] = TESTS['changed']!;
TESTS['skip'] = TESTS['skipped']!;
TESTS['equalto'] = TESTS['eq']!;
TESTS['regex'] = TESTS['search']!;
TESTS['version_compare'] = TESTS['version']!;

function flags(kw: Record<string, unknown>): string {
  return (truthy(kw['ignorecase']) ? 'i' : '') + (truthy(kw['multiline']) ? 'm' : '');
}

/** The few Python methods playbooks call on strings and dicts, implemented here (never JS's own). */
export function callMethod(obj: unknown, method: string, args: unknown[]): unknown {
  if (typeof obj === 'string') {
    switch (method) {
      case 'startswith':
        return obj.startsWith(pyStr(args[0]));
      case 'endswith':
        return obj.endsWith(pyStr(args[0]));
      case 'lower':
        return obj.toLowerCase();
      case 'upper':
        return obj.toUpperCase();
      case 'strip':
        return obj.trim();
      case 'split':
        return args[0] === undefined || args[0] === null ? obj.split(/\s+/).filter(Boolean) : obj.split(pyStr(args[0]));
      case 'find':
        return obj.indexOf(pyStr(args[0]));
      case 'replace':
        return obj.split(pyStr(args[0])).join(pyStr(args[1]));
    }
  } else if (isMapping(obj)) {
    switch (method) {
      case 'keys':
        return Object.keys(obj);
      case 'values':
        return Object.values(obj);
      case 'items':
        return Object.entries(obj);
      case 'get': {
        const k = pyStr(args[0]);
        return Object.prototype.hasOwnProperty.call(obj, k) ? obj[k] : (args[1] ?? null);
      }
    }
  }
  throw new Fail(`${typeName(obj)} has no method '${method}' in gx expressions (strings: startswith, endswith, lower, upper, strip, split, find, replace; dicts: keys, values, items, get)`);
}
