// List and dict filters: Jinja2's (jinja2/filters.py: map, select, sort, groupby, batch…) and
// Ansible's (plugins/filter/core.py: combine, dict2items, flatten, extract, subelements;
// plugins/filter/mathstuff.py: unique, union, intersect, difference, zip, product…).
import { isUnknown } from '../unknown.js';
import { getMember, isMapping, lengthOf, MISSING, namedTuple, pyEqual, pyStr, toInt, truthy, typeName } from '../values.js';
import { UndefinedResult } from '../fail.js';
import { arg, dictOf, Fail, int, list, mapping, pyRepr, pyText, seq, type Fn } from './args.js';
import { FILTERS, TESTS } from './registry.js';
import { compareValues } from '../compare.js';

/** Jinja's make_attrgetter: 'a.b.0' walks dicts and lists; undefined (MISSING) when absent. */
export function attrOf(item: unknown, path: unknown): unknown {
  if (typeof path === 'number') return getMember(item, path);
  let cur = item;
  for (const part of pyStr(path).split('.')) {
    const next = getMember(cur, /^\d+$/.test(part) && Array.isArray(cur) ? Number(part) : part);
    if (next === MISSING) return MISSING;
    cur = next;
  }
  return cur;
}

/** Tests that only look at a value's type: on a missing attribute they answer false, not fail. */
const TYPE_TESTS = new Set(['none', 'string', 'number', 'integer', 'float', 'boolean', 'true', 'false', 'mapping', 'sequence', 'iterable', 'callable', 'sameas']);

const noAttr = (item: unknown, attr: unknown): Fail => new Fail(`'${typeName(item)} object' has no attribute '${pyStr(attr)}'`);

/**
 * Runs test `name` as select/selectattr do. A missing attribute (MISSING) passes `undefined`,
 * fails type tests, and is an error for any test that uses the value — as Ansible's strict
 * Undefined is (`selectattr('shell', 'equalto', x)` on an item without shell).
 */
export function runTest(name: unknown, value: unknown, args: unknown[], what: string, item?: unknown, attr?: unknown): boolean {
  if (value instanceof UndefinedResult) value = MISSING;
  const n = pyStr(name);
  if (n === 'defined') return value !== MISSING;
  if (n === 'undefined') return value === MISSING;
  const t = TESTS[n];
  if (!t) {
    // a name that is no plugin name at all: Ansible 2.14's words (its templating target looks for them)
    if (!/^[A-Za-z_][\w.]*$/.test(n)) throw new Fail(`TemplateSyntaxError: Could not load "${n}": 'invalid plugin name: ansible.builtin.${n}'`);
    throw new Fail(`${what}: no test named '${n}'`);
  }
  if (value === MISSING) {
    if (TYPE_TESTS.has(n)) return false;
    throw noAttr(item, attr);
  }
  const r = t(value, args, {});
  if (isUnknown(r)) throw r;
  return truthy(r);
}

const defined = (x: unknown): boolean => {
  if (x instanceof UndefinedResult) throw new Fail(x.reason);
  return true;
};

/** Jinja's sort key: strings compare case-insensitively unless case_sensitive. */
function sortKey(v: unknown, caseSensitive: boolean): unknown {
  return !caseSensitive && typeof v === 'string' ? v.toLowerCase() : v;
}

function cmp(a: unknown, b: unknown): number {
  return compareValues('<', a, b) ? -1 : compareValues('>', a, b) ? 1 : 0;
}

function keyGetter(attribute: unknown, caseSensitive: boolean, what: string): (x: unknown) => unknown {
  if (attribute === undefined || attribute === null) return (x) => sortKey(x, caseSensitive);
  const attrs = typeof attribute === 'string' ? attribute.split(',').map((s) => s.trim()) : [attribute];
  return (x) => {
    const parts = attrs.map((a) => {
      const v = attrOf(x, a);
      if (v === MISSING) throw noAttr(x, a);
      return sortKey(v, caseSensitive);
    });
    return parts.length === 1 ? parts[0] : parts;
  };
}

