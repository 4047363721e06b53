// Roles: where a role is found, its files (defaults, vars, meta, tasks, handlers), its parameters,
// its dependencies first (each with its own context, cycles refused), and Ansible's deduplication
// of a role applied twice in a play with the same parameters.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { PlaybookError } from '../errors.js';
import type { SourceLocation } from '../load/source.js';
import { locate } from '../load/source.js';
import { validateRoleMeta, validateVarsFile } from '../load/validate.js';
import { INCLUDE_ROLE_ARGS, ROLE_KEYWORDS as ROLE_ENTRY_KEYWORDS } from '../schema/keywords.js';
import { isObj, type CompileSession, type LoadedRole, type PlayCtx, type Raw, type Where } from './context.js';
import { templateErrors } from './checks.js';
import { asList, bool, inherit } from './inherit.js';
import type { RoleInstance, TaskNode, Vars } from './types.js';

/**
 * Where a role is looked for, in order, like Ansible's RoleDefinition._load_role_path
 * (lib/ansible/playbook/role/definition.py, v2.17.5): roles/ beside the current file and beside the
 * play, the roles path (--roles-path, GX_ROLES_PATH, ANSIBLE_ROLES_PATH, then Ansible's default
 * ~/.ansible/roles:/usr/share/ansible/roles:/etc/ansible/roles, as the caller gives it), the current
 * file's directory and the play's directory; last, the name as a path.
 */
export function roleSearchDirs(from: { file: string; play: Pick<PlayCtx, 'topDir'>; roleBasedir?: string }, rolesPath: string[] = []): string[] {
  const basedir = from.roleBasedir ? [from.roleBasedir] : [];
  return [...new Set([join(dirname(from.file), 'roles'), join(from.play.topDir, 'roles'), ...rolesPath, ...basedir, dirname(from.file), from.play.topDir])];
}

/** The role's directory (see roleSearchDirs), or undefined. */
export function findRole(name: string, from: { file: string; play: Pick<PlayCtx, 'topDir'>; roleBasedir?: string }, rolesPath: string[] = []): string | undefined {
  const isDir = (p: string): boolean => existsSync(p) && statSync(p).isDirectory();
  if (isAbsolute(name)) return isDir(name) ? name : undefined;
  for (const d of roleSearchDirs(from, rolesPath)) if (isDir(join(d, name))) return join(d, name);
  // a relative path that names the role's directory from where gx runs (Ansible's last resort)
  return name.includes('/') && isDir(resolve(name)) ? resolve(name) : undefined;
}

/** Ansible's roles_path as gx reads it from the environment: ANSIBLE_ROLES_PATH, else Ansible's default. */
export function ansibleRolesPath(env: NodeJS.ProcessEnv = process.env): string[] {
  const home = env.HOME ?? '';
  const raw = env.ANSIBLE_ROLES_PATH ?? `${home}/.ansible/roles:/usr/share/ansible/roles:/etc/ansible/roles`;
  // relative entries are relative to the working directory, as Ansible expands them
  return raw.split(':').filter(Boolean).map((p) => (p.startsWith('~/') ? join(home, p.slice(2)) : resolve(p)));
}

