// Keywords written as templates, settled per host at run time like Ansible's post_validate: render
// the template; `omit` means "not set here" (the inherited value, else the default); anything else
// must convert to the keyword's type or the task fails with Ansible's message. Nothing here guesses:
// a check_mode that renders to no boolean fails the task, it never runs it for real (and one only
// --check leaves unknown keeps the task in check mode: task-runner.ts).
import { isTemplatedKeyword, type Kw } from '../compile/kw-value.js';
import { TemplateError } from '../errors.js';
import { renderValue, type Where } from '../vars/template.js';
import { isUnknown, type Unknown } from '../vars/unknown.js';

type Vars = Record<string, unknown>;

// lib/ansible/module_utils/parsing/convert_bool.py (v2.17.5): BOOLEANS_TRUE / BOOLEANS_FALSE
const TRUE = new Set(['y', 'yes', 'on', '1', 'true', 't']);
const FALSE = new Set(['n', 'no', 'off', '0', 'false', 'f']);

/** Ansible's boolean(value, strict=True); undefined when `v` is not one of its spellings. */
export function strictBool(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v === 1 ? true : v === 0 ? false : undefined;
  if (typeof v === 'string') {
    const s = v.trim().toLowerCase();
    if (TRUE.has(s)) return true;
    if (FALSE.has(s)) return false;
  }
  return undefined;
}

export interface KeywordScope {
  scope: Vars;
  where: Where;
  /** the run's omit placeholder */
  omit: string;
}

/**
 * The value of a keyword on one host: `undefined` when neither the node nor what it inherits sets
 * it (or they all render to omit). A value unknown in check mode comes back as the Unknown.
 */
export function keywordRaw<T>(v: Kw<T> | undefined, ks: KeywordScope): T | unknown | undefined {
  let cur: unknown = v;
  while (isTemplatedKeyword(cur)) {
    const rendered = renderValue(cur.template, ks.scope, { ...ks.where, what: cur.keyword });
    if (rendered !== ks.omit) return rendered;
    cur = cur.parent;
  }
  return cur;
}

function keywordName(v: unknown, fallback: string): string {
  return isTemplatedKeyword(v) ? v.keyword : fallback;
}

/** A boolean keyword (check_mode, become, run_once…); `undefined` when not set. */
export function keywordBool(v: Kw<boolean> | undefined, ks: KeywordScope, name: string): boolean | Unknown | undefined {
  const raw = keywordRaw(v, ks);
  if (raw === undefined || raw === null) return undefined;
  if (isUnknown(raw)) return raw;
  const b = strictBool(raw);
  if (b === undefined) {
    throw new TemplateError(
      `the field '${keywordName(v, name)}' has an invalid value (${JSON.stringify(raw)}), and could not be converted to bool; valid booleans are true/false, yes/no, on/off, 1/0`,
      { loc: ks.where.loc },
    );
  }
  return b;
}

/** A string keyword (become_user, remote_user, delegate_to); `undefined` when not set. */
export function keywordString(v: Kw<unknown> | undefined, ks: KeywordScope, name: string): string | Unknown | undefined {
  const raw = keywordRaw(v, ks);
  if (raw === undefined || raw === null) return undefined;
  if (isUnknown(raw)) return raw;
  if (typeof raw === 'object') throw new TemplateError(`the field '${keywordName(v, name)}' has an invalid value (${JSON.stringify(raw)}), and could not be converted to string`, { loc: ks.where.loc });
  return String(raw);
}

/** A number keyword (retries, delay, timeout, throttle); `undefined` when not set. */
export function keywordNumber(v: Kw<number> | undefined, ks: KeywordScope, name: string): number | undefined {
  const raw = keywordRaw(v, ks);
  if (raw === undefined || raw === null) return undefined;
  const n = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
  if (!Number.isFinite(n)) {
    throw new TemplateError(`the field '${keywordName(v, name)}' has an invalid value (${isUnknown(raw) ? String(raw) : JSON.stringify(raw)}), and could not be converted to a number`, { loc: ks.where.loc });
  }
  return n;
}
