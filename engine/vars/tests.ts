// The tests (`x is …`): Jinja2's (jinja2/tests.py), Ansible's (plugins/test/core.py: results,
// regex, version, any/all, truthy; files.py: path tests on the controller; mathstuff.py:
// subset/superset/contains). `defined`/`undefined` live in the evaluator, which sees undefined values.
import { existsSync, lstatSync, statSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { compareValues, contains } from './compare.js';
import { arg, Fail, list, seq, str, text, type Fn } from './filters/args.js';
import { NETWORK_TESTS } from './filters/network.js';
import { pyRe } from './filters/regex.js';
import { FILTERS, TESTS } from './filters/registry.js';
import { isUnknown } from './unknown.js';
import { isMapping, isPlainObject, pyEqual, pyStr, truthy, typeName } from './values.js';
import { versionTest } from './versions.js';

function result(v: unknown, test: string): Record<string, unknown> {
  if (!isMapping(v)) throw new Fail(`The '${test}' test expects a dictionary, got ${typeName(v)}`);
  return v;
}
const field = (v: Record<string, unknown>, k: string, d: unknown = false): unknown => (Object.prototype.hasOwnProperty.call(v, k) ? v[k] : d);
const not = (x: unknown): unknown => (isUnknown(x) ? x : !truthy(x));

function regexTest(v: unknown, args: unknown[], kw: Record<string, unknown>, type: 'match' | 'search' | 'fullmatch', what: string): boolean {
  const re = pyRe(arg(args, kw, 0, 'pattern', ''), { ignorecase: arg(args, kw, 1, 'ignorecase'), multiline: arg(args, kw, 2, 'multiline') }, what);
  const s = text(v);
  if (type === 'search') return re.test(s);
  const sticky = new RegExp(type === 'fullmatch' ? `(?:${re.source})(?![\\s\\S])` : re.source, `${re.flags.replace('g', '')}y`);
  return sticky.test(s);
}

const isNumber = (v: unknown): boolean => typeof v === 'number';
const pyMod = (a: number, b: number): number => ((a % b) + b) % b;

// module_utils/parsing/convert_bool.py
const BOOLEANS_TRUE = new Set(['y', 'yes', 'on', '1', 'true', 't']);
const BOOLEANS_FALSE = new Set(['n', 'no', 'off', '0', 'false', 'f']);

/** Python's bool(); with convert_bool, the words boolean() knows first. */
function pyTruthy(v: unknown, convert: boolean): boolean {
  if (convert) {
    const w = typeof v === 'string' ? v.toLowerCase() : v === 1 || v === true ? '1' : v === 0 || v === false ? '0' : undefined;
    if (w !== undefined && BOOLEANS_TRUE.has(w)) return true;
    if (w !== undefined && BOOLEANS_FALSE.has(w)) return false;
  }
  if (v === null || v === undefined || v === false || v === 0 || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (isMapping(v)) return Object.keys(v).length > 0;
  return true;
}
/** a number as Python's % takes it: bools are 0/1, strings are not numbers */
function num(v: unknown, test: string): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  throw new Fail(`the '${test}' test needs a number, got ${typeName(v)}`);
}
const pathOf = (v: unknown, test: string): string => str(v, test);
const statOr = <T>(f: () => T, d: T): T => {
  try {
    return f();
  } catch {
    return d;
  }
};

const cmp = (op: string) => (v: unknown, [o]: unknown[]) => compareValues(op, v, o);

const DEFS: Record<string, Fn> = {
  // results
  failed: (v) => field(result(v, 'failed'), 'failed'),
  succeeded: (v) => not(field(result(v, 'succeeded'), 'failed')),
  unreachable: (v) => field(result(v, 'unreachable'), 'unreachable'),
  reachable: (v) => not(field(result(v, 'reachable'), 'unreachable')),
  changed: (v) => {
    const r = result(v, 'changed');
    if (Object.prototype.hasOwnProperty.call(r, 'changed')) return r['changed'];
    const results = r['results'];
    if (Array.isArray(results) && isMapping(results[0])) return results.some((x) => isMapping(x) && truthy(x['changed']));
    return false;
  },
  skipped: (v) => field(result(v, 'skipped'), 'skipped'),
  // async: a task that is not async counts as started and finished, as in Ansible
  started: (v) => (Object.prototype.hasOwnProperty.call(result(v, 'started'), 'started') ? pyEqual(result(v, 'started')['started'], 1) : true),
  finished: (v) => (Object.prototype.hasOwnProperty.call(result(v, 'finished'), 'finished') ? pyEqual(result(v, 'finished')['finished'], 1) : true),
  // regex
  match: (v, args, kw) => regexTest(v, args, kw, 'match', 'match'),
  search: (v, args, kw) => regexTest(v, args, kw, 'search', 'search'),
  regex: (v, args, kw) => {
    const t = pyStr(arg(args, kw, 3, 'match_type', 'search'));
    if (t !== 'match' && t !== 'search' && t !== 'fullmatch') throw new Fail(`regex: match_type must be 'search', 'match' or 'fullmatch'`);
    return regexTest(v, args, kw, t, 'regex');
  },
  version: (v, args, kw) => {
    const strictArg = arg(args, kw, 2, 'strict');
    const type = arg(args, kw, 3, 'version_type');
    if (strictArg !== undefined && strictArg !== null && type !== undefined && type !== null) throw new Fail("Cannot specify both 'strict' and 'version_type'");
    return versionTest(pyStr(v), pyStr(arg(args, kw, 0, 'version', '')), pyStr(arg(args, kw, 1, 'operator', 'eq')), truthy(strictArg) ? 'strict' : type === undefined || type === null ? 'loose' : pyStr(type));
  },
  any: (v) => seq(v, 'any').some(truthy),
  all: (v) => seq(v, 'all').every(truthy),
  // plugins/test/core.py truthy/falsy: Python's bool(), after boolean() when it knows the word
  truthy: (v, args, kw) => pyTruthy(v, truthy(arg(args, kw, 0, 'convert_bool', false))),
  falsy: (v, args, kw) => !pyTruthy(v, truthy(arg(args, kw, 0, 'convert_bool', false))),
  vault_encrypted: () => false,
  // types (Jinja)
  none: (v) => v === null,
  string: (v) => typeof v === 'string',
  // a bool is a Python int: `true is number` holds, `true is integer` does not (Jinja 3)
  number: (v) => isNumber(v) || typeof v === 'boolean',
  integer: (v) => typeof v === 'number' && Number.isInteger(v),
  float: (v) => typeof v === 'number' && !Number.isInteger(v),
  boolean: (v) => typeof v === 'boolean',
  true: (v) => v === true,
  false: (v) => v === false,
  mapping: (v) => isPlainObject(v) || isMapping(v),
  sequence: (v) => Array.isArray(v) || typeof v === 'string' || isMapping(v),
  iterable: (v) => Array.isArray(v) || typeof v === 'string' || isMapping(v),
  callable: () => false,
  // str(value).islower() / isupper(): at least one cased letter, all of them in that case
  lower: (v) => /\p{L}/u.test(text(v)) && text(v) === text(v).toLowerCase() && text(v) !== text(v).toUpperCase(),
  upper: (v) => /\p{L}/u.test(text(v)) && text(v) === text(v).toUpperCase() && text(v) !== text(v).toLowerCase(),
  escaped: () => false,
  // Jinja 3: is there a filter / test of that name
  filter: (v) => typeof v === 'string' && (Object.prototype.hasOwnProperty.call(FILTERS, v) || ['default', 'd', 'mandatory'].includes(v)),
  test: (v) => typeof v === 'string' && (Object.prototype.hasOwnProperty.call(TESTS, v) || v === 'defined' || v === 'undefined'),
  sameas: (v, [o]) => v === o || (v === null && o === null),
  // numbers
  // value % 2 with Python's modulo (the sign of the divisor): -2.5 is neither even nor odd
  even: (v) => pyMod(num(v, 'even'), 2) === 0,
  odd: (v) => pyMod(num(v, 'odd'), 2) === 1,
  divisibleby: (v, [n]) => {
    const d = num(n, 'divisibleby');
    if (d === 0) throw new Fail('divisibleby: division by zero');
    return pyMod(num(v, 'divisibleby'), d) === 0;
  },
  nan: (v) => typeof v === 'number' && Number.isNaN(v),
  isnan: (v) => typeof v === 'number' && Number.isNaN(v),
  // comparisons
  eq: (v, [o]) => pyEqual(v, o),
  ne: (v, [o]) => !pyEqual(v, o),
  lt: cmp('<'),
  le: cmp('<='),
  gt: cmp('>'),
  ge: cmp('>='),
  in: (v, [hay]) => contains(hay, v),
  contains: (v, [needle]) => contains(v, needle),
  // set(a) <= set(b): strings and dicts iterate as Python does
  subset: (v, [b]) => seq(v, 'subset').every((x) => seq(b, 'subset').some((y) => pyEqual(x, y))),
  superset: (v, [b]) => seq(b, 'superset').every((x) => seq(v, 'superset').some((y) => pyEqual(x, y))),
  // paths, on the controller (plugins/test/files.py)
  abs: (v) => isAbsolute(pathOf(v, 'abs')),
  exists: (v) => existsSync(pathOf(v, 'exists')),
  file: (v) => statOr(() => statSync(pathOf(v, 'file')).isFile(), false),
  directory: (v) => statOr(() => statSync(pathOf(v, 'directory')).isDirectory(), false),
  link: (v) => statOr(() => lstatSync(pathOf(v, 'link')).isSymbolicLink(), false),
  link_exists: (v) => statOr(() => !!lstatSync(pathOf(v, 'link_exists')), false),
  same_file: (v, [o]) => statOr(() => {
    const a = statSync(pathOf(v, 'same_file'));
    const b = statSync(pathOf(o, 'same_file'));
    return a.ino === b.ino && a.dev === b.dev;
  }, false),
  mount: () => {
    throw new Fail("the 'mount' test is not supported by gx");
  },
  // uri.py
  // Ansible's is_uri: urlparse() of anything has a scheme and a path, so only `schemes` can say no
  uri: (v, args, kw) => (typeof v === 'string' || v === null) && checkScheme(v, arg(args, kw, 0, 'schemes')),
  url: (v, args, kw) => /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]+/.test(pyStr(v)) && checkScheme(v, arg(args, kw, 0, 'schemes')),
  urn: (v) => /^urn:[A-Za-z0-9][A-Za-z0-9-]{0,31}:\S+$/i.test(pyStr(v)),
};

