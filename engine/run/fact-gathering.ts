// Facts (ansible_*) come from the setup module. `gather_facts: true` gathers them on every host of
// the batch before the play's first task, as Ansible does; `gather_facts: false` never does; when a
// play does not say, gx gathers on a host just before the first task (or include) that reads a fact
// there: a template or condition naming `ansible_facts`, or an `ansible_*` name the host does not
// have, directly or through the variables it refers to. Either way the user sees a
// "Gathering Facts" task, with its failures and unreachable hosts counted like any task's.
import { readFile } from 'node:fs/promises';
import type { CompiledPlay, ModuleTask, TaskNode, Vars } from '../compile/types.js';
import { findFile, type SearchPath } from '../load/find-file.js';
import { hasTemplate } from '../vars/template.js';
import type { HostState } from './host-state.js';
import { rawVars } from './lazy-scope.js';

const gathered = new WeakSet<HostState>();

export function markGathered(state: HostState): void {
  gathered.add(state);
}

export function hasGathered(state: HostState): boolean {
  return gathered.has(state);
}

/** The task that gathers facts for a play (Ansible's implicit "Gathering Facts"). */
export function gatherTask(play: CompiledPlay): ModuleTask {
  return {
    kind: 'task',
    id: `${play.file}#${play.index}:gather_facts`,
    name: 'Gathering Facts',
    loc: play.loc,
    // Ansible tags it `always`: --tags never leaves it out
    // the play's environment applies to it, as to Ansible's gather task (its ansible_env is then
    // what the play's commands see)
    eff: { tags: ['always'], when: [], environment: play.environment === undefined ? [] : [play.environment], vars: [] },
    vars: {},
    module: 'setup',
    args: play.gatherArgs,
    kw: {},
  };
}

export function isGatherTask(node: TaskNode): boolean {
  return node.kind === 'task' && node.id.endsWith(':gather_facts') && node.module === 'setup';
}

// ansible_* names that are not facts: connection settings and what the engine itself sets at run time
const NOT_FACTS =
  /^ansible_(host|port|user|password|connection|ssh_.*|become.*|python_interpreter|shell_.*|private_key_file|timeout|pipelining|loop|loop_var|index_var|failed_task|failed_result|parent_role_.*|role_.*|play_.*|run_tags|skip_tags|version|limit|forks|verbosity|check_mode|diff_mode|config_file|playbook_python|inventory_sources|search_path|collection_name|dependent_role_names|module_compression)$/;

const IDENT = /[A-Za-z_][A-Za-z0-9_]*/g;
const TEMPLATE_PARTS = /\{\{([\s\S]*?)\}\}|\{%([\s\S]*?)%\}/g;

function namesIn(text: string, whole: boolean, out: Set<string>): void {
  if (whole) {
    for (const m of text.matchAll(IDENT)) out.add(m[0]);
    return;
  }
  for (const part of text.matchAll(TEMPLATE_PARTS)) for (const m of (part[1] ?? part[2] ?? '').matchAll(IDENT)) out.add(m[0]);
}

function walkStrings(v: unknown, visit: (s: string) => void, depth = 0): void {
  if (depth > 20) return;
  if (typeof v === 'string') visit(v);
  else if (Array.isArray(v)) for (const x of v) walkStrings(x, visit, depth + 1);
  else if (v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) for (const x of Object.values(v)) walkStrings(x, visit, depth + 1);
}

const ownNames = new WeakMap<TaskNode, Set<string>>();

/** The names a node's templates and conditions mention (its own, not those of the variables it reads). */
function nodeNames(node: TaskNode): Set<string> {
  let names = ownNames.get(node);
  if (names) return names;
  names = new Set<string>();
  const add = (v: unknown, whole: boolean) => walkStrings(v, (s) => namesIn(s, whole, names!));
  for (const c of node.eff.when) add(c.expr, true);
  add(node.eff.delegateTo, false);
  add(node.eff.environment, false);
  if (node.kind === 'task' || node.kind === 'include') {
    const kw = node.kw;
    add(kw.loop, false);
    add(kw.withItems, false);
    add(kw.loopControl?.label, false);
    for (const list of [kw.changedWhen, kw.failedWhen, kw.until]) for (const c of list ?? []) add(c.expr, true);
  }
  if (node.kind === 'task') add(node.args, false);
  if (node.kind === 'include') add(node.target, false);
  ownNames.set(node, names);
  return names;
}

const TEMPLATE_MODULES = new Set(['template', 'ansible.builtin.template', 'ansible.legacy.template']);
const fileNames = new WeakMap<TaskNode, Set<string>>();

/**
 * A template task reads what its template file mentions too: the file is found as the template
 * module finds it and read once (a templated or missing src: nothing, the task reports it).
 */
export async function templateFileNames(node: TaskNode, where: SearchPath): Promise<Set<string>> {
  if (node.kind !== 'task' || !TEMPLATE_MODULES.has(node.module)) return new Set();
  let names = fileNames.get(node);
  if (names) return names;
  names = new Set<string>();
  const src = node.args && typeof node.args === 'object' ? (node.args as Record<string, unknown>).src : undefined;
  if (typeof src === 'string' && !hasTemplate(src)) {
    try {
      namesIn(await readFile(await findFile(src, 'templates', where), 'utf8'), false, names);
    } catch {
      // not found or unreadable: the task itself says so
    }
  }
  fileNames.set(node, names);
  return names;
}

/** Whether `node` could read any variable at all (no template, no condition: it cannot read a fact). */
export function mentionsVariables(node: TaskNode): boolean {
  return nodeNames(node).size > 0 || (node.kind === 'task' && TEMPLATE_MODULES.has(node.module));
}

/** Does `node` read a fact the host has not gathered, in `scope` (the node's scope on that host)? `more`: names its template file mentions. */
export function readsMissingFacts(node: TaskNode, scope: Vars, more: Iterable<string> = []): boolean {
  const raw = rawVars(scope) ?? {};
  const seen = new Set<string>();
  const pending = [...nodeNames(node), ...more];
  while (pending.length > 0) {
    const name = pending.pop()!;
    if (seen.has(name)) continue;
    seen.add(name);
    if (name === 'ansible_facts') {
      // every host has it, empty until something gathered
      const v = raw.ansible_facts;
      if (v === null || typeof v !== 'object' || Object.keys(v).length === 0) return true;
      continue;
    }
    if (!Object.prototype.hasOwnProperty.call(raw, name)) {
      if (name.startsWith('ansible_') && !NOT_FACTS.test(name)) return true;
      continue;
    }
    // a variable whose value is a template: what it refers to counts too
    walkStrings(raw[name], (s) => {
      if (!hasTemplate(s)) return;
      const inner = new Set<string>();
      namesIn(s, false, inner);
      for (const n of inner) if (!seen.has(n)) pending.push(n);
    });
  }
  return false;
}
