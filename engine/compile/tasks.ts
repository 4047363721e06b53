// Task lists: blocks, static imports (import_tasks, import_role) compiled in place, includes
// (include_tasks, include_role) as nodes, compiled now when statically named so they are validated
// before anything runs, and module tasks with their arguments and keywords.
import { ansibleBuiltin } from '../load/ansible-builtins.js';
import { dirname, isAbsolute, join } from 'node:path';
import { existsSync } from 'node:fs';
import { PlaybookError, type GxError } from '../errors.js';
import { locate, type SourceLocation } from '../load/source.js';
import { splitIgnored, validateTasks } from '../load/validate.js';
import { argsFromText, looseBoolean } from '../load/module-args.js';
import type { KnownModules } from '../load/known-modules.js';
import { hasTemplate } from '../vars/template.js';
import { conditionErrors, templateErrors, templateFileError } from './checks.js';
import { isObj, type CompileSession, type Raw, type Where } from './context.js';
import { loadTimeValue, loadTimeVars } from './load-time-values.js';
import { asList, conditions, inherit, withModuleDefaults, withVars } from './inherit.js';
import { TASK_KEYWORDS } from './keywords.js';
import { keywordValue } from './kw-value.js';
import type { BlockNode, IncludeNode, Inherited, ModuleTask, TaskKeywords, TaskNode } from './types.js';

export function compileTaskList(c: CompileSession, list: unknown, w: Where): TaskNode[] {
  if (!Array.isArray(list)) return [];
  const out: TaskNode[] = [];
  for (const raw of list) {
    if (!isObj(raw)) continue;
    out.push(...compileTask(c, raw, w));
  }
  return out;
}

/** Keys whose values are checked elsewhere: conditions (expressions), nested task lists, module arguments. */
const NOT_TEMPLATES = new Set(['when', 'changed_when', 'failed_when', 'until', 'block', 'rescue', 'always', 'args']);

/** Jinja syntax in a task's keywords (name, vars, loop, delegate_to, environment…), found at load time. */
function keywordTemplateErrors(raw: Raw, c: CompileSession): GxError[] {
  const out: GxError[] = [];
  for (const k of Object.keys(raw)) {
    if (NOT_TEMPLATES.has(k) || (!TASK_KEYWORDS.has(k) && c.opts.known.names.has(k))) continue;
    out.push(...templateErrors(raw[k], raw, k));
  }
  return out;
}

