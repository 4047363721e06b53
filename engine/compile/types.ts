// What the compiler hands the executor: plays with their task trees, every node carrying the
// keywords it inherits (tags, when, become, environment, vars…) so the executor never walks back up.
import type { SourceLocation } from '../load/source.js';
import type { Kw } from './kw-value.js';

export type Vars = Record<string, unknown>;

/** A `when`-like condition with where it came from (for error messages). */
export interface Condition {
  expr: unknown;
  loc?: SourceLocation;
}

/** Keywords that flow from plays, roles, blocks and imports into every task inside them. */
export interface Inherited {
  tags: string[];
  when: Condition[];
  become?: Kw<boolean>;
  becomeUser?: Kw<string>;
  becomeMethod?: string;
  /** remote_user: the user to connect as (ansible_user) */
  remoteUser?: Kw<string>;
  /** outer first; rendered and merged at run time */
  environment: unknown[];
  /** block / import / include vars layers, outer first (role vars live on the role) */
  vars: Vars[];
  ignoreErrors?: Kw<boolean>;
  ignoreUnreachable?: Kw<boolean>;
  noLog?: Kw<boolean>;
  checkMode?: Kw<boolean>;
  diff?: Kw<boolean>;
  delegateTo?: Kw<unknown>;
  delegateFacts?: Kw<boolean>;
  /** at most this many hosts at once (play, block or task) */
  throttle?: Kw<number>;
  runOnce?: Kw<boolean>;
  anyErrorsFatal?: Kw<boolean>;
  /** module_defaults from the play, blocks, includes and the task: module name → default arguments, inner last */
  moduleDefaults?: Record<string, Record<string, unknown>>;
  /** handlers notified by every task inside (notify on a block, import or include), with where it was written */
  notify?: string[];
  notifyLoc?: SourceLocation;
  role?: RoleInstance;
}

export interface RoleInstance {
  name: string;
  /** pulled in only as another role's meta dependency (ansible_dependent_role_names) */
  dependency?: boolean;
  dir: string;
  defaults: Vars;
  vars: Vars;
  params: Vars;
  /**
   * Ansible's `public`: the role's defaults and vars are visible to the whole play (vars/manager.py
   * get_vars, v2.17.5: play.roles with role.public). True for roles:, import_role and their
   * dependencies; for include_role only with `public: true`.
   */
  public?: boolean;
  /** the roles that included or depend on this one, nearest first: their files/ and templates/ are searched after its own */
  parentDirs?: string[];
  /** handlers defined by the role (compiled with the role's context) */
  handlers: TaskNode[];
}

export interface TaskKeywords {
  loop?: unknown;
  /** with_items: flattened one level, like Ansible */
  withItems?: unknown;
  /** any other with_<lookup>: the lookup's name and its terms (rendered per host, then looked up) */
  withLookup?: { name: string; terms: unknown };
  loopControl?: { label?: unknown; loop_var?: string; index_var?: string; pause?: number; extended?: boolean; extended_allitems?: boolean };
  register?: string;
  notify?: string[];
  notifyLoc?: SourceLocation;
  changedWhen?: Condition[];
  failedWhen?: Condition[];
  until?: Condition[];
  /** numbers, or templates the executor renders per host */
  retries?: Kw<number>;
  delay?: Kw<number>;
  timeout?: Kw<number>;
  throttle?: Kw<number>;
  /** async: run in the background on the host for at most this many seconds; poll: check interval (0 = fire and forget) */
  async?: Kw<number>;
  poll?: Kw<number>;
}

interface NodeBase {
  /** unique within the run: file:line:col (or a counter when unknown) */
  id: string;
  name: string;
  loc?: SourceLocation;
  /** effective inherited keywords, own keywords merged in */
  eff: Inherited;
  /** the task's own vars (task-vars precedence) */
  vars: Vars;
}

export interface ModuleTask extends NodeBase {
  kind: 'task';
  module: string;
  args: unknown;
  kw: TaskKeywords;
  /** handlers only */
  listen?: string[];
  handler?: boolean;
}

export interface BlockNode extends NodeBase {
  kind: 'block';
  block: TaskNode[];
  rescue: TaskNode[];
  always: TaskNode[];
}

/** include_tasks / include_role: resolved per host at run time */
export interface IncludeNode extends NodeBase {
  kind: 'include';
  what: 'tasks' | 'role';
  /** file (tasks) or role name (role), possibly templated */
  target: unknown;
  /** include_role options */
  roleOpts?: { tasksFrom?: string; varsFrom?: string; defaultsFrom?: string; handlersFrom?: string; public?: unknown };
  kw: TaskKeywords;
  /** the directory relative paths resolve against */
  baseDir: string;
  /** the play's directory (roles/ in it, the last place task files are looked for) */
  playDir?: string;
  /** include_tasks/include_role `apply:` keywords, applied to every task included */
  apply?: Record<string, unknown>;
  /** compiled ahead when the target is static, so it is validated before anything runs */
  precompiled?: { nodes: TaskNode[]; role?: RoleInstance };
}

export type TaskNode = ModuleTask | BlockNode | IncludeNode;

export interface PlaySections {
  pre_tasks: TaskNode[];
  /** roles (from `roles:`) then tasks, as Ansible runs them */
  tasks: TaskNode[];
  post_tasks: TaskNode[];
  handlers: TaskNode[];
}

export interface CompiledPlay {
  index: number;
  name: string;
  hosts: string[];
  loc?: SourceLocation;
  file: string;
  dir: string;
  vars: Vars;
  /** vars_files entries; static ones already loaded (data), templated ones resolved at run time */
  varsFiles: { path: unknown; data?: Vars; loc?: SourceLocation }[];
  sections: PlaySections;
  roles: RoleInstance[];
  /** a template is rendered when the play starts (play vars and extra vars) */
  strategy: Kw<'linear' | 'free'>;
  /** the order hosts run in (Ansible's `order`) */
  order?: 'inventory' | 'reverse_inventory' | 'sorted' | 'reverse_sorted' | 'shuffle';
  serial?: (number | string)[];
  anyErrorsFatal: boolean;
  /** a template is rendered when the play starts */
  maxFailPercentage?: Kw<number>;
  /** a template is rendered when the play starts */
  forceHandlers: Kw<boolean>;
  /** true: gather before the first task; undefined: on a host's first read of a fact; false: never */
  gatherFacts?: boolean;
  /** setup's arguments for that gathering (gather_subset, gather_timeout) */
  gatherArgs: Record<string, unknown>;
  /** the play's own `environment:` (its tasks inherit it; the gathering task gets it too) */
  environment?: unknown;
  tags: string[];
  /** names of variables whose values are secret */
  secrets: string[];
  connection?: string;
}

export interface CompiledPlaybook {
  file: string;
  dir: string;
  plays: CompiledPlay[];
}
