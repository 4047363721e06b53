// Lookups that shape lists (what the with_* loops are made of), after Ansible 2.17's
// lib/ansible/plugins/lookup/{items,list,dict,indexed_items,together,nested,sequence,
// subelements,vars,varnames,random_choice}.py and LookupBase._flatten/_combine (read at v2.17.5).
import { translatePyRegex } from '../../../modules/lib/py-regex.js';
import { Fail, UndefinedLookup } from '../fail.js';
import { flatten as flattenFilter, rng, subelements } from '../filters/collections.js';
import { pyPercent } from '../filters/text.js';
import { dictOf } from '../filters/args.js';
import { getMember, isMapping, MISSING, pyStr, truthy, typeName } from '../values.js';
import type { LookupContext } from './context.js';

type Kw = Record<string, unknown>;

/** LookupBase._flatten: one level, lists only. */
function flat1(terms: unknown[]): unknown[] {
  return terms.flatMap((t) => (Array.isArray(t) ? t : [t]));
}

/** listify_lookup_plugin_terms: a bare string is one term. */
function listify(t: unknown): unknown[] {
  return Array.isArray(t) ? t : [t];
}

/** Python's int(x, 0)-like parsing of sequence's numbers: decimal, 0x hex, 0o/leading-0 octal. */
function seqInt(v: unknown, field: string): number {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  const s = pyStr(v).trim().toLowerCase();
  const m = /^([+-]?)(0x[0-9a-f]+|0o?[0-7]+|\d+)$/.exec(s);
  // the words of Ansible 2.14's sequence.py (parse_kv_args/parse_simple_args), which its lookup_sequence target compares
  if (!m) throw new Fail(`can't parse ${field}=${pyStr(v)} as integer`);
  const body = m[2]!;
  const n = body.startsWith('0x') ? parseInt(body.slice(2), 16) : /^0o?[0-7]+$/.test(body) && body.length > 1 ? parseInt(body.replace(/^0o?/, ''), 8) : parseInt(body, 10);
  return m[1] === '-' ? -n : n;
}

/** parse_kv for sequence's `start=1 end=5 format=x%02d` (quotes allowed around values). */
function parseKv(s: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of s.matchAll(/(\w+)=("(?:[^"\\]|\\.)*"|'[^']*'|\S+)/g)) out[m[1]!] = m[2]!.replace(/^(["'])(.*)\1$/s, '$2');
  const rest = s.replace(/(\w+)=("(?:[^"\\]|\\.)*"|'[^']*'|\S+)/g, '').trim();
  if (rest) throw new Fail(`sequence: unrecognized arguments to with_sequence: ${JSON.stringify(rest)}`);
  return out;
}

const SHORTCUT = /^((0?x?[0-9a-f]+)-)?(0?x?[0-9a-f]+)(\/(0?x?[0-9a-f]+))?(:(.+))?$/i;
const FIELDS = new Set(['start', 'end', 'stride', 'count', 'format']);

function sequence(terms: unknown[], kw: Kw): unknown[] {
  const out: string[] = [];
  for (const term of terms) {
    const o: Record<string, unknown> = { start: 1, stride: 1, format: '%d' };
    for (const k of FIELDS) if (kw[k] !== undefined) o[k] = kw[k];
    const t = pyStr(term);
    const m = SHORTCUT.exec(t);
    if (m) {
      if (m[2] !== undefined) o['start'] = m[2];
      o['end'] = m[3];
      if (m[5] !== undefined) o['stride'] = m[5];
      if (m[7] !== undefined) o['format'] = m[7];
    } else {
      const kv = parseKv(t);
      const unknown = Object.keys(kv).filter((k) => !FIELDS.has(k));
      if (unknown.length) throw new Fail(`sequence: unrecognized arguments to with_sequence: [${unknown.map((k) => `'${k}'`).join(', ')}]`);
      for (const [k, v] of Object.entries(kv)) o[k] = v;
    }
    let start = seqInt(o['start'], 'start');
    let stride = seqInt(o['stride'], 'stride');
    const format = pyStr(o['format']);
    let end: number;
    if (o['count'] === undefined && o['end'] === undefined) throw new Fail('sequence: must specify count or end in with_sequence');
    if (o['count'] !== undefined && o['end'] !== undefined) throw new Fail("sequence: can't specify both count and end in with_sequence");
    if (o['count'] !== undefined) {
      const count = seqInt(o['count'], 'count');
      if (count !== 0) end = start + count * stride - 1;
      else [start, end, stride] = [0, 0, 0];
    } else end = seqInt(o['end'], 'end');
    if (stride > 0 && end < start) throw new Fail('sequence: to count backwards make stride negative');
    if (stride < 0 && end > start) throw new Fail("sequence: to count forward don't make stride negative");
    if ((format.match(/%/g) ?? []).length !== 1) throw new Fail(`sequence: bad formatting string: ${format}`);
    if (stride === 0) continue;
    // range(start, end + adjust, stride)
    const stop = end + (stride >= 0 ? 1 : -1);
    for (let i = start; stride > 0 ? i < stop : i > stop; i += stride) out.push(pyPercent(format, [i]));
  }
  return out;
}