export function uniqueList(items: unknown[], key: (x: unknown) => unknown = (x) => x): unknown[] {
  const seen: unknown[] = [];
  const out: unknown[] = [];
  for (const x of items) {
    const k = key(x);
    if (!seen.some((s) => pyEqual(s, k))) {
      seen.push(k);
      out.push(x);
    }
  }
  return out;
}

const inList = (hay: unknown[], x: unknown): boolean => hay.some((y) => pyEqual(x, y));

/** Ansible's merge_hash (utils/vars.py). */
export function mergeHash(x: Record<string, unknown>, y: Record<string, unknown>, recursive: boolean, listMerge: string): Record<string, unknown> {
  if (!['replace', 'keep', 'append', 'prepend', 'append_rp', 'prepend_rp'].includes(listMerge)) {
    throw new Fail("combine: 'list_merge' can only be 'replace', 'keep', 'append', 'prepend', 'append_rp' or 'prepend_rp'");
  }
  const out = dictOf(Object.entries(x));
  for (const [k, yv] of Object.entries(y)) {
    if (!Object.prototype.hasOwnProperty.call(out, k)) {
      Object.defineProperty(out, k, { value: yv, enumerable: true, writable: true, configurable: true });
      continue;
    }
    const xv = out[k];
    let v: unknown = yv;
    if (isMapping(xv) && isMapping(yv)) v = recursive ? mergeHash(xv, yv, recursive, listMerge) : yv;
    else if (Array.isArray(xv) && Array.isArray(yv)) {
      if (listMerge === 'keep') v = xv;
      else if (listMerge === 'append') v = [...xv, ...yv];
      else if (listMerge === 'prepend') v = [...yv, ...xv];
      else if (listMerge === 'append_rp') v = [...xv.filter((z) => !inList(yv, z)), ...yv];
      else if (listMerge === 'prepend_rp') v = [...yv, ...xv.filter((z) => !inList(yv, z))];
    }
    Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** Ansible's flatten filter (core.py): nulls skipped, `levels` deep. */
export function flatten(items: unknown[], levels: number | null, skipNulls: boolean): unknown[] {
  const out: unknown[] = [];
  for (const e of items) {
    if (skipNulls && (e === null || e === 'None' || e === 'null')) continue;
    if (Array.isArray(e)) {
      if (levels === null) out.push(...flatten(e, null, skipNulls));
      else if (levels >= 1) out.push(...flatten(e, levels - 1, skipNulls));
      else out.push(e);
    } else out.push(e);
  }
  return out;
}

/** The subelements filter and lookup (lookup/subelements.py): [item, subitem] pairs. */
export function subelements(obj: unknown, path: unknown, skipMissing: boolean): unknown[] {
  if (typeof path !== 'string') throw new Fail('subelements expects a list of two or three items, first a dict or a list, second a string pointing to the subkey');
  let elements: unknown[];
  if (isMapping(obj)) {
    if (obj['skipped'] !== undefined && obj['skipped'] !== false) return [];
    elements = Object.values(obj);
  } else if (Array.isArray(obj)) elements = obj;
  else throw new Fail('subelements expects a list of two or three items, first a dict or a list, second a string pointing to the subkey');
  const keys = path.split('.');
  const out: unknown[] = [];
  for (const item of elements) {
    if (!isMapping(item)) throw new Fail(`subelements expects a dictionary, got '${pyRepr(item)}'`);
    if (item['skipped'] !== undefined && item['skipped'] !== false) continue;
    let cur: Record<string, unknown> = item;
    let sub: unknown[] = [];
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i]!;
      const last = i === keys.length - 1;
      if (!Object.prototype.hasOwnProperty.call(cur, k)) {
        if (skipMissing) break;
        throw new Fail(`could not find '${k}' key in iterated item '${pyRepr(cur)}'`);
      }
      const v = cur[k];
      if (!last) {
        if (!isMapping(v)) {
          if (skipMissing) break;
          throw new Fail(`the key ${k} should point to a dictionary, got '${pyRepr(v)}'`);
        }
        cur = v;
      } else {
        if (!Array.isArray(v)) throw new Fail(`the key ${k} should point to a list, got '${pyRepr(v)}'`);
        sub = v;
      }
    }
    // Ansible pops the subkey from the item it yields
    const shown = keys.length === 1 ? dictOf(Object.entries(item).filter(([k]) => k !== keys[0])) : item;
    for (const s of sub) out.push([shown, s]);
  }
  return out;
}

