// The Handlebars helpers `.hbs` templates can use: the expression language's filters under their
// Ansible names, called Handlebars-style ({{join list ","}} for {{ list | join(',') }}). Each is a
// thin wrapper over the one implementation in filters/ (the value first, then the arguments, the
// hash as keyword arguments); only Handlebars' own needs (lenient lookup, and/or/not for
// {{#if}}) are written here. Each one is documented with an example in docs/variables.md.
import { Fail, FILTERS, TESTS } from './expr-builtins.js';
import { UndefinedResult } from './fail.js';
import { isUnknown } from './unknown.js';
import { getMember, isEmptyish, MISSING, truthy } from './values.js';

export { Fail } from './expr-builtins.js';

type Helper = (args: unknown[], hash: Record<string, unknown>) => unknown;

/** `{{name v a b k=x}}` is `v | name(a, b, k=x)`; `fixed` are keyword arguments the helper always passes. */
function filter(name: string, fixed: Record<string, unknown> = {}): Helper {
  const fn = FILTERS[name]!;
  return ([v, ...rest], hash) => fn(v ?? null, rest, { ...fixed, ...hash });
}

/** The helpers, called with their positional arguments and the Handlebars hash (never `options`). */
export const HELPERS: Record<string, Helper> = {
  // `undefined` is what a missing variable gives a Handlebars helper; none counts as defined
  default: ([v, d = '', boolean], hash) => (v === undefined || (truthy(boolean ?? hash['boolean']) && !isUnknown(v) && isEmptyish(v)) ? d : v),
  // compact JSON with the text as it is: what .hbs manifests have always contained
  to_json: filter('to_json', { separators: [',', ':'], ensure_ascii: false }),
  to_nice_json: filter('to_nice_json', { ensure_ascii: false }),
  // block style in the data's own key order, as manifests are written
  to_yaml: filter('to_yaml', { default_flow_style: false, sort_keys: false }),
  from_json: filter('from_json'),
  from_yaml: filter('from_yaml'),
  b64encode: filter('b64encode'),
  b64decode: filter('b64decode'),
  quote: filter('quote'),
  join: filter('join'),
  indent: filter('indent'),
  lower: filter('lower'),
  upper: filter('upper'),
  replace: filter('replace'),
  regex_replace: filter('regex_replace'),
  basename: filter('basename'),
  dirname: filter('dirname'),
  sha256: ([v]) => FILTERS['hash']!(v, ['sha256'], {}),
  length: filter('length'),
  int: filter('int'),
  bool: filter('bool'),
  string: filter('string'),
  trim: filter('trim'),
  split: filter('split'),
  first: filter('first'),
  last: filter('last'),
  keys: filter('keys'),
  values: filter('values'),
  // lenient on purpose, like Handlebars' own: {{default (lookup hostvars name) "…"}}
  lookup: ([obj, key]) => {
    const v = typeof key === 'string' || typeof key === 'number' ? getMember(obj, key) : MISSING;
    return v === MISSING ? undefined : v;
  },
  eq: ([a, b]) => TESTS['eq']!(a, [b], {}),
  ne: ([a, b]) => TESTS['ne']!(a, [b], {}),
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
  let out: unknown;
  try {
    out = fn(args, hash);
  } catch (e) {
    if (e instanceof Fail && !e.message.startsWith(name)) throw new Fail(`${name}: ${e.message}`);
    throw e;
  }
  // `{{first emptyList}}`: Jinja's Undefined is nothing in a Handlebars template
  return out instanceof UndefinedResult ? undefined : out;
}
