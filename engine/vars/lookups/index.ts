// runLookup: the one entry point for `lookup()`/`query()` in expressions and for the with_* loops.
// It always returns a list (what `query` gives; `lookup` joins it, see functions.ts).
import { Fail } from '../fail.js';
import { isUnknown } from '../unknown.js';
import type { LookupContext } from './context.js';
import { DATA_LOOKUPS } from './data-files.js';
import { FILE_LOOKUPS } from './files.js';
import { LIST_LOOKUPS } from './lists.js';
import { passwordLookup } from './password.js';

export type { LookupContext } from './context.js';
export { renderTemplateText, setTemplateRenderer, type TemplateRenderer } from './files.js';

type Lookup = (terms: unknown[], kw: Record<string, unknown>, ctx: LookupContext) => unknown[];

const LOOKUPS: Record<string, Lookup> = { ...FILE_LOOKUPS, ...LIST_LOOKUPS, ...DATA_LOOKUPS, password: passwordLookup };

const NOT_SUPPORTED: Record<string, string> = {
  url: 'gx does not fetch URLs while templating; use the uri or get_url module and register the result',
  unvault: 'gx does not read Ansible Vault files',
  config: 'gx has no ansible.cfg',
  template_from_string: 'render the text inline instead',
};

/**
 * A term is (or holds, as text) a value check mode cannot know. Callers with an Unknown at hand
 * (the with_* loops) plan the task as would-run instead of failing; nothing is looked up, so no
 * command runs with the marker text in it.
 */
export class UnknownTerm extends Fail {}

const MARKER = /<unknown: /;

/** Lookups that read files, run commands or write: their terms name things on the controller. */
const CONTROLLER_LOOKUPS = new Set(['env', 'file', 'template', 'pipe', 'lines', 'first_found', 'fileglob', 'password', 'ini', 'csvfile', 'vars', 'varnames', 'inventory_hostnames']);

export function holdsUnknown(v: unknown, depth = 5): boolean {
  if (isUnknown(v)) return true;
  if (typeof v === 'string') return MARKER.test(v);
  if (depth === 0) return false;
  if (Array.isArray(v)) return v.some((x) => holdsUnknown(x, depth - 1));
  if (v !== null && typeof v === 'object') return Object.values(v).some((x) => holdsUnknown(x, depth - 1));
  return false;
}

/** Lookup names gx knows, for messages and did-you-mean. */
export const LOOKUP_NAMES = Object.keys(LOOKUPS).sort();

export function isLookup(name: string): boolean {
  return Object.prototype.hasOwnProperty.call(LOOKUPS, name.replace(/^ansible\.builtin\./, ''));
}

/**
 * Runs lookup `name` over `terms` (the with_* value, listified, or lookup()'s positional
 * arguments). Synchronous; controller side. Throws Fail naming the lookup on errors. Terms that
 * are Unknown (check mode) must be handled by the caller: nothing can be looked up for them.
 */
export function runLookup(name: string, terms: unknown[], kw: Record<string, unknown>, ctx: LookupContext): unknown[] {
  const short = name.replace(/^ansible\.builtin\./, '');
  const fn = Object.prototype.hasOwnProperty.call(LOOKUPS, short) ? LOOKUPS[short] : undefined;
  if (!fn) {
    const why = Object.prototype.hasOwnProperty.call(NOT_SUPPORTED, short) ? NOT_SUPPORTED[short] : undefined;
    throw new Fail(why ? `lookup plugin '${short}' is not supported by gx: ${why}` : `lookup plugin (${name}) not found; gx knows: ${LOOKUP_NAMES.join(', ')}`);
  }
  // lookups that read or run something by name must not see the marker; the list-shaping ones
  // pass unknown items through (a loop over results whose stdout is unknown still iterates)
  const unknown = CONTROLLER_LOOKUPS.has(short) ? holdsUnknown(terms) || holdsUnknown(Object.values(kw)) : terms.some(isUnknown);
  if (unknown) throw new UnknownTerm(`${short}: a term is not known in check mode`);
  try {
    return fn(terms, kw, ctx);
  } catch (e) {
    if (e instanceof Fail) throw e.message.startsWith(short) ? e : new (e.constructor as typeof Fail)(`${short}: ${e.message}`);
    throw new Fail(`${short}: ${(e as Error).message}`);
  }
}