/** A small seeded generator (mulberry32): `random(seed=x)` is repeatable, though not Python's sequence. */
export function rng(seed: unknown): () => number {
  if (seed === undefined || seed === null) return Math.random;
  let h = 1779033703;
  for (const c of pyStr(seed)) h = Math.imul(h ^ c.charCodeAt(0), 3432918353) >>> 0;
  let a = h;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function product(lists: unknown[][]): unknown[][] {
  return lists.reduce<unknown[][]>((acc, l) => acc.flatMap((prefix) => l.map((x) => [...prefix, x])), [[]]);
}

function zipLists(lists: unknown[][], longest: boolean, fill: unknown): unknown[][] {
  if (!lists.length) return [];
  const n = longest ? Math.max(...lists.map((l) => l.length)) : Math.min(...lists.map((l) => l.length));
  return Array.from({ length: n }, (_, i) => lists.map((l) => (i < l.length ? l[i] : fill)));
}

function combinations(items: unknown[], r: number): unknown[][] {
  if (r === 0) return [[]];
  const out: unknown[][] = [];
  items.forEach((x, i) => combinations(items.slice(i + 1), r - 1).forEach((rest) => out.push([x, ...rest])));
  return out;
}

function permutations(items: unknown[], r: number): unknown[][] {
  if (r === 0) return [[]];
  const out: unknown[][] = [];
  items.forEach((x, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)], r - 1).forEach((rest) => out.push([x, ...rest])));
  return out;
}