function checkScheme(v: unknown, schemes: unknown): boolean {
  if (schemes === undefined || schemes === null) return true;
  const scheme = pyStr(v).split(':')[0]!.toLowerCase();
  return list(schemes, 'schemes').some((s) => pyStr(s).toLowerCase() === scheme);
}

const ALIASES: Record<string, string> = {
  success: 'succeeded',
  successful: 'succeeded',
  failure: 'failed',
  change: 'changed',
  skip: 'skipped',
  version_compare: 'version',
  equalto: 'eq',
  '==': 'eq',
  '!=': 'ne',
  '<': 'lt',
  lessthan: 'lt',
  '<=': 'le',
  '>': 'gt',
  greaterthan: 'gt',
  '>=': 'ge',
  is_abs: 'abs',
  is_dir: 'directory',
  is_file: 'file',
  is_link: 'link',
  is_same_file: 'same_file',
  issubset: 'subset',
  issuperset: 'superset',
};

Object.assign(TESTS, DEFS);
for (const [alias, name] of Object.entries(ALIASES)) TESTS[alias] = DEFS[name]!;
for (const name of Object.keys(TESTS)) TESTS[`ansible.builtin.${name}`] = TESTS[name]!;
// ansible.utils' IP tests: by their collection names only (`ipv4` alone stays unknown, as in Ansible)
for (const [name, fn] of Object.entries(NETWORK_TESTS)) TESTS[`ansible.utils.${name}`] = fn;

export { TESTS };