/** `namespace.collection.role`: a role from a collection (Ansible's is_valid_fqcr). */
const COLLECTION_ROLE = /^[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*$/;

/** DIR/SUB/BASE with the first extension that exists (.yaml, .yml, .json, none). */
export function roleFile(dir: string, sub: string, base = 'main'): string | undefined {
  for (const ext of ['.yaml', '.yml', '.json', '']) {
    const p = join(dir, sub, base + ext);
    if (existsSync(p) && statSync(p).isFile()) return p;
  }
  return undefined;
}

/** Keys of a role entry (or import_role/include_role) that are keywords, not role parameters: the schema's lists. */
const ROLE_KEYWORDS = new Set([...Object.keys(ROLE_ENTRY_KEYWORDS), ...Object.keys(INCLUDE_ROLE_ARGS)]);

/** A role entry's parameters: every key that is not a keyword, then its vars. */
export function roleParams(spec: Raw): Vars {
  const params: Vars = {};
  for (const [k, v] of Object.entries(spec)) if (!ROLE_KEYWORDS.has(k)) params[k] = v;
  if (isObj(spec.vars)) Object.assign(params, spec.vars);
  return params;
}

/**
 * The params a role gets from the role it is written in. include_role/import_role from inside a role
 * (no dependency chain): Ansible's IncludeRole
 * get_include_params (playbook/role_include.py, v2.14.17) adds ansible_parent_role_names/paths,
 * the including role first, then the roles that included it.
 */
function parentRoleParams(w: Where, chain: string[]): Vars {
  const parent = w.inh.role;
  if (!parent) return {};
  // a dependency sees the params of the roles that depend on it, its own winning (Role.get_role_params with the dep chain)
  if (chain.length) return { ...parent.params };
  const names = Array.isArray(parent.params.ansible_parent_role_names) ? parent.params.ansible_parent_role_names : [];
  const paths = Array.isArray(parent.params.ansible_parent_role_paths) ? parent.params.ansible_parent_role_paths : [];
  return { ansible_parent_role_names: [parent.name, ...names], ansible_parent_role_paths: [parent.dir, ...paths] };
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
    if (COLLECTION_ROLE.test(name)) {
      const short = name.split('.').pop()!;
      c.errors.push(
        new PlaybookError(`role '${name}' is from a collection, and gx does not load collections`, {
          loc,
          hint: `put the role's directory in roles/ (e.g. copy it from ~/.ansible/collections/ansible_collections/${name.split('.').slice(0, 2).join('/')}/roles/${short}) and name it '${short}'`,
        }),
      );
      return undefined;
    }
    c.errors.push(new PlaybookError(`the role '${name}' was not found in ${roleSearchDirs(w, c.opts.rolesPath).join(':')}`, { loc, hint: 'add a directory to search with --roles-path or ANSIBLE_ROLES_PATH' }));
    return undefined;
  }
  const fileVars = (f: string, sub: string): Vars => {
    const d = c.load(f);
    const errs = validateVarsFile(d, f);
    if (errs.length) c.errors.push(...errs);
    else if (isObj(d)) c.errors.push(...templateErrors(d, { [sub]: d }, sub));
    return (isObj(d) ? d : {}) as Vars;
  };
  const varsOf = (sub: string, base?: string): Vars => {
    const f = roleFile(dir, sub, base);
    if (f) return fileVars(f, sub);
    // defaults/main/ or vars/main/ as a directory: its YAML files merged in name order (Ansible 2.11+)
    const d = join(dir, sub, base ?? 'main');
    if (!existsSync(d) || !statSync(d).isDirectory()) return {};
    const files = readdirSync(d).filter((n) => /\.(ya?ml|json)$/.test(n)).sort();
    return Object.assign({}, ...files.map((n) => fileVars(join(d, n), sub)));
  };
  const role: RoleInstance = {
    // as written, like Ansible, except a path found only from the working directory (Ansible's last resort)
    name: name.includes('/') && !roleSearchDirs(w, c.opts.rolesPath).some((d) => join(d, name) === dir) && !isAbsolute(name) ? basename(dir) : name,
    dir,
    defaults: varsOf('defaults', spec.defaults_from as string | undefined),
    vars: varsOf('vars', spec.vars_from as string | undefined),
    params: { ...parentRoleParams(w, chain), ...roleParams(spec) },
    handlers: [],
    parentDirs: w.inh.role ? [w.inh.role.dir, ...(w.inh.role.parentDirs ?? [])] : [],
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
        // a dependency is looked for beside its role too, and searches its files in that role after its own
        nodes.push(...c.roleTasks(dname, dspec, { ...w, inh: { ...w.inh, role }, roleBasedir: dirname(dir) }, dloc, false, [...chain, name]));
      });
    }
  }

  const rw: Where = { ...w, file: join(dir, 'tasks', 'main.yaml'), dir: join(dir, 'tasks'), inh: { ...inherit(w.inh, {}, role) }, stack: [] };
  const tasksFile = roleFile(dir, 'tasks', (spec.tasks_from as string | undefined) ?? 'main');
  if (tasksFile) nodes.push(...c.taskFile(tasksFile, { ...rw, file: tasksFile, dir: dirname(tasksFile) }));
  else if (spec.tasks_from) {
    const templated = String(spec.tasks_from).includes('{{');
    c.errors.push(
      new PlaybookError(`role '${name}' has no tasks file '${String(spec.tasks_from)}'`, {
        loc,
        hint: templated ? 'a role applied at load time (roles:, import_role) needs a literal tasks_from; include_role settles a templated one per host' : undefined,
      }),
    );
  }

  const handlersFile = roleFile(dir, 'handlers', (spec.handlers_from as string | undefined) ?? 'main');
  if (handlersFile) {
    // the handlers inherit what the role's tasks do (the play's, an enclosing block's and the role
    // entry's or import_role's keywords: delegate_to, become, when…), as Ansible's handler blocks get
    // them through their parent and role (playbook/block.py _get_parent_attribute); not its notify
    const { notify: _notify, notifyLoc: _notifyLoc, ...hinh } = rw.inh;
    role.handlers = c.taskFile(handlersFile, { ...rw, file: handlersFile, dir: dirname(handlersFile), handlers: true, inh: { ...hinh, role } });
  }
  return { nodes, role };
}

/** The role's own `allow_duplicates` (meta/main.yml), read before deciding whether it runs again. */
function metaAllowsDuplicates(c: CompileSession, name: string, w: Where): boolean {
  const dir = findRole(name, w, c.opts.rolesPath);
  const meta = dir ? roleFile(dir, 'meta') : undefined;
  const doc = meta ? c.load(meta) : undefined;
  return isObj(doc) && bool(doc.allow_duplicates);
}

/** A role applied in a play (roles:, import_role, meta dependency): deduplicated like Ansible. */
export function roleTasks(c: CompileSession, name: string, spec: Raw, w: Where, loc: SourceLocation | undefined, explicit = false, chain: string[] = []): TaskNode[] {
  const roleInh = inherit(w.inh, { ...spec, vars: undefined });
  if (chain.includes(name)) {
    c.errors.push(new PlaybookError(`role dependency cycle: ${[...chain, name].join(' -> ')}`, { loc }));
    return [];
  }
  const key = roleKey(name, spec);
  // applied before? only then is the role's meta read for allow_duplicates (a disk search per role)
  if (!explicit && w.play.appliedRoles.has(key) && !bool(spec.allow_duplicates ?? metaAllowsDuplicates(c, name, w))) return [];
  w.play.appliedRoles.add(key);
  const loaded = c.loadRole(name, spec, { ...w, inh: roleInh }, loc, chain);
  if (!loaded) return [];
  loaded.role.public = true;
  if (chain.length > 0) loaded.role.dependency = true;
  w.play.roles.push(loaded.role);
  w.play.roleHandlers.push(...loaded.role.handlers);
  return loaded.nodes;
}
