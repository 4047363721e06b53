// A task's loop items, whatever the loop is written as: `loop:`, `with_items:` (flattened one level)
// or any other `with_<lookup>:` (its terms rendered, then the lookup run, as Ansible's
// listify_lookup_plugin_terms + lookup plugin do). The lookups sit behind `LookupRunner`, so the
// expression language's own lookups (lookup()/query()) can serve them once they are merged.
import type { TaskKeywords, Vars } from '../compile/types.js';
import { GxError } from '../errors.js';
import type { FileKind, SearchPath } from '../load/find-file.js';
import { renderValue, type Where } from '../vars/template.js';
import { isUnknown, UNKNOWN, type Unknown } from '../vars/unknown.js';
import { Fail } from '../vars/fail.js';
import { holdsUnknown, runLookup, UnknownTerm } from '../vars/lookups/index.js';

/** What a lookup may read: the search path for files, the task's variables and where it is (for messages). */
export interface LoopLookupContext {
  search: SearchPath;
  subdir: FileKind;
  vars: Vars;
  where: Where;
}

export type LookupRunner = (name: string, terms: unknown[], kw: Record<string, unknown>, ctx: LoopLookupContext) => unknown[];

/** The expression language's lookups (lookup()/query() use the same), with the task's search path. */
const withLookups: LookupRunner = (name, terms, kw, ctx) => {
  try {
    return runLookup(name, terms, kw, { vars: ctx.vars, where: ctx.where, subdir: ctx.subdir, search: ctx.search });
  } catch (err) {
    // a term holding a value unknown in check mode: the items are unknown (the task would run)
    if (err instanceof UnknownTerm) throw err;
    if (err instanceof Fail) {
      // the lookup's own words, as Ansible reports them (runLookup puts the lookup's name first)
      const own = err.message.startsWith(`${name}: `) ? err.message.slice(name.length + 2) : err.message;
      // exactly (Ansible's task executor passes the lookup's AnsibleError on; rescues compare the msg)
      throw new GxError('module', own, { loc: ctx.where.loc });
    }
    throw err;
  }
};

function definedOrSkipped(render: () => unknown): unknown[] {
  try {
    return [render()];
  } catch (err) {
    if (err instanceof GxError && /undefined/.test(err.message)) return [];
    throw err;
  }
}

export function hasLoop(kw: TaskKeywords): boolean {
  return kw.loop !== undefined || kw.withItems !== undefined || kw.withLookup !== undefined;
}

/**
 * The subdirectory file lookups search for a task, as Ansible's task executor gives first_found its
 * `_subdir`: the first of template/var/file found in the action's name, plus "s".
 */
export function lookupSubdir(module: string | undefined): FileKind {
  for (const s of ['template', 'var', 'file'] as const) if (module?.includes(s)) return `${s}s`;
  return 'files';
}

/** The items of the task's loop on one host, or Unknown (check mode, items not known yet). */
export function loopItems(kw: TaskKeywords, scope: Vars, where: Where, search: SearchPath, opts: { module?: string; lookup?: LookupRunner } = {}): unknown[] | Unknown {
  if (kw.withLookup) {
    const { name, terms } = kw.withLookup;
    const what = { ...where, what: `with_${name}` };
    // with_first_found: a term naming an undefined variable is passed over, as in Ansible
    const rendered =
      name === 'first_found' && Array.isArray(terms) ? terms.flatMap((t) => (definedOrSkipped(() => renderValue(t, scope, what)))) : renderValue(terms, scope, what);
    if (isUnknown(rendered) || (Array.isArray(rendered) && rendered.some(isUnknown))) return UNKNOWN;
    // listify_lookup_plugin_terms wraps a single value, but a mapping stays one: only the lookups that
    // take mappings (dict, first_found) accept it, the others fail as Ansible's do
    if (rendered !== null && typeof rendered === 'object' && !Array.isArray(rendered) && name !== 'dict' && name !== 'first_found') {
      throw new GxError('module', `with_${name} expects a list`, { loc: where.loc });
    }
    const list = Array.isArray(rendered) ? rendered : [rendered];
    try {
      return (opts.lookup ?? withLookups)(name, list, {}, { search, subdir: lookupSubdir(opts.module), vars: scope, where });
    } catch (err) {
      // a term unknown in check mode (the lookup refused it, or choked on the marker): the items
      // are unknown and the task would run, rather than fail over a value a real run would have
      if (err instanceof UnknownTerm || holdsUnknown(list)) return UNKNOWN;
      throw err;
    }
  }
  let items = renderValue(kw.loop ?? kw.withItems, scope, { ...where, what: 'loop' });
  if (isUnknown(items)) return UNKNOWN;
  if (typeof items === 'string') items = [items];
  if (items === undefined || items === null) items = kw.withItems !== undefined ? [] : items;
  if (!Array.isArray(items)) throw new GxError('module', `loop needs a list, got ${typeof items}`, { loc: where.loc });
  return kw.withItems !== undefined ? items.flatMap((i) => (Array.isArray(i) ? i : [i])) : items;
}

const VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** loop_control's loop_var and index_var, rendered when they are templates (`loop_var: "{{ name }}"`, as Ansible allows). */
export function loopVarNames(kw: TaskKeywords, scope: Vars, where: Where): { loopVar: string; indexVar?: string } {
  const name = (v: unknown, what: string): string | undefined => {
    if (v === undefined || v === null) return undefined;
    const s = String(renderValue(v, scope, { ...where, what: `loop_control.${what}` }));
    if (!VAR_NAME.test(s)) throw new GxError('module', `loop_control.${what} must be a variable name, got '${s}'`, { loc: where.loc });
    return s;
  };
  return { loopVar: name(kw.loopControl?.loop_var, 'loop_var') ?? 'item', indexVar: name(kw.loopControl?.index_var, 'index_var') };
}
