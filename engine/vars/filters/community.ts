// The community.general filters public roles use most, besides json_query (jmespath.ts): dict,
// dict_kv, lists_mergeby, version_sort (community/general/plugins/filter/*.py in Debian's ansible 7).
import { isMapping, pyStr, truthy, typeName } from '../values.js';
import { compareValues } from '../compare.js';
import { dictOf, Fail, list, pyRepr, type Fn } from './args.js';
import { mergeHash } from './collections.js';

/** version_sort: LooseVersion order (numbers numerically, letters as text). */
function looseKey(v: string): (number | string)[] {
  return v
    .split(/(\d+|[a-z]+|\.)/)
    .filter((x) => x && x !== '.')
    .map((x) => (/^\d+$/.test(x) ? Number(x) : x));
}

function listMergeby(x: unknown[], y: unknown[], index: string, recursive: boolean, listMerge: string): unknown[] {
  const merged = new Map<string, { key: unknown; value: Record<string, unknown> }>();
  for (const l of [x, y]) {
    for (const el of l) {
      if (!isMapping(el)) throw new Fail(`Elements of list arguments for lists_mergeby must be dictionaries. ${pyRepr(el)} is ${typeName(el)}`);
      if (!Object.prototype.hasOwnProperty.call(el, index)) continue;
      const id = JSON.stringify(el[index]);
      const prev = merged.get(id);
      merged.set(id, { key: el[index], value: mergeHash(prev?.value ?? {}, el, recursive, listMerge) });
    }
  }
  return [...merged.values()].sort((a, b) => (compareValues('<', a.key, b.key) ? -1 : compareValues('>', a.key, b.key) ? 1 : 0)).map((e) => e.value);
}

export const COMMUNITY_FILTERS: Record<string, Fn> = {
  dict: (v) =>
    dictOf(
      list(v, 'dict').map((pair) => {
        if (!Array.isArray(pair) || pair.length !== 2) throw new Fail(`dict: each item must be a pair, got ${pyRepr(pair)}`);
        return [pyStr(pair[0]), pair[1]];
      }),
    ),
  dict_kv: (v, [key]) => dictOf([[pyStr(key), v]]),
  version_sort: (v) =>
    [...list(v, 'version_sort')].sort((a, b) => {
      const x = looseKey(pyStr(a));
      const y = looseKey(pyStr(b));
      for (let i = 0; i < Math.min(x.length, y.length); i++) {
        if (x[i] === y[i]) continue;
        if (typeof x[i] !== typeof y[i]) throw new Fail(`version_sort: cannot compare '${pyStr(a)}' and '${pyStr(b)}'`);
        return x[i]! < y[i]! ? -1 : 1;
      }
      return x.length - y.length;
    }),
  lists_mergeby: (v, args, kw) => {
    const recursive = truthy(kw['recursive'] ?? false);
    const listMerge = pyStr(kw['list_merge'] ?? 'replace');
    const extra = Object.keys(kw).filter((k) => k !== 'recursive' && k !== 'list_merge');
    if (extra.length) throw new Fail("lists_mergeby: 'recursive' and 'list_merge' are the only valid keyword arguments.");
    const terms = [v, ...args];
    if (terms.length < 2) throw new Fail('lists_mergeby: At least one list and index are needed.');
    const index = terms[terms.length - 1];
    const lists: unknown[][] = [];
    for (const sub of terms.slice(0, -1)) {
      if (!Array.isArray(sub)) throw new Fail(`lists_mergeby: All arguments before the argument index must be lists. ${pyRepr(sub)} is ${typeName(sub)}`);
      if (sub.length) {
        if (sub.every(Array.isArray)) lists.push(...(sub as unknown[][]));
        else lists.push(sub);
      }
    }
    if (!lists.length) return [];
    if (lists.length === 1) return lists[0];
    if (typeof index !== 'string') throw new Fail(`lists_mergeby: First argument after the lists must be string. ${pyRepr(index)} is ${typeName(index)}`);
    let result = lists[lists.length - 1]!;
    for (let i = lists.length - 2; i >= 0; i--) result = listMergeby(lists[i]!, result, index, recursive, listMerge);
    return result;
  },
};