function nested(terms: unknown[]): unknown[] {
  const lists = terms.map(listify);
  if (!lists.length) throw new Fail('nested: with_nested requires at least one element in the nested list');
  let result: unknown[] = lists[0]!;
  for (const next of lists.slice(1)) result = result.flatMap((x) => next.map((y) => flat1([x, y])));
  return result.map((x) => (Array.isArray(x) ? flat1(x) : x));
}

/** lookup/vars.py and varnames.py: a term must be a name. */
function invalidIdentifier(t: unknown): string {
  const cls = typeof t === 'number' ? (Number.isInteger(t) ? 'int' : 'float') : typeof t === 'boolean' ? 'bool' : Array.isArray(t) ? 'list' : t === null ? 'NoneType' : 'dict';
  return `Invalid setting identifier, "${pyStr(t)}" is not a string, it is a <class '${cls}'>`;
}

export const LIST_LOOKUPS: Record<string, (terms: unknown[], kw: Kw, ctx: LookupContext) => unknown[]> = {
  items: (terms) => flat1(terms),
  list: (terms) => terms,
  flattened: (terms) => flattenFilter(terms, null, true),
  dict: (terms) =>
    terms.flatMap((t) => {
      if (!isMapping(t)) throw new Fail(`dict: with_dict expects a dict, got ${typeName(t)}`);
      return Object.entries(t).map(([key, value]) => dictOf([['key', key], ['value', value]]));
    }),
  indexed_items: (terms) => flat1(terms).map((x, i) => [i, x]),
  together: (terms) => {
    const lists = terms.map(listify);
    if (!lists.length) throw new Fail('together: with_together requires at least one element in each list');
    const n = Math.max(...lists.map((l) => l.length));
    return Array.from({ length: n }, (_, i) => flat1(lists.map((l) => (i < l.length ? l[i] : null))));
  },
  nested,
  cartesian: nested,
  sequence,
  subelements: (terms) => {
    if (terms.length < 2 || terms.length > 3) throw new Fail('subelements: subelements lookup expects a list of two or three items');
    const flags = terms[2] ?? {};
    if (!isMapping(flags) || Object.keys(flags).some((k) => k !== 'skip_missing')) throw new Fail("subelements: the optional third item must be a dict with flags ('skip_missing',)");
    // listify_lookup_plugin_terms: a lone value is a list of one (then "expects a dictionary")
    const items = Array.isArray(terms[0]) || isMapping(terms[0]) ? terms[0] : [terms[0]];
    return subelements(items, terms[1], truthy(flags['skip_missing'] ?? false));
  },
  vars: (terms, kw, ctx) =>
    terms.map((t) => {
      if (typeof t !== 'string') throw new Fail(invalidIdentifier(t));
      const v = getMember(ctx.vars, t);
      if (v !== MISSING) return v;
      if (kw['default'] !== undefined) return kw['default'];
      throw new UndefinedLookup(`vars: No variable found with this name: ${pyStr(t)}`);
    }),
  varnames: (terms, _kw, ctx) =>
    terms.flatMap((t) => {
      if (typeof t !== 'string') throw new Fail(invalidIdentifier(t));
      let re: RegExp;
      try {
        const py = translatePyRegex(t);
        re = new RegExp(py.source, py.flags);
      } catch (e) {
        // Python's words are lower case ("nothing to repeat"); Ansible's tests look for them
        const why = (e as Error).message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /, '').toLowerCase();
        throw new Fail(`varnames: Unable to use "${t}" as a search parameter: ${why}`);
      }
      return Object.keys(ctx.vars).filter((k) => re.exec(k)?.index === 0);
    }),
  random_choice: (terms) => (terms.length ? [terms[Math.floor(rng(undefined)() * terms.length)]] : []),
};