export const COLLECTION_FILTERS: Record<string, Fn> = {
  length: (v) => {
    const n = lengthOf(v);
    if (n === undefined) throw new Fail(`object of type '${typeName(v)}' has no len()`);
    return n;
  },
  list: (v) => [...seq(v, 'list')],
  first: (v) => {
    const s = seq(v, 'first');
    if (!s.length) return new UndefinedResult('first of an empty sequence');
    return s[0];
  },
  last: (v) => {
    const s = seq(v, 'last');
    if (!s.length) return new UndefinedResult('last of an empty sequence');
    return s[s.length - 1];
  },
  join: (v, args, kw) => {
    const attribute = arg(args, kw, 1, 'attribute');
    const items = seq(v, 'join').map((x) => (attribute === undefined ? x : attrOf(x, attribute)));
    return items.map((x) => (x === MISSING ? '' : pyText(x))).join(pyText(arg(args, kw, 0, 'd', '')));
  },
  reverse: (v) => (typeof v === 'string' ? [...v].reverse().join('') : [...seq(v, 'reverse')].reverse()),
  sort: (v, args, kw) => {
    const reverse = truthy(arg(args, kw, 0, 'reverse', false));
    const key = keyGetter(arg(args, kw, 2, 'attribute'), truthy(arg(args, kw, 1, 'case_sensitive', false)), 'sort');
    const sorted = [...seq(v, 'sort')].map((x) => [key(x), x] as const).sort((a, b) => cmp(a[0], b[0]));
    const out = sorted.map((p) => p[1]);
    return reverse ? out.reverse() : out;
  },
  // Ansible 2.14's mathstuff.unique: Jinja's do_unique hashes the keys; unhashable ones (dicts,
  // lists) fail when case_sensitive=False or attribute was given (Ansible's fallback supports neither)
  unique: (v, args, kw) => {
    const csArg = arg(args, kw, 0, 'case_sensitive');
    const cs = truthy(csArg ?? false);
    const attribute = arg(args, kw, 1, 'attribute');
    if (!Array.isArray(v) && typeof v !== 'string' && !isMapping(v)) throw new Fail(`'${typeName(v)}' object is not iterable`);
    const items = seq(v, 'unique');
    const key = keyGetter(attribute, cs, 'unique');
    if ((csArg === false || truthy(attribute ?? false)) && !String(attribute ?? '').includes(',')) {
      const bad = items.map(key).find((k) => Array.isArray(k) || isMapping(k));
      if (bad !== undefined) {
        throw new Fail(`Jinja2's unique filter failed and we cannot fall back to Ansible's version as it does not support the parameters supplied. unhashable type: '${typeName(bad)}'`);
      }
    }
    return uniqueList(items, key);
  },
  min: (v, args, kw) => {
    const key = keyGetter(arg(args, kw, 1, 'attribute'), truthy(arg(args, kw, 0, 'case_sensitive', false)), 'min');
    const s = seq(v, 'min');
    if (!s.length) throw new Fail('min: the sequence is empty');
    return s.reduce((best, x) => (cmp(key(x), key(best)) < 0 ? x : best));
  },
  max: (v, args, kw) => {
    const key = keyGetter(arg(args, kw, 1, 'attribute'), truthy(arg(args, kw, 0, 'case_sensitive', false)), 'max');
    const s = seq(v, 'max');
    if (!s.length) throw new Fail('max: the sequence is empty');
    return s.reduce((best, x) => (cmp(key(x), key(best)) > 0 ? x : best));
  },
  sum: (v, args, kw) => {
    const attribute = arg(args, kw, 0, 'attribute');
    let total: unknown = arg(args, kw, 1, 'start', 0);
    for (const x of seq(v, 'sum')) {
      const y = attribute === undefined ? x : attrOf(x, attribute);
      if (Array.isArray(total) && Array.isArray(y)) total = [...total, ...y];
      else if ((typeof total === 'number' || typeof total === 'boolean') && (typeof y === 'number' || typeof y === 'boolean')) total = Number(total) + Number(y);
      else throw new Fail(`sum: unsupported operand types for +: ${typeName(total)} and ${typeName(y)}`);
    }
    return total;
  },
  flatten: (v, args, kw) => {
    const levels = arg(args, kw, 0, 'levels');
    return flatten(seq(v, 'flatten'), levels === undefined || levels === null ? null : toInt(levels), truthy(arg(args, kw, 1, 'skip_nulls', true)));
  },
  map: (v, args, kw) => {
    const items = seq(v, 'map');
    if (kw['attribute'] !== undefined) {
      const dflt = kw['default'];
      return items.map((x) => {
        const a = attrOf(x, kw['attribute']);
        if (a !== MISSING) return a;
        if (dflt !== undefined) return dflt;
        return new UndefinedResult(`'${typeName(x)} object' has no attribute '${pyStr(kw['attribute'])}'`);
      });
    }
    if (!args.length) return [...items];
    const name = pyStr(args[0]);
    const f = FILTERS[name];
    if (!f) throw new Fail(`map: no filter named '${name}'`);
    return items.map((x) => f(x, args.slice(1), kw));
  },
  select: (v, args) => seq(v, 'select').filter((x) => (args.length ? runTest(args[0], x, args.slice(1), 'select', x) : defined(x) && truthy(x))),
  reject: (v, args) => seq(v, 'reject').filter((x) => !(args.length ? runTest(args[0], x, args.slice(1), 'reject', x) : defined(x) && truthy(x))),
  selectattr: (v, args) => {
    if (!args.length) throw new Fail('selectattr: missing the attribute name');
    return seq(v, 'selectattr').filter((x) => {
      const a = attrOf(x, args[0]);
      if (args.length > 1) return runTest(args[1], a, args.slice(2), 'selectattr', x, args[0]);
      if (a === MISSING) throw noAttr(x, args[0]);
      return truthy(a);
    });
  },
  rejectattr: (v, args) => {
    if (!args.length) throw new Fail('rejectattr: missing the attribute name');
    return seq(v, 'rejectattr').filter((x) => {
      const a = attrOf(x, args[0]);
      if (args.length > 1) return !runTest(args[1], a, args.slice(2), 'rejectattr', x, args[0]);
      if (a === MISSING) throw noAttr(x, args[0]);
      return !truthy(a);
    });
  },
  dict2items: (v, args, kw) => {
    if (!isMapping(v)) throw new Fail(`dict2items requires a dictionary, got ${typeName(v)} instead.`);
    const k = pyStr(arg(args, kw, 0, 'key_name', 'key'));
    const val = pyStr(arg(args, kw, 1, 'value_name', 'value'));
    return Object.entries(v).map(([a, b]) => dictOf([[k, a], [val, b]]));
  },
  items2dict: (v, args, kw) => {
    if (!Array.isArray(v)) throw new Fail(`items2dict requires a list, got ${typeName(v)} instead.`);
    const k = pyStr(arg(args, kw, 0, 'key_name', 'key'));
    const val = pyStr(arg(args, kw, 1, 'value_name', 'value'));
    return dictOf(
      v.map((item) => {
        if (!isMapping(item)) throw new Fail(`items2dict requires a list of dictionaries, got ${typeName(item)} in the list`);
        if (!(k in item) || !(val in item)) throw new Fail(`items2dict requires each dictionary in the list to contain the keys '${k}' and '${val}', got ${pyRepr(item)}`);
        return [pyStr(item[k]), item[val]];
      }),
    );
  },
  items: (v) => {
    if (!isMapping(v)) throw new Fail('Can only get item pairs from a mapping.');
    return Object.entries(v);
  },
  combine: (v, args, kw) => {
    const recursive = truthy(kw['recursive'] ?? false);
    const listMerge = pyStr(kw['list_merge'] ?? 'replace');
    const extra = Object.keys(kw).filter((k) => k !== 'recursive' && k !== 'list_merge');
    if (extra.length) throw new Fail(`combine: unexpected keyword argument '${extra[0]}'`);
    const dicts = flatten([v, ...args], null, true);
    let out: Record<string, unknown> = {};
    for (const d of dicts) {
      if (!isMapping(d)) throw new Fail(`combine: failed to combine ${typeName(d)}, expected dicts`);
      out = mergeHash(out, d, recursive, listMerge);
    }
    return out;
  },
  dictsort: (v, args, kw) => {
    const cs = truthy(arg(args, kw, 0, 'case_sensitive', false));
    const by = pyStr(arg(args, kw, 1, 'by', 'key'));
    const reverse = truthy(arg(args, kw, 2, 'reverse', false));
    if (by !== 'key' && by !== 'value') throw new Fail("dictsort: you can only sort by either 'key' or 'value'");
    const pos = by === 'key' ? 0 : 1;
    const out = Object.entries(mapping(v, 'dictsort')).sort((a, b) => cmp(sortKey(a[pos], cs), sortKey(b[pos], cs)));
    return reverse ? out.reverse() : out;
  },
  groupby: (v, args, kw) => {
    const attribute = arg(args, kw, 0, 'attribute');
    const dflt = arg(args, kw, 1, 'default');
    const cs = truthy(arg(args, kw, 2, 'case_sensitive', false));
    const groups: unknown[][] = [];
    const keyed = seq(v, 'groupby').map((x) => {
      let k = attrOf(x, attribute);
      if (k === MISSING) {
        if (dflt === undefined) throw new Fail(`groupby: ${typeName(x)} ${pyRepr(x)} has no attribute '${pyStr(attribute)}'`);
        k = dflt;
      }
      return [sortKey(k, cs), k, x] as const;
    });
    keyed.sort((a, b) => cmp(a[0], b[0]));
    for (const [sk, k, x] of keyed) {
      const g = groups[groups.length - 1];
      if (g && pyEqual(sortKey(g[0], cs), sk)) (g[1] as unknown[]).push(x);
      else groups.push([k, [x]]);
    }
    // Jinja's _GroupTuple: g.grouper / g.list, or g[0] / g[1], or unpacked in a for
    return groups.map((g) => namedTuple(g, ['grouper', 'list']));
  },
  batch: (v, args, kw) => {
    const n = int(arg(args, kw, 0, 'linecount'), 'batch');
    if (n <= 0) throw new Fail('batch: linecount must be positive');
    const fill = arg(args, kw, 1, 'fill_with');
    const items = seq(v, 'batch');
    const out: unknown[][] = [];
    for (let i = 0; i < items.length; i += n) out.push(items.slice(i, i + n));
    const lastBatch = out[out.length - 1];
    if (fill !== undefined && lastBatch) while (lastBatch.length < n) lastBatch.push(fill);
    return out;
  },
  slice: (v, args, kw) => {
    const slices = int(arg(args, kw, 0, 'slices'), 'slice');
    const fill = arg(args, kw, 1, 'fill_with');
    const items = seq(v, 'slice');
    const per = Math.floor(items.length / slices);
    const extra = items.length % slices;
    const out: unknown[][] = [];
    let offset = 0;
    for (let i = 0; i < slices; i++) {
      const start = offset + i * per;
      if (i < extra) offset++;
      const end = offset + (i + 1) * per;
      const part = items.slice(start, end);
      if (fill !== undefined && i >= extra && extra > 0) part.push(fill);
      out.push(part);
    }
    return out;
  },
  random: (v, args, kw) => {
    const r = rng(kw['seed']);
    if (typeof v === 'number') {
      const start = toInt(arg(args, kw, 0, 'start', 0));
      const step = toInt(arg(args, kw, 1, 'step', 1));
      const n = Math.ceil((v - start) / step);
      if (n <= 0) throw new Fail('random: empty range');
      return start + Math.floor(r() * n) * step;
    }
    const s = seq(v, 'random');
    if (!s.length) return new UndefinedResult('random item of an empty sequence');
    return s[Math.floor(r() * s.length)];
  },
  shuffle: (v, args, kw) => {
    // Ansible's randomize_list gives back what it cannot list
    if (!Array.isArray(v) && typeof v !== 'string' && !isMapping(v)) return v;
    const r = rng(arg(args, kw, 0, 'seed'));
    const out = [...seq(v, 'shuffle')];
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(r() * (i + 1));
      [out[i], out[j]] = [out[j], out[i]];
    }
    return out;
  },
  zip: (v, args) => zipLists([seq(v, 'zip'), ...args.map((a) => seq(a, 'zip'))], false, null),
  zip_longest: (v, args, kw) => zipLists([seq(v, 'zip_longest'), ...args.map((a) => seq(a, 'zip_longest'))], true, kw['fillvalue'] ?? null),
  product: (v, args, kw) => {
    const lists = [seq(v, 'product'), ...args.map((a) => seq(a, 'product'))];
    const repeat = toInt(kw['repeat'] ?? 1);
    return product(Array.from({ length: repeat }, () => lists).flat());
  },
  combinations: (v, args, kw) => combinations(seq(v, 'combinations'), int(arg(args, kw, 0, 'r'), 'combinations')),
  permutations: (v, args, kw) => {
    const s = seq(v, 'permutations');
    const r = arg(args, kw, 0, 'r');
    return permutations(s, r === undefined || r === null ? s.length : int(r, 'permutations'));
  },
  union: (v, [b]) => uniqueList([...seq(v, 'union'), ...seq(b, 'union')]),
  intersect: (v, [b]) => {
    const other = seq(b, 'intersect');
    return uniqueList(seq(v, 'intersect').filter((x) => inList(other, x)));
  },
  difference: (v, [b]) => {
    const other = seq(b, 'difference');
    return uniqueList(seq(v, 'difference').filter((x) => !inList(other, x)));
  },
  symmetric_difference: (v, [b]) => {
    const a = seq(v, 'symmetric_difference');
    const o = seq(b, 'symmetric_difference');
    const both = a.filter((x) => inList(o, x));
    return uniqueList([...a, ...o]).filter((x) => !inList(both, x));
  },
  extract: (v, args, kw) => {
    const container = arg(args, kw, 0, 'container');
    const morekeys = arg(args, kw, 1, 'morekeys');
    const keys = [v, ...(morekeys === undefined || morekeys === null ? [] : Array.isArray(morekeys) ? morekeys : [morekeys])];
    let cur = container;
    for (const k of keys) {
      const next = typeof k === 'string' || typeof k === 'number' ? getMember(cur, k) : MISSING;
      // Jinja's getitem: a missing key is undefined (so `| default(…)` works), not an error
      if (next === MISSING) return new UndefinedResult(`${typeName(cur)} object has no element ${pyRepr(k)}`);
      cur = next;
    }
    return cur;
  },
  // the filter (plugins/filter/core.py) differs from the lookup: the item keeps its subkey, the
  // path may be a list, a missing key with skip_missing gives no pairs
  subelements: (v, args, kw) => {
    const path = arg(args, kw, 0, 'subelements');
    const skipMissing = truthy(arg(args, kw, 1, 'skip_missing', false));
    const elements = isMapping(v) ? Object.values(v) : Array.isArray(v) ? v : undefined;
    if (!elements) throw new Fail('obj must be a list of dicts or a nested dict');
    const keys = Array.isArray(path) ? path.map(pyStr) : typeof path === 'string' ? path.split('.') : undefined;
    if (!keys) throw new Fail('subelements must be a list or a string');
    const out: unknown[] = [];
    for (const element of elements) {
      let values: unknown = element;
      let skipped = false;
      for (const k of keys) {
        if (!isMapping(values)) throw new Fail(`the key ${k} should point to a dictionary, got '${pyRepr(values)}'`);
        if (!Object.prototype.hasOwnProperty.call(values, k)) {
          if (skipMissing) {
            skipped = true;
            break;
          }
          throw new Fail(`could not find ${pyRepr(k)} key in iterated item ${pyRepr(values)}`);
        }
        values = values[k];
      }
      if (skipped) continue;
      if (!Array.isArray(values)) throw new Fail(`the key ${pyRepr(keys[keys.length - 1])} should point to a list, got ${pyRepr(values)}`);
      for (const x of values) out.push([element, x]);
    }
    return out;
  },
  keys: (v) => Object.keys(mapping(v, 'keys')),
  values: (v) => Object.values(mapping(v, 'values')),
  // mathstuff.rekey_on_member's checks and words (v2.14.17), which the filter_mathstuff target compares
  rekey_on_member: (v, args, kw) => {
    const key = pyStr(arg(args, kw, 0, 'key'));
    const dup = pyStr(arg(args, kw, 1, 'duplicates', 'error'));
    if (dup !== 'error' && dup !== 'overwrite') throw new Fail(`duplicates parameter to rekey_on_member has unknown value: ${dup}`);
    if (!isMapping(v) && !Array.isArray(v)) throw new Fail('Type is not a valid list, set, or dict');
    const items = isMapping(v) ? Object.values(v) : v;
    const out: Record<string, unknown> = {};
    for (const item of items) {
      if (!isMapping(item)) throw new Fail('List item is not a valid dict');
      if (!(key in item)) throw new Fail(`Key ${key} was not found`);
      const k = pyStr(item[key]);
      if (Object.prototype.hasOwnProperty.call(out, k) && dup === 'error') throw new Fail(`Key ${k} is not unique, cannot correctly turn into dict`);
      if (!Object.prototype.hasOwnProperty.call(out, k) || dup === 'overwrite') Object.defineProperty(out, k, { value: item, enumerable: true, writable: true, configurable: true });
    }
    return out;
  },
};
COLLECTION_FILTERS['count'] = COLLECTION_FILTERS['length']!;