/** One entry of a task list: a block, an import (its tasks, in place), an include node, or a module task. */
export function compileTask(c: CompileSession, raw: Raw, w: Where): TaskNode[] {
  const loc = locate(raw);
  const name = raw.name !== undefined ? String(raw.name) : '';
  c.errors.push(...conditionErrors(raw));
  c.errors.push(...keywordTemplateErrors(raw, c));

  if (raw.block !== undefined) {
    const inh = withVars(inherit(w.inh, raw), raw.vars);
    const inner = { ...w, inh };
    const node: BlockNode = {
      kind: 'block',
      id: c.nextId(loc),
      name,
      loc,
      eff: inh,
      vars: {},
      block: c.taskList(raw.block, inner),
      rescue: c.taskList(raw.rescue, inner),
      always: c.taskList(raw.always, inner),
    };
    // under handlers: a block groups handlers (keywords for all of them); each task in it is a handler
    if (w.handlers) return [...node.block, ...node.rescue, ...node.always];
    return [node];
  }

  if (raw.import_tasks !== undefined) {
    const tloc = locate(raw, 'import_tasks', 'value');
    const target = loadTimeValue(c, String(isObj(raw.import_tasks) ? raw.import_tasks.file : raw.import_tasks), loadTimeVars(w), 'import_tasks', tloc, 'use include_tasks for a file chosen per host');
    if (target === undefined) return [];
    const inh = withVars(inherit(w.inh, raw), raw.vars);
    return c.taskFile(resolveTaskFile(target, w), { ...w, inh }, tloc);
  }

  if (raw.import_role !== undefined) {
    const spec = isObj(raw.import_role) ? raw.import_role : { name: raw.import_role };
    const inh = withVars(inherit(w.inh, raw), raw.vars);
    const rloc = locate(raw, 'import_role', 'value');
    const roleName = loadTimeValue(c, String(spec.name ?? ''), loadTimeVars(w), 'import_role name', rloc, 'use include_role for a role chosen per host');
    if (roleName === undefined) return [];
    return c.roleTasks(roleName, { ...spec, vars: raw.vars }, { ...w, inh: inh }, rloc, true);
  }

  if (w.handlers && raw.include_tasks !== undefined) return handlerInclude(c, raw, w);
  if (raw.include_tasks !== undefined || raw.include_role !== undefined) return [compileIncludeNode(c, raw, w)];

  const action = Object.keys(raw).find((k) => !TASK_KEYWORDS.has(k));
  if (!action) return []; // the validator has reported it
  // an Ansible built-in gx lacks stays a task (the validator warned): it fails on a host that reaches it
  if (!c.opts.known.names.has(action) && ansibleBuiltin(action) === undefined) return [];
  const args = moduleArgs(raw, action, (m) => c.opts.known.freeFormOf(m), c.opts.known);
  c.errors.push(...templateErrors(args, raw, action));
  const fileProblem = templateFileError(action, args, raw, { roleDir: w.inh.role?.dir, parentRoleDirs: w.inh.role?.parentDirs, taskFile: w.file, playbookDir: w.play.topDir, templateDirs: c.opts.templateDirs });
  if (fileProblem) c.errors.push(fileProblem);
  const inh = inherit(w.inh, raw);
  const withDefaults = withModuleDefaults(inh, action, args, c.opts.known.freeFormOf(action));
  const node: ModuleTask = {
    kind: 'task',
    id: c.nextId(loc),
    name: name || action,
    loc,
    eff: inh,
    vars: isObj(raw.vars) ? raw.vars : {},
    module: action,
    args: withDefaults,
    kw: { ...taskKeywords(raw), ...(inh.notify ? { notify: inh.notify, notifyLoc: inh.notifyLoc } : {}) },
  };
  if (w.handlers) {
    node.handler = true;
    node.listen = asList(raw.listen).map(String);
  }
  return [node];
}

/** The module's arguments: its value, merged over `args:`; a string is the free-form argument when `args:` is there too. */
export function moduleArgs(raw: Raw, action: string, freeFormOf: (module: string) => string | undefined, known?: KnownModules): unknown {
  let value = raw[action];
  const extra = isObj(raw.args) ? raw.args : undefined;
  if (typeof value === 'string' && known) value = argsFromText(known, action, value) ?? value;
  if (typeof value === 'string' || value === null || value === undefined) {
    if (!extra) return value ?? {};
    const free = freeFormOf(action);
    return { ...extra, ...(value && free ? { [free]: value } : {}) };
  }
  return extra ? { ...extra, ...(value as Raw) } : value;
}

/** Whether the task loops (loop:, with_items: or any with_<lookup>:). */
const loops = (raw: Raw): boolean => raw.loop !== undefined || Object.keys(raw).some((k) => k.startsWith('with_'));

/** The keywords the executor reads per task (loops, register, notify, result conditions, retries). */
export function taskKeywords(raw: Raw): TaskKeywords {
  const kw: TaskKeywords = {};
  if (raw.loop !== undefined) kw.loop = raw.loop;
  if (raw.with_items !== undefined) kw.withItems = raw.with_items;
  const withKey = Object.keys(raw).find((k) => k.startsWith('with_') && k !== 'with_items');
  if (withKey) kw.withLookup = { name: withKey.slice('with_'.length), terms: raw[withKey] };
  if (isObj(raw.loop_control)) kw.loopControl = raw.loop_control as TaskKeywords['loopControl'];
  if (raw.register !== undefined) kw.register = String(raw.register);
  if (raw.notify !== undefined) {
    kw.notify = asList(raw.notify).map(String);
    kw.notifyLoc = locate(raw, 'notify', 'value');
  }
  if (raw.changed_when !== undefined) kw.changedWhen = conditions(raw, 'changed_when');
  if (raw.failed_when !== undefined) kw.failedWhen = conditions(raw, 'failed_when');
  if (raw.until !== undefined) kw.until = conditions(raw, 'until');
  if (raw.retries !== undefined) kw.retries = keywordValue('retries', raw.retries, undefined, Number);
  if (raw.delay !== undefined) kw.delay = keywordValue('delay', raw.delay, undefined, Number);
  if (raw.timeout !== undefined) kw.timeout = keywordValue('timeout', raw.timeout, undefined, Number);
  if (raw.throttle !== undefined) kw.throttle = keywordValue('throttle', raw.throttle, undefined, Number);
  if (raw.async !== undefined) kw.async = keywordValue('async', raw.async, undefined, Number);
  if (raw.poll !== undefined) kw.poll = keywordValue('poll', raw.poll, undefined, Number);
  return kw;
}

