// Roles: where a role is found, its files (defaults, vars, meta, tasks, handlers), its parameters,
// its dependencies first (each with its own context, cycles refused), and Ansible's deduplication
// of a role applied twice in a play with the same parameters.
import { existsSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { PlaybookError } from '../errors.js';
import type { SourceLocation } from '../load/source.js';
import { locate } from '../load/source.js';
import { validateRoleMeta, validateVarsFile } from '../load/validate.js';
import { isObj, type CompileSession, type LoadedRole, type PlayCtx, type Raw, type Where } from './context.js';
import { asList, inherit, rootInherited } from './inherit.js';
import type { RoleInstance, TaskNode, Vars } from './types.js';

/** The role's directory: roles/ beside the current file, then beside the play, the roles path, then those directories themselves. */
export function findRole(name: string, from: { file: string; play: Pick<PlayCtx, 'topDir'> }, rolesPath: string[] = []): string | undefined {
  const dirs = [join(dirname(from.file), 'roles'), join(from.play.topDir, 'roles'), ...rolesPath, dirname(from.file), from.play.topDir];
  for (const d of dirs) {
    const p = isAbsolute(name) ? name : join(d, name);
    if (existsSync(p) && statSync(p).isDirectory()) return p;
  }
  return undefined;
}

/** DIR/SUB/BASE with the first extension that exists (.yaml, .yml, .json, none). */
export function roleFile(dir: string, sub: string, base = 'main'): string | undefined {
  for (const ext of ['.yaml', '.yml', '.json', '']) {
    const p = join(dir, sub, base + ext);
    if (existsSync(p) && statSync(p).isFile()) return p;
  }
  return undefined;
}

const ROLE_KEYWORDS = new Set(['role', 'name', 'tags', 'when', 'vars', 'become', 'become_user', 'become_method', 'environment', 'tasks_from', 'vars_from', 'defaults_from', 'handlers_from', 'apply', 'public', 'allow_duplicates', 'no_log', 'ignore_errors', 'delegate_to', 'run_once', 'check_mode', 'diff', 'any_errors_fatal']);

/** A role entry's parameters: every key that is not a keyword, then its vars. */
export function roleParams(spec: Raw): Vars {
  const params: Vars = {};
  for (const [k, v] of Object.entries(spec)) if (!ROLE_KEYWORDS.has(k)) params[k] = v;
  if (isObj(spec.vars)) Object.assign(params, spec.vars);
  return params;
}

/** Two applications of a role are the same when name and everything but tags/when/role/name are. */
export function roleKey(name: string, spec: Raw): string {
  return `${name}|${JSON.stringify(Object.entries(spec).filter(([k]) => !['tags', 'when', 'role', 'name'].includes(k)))}`;
}

/** Loads a role (and, first, its dependencies) and returns its tasks compiled in the role's context. */
export function loadRole(c: CompileSession, name: string, spec: Raw, w: Where, loc: SourceLocation | undefined, chain: string[] = []): LoadedRole | undefined {
  if (!name) {
    c.errors.push(new PlaybookError('role entry has no name', { loc }));
    return undefined;
  }
  if (chain.includes(name)) {
    c.errors.push(new PlaybookError(`role dependency cycle: ${[...chain, name].join(' -> ')}`, { loc }));
    return undefined;
  }
  const dir = findRole(name, w, c.opts.rolesPath);
  if (!dir) {
    c.errors.push(new PlaybookError(`role '${name}' not found (looked in roles/ beside the playbook and the roles path)`, { loc }));
    return undefined;
  }
  const varsOf = (sub: string, base?: string): Vars => {
    const f = roleFile(dir, sub, base);
    if (!f) return {};
    const d = c.load(f);
    const errs = validateVarsFile(d, f);
    if (errs.length) c.errors.push(...errs);
    return (isObj(d) ? d : {}) as Vars;
  };
  const role: RoleInstance = {
    name,
    dir,
    defaults: varsOf('defaults', spec.defaults_from as string | undefined),
    vars: varsOf('vars', spec.vars_from as string | undefined),
    params: roleParams(spec),
    handlers: [],
  };

  const nodes: TaskNode[] = [];
  // dependencies first, each with its own context
  const metaFile = roleFile(dir, 'meta');
  if (metaFile) {
    const meta = c.load(metaFile);
    const errs = validateRoleMeta(meta, metaFile);
    if (errs.length) c.errors.push(...errs);
    else if (isObj(meta)) {
      asList(meta.dependencies).forEach((dep, i) => {
        const dspec = typeof dep === 'string' ? { role: dep } : isObj(dep) ? dep : undefined;
        if (!dspec) return;
        const dname = String(dspec.role ?? dspec.name ?? '');
        const dloc = locate(meta.dependencies, i);
        nodes.push(...c.roleTasks(dname, dspec, w, dloc, false, [...chain, name]));
      });
    }
  }

  const rw: Where = { ...w, file: join(dir, 'tasks', 'main.yaml'), dir: join(dir, 'tasks'), inh: { ...inherit(w.inh, {}, role) }, stack: [] };
  const tasksFile = roleFile(dir, 'tasks', (spec.tasks_from as string | undefined) ?? 'main');
  if (tasksFile) nodes.push(...c.taskFile(tasksFile, { ...rw, file: tasksFile, dir: dirname(tasksFile) }));
  else if (spec.tasks_from) c.errors.push(new PlaybookError(`role '${name}' has no tasks file '${String(spec.tasks_from)}'`, { loc }));

  const handlersFile = roleFile(dir, 'handlers', (spec.handlers_from as string | undefined) ?? 'main');
  if (handlersFile) {
    role.handlers = c.taskFile(handlersFile, { ...rw, file: handlersFile, dir: dirname(handlersFile), handlers: true, inh: { ...rootInherited(), role } });
  }
  return { nodes, role };
}

/** A role applied in a play (roles:, import_role, meta dependency): deduplicated like Ansible. */
export function roleTasks(c: CompileSession, name: string, spec: Raw, w: Where, loc: SourceLocation | undefined, explicit = false, chain: string[] = []): TaskNode[] {
  const roleInh = inherit(w.inh, { ...spec, vars: undefined });
  if (chain.includes(name)) {
    c.errors.push(new PlaybookError(`role dependency cycle: ${[...chain, name].join(' -> ')}`, { loc }));
    return [];
  }
  const key = roleKey(name, spec);
  if (!explicit && !spec.allow_duplicates && w.play.appliedRoles.has(key)) return [];
  w.play.appliedRoles.add(key);
  const loaded = c.loadRole(name, spec, { ...w, inh: roleInh }, loc, chain);
  if (!loaded) return [];
  if (chain.length > 0) loaded.role.dependency = true;
  w.play.roles.push(loaded.role);
  w.play.roleHandlers.push(...loaded.role.handlers);
  return loaded.nodes;
}
