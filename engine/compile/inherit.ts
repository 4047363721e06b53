// How a node's own keywords combine with what it inherits from its play, role, block or import.
import { locate } from '../load/source.js';
import { uniqueTags } from './tags.js';
import type { Condition, Inherited, RoleInstance, Vars } from './types.js';

export function rootInherited(): Inherited {
  return { tags: [], when: [], environment: [], vars: [] };
}

/** YAML 1.2 reads `yes`/`no` as strings; Ansible users write them as booleans. */
export function bool(v: unknown): boolean {
  if (typeof v === 'string') return ['true', 'yes', 'on', 'y', '1'].includes(v.trim().toLowerCase());
  return Boolean(v);
}

export function asList(v: unknown): unknown[] {
  if (v === undefined || v === null) return [];
  return Array.isArray(v) ? v : [v];
}

export function tagList(v: unknown): string[] {
  // tags may be a list or a comma-separated string, like Ansible
  return asList(v).flatMap((t) => String(t).split(',')).map((t) => t.trim()).filter(Boolean);
}

export function conditions(raw: Record<string, unknown>, key: string): Condition[] {
  const v = raw[key];
  if (v === undefined || v === null) return [];
  if (Array.isArray(v)) return v.map((expr, i) => ({ expr, loc: locate(v, i) ?? locate(raw, key, 'value') }));
  return [{ expr: v, loc: locate(raw, key, 'value') }];
}

/** The keywords of `raw` (a play, role entry, block, import or task) applied over `parent`. */
export function inherit(parent: Inherited, raw: Record<string, unknown>, role?: RoleInstance): Inherited {
  const out: Inherited = {
    ...parent,
    tags: uniqueTags(parent.tags, tagList(raw.tags)),
    when: [...parent.when, ...conditions(raw, 'when')],
    environment: raw.environment !== undefined ? [...parent.environment, raw.environment] : parent.environment,
    vars: parent.vars,
  };
  if (role) out.role = role;
  if (raw.become !== undefined) out.become = bool(raw.become);
  if (raw.become_user !== undefined) out.becomeUser = String(raw.become_user);
  if (raw.become_method !== undefined) out.becomeMethod = String(raw.become_method);
  if (raw.ignore_errors !== undefined) out.ignoreErrors = raw.ignore_errors;
  if (raw.ignore_unreachable !== undefined) out.ignoreUnreachable = bool(raw.ignore_unreachable);
  if (raw.no_log !== undefined) out.noLog = raw.no_log;
  if (raw.check_mode !== undefined) out.checkMode = bool(raw.check_mode);
  if (raw.diff !== undefined) out.diff = bool(raw.diff);
  if (raw.delegate_to !== undefined) out.delegateTo = raw.delegate_to;
  if (raw.run_once !== undefined) out.runOnce = bool(raw.run_once);
  if (raw.any_errors_fatal !== undefined) out.anyErrorsFatal = bool(raw.any_errors_fatal);
  return out;
}

/** Adds a vars layer (block, import or include vars) for everything inside. */
export function withVars(inh: Inherited, vars: unknown): Inherited {
  if (!vars || typeof vars !== 'object' || Array.isArray(vars) || Object.keys(vars).length === 0) return inh;
  return { ...inh, vars: [...inh.vars, vars as Vars] };
}