/**
 * include_tasks under `handlers:`: notifying the include's name (or a topic it listens to) runs the
 * tasks of the file, in order (Ansible includes the file when the handler runs). gx compiles the
 * file now, so its name must be static, and each of its tasks becomes a handler answering to the
 * include's name and topics (it also answers to its own name, which Ansible's would not).
 */
function handlerInclude(c: CompileSession, raw: Raw, w: Where): TaskNode[] {
  const target = String(isObj(raw.include_tasks) ? raw.include_tasks.file : raw.include_tasks);
  const tloc = locate(raw, 'include_tasks', 'value');
  if (hasTemplate(target) || loops(raw)) {
    c.errors.push(new PlaybookError('an include_tasks handler needs a static file name and no loop in gx', { loc: tloc, hint: 'name the file literally, or loop inside the included file' }));
    return [];
  }
  const inh = withVars(inherit(w.inh, raw), raw.vars);
  const before = c.errors.length;
  let nodes = c.taskFile(resolveTaskFile(target, w), { ...w, inh }, tloc);
  const topics = [...(raw.name !== undefined ? [String(raw.name)] : [`include_tasks : ${target}`]), ...asList(raw.listen).map(String)];
  const problems = deferIncludeProblems(c, before, undefined, `handler include_tasks '${target}'`);
  if (problems.length) {
    // a handler that is never notified never loads its file (Ansible); notified, it fails with the problems
    const loc = locate(raw);
    const failing: ModuleTask = {
      kind: 'task',
      id: c.nextId(loc),
      name: raw.name !== undefined ? String(raw.name) : `include_tasks : ${target}`,
      loc,
      eff: inh,
      vars: {},
      module: 'fail',
      // the messages quote templates; they are shown, not rendered
      args: { msg: problems.map((e) => e.message).join('; ').replace(/\{([{%#])/g, '{ $1') },
      kw: {},
      handler: true,
      listen: [],
    };
    nodes = [failing];
  }
  const mark = (ns: TaskNode[]): void => {
    for (const n of ns) {
      if (n.kind === 'task') n.listen = [...(n.listen ?? []), ...topics];
      else if (n.kind === 'block') mark([...n.block, ...n.rescue, ...n.always]);
    }
  };
  mark(nodes);
  return nodes;
}

/** include_tasks / include_role: a node the executor expands per host; statically named ones are compiled now. */
function compileIncludeNode(c: CompileSession, raw: Raw, w: Where): IncludeNode {
  const loc = locate(raw);
  const isRole = raw.include_role !== undefined;
  const spec = isRole ? (isObj(raw.include_role) ? raw.include_role : { name: raw.include_role }) : undefined;
  const targetRaw = isRole ? spec!.name : isObj(raw.include_tasks) ? raw.include_tasks.file : raw.include_tasks;
  const inh = inherit(w.inh, raw);
  const node: IncludeNode = {
    kind: 'include',
    id: c.nextId(loc),
    name: raw.name !== undefined ? String(raw.name) : isRole ? `include_role : ${String(targetRaw)}` : `include_tasks : ${String(targetRaw)}`,
    loc,
    eff: inh,
    vars: isObj(raw.vars) ? raw.vars : {},
    what: isRole ? 'role' : 'tasks',
    target: targetRaw,
    kw: taskKeywords(raw),
    baseDir: w.dir,
    playDir: w.play.topDir,
  };
  if (spec) {
    node.roleOpts = {
      tasksFrom: spec.tasks_from as string | undefined,
      varsFrom: spec.vars_from as string | undefined,
      defaultsFrom: spec.defaults_from as string | undefined,
      handlersFrom: spec.handlers_from as string | undefined,
      ...(spec.public !== undefined ? { public: spec.public } : {}),
    };
  }
  const apply = isObj(raw.include_tasks) && isObj(raw.include_tasks.apply) ? raw.include_tasks.apply : spec && isObj(spec.apply) ? spec.apply : undefined;
  if (apply) node.apply = apply;
  const target = String(targetRaw ?? '');
  // a templated tasks_from (vars_from…) is settled per host, like a templated name
  const templatedOpts = Object.values(node.roleOpts ?? {}).some((v) => typeof v === 'string' && hasTemplate(v));
  const before = c.errors.length;
  if (!hasTemplate(target) && !loops(raw) && !templatedOpts) {
    // statically named: compile now so it is validated before anything runs; the executor reuses it
    const inner: Where = { ...w, inh: includedInherited(inh, apply) };
    if (isRole) {
      const before = c.errors.length;
      const role = c.loadRole(target, spec ?? {}, inner, locate(raw, 'include_role', 'value'));
      if (role) role.role.public = looseBoolean(spec?.public) === true;
      if (role && c.errors.length === before) {
        node.precompiled = { nodes: role.nodes, role: role.role };
        // its handlers are the play's too, so notify checks and flushes know them
        w.play.roleHandlers.push(...role.role.handlers);
      }
    } else {
      node.precompiled = { nodes: c.taskFile(resolveTaskFile(target, w), inner, locate(raw, 'include_tasks', 'value')) };
    }
  } else if (!hasTemplate(target) && !isRole) {
    // looped include of a static file: still validate it once
    c.taskFile(resolveTaskFile(target, w), { ...w, inh: includedInherited(inh, apply) }, locate(raw, 'include_tasks', 'value'));
  }
  // an include that runs only under a condition may never run on these hosts (a Windows-only file on
  // Linux): problems in it wait for a host that reaches it; an unconditional one must be right now
  if (inh.when.length > 0) deferIncludeProblems(c, before, node, `${isRole ? 'include_role' : 'include_tasks'} '${target}'`);
  return node;
}

/**
 * Problems in what a conditional include_tasks/include_role (or a handler's include) brings in are,
 * as in Ansible, run-time errors: it may never run (`when: ansible_os_family == 'Windows'`). They
 * are shown as warnings before the run, and fail the hosts that reach the include (compiled again there).
 */
function deferIncludeProblems(c: CompileSession, before: number, node: IncludeNode | undefined, what: string): GxError[] {
  const found = c.errors.splice(before);
  if (found.length === 0) return found;
  if (node) node.precompiled = undefined;
  for (const e of found) {
    const w = new PlaybookError(`${e.message} (in ${what}: fails the hosts that reach it)`, { loc: e.loc, hint: e.hint });
    c.warnings.push(w);
  }
  return found;
}

/** What the tasks of an include inherit: its keywords but not its `when` (the include itself checks it), then `apply:`. */
export function includedInherited(inh: Inherited, apply: Raw | undefined): Inherited {
  const base = { ...inh, when: [] };
  return apply ? withVars(inherit(base, apply), apply.vars) : base;
}

/**
 * A task file named by an import or include, like Ansible (playbook/helpers.py): beside the current
 * file, else in the current role's tasks/ (then the role's directory), else in the play's directory.
 */
export function resolveTaskFile(target: string, w: Pick<Where, 'dir' | 'inh'> & { play?: Pick<Where['play'], 'topDir'> }): string {
  if (isAbsolute(target)) return target;
  const candidates = [join(w.dir, target)];
  if (w.inh.role) candidates.push(join(w.inh.role.dir, 'tasks', target), join(w.inh.role.dir, target));
  if (w.play) candidates.push(join(w.play.topDir, target));
  return candidates.find((p) => existsSync(p)) ?? candidates[0]!;
}

/** Compiles a task file in the given context (imports and, at run time, includes); a file that includes itself is refused. */
export function compileTaskFile(c: CompileSession, file: string, w: Where, loc?: SourceLocation): TaskNode[] {
  if (w.stack.includes(file)) {
    c.errors.push(new PlaybookError(`task file includes itself: ${[...w.stack, file].join(' -> ')}`, { loc }));
    return [];
  }
  const doc = c.load(file, loc);
  if (doc === undefined || doc === null) return [];
  const { errors: errs, warnings } = splitIgnored(validateTasks(doc, file, c.opts.known, { handlers: w.handlers }));
  c.warnings.push(...warnings);
  if (errs.length) {
    c.errors.push(...errs);
    return [];
  }
  return c.taskList(doc, { ...w, file, dir: dirname(file), stack: [...w.stack, file] });
}
