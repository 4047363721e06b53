// The global functions an expression may call: Jinja's (range, dict, namespace, lipsum is not
// offered) and Ansible's (lookup, query/q, now). Nothing else is callable: a name followed by
// `(` is one of these, or a macro the template defined (JinjaCallable, handled by the evaluator).
import { UndefinedLookup } from './fail.js';
import { dictOf, Fail } from './filters/args.js';
import { isLookup, runLookup, type LookupContext } from './lookups/index.js';
import { owned } from './methods.js';
import { strftime } from './filters/numbers.js';
import { isMapping, pyStr, truthy, typeName } from './values.js';

export type GlobalFn = (args: unknown[], kw: Record<string, unknown>, ctx: LookupContext) => unknown;

/** Jinja's sandbox limit on range(). */
const MAX_RANGE = 100_000;

function callLookup(args: unknown[], kw: Record<string, unknown>, ctx: LookupContext, wantlist: boolean): unknown {
  if (!args.length) throw new Fail('lookup needs the name of a lookup plugin as its first argument');
  const name = pyStr(args[0]);
  const rest: Record<string, unknown> = { ...kw };
  const want = wantlist || truthy(rest['wantlist'] ?? false);
  const errors = pyStr(rest['errors'] ?? 'strict');
  delete rest['wantlist'];
  delete rest['errors'];
  delete rest['allow_unsafe'];
  if (!['strict', 'warn', 'ignore'].includes(errors)) throw new Fail(`lookup: errors must be 'strict', 'warn' or 'ignore', not '${errors}'`);
  // listify_lookup_plugin_terms: the positional arguments are the terms
  let ran: unknown[];
  try {
    ran = runLookup(name, args.slice(1), rest, ctx);
  } catch (e) {
    if (e instanceof Fail && !(e instanceof UndefinedLookup) && errors !== 'strict' && isLookup(name)) return want ? [] : null;
    throw e;
  }
  if (want || !ran.length) return ran;
  // Ansible's _lookup: strings are joined with commas; otherwise one item is itself
  if (ran.every((x) => typeof x === 'string')) return ran.join(',');
  return ran.length === 1 ? ran[0] : ran;
}

function range(args: unknown[]): number[] {
  const n = args.map((a) => {
    if (typeof a !== 'number' || !Number.isInteger(a)) throw new Fail(`range() arguments must be integers, got ${typeName(a)}`);
    return a;
  });
  const [start, stop, step] = n.length === 1 ? [0, n[0]!, 1] : [n[0]!, n[1]!, n[2] ?? 1];
  if (n.length < 1 || n.length > 3) throw new Fail(`range expected 1 to 3 arguments, got ${n.length}`);
  if (step === 0) throw new Fail('range() arg 3 must not be zero');
  const len = Math.max(0, Math.ceil((stop - start) / step));
  if (len > MAX_RANGE) throw new Fail(`range too big: ${len} items (the limit is ${MAX_RANGE})`);
  return Array.from({ length: len }, (_, i) => start + i * step);
}

export const FUNCTIONS: Record<string, GlobalFn> = {
  lookup: (args, kw, ctx) => callLookup(args, kw, ctx, false),
  query: (args, kw, ctx) => callLookup(args, kw, ctx, true),
  range: (args) => range(args),
  dict: (args, kw) => {
    if (args.length > 1) throw new Fail(`dict expected at most 1 argument, got ${args.length}`);
    const src = args[0];
    const entries: [string, unknown][] = [];
    if (isMapping(src)) entries.push(...Object.entries(src));
    else if (Array.isArray(src)) {
      for (const pair of src) {
        if (!Array.isArray(pair) || pair.length !== 2) throw new Fail('dict: each item must be a pair [key, value]');
        entries.push([pyStr(pair[0]), pair[1]]);
      }
    } else if (src !== undefined) throw new Fail(`dict: cannot convert ${typeName(src)} to a dict`);
    // dictOf defines each key: a key such as "__proto__" stays data
    return owned(dictOf([...entries, ...Object.entries(kw)]));
  },
  // a plain object the template may change with {% set ns.x = … %} (jinja2/utils.py Namespace)
  namespace: (args, kw) => {
    if (args.length > 1 || (args.length === 1 && !isMapping(args[0]))) throw new Fail('namespace takes keyword arguments or one dict');
    return owned(dictOf([...Object.entries((args[0] as Record<string, unknown>) ?? {}), ...Object.entries(kw)]));
  },
  now: (args, kw) => {
    const utc = truthy(args[0] ?? kw['utc'] ?? false);
    const fmt = args[1] ?? kw['fmt'];
    const d = new Date();
    return fmt === undefined || fmt === null ? d : strftime(pyStr(fmt), d, utc);
  },
};
FUNCTIONS['q'] = FUNCTIONS['query']!;

export const FUNCTION_NAMES = Object.keys(FUNCTIONS).sort();

/** A call to a name that is not a function, with what to write instead. */
export function unknownFunction(name: string): string {
  if (isLookup(name)) return `${name}() is a lookup: write lookup('${name}', …) or query('${name}', …)`;
  return `'${name}' is not a function gx expressions know (${FUNCTION_NAMES.join(', ')}); filters are written x | ${name}(…), tests x is ${name}(…)`;
}

