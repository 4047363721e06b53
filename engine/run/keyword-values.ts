// Keywords written as templates, settled per host at run time like Ansible's post_validate: render
// the template; `omit` means "not set here" (the inherited value, else the default); anything else
// must convert to the keyword's type or the task fails with Ansible's message. Nothing here guesses:
// a check_mode that renders to no boolean fails the task, it never runs it for real (and one only
// --check leaves unknown keeps the task in check mode: task-runner.ts).
import { isTemplatedKeyword, type Kw } from '../compile/kw-value.js';
import { TemplateError } from '../errors.js';
import { looseBoolean } from '../load/module-args.js';
import { renderValue, type Where } from '../vars/template.js';
import { isUnknown, type Unknown } from '../vars/unknown.js';

type Vars = Record<string, unknown>;

export interface KeywordScope {
  /** read only when a keyword is a template (task-runner.ts builds it on that first read) */
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
  // Ansible's boolean(value, strict=True): convert_bool's words, else an error
  const b = looseBoolean(raw);
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
