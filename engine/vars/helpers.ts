// The Handlebars helpers gx templates can use: the common Ansible filters under their Ansible
// names, called Handlebars-style ({{join list ","}} instead of {{ list | join(',') }}).
// Helpers return real values (lists, numbers…) so subexpressions compose and a template that is a
// single {{…}} keeps its type. Each one is documented with an example in docs/variables.md.
import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import YAML from 'yaml';
import { shellQuote } from '../connect/connection.js';
import { Fail } from './expr-builtins.js';
import { isUnknown } from './unknown.js';
import { getMember, isEmptyish, isMapping, isPlainObject, lengthOf, MISSING, pyEqual, textOf, toBool, toInt, truthy, typeName } from './values.js';

export { Fail } from './expr-builtins.js';

const need = (name: string, v: unknown, what: 'string' | 'list' | 'dict'): never => {
  throw new Fail(`${name} expects a ${what}, got ${typeName(v)}`);
};
const asText = (name: string, v: unknown): string => {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return need(name, v, 'string');
};
const asList = (name: string, v: unknown): unknown[] => (Array.isArray(v) ? v : need(name, v, 'list'));
const asDict = (name: string, v: unknown): Record<string, unknown> => (isMapping(v) ? v : need(name, v, 'dict'));

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (isPlainObject(v)) return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys(v[k])]));
  return v;
}

/** Python's re.sub replacement syntax (\1, \g<name>) into JavaScript's ($1, $<name>). */
function pyReplacement(repl: string): string {
  return repl.replace(/\$/g, '$$$$').replace(/\\g<(\w+)>/g, (_, g: string) => (/^\d+$/.test(g) ? `$${g}` : `$<${g}>`)).replace(/\\(\d)/g, '$$$1');
}

function regexp(name: string, source: unknown, flags: string): RegExp {
  try {
    return new RegExp(asText(name, source), flags);
  } catch (e) {
    throw new Fail(`${name}: invalid regular expression: ${(e as Error).message}`);
  }
}

/**
 * The helpers, called with their positional arguments and the Handlebars hash (never `options`).
 * Unknown arguments are handled by the caller, except for the helpers listed in UNKNOWN_AWARE.
 */
export const HELPERS: Record<string, (args: unknown[], hash: Record<string, unknown>) => unknown> = {
  default: ([v, d = '', boolean], hash) => (v === undefined || (truthy(boolean ?? hash['boolean']) && !isUnknown(v) && isEmptyish(v)) ? d : v),
  to_json: ([v]) => JSON.stringify(v ?? null),
  to_nice_json: ([v, indent], hash) => JSON.stringify(sortKeys(v ?? null), null, toInt(indent ?? hash['indent'] ?? 4)),
  // YAML 1.1 rules quote y/yes/on/012…, so 1.1 readers (PyYAML, go-yaml v2) read strings back as strings
  to_yaml: ([v]) => YAML.stringify(v ?? null, { version: '1.1' }),
  from_json: ([s]) => {
    try {
      return JSON.parse(asText('from_json', s));
    } catch (e) {
      throw new Fail(`from_json: ${(e as Error).message}`);
    }
  },
  from_yaml: ([s]) => {
    try {
      return YAML.parse(asText('from_yaml', s)) ?? null;
    } catch (e) {
      throw new Fail(`from_yaml: ${(e as Error).message.split('\n')[0]}`);
    }
  },
  b64encode: ([s]) => Buffer.from(asText('b64encode', s), 'utf8').toString('base64'),
  b64decode: ([s]) => Buffer.from(asText('b64decode', s), 'base64').toString('utf8'),
  quote: ([s]) => shellQuote(s === null || s === undefined ? '' : textOf(s)),
  join: ([l, sep = '']) => asList('join', l).map(textOf).join(textOf(sep)),
  indent: ([s, n, first], hash) => {
    const pad = ' '.repeat(toInt(n ?? hash['width'] ?? 4));
    const indentFirst = truthy(first ?? hash['first'] ?? false);
    // like Jinja: blank lines stay empty, the first line only on request
    return asText('indent', s)
      .split('\n')
      .map((line, i) => ((i > 0 || indentFirst) && line !== '' ? pad + line : line))
      .join('\n');
  },
  lower: ([s]) => asText('lower', s).toLowerCase(),
  upper: ([s]) => asText('upper', s).toUpperCase(),
  replace: ([s, a, b = '']) => asText('replace', s).split(asText('replace', a)).join(asText('replace', b)),
  regex_replace: ([s, re, repl = ''], hash) => asText('regex_replace', s).replace(regexp('regex_replace', re, `g${truthy(hash['ignorecase']) ? 'i' : ''}${truthy(hash['multiline']) ? 'm' : ''}`), pyReplacement(asText('regex_replace', repl))),
  basename: ([p]) => posix.basename(asText('basename', p)),
  dirname: ([p]) => posix.dirname(asText('dirname', p)),
  sha256: ([s]) => createHash('sha256').update(asText('sha256', s), 'utf8').digest('hex'),
  length: ([v]) => lengthOf(v) ?? need('length', v, 'list'),
  int: ([v, d]) => toInt(v, d === undefined ? 0 : toInt(d)),
  bool: ([v]) => toBool(v),
  string: ([v]) => textOf(v),
  trim: ([s]) => asText('trim', s).trim(),
  split: ([s, sep]) => {
    const text = asText('split', s);
    return sep === undefined || sep === null ? text.split(/\s+/).filter(Boolean) : text.split(asText('split', sep));
  },
  first: ([l]) => (typeof l === 'string' ? (l[0] ?? null) : (asList('first', l)[0] ?? null)),
  last: ([l]) => {
    const items = typeof l === 'string' ? [...l] : asList('last', l);
    return items.length ? items[items.length - 1] : null;
  },
  keys: ([d]) => Object.keys(asDict('keys', d)),
  values: ([d]) => Object.values(asDict('values', d)),
  // lenient on purpose, like Handlebars' own: {{default (lookup hostvars name) "…"}}
  lookup: ([obj, key]) => {
    const v = typeof key === 'string' || typeof key === 'number' ? getMember(obj, key) : MISSING;
    return v === MISSING ? undefined : v;
  },
  eq: ([a, b]) => pyEqual(a, b),
  ne: ([a, b]) => !pyEqual(a, b),
  and: (args) => threeValued(args, false),
  or: (args) => threeValued(args, true),
  not: ([v]) => (isUnknown(v) ? v : !truthy(v)),
};

/** Helpers that decide themselves what an Unknown argument means. */
export const UNKNOWN_AWARE = new Set(['default', 'and', 'or', 'not']);

/** and/or over any number of operands: a decisive operand wins over an Unknown one. */
function threeValued(args: unknown[], decisive: boolean): unknown {
  let unknown: unknown;
  for (const a of args) {
    if (isUnknown(a)) unknown ??= a;
    else if (truthy(a) === decisive) return decisive;
  }
  return unknown ?? !decisive;
}

/** Calls a helper by name: propagates Unknown arguments and names the helper in errors. */
export function callHelper(name: string, args: unknown[], hash: Record<string, unknown>): unknown {
  const fn = HELPERS[name]!;
  if (!UNKNOWN_AWARE.has(name)) {
    for (const a of args) if (isUnknown(a)) return a;
    for (const k in hash) if (isUnknown(hash[k])) return hash[k];
  }
  try {
    return fn(args, hash);
  } catch (e) {
    if (e instanceof Fail && !e.message.startsWith(name)) throw new Fail(`${name}: ${e.message}`);
    throw e;
  }
}
