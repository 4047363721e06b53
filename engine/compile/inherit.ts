// How a node's own keywords combine with what it inherits from its play, role, block or import.
import { locate } from '../load/source.js';
import { keywordValue } from './kw-value.js';
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

/** YAML 1.1's boolean words (Ansible's YAML): `when: no` is false there, an undefined variable `no` in YAML 1.2. */
const YAML11_BOOL = /^(yes|no|on|off|true|false)$/i;
const yaml11 = (expr: unknown): unknown => (typeof expr === 'string' && YAML11_BOOL.test(expr.trim()) ? /^(yes|on|true)$/i.test(expr.trim()) : expr);

export function conditions(raw: Record<string, unknown>, key: string): Condition[] {
  const v = raw[key];
  if (v === undefined || v === null) return [];
  if (Array.isArray(v)) return v.map((expr, i) => ({ expr: yaml11(expr), loc: locate(v, i) ?? locate(raw, key, 'value') }));
  return [{ expr: yaml11(v), loc: locate(raw, key, 'value') }];
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
  // keywords that may be templates are settled per host by the executor (kw-value.ts)
  const str = (v: unknown): string => String(v);
  const any = (v: unknown): unknown => v;
  if (raw.become !== undefined) out.become = keywordValue('become', raw.become, parent.become, bool);
  if (raw.become_user !== undefined) out.becomeUser = keywordValue('become_user', raw.become_user, parent.becomeUser, str);
  if (raw.become_method !== undefined) out.becomeMethod = String(raw.become_method);
  if (raw.remote_user !== undefined) out.remoteUser = keywordValue('remote_user', raw.remote_user, parent.remoteUser, str);
  if (raw.ignore_errors !== undefined) out.ignoreErrors = keywordValue('ignore_errors', raw.ignore_errors, parent.ignoreErrors, bool);
  if (raw.ignore_unreachable !== undefined) out.ignoreUnreachable = keywordValue('ignore_unreachable', raw.ignore_unreachable, parent.ignoreUnreachable, bool);
  if (raw.no_log !== undefined) out.noLog = keywordValue('no_log', raw.no_log, parent.noLog, bool);
  if (raw.check_mode !== undefined) out.checkMode = keywordValue('check_mode', raw.check_mode, parent.checkMode, bool);
  if (raw.diff !== undefined) out.diff = keywordValue('diff', raw.diff, parent.diff, bool);
  if (raw.delegate_to !== undefined) out.delegateTo = keywordValue('delegate_to', raw.delegate_to, parent.delegateTo, any);
  if (raw.delegate_facts !== undefined) out.delegateFacts = keywordValue('delegate_facts', raw.delegate_facts, parent.delegateFacts, bool);
  if (raw.throttle !== undefined) out.throttle = keywordValue('throttle', raw.throttle, parent.throttle, Number);
  if (raw.run_once !== undefined) out.runOnce = keywordValue('run_once', raw.run_once, parent.runOnce, bool);
  if (raw.any_errors_fatal !== undefined) out.anyErrorsFatal = keywordValue('any_errors_fatal', raw.any_errors_fatal, parent.anyErrorsFatal, bool);
  if (raw.module_defaults !== undefined && raw.module_defaults !== null) out.moduleDefaults = mergeModuleDefaults(parent.moduleDefaults, raw.module_defaults);
  if (raw.notify !== undefined && raw.notify !== null) {
    out.notify = [...(parent.notify ?? []), ...asList(raw.notify).map(String)];
    out.notifyLoc = locate(raw, 'notify', 'value');
  }
  return out;
}

const shortModule = (name: string): string => name.replace(/^ansible\.(builtin|legacy)\./, '');

/** module_defaults (a mapping, or a list of them) over the inherited ones: per module, inner keys win. */
function mergeModuleDefaults(outer: Inherited['moduleDefaults'], raw: unknown): Inherited['moduleDefaults'] {
  const out: NonNullable<Inherited['moduleDefaults']> = { ...outer };
  for (const layer of asList(raw)) {
    if (!layer || typeof layer !== 'object' || Array.isArray(layer)) continue;
    for (const [module, args] of Object.entries(layer)) {
      if (!args || typeof args !== 'object' || Array.isArray(args)) continue;
      const key = shortModule(module);
      out[key] = { ...out[key], ...(args as Record<string, unknown>) };
    }
  }
  return out;
}

/** A module task's arguments with the module_defaults that apply to it underneath (the task's own win). */
export function withModuleDefaults(inh: Inherited, module: string, args: unknown, freeForm: string | undefined): unknown {
  const defaults = inh.moduleDefaults?.[shortModule(module)];
  if (!defaults) return args;
  if (args && typeof args === 'object' && !Array.isArray(args)) return { ...defaults, ...(args as Record<string, unknown>) };
  if (typeof args === 'string' && freeForm) return { ...defaults, [freeForm]: args };
  return args;
}

/** Adds a vars layer (block, import or include vars) for everything inside. */
export function withVars(inh: Inherited, vars: unknown): Inherited {
  if (!vars || typeof vars !== 'object' || Array.isArray(vars) || Object.keys(vars).length === 0) return inh;
  return { ...inh, vars: [...inh.vars, vars as Vars] };
}
