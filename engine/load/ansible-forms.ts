// Ansible's other spellings of the same task or play, rewritten in place into the one form the
// validator and the compiler read, before either looks at them (source positions are kept, so
// messages still point at what the user wrote):
// - `action: copy src=a dest=b` / `action: {module: copy, src: a}` → `copy: …`; `local_action:` the
//   same plus `delegate_to: localhost` (lib/ansible/parsing/mod_args.py);
// - FQCN forms of the include/import keywords (`ansible.builtin.include_tasks`,
//   `ansible.legacy.import_role`…) and `ansible.legacy.<module>` → the short names;
// - the old `include:` → `include_tasks:` in a task list (`import_tasks:` with `static: yes`),
//   `import_playbook:` in a playbook, its trailing `key=value` words becoming vars;
// - `vars:` given as a list of mappings → one mapping (later entries win, as in Ansible);
// - `connection: local` on a task, block or include → `delegate_to: localhost`;
// - `with_<namespace.collection.lookup>` → `with_<lookup>` when gx has that lookup.
import { WITH_LOOPS } from '../schema/keywords.js';
import { parseKv } from './split-args.js';
import { carryLocation, locate, nodeInfo, registerNode } from './source.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

const INCLUDE_KEYS = ['include_tasks', 'import_tasks', 'include_role', 'import_role', 'import_playbook', 'include'];
const PREFIXES = ['ansible.builtin.', 'ansible.legacy.'];

/** Renames a key of `obj` in place, keeping where the key and its value were written. */
function rename(obj: Obj, from: string, to: string, value: unknown = obj[from]): void {
  const keys = nodeInfo(obj)?.keys;
  const at = keys?.get(from);
  delete obj[from];
  obj[to] = value;
  if (keys && at) keys.set(to, at);
}

/** Sets a key that was not written, located where `near` was. */
function add(obj: Obj, key: string, value: unknown, near: string): void {
  obj[key] = value;
  const keys = nodeInfo(obj)?.keys;
  const at = keys?.get(near);
  if (keys && at) keys.set(key, at);
}

/** The short name of a FQCN include keyword (`ansible.builtin.include_tasks` → `include_tasks`). */
function shortKeyword(key: string): string | undefined {
  for (const p of PREFIXES) if (key.startsWith(p) && INCLUDE_KEYS.includes(key.slice(p.length))) return key.slice(p.length);
  return undefined;
}

/** `vars: [{a: 1}, {b: 2}]` → `{a: 1, b: 2}`. */
function mergeVarsList(obj: Obj): void {
  const list = obj.vars;
  if (!Array.isArray(list) || !list.every(isObj)) return;
  const merged: Obj = {};
  const keys = new Map<string, { key: ReturnType<typeof locate> & object; value: ReturnType<typeof locate> & object }>();
  for (const m of list as Obj[]) {
    Object.assign(merged, m);
    for (const [k, v] of nodeInfo(m)?.keys ?? []) keys.set(k, v);
  }
  const loc = locate(obj, 'vars', 'value');
  if (loc) registerNode(merged, { loc, keys });
  obj.vars = merged;
}

/** `include: file.yml a=1 b=2`: the file, and the key=value words as vars. */
function splitInclude(value: unknown): { target: unknown; vars?: Obj } {
  if (typeof value !== 'string' || !/\s\S+=/.test(value)) return { target: value };
  const { options, raw } = parseKv(value);
  return { target: raw ?? value, vars: options };
}

