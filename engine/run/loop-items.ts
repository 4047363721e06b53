// A task's loop items, whatever the loop is written as: `loop:`, `with_items:` (flattened one level)
// or any other `with_<lookup>:` (its terms rendered, then the lookup run, as Ansible's
// listify_lookup_plugin_terms + lookup plugin do). The lookups sit behind `LookupRunner`, so the
// expression language's own lookups (lookup()/query()) can serve them once they are merged.
import type { TaskKeywords, Vars } from '../compile/types.js';
import { GxError } from '../errors.js';
import type { SearchPath } from '../load/find-file.js';
import { renderValue, type Where } from '../vars/template.js';
import { isUnknown, UNKNOWN, type Unknown } from '../vars/unknown.js';
import { WITH_LOOKUPS } from './with-lookups.js';

/** What a lookup may read: the search path for files, the task's variables and where it is (for messages). */
export interface LoopLookupContext {
  search: SearchPath;
  vars: Vars;
  where: Where;
}

export type LookupRunner = (name: string, terms: unknown[], kw: Record<string, unknown>, ctx: LoopLookupContext) => unknown[];

const withLookups: LookupRunner = (name, terms, _kw, ctx) => {
  const fn = WITH_LOOKUPS[name];
  if (!fn) throw new GxError('module', `with_${name}: gx has no '${name}' lookup`, { hint: `loop over a list instead: loop: "{{ ... }}"` });
  return fn(terms, ctx);
};

export function hasLoop(kw: TaskKeywords): boolean {
  return kw.loop !== undefined || kw.withItems !== undefined || kw.withLookup !== undefined;
}

/** The items of the task's loop on one host, or Unknown (check mode, items not known yet). */
export function loopItems(kw: TaskKeywords, scope: Vars, where: Where, search: SearchPath, lookup: LookupRunner = withLookups): unknown[] | Unknown {
  if (kw.withLookup) {
    const { name, terms } = kw.withLookup;
    const rendered = renderValue(terms, scope, { ...where, what: `with_${name}` });
    if (isUnknown(rendered) || (Array.isArray(rendered) && rendered.some(isUnknown))) return UNKNOWN;
    const list = Array.isArray(rendered) ? rendered : [rendered];
    return lookup(name, list, {}, { search, vars: scope, where });
  }
  let items = renderValue(kw.loop ?? kw.withItems, scope, { ...where, what: 'loop' });
  if (isUnknown(items)) return UNKNOWN;
  if (typeof items === 'string') items = [items];
  if (items === undefined || items === null) items = kw.withItems !== undefined ? [] : items;
  if (!Array.isArray(items)) throw new GxError('module', `loop needs a list, got ${typeof items}`, { loc: where.loc });
  return kw.withItems !== undefined ? items.flatMap((i) => (Array.isArray(i) ? i : [i])) : items;
}
