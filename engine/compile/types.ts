// What the compiler hands the executor: plays with their task trees, every node carrying the
// keywords it inherits (tags, when, become, environment, vars…) so the executor never walks back up.
import type { SourceLocation } from '../load/source.js';

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
  become?: boolean;
  becomeUser?: string;
  becomeMethod?: string;
  /** outer first; rendered and merged at run time */
  environment: unknown[];
  /** block / import / include vars layers, outer first (role vars live on the role) */
  vars: Vars[];
  ignoreErrors?: unknown;
  ignoreUnreachable?: boolean;
  noLog?: unknown;
  checkMode?: boolean;
  diff?: boolean;
  delegateTo?: unknown;
  runOnce?: boolean;
  anyErrorsFatal?: boolean;
  role?: RoleInstance;
}

export interface RoleInstance {
  name: string;
  dir: string;
  defaults: Vars;
  vars: Vars;
  params: Vars;
  /** handlers defined by the role (compiled with the role's context) */
  handlers: TaskNode[];
}

export interface TaskKeywords {
  loop?: unknown;
  /** with_items: flattened one level, like Ansible */
  withItems?: unknown;
  loopControl?: { label?: unknown; loop_var?: string; index_var?: string; pause?: number; extended?: boolean };
  register?: string;
  notify?: string[];
  notifyLoc?: SourceLocation;
  changedWhen?: Condition[];
  failedWhen?: Condition[];
  until?: Condition[];
  retries?: number;
  delay?: number;
  timeout?: number;
  throttle?: number;
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
  roleOpts?: { tasksFrom?: string; varsFrom?: string; defaultsFrom?: string; handlersFrom?: string };
  kw: TaskKeywords;
  /** the directory relative paths resolve against */
  baseDir: string;
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
  strategy: 'linear' | 'free';
  serial?: (number | string)[];
  anyErrorsFatal: boolean;
  maxFailPercentage?: number;
  forceHandlers: boolean;
  /** true: gather before the first task; undefined: on a host's first read of a fact; false: never */
  gatherFacts?: boolean;
  /** setup's arguments for that gathering (gather_subset, gather_timeout) */
  gatherArgs: Record<string, unknown>;
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