/** `action:` / `local_action:` → the module as the key. */
function moduleFromAction(task: Obj, key: 'action' | 'local_action', isModule: (name: string) => boolean): void {
  const value = task[key];
  let module: string | undefined;
  let args: unknown;
  if (typeof value === 'string') {
    const m = /^\s*(\S+)(?:\s+([\s\S]*))?$/.exec(value);
    if (!m) return;
    module = m[1]!;
    args = m[2]?.trim() ? m[2].trim() : null;
  } else if (isObj(value) && typeof value.module === 'string') {
    module = value.module;
    const rest: Obj = {};
    for (const [k, v] of Object.entries(value)) if (k !== 'module') rest[k] = v;
    args = carryLocation(value, rest);
  } else return;
  // a templated module name cannot be resolved (in Ansible either): the task fails if it ever runs
  // (`tags: never` keeps it from running), with what to write instead
  if (module.includes('{{')) {
    const msg = `the module name of ${key} is a template (${module}); write the module literally, e.g. '${key}: copy src=a dest=b'`;
    if (isModule('fail')) rename(task, key, 'fail', { msg: msg.replace(/\{([{%#])/g, '{ $1') });
    return;
  }
  // `action: copy …` beside `copy:` is two actions: left for the validator to say so
  if (normalModule(module, isModule) in task) return;
  if (key in task) rename(task, key, normalModule(module, isModule), args);
  if (key === 'local_action' && task.delegate_to === undefined) add(task, 'delegate_to', 'localhost', normalModule(module, isModule));
}

function normalModule(name: string, isModule: (name: string) => boolean): string {
  const short = shortKeyword(name);
  if (short) return short === 'include' ? 'include_tasks' : short;
  if (name.startsWith('ansible.legacy.') && isModule(name.slice('ansible.legacy.'.length))) return name.slice('ansible.legacy.'.length);
  return name;
}

/** One task (or block, or include) of a task list, rewritten in place. */
export function normalizeTask(task: Obj, isModule: (name: string) => boolean): void {
  for (const key of Object.keys(task)) {
    const to = normalModule(key, isModule);
    if (to !== key && !(to in task)) rename(task, key, to);
  }
  // with_<collection>.<lookup> (with_community.general.flattened): the lookup gx has under its short name
  for (const key of Object.keys(task)) {
    const m = /^with_[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*\.([a-z_][a-z0-9_]*)$/.exec(key);
    if (m && `with_${m[1]}` in WITH_LOOPS && !(`with_${m[1]}` in task)) rename(task, key, `with_${m[1]}`);
  }
  if ('action' in task) moduleFromAction(task, 'action', isModule);
  if ('local_action' in task) moduleFromAction(task, 'local_action', isModule);
  if ('include' in task && !('include_tasks' in task)) {
    const { target, vars } = splitInclude(task.include);
    // Ansible 2.0–2.3's `static:` chose between what became import_tasks and include_tasks
    const isStatic = 'static' in task && /^(yes|true|on|1)$/i.test(String(task.static));
    if ('static' in task) delete task.static;
    rename(task, 'include', isStatic ? 'import_tasks' : 'include_tasks', target);
    if (vars) {
      if (task.vars === undefined) add(task, 'vars', vars, isStatic ? 'import_tasks' : 'include_tasks');
      else if (isObj(task.vars)) Object.assign(task.vars, { ...vars, ...task.vars });
    }
  }
  // `connection: local` on a task, block or include: run it on the controller, which is what gx's
  // delegate_to: localhost does (the host's variables, the controller's machine)
  if (task.connection === 'local' && task.delegate_to === undefined) {
    rename(task, 'connection', 'delegate_to', 'localhost');
  }
  for (const key of ['include_tasks', 'import_tasks', 'include_role', 'import_role']) {
    kvInclude(task, key);
    includeArgs(task, key);
  }
  mergeVarsList(task);
}

/** `include_tasks: x.yml` with `args: {apply: …}` beside it: the args go into the include's mapping. */
function includeArgs(task: Obj, key: string): void {
  if (!(key in task) || !isObj(task.args)) return;
  const own = task[key];
  const field = key.endsWith('_role') ? 'name' : 'file';
  const merged: Obj = { ...task.args, ...(isObj(own) ? own : own === undefined || own === null ? {} : { [field]: own }) };
  const info = nodeInfo(task.args);
  if (info) registerNode(merged, { ...info, keys: new Map([...(info.keys ?? []), ...(isObj(own) ? (nodeInfo(own)?.keys ?? []) : [])]) });
  task[key] = merged;
  delete task.args;
}

/** `include_role: name=web tasks_from=x` / `include_tasks: file=x.yml`: the key=value form as a mapping. */
function kvInclude(task: Obj, key: string): void {
  const v = task[key];
  if (typeof v !== 'string' || !/^\s*(name|file)=/.test(v)) return;
  const { options, rawWords } = parseKv(v);
  if (rawWords.length) return;
  const loc = locate(task, key, 'value');
  if (loc) registerNode(options, { loc, keys: new Map(Object.keys(options).map((k) => [k, { key: loc, value: loc }])) });
  task[key] = options;
}

/** One item of a playbook (a play or an import), rewritten in place. */
export function normalizePlaybookItem(item: Obj): void {
  for (const key of Object.keys(item)) {
    const to = shortKeyword(key);
    if (to && !(to in item)) rename(item, key, to);
  }
  if ('include' in item && !('import_playbook' in item) && !('hosts' in item)) {
    const { target, vars } = splitInclude(item.include);
    rename(item, 'include', 'import_playbook', target);
    if (vars && item.vars === undefined) add(item, 'vars', vars, 'import_playbook');
  }
  mergeVarsList(item);
}
