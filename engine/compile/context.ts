// What the compiler's parts share: the options, where a task list is being compiled (file,
// directory, inherited keywords, the play it belongs to, the include stack), and the operations
// each part calls on the others through the Compiler (so plays.ts, tasks.ts and roles.ts do not
// import each other: tasks import roles, roles hold tasks).
import type { GxError } from '../errors.js';
import type { KnownModules } from '../load/known-modules.js';
import type { SourceLocation } from '../load/source.js';
import type { Inherited, RoleInstance, TaskNode } from './types.js';

export interface CompileOptions {
  known: KnownModules;
  /** extra directories searched for roles (after the playbook's own roles/) */
  rolesPath?: string[];
  /** extra directories searched for templates, last (as the template module searches them at run time) */
  templateDirs?: string[];
  /** names given with -e: a vars_prompt entry they name needs no default */
  extraVarNames?: string[];
  /** the -e values: templated import names may use them (with the play's vars) */
  extraVars?: Record<string, unknown>;
}

export type Raw = Record<string, unknown>;

export const isObj = (v: unknown): v is Raw => v !== null && typeof v === 'object' && !Array.isArray(v);

export interface PlayCtx {
  /** handlers of roles used in the play, collected as roles are loaded */
  roleHandlers: TaskNode[];
  /** roles already applied in this play (dedup by name + params) */
  appliedRoles: Set<string>;
  roles: RoleInstance[];
  /** the top playbook's directory and the current file's */
  topDir: string;
  /** the play's variables known at load time (play vars, import_playbook vars, static vars_files) */
  vars?: Record<string, unknown>;
}

export interface Where {
  file: string;
  /** directory relative task-file paths resolve against */
  dir: string;
  inh: Inherited;
  play: PlayCtx;
  /** task files on the include stack, to stop recursion */
  stack: string[];
  handlers?: boolean;
  /** a meta dependency's: the directory its depending role is in (searched for it, as Ansible does) */
  roleBasedir?: string;
}

export interface LoadedRole {
  nodes: TaskNode[];
  role: RoleInstance;
}

/** The compiler as its parts see it: files, problems, ids, and the parts' entry points. */
export interface CompileSession {
  readonly opts: CompileOptions;
  /** every problem found so far (nothing runs while it is not empty) */
  readonly errors: GxError[];
  /** problems in what may never run (a dynamic include's file): shown before the run, fatal only when reached */
  readonly warnings: GxError[];
  /** a YAML file, parsed once; undefined (and a problem recorded) when missing or invalid */
  load(file: string, loc?: SourceLocation): unknown;
  nextId(loc: SourceLocation | undefined): string;
  taskList(list: unknown, w: Where): TaskNode[];
  taskFile(file: string, w: Where, loc?: SourceLocation): TaskNode[];
  loadRole(name: string, spec: Raw, w: Where, loc: SourceLocation | undefined, chain?: string[]): LoadedRole | undefined;
  roleTasks(name: string, spec: Raw, w: Where, loc: SourceLocation | undefined, explicit?: boolean, chain?: string[]): TaskNode[];
}
