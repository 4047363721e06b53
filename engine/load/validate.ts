// Validation of loaded documents: pure functions that return every problem found (never throw for
// a user's mistake), each with the file:line:col of the offending key or value.
//
// The JSON Schemas (engine/schema) check the shape of plays, blocks, includes, inventories and vars
// files. What a schema cannot know is done here: which key of a task is its module (the registry
// is dynamic), typos among keywords and module names, and module arguments against the module's
// own schema (module-args.ts). Ansible's other spellings (`action:`, `local_action:`, `include:`, FQCN
// include keywords, `vars:` as a list) are first rewritten in place into gx's (ansible-forms.ts), so
// the validator and the compiler read one form.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { GxError, InternalError, PlaybookError } from '../errors.js';
import * as validators from '../schema/validators.generated.js';
import {
  ALL_TASK_KEYS,
  BLOCK_SECTIONS,
  EXPECT,
  HANDLER_KEYWORDS,
  PLAY_KEYWORDS,
  ROLE_KEYWORDS,
  TASK_ACTIONS,
  TASK_KEYWORDS,
} from '../schema/keywords.js';
import type { KnownModules } from './known-modules.js';
import { normalizePlaybookItem, normalizeTask } from './ansible-forms.js';
import { checkModuleArgs, looseBoolean } from './module-args.js';
import {
  enumHint,
  expectation,
  groupByPath,
  isObj,
  outermost,
  pointerLabel,
  pointerParts,
  show,
  valueAtPointer,
  walk,
  yesNoHint,
  type Obj,
} from './schema-errors.js';
import { carryLocation, locate, type SourceLocation } from './source.js';
import { didYouMean, suggest } from './suggest.js';
import { ansibleBuiltin } from './ansible-builtins.js';

/**
 * Problems that wait for a host to reach the task: argument problems of tasks with `ignore_errors:
 * true` (failures, ignored, when it runs) and Ansible built-ins gx lacks. Warnings before the run.
 */
const ignoredArgErrors = new WeakSet<GxError>();

/** Splits a validator's findings into what stops the run and what is only said (see ignoredArgErrors). */
export function splitIgnored(errs: GxError[]): { errors: GxError[]; warnings: GxError[] } {
  return { errors: errs.filter((e) => !ignoredArgErrors.has(e)), warnings: errs.filter((e) => ignoredArgErrors.has(e)) };
}

// ---------------------------------------------------------------- ajv, compiled at build time

// Ajv standalone code, one function per definition of the shallow schema (engine/schema/
// build-validators.ts; a test proves it equals what Ajv compiles from the schema today): no Ajv
// compile at start-up (issue 16)
const shapes = validators as unknown as Record<string, ValidateFunction | undefined>;

function shape(def: string): ValidateFunction {
  const fn = Object.hasOwn(shapes, def) ? shapes[def] : undefined;
  if (!fn) throw new InternalError(`no schema definition '${def}'`);
  return fn;
}

// ---------------------------------------------------------------- entry points

export function validatePlaybook(doc: unknown, file: string, known: KnownModules): GxError[] {
  const v = new Validator(file, known);
  if (doc === null || doc === undefined || (Array.isArray(doc) && doc.length === 0)) {
    v.add(new PlaybookError('the playbook is empty: expected a list of plays', { loc: locate(doc) ?? startOf(file) }));
  } else if (!Array.isArray(doc)) {
    v.add(
      new PlaybookError('a playbook is a list of plays', {
        loc: locate(doc) ?? startOf(file),
        hint: isObj(doc) && 'hosts' in doc ? "start the play with '- ' (a list item)" : undefined,
      }),
    );
  } else {
    doc.forEach((item, i) => v.playbookItem(doc, i, item));
  }
  return v.errors;
}

export function validateTasks(list: unknown, file: string, known: KnownModules, opts: { handlers?: boolean } = {}): GxError[] {
  const v = new Validator(file, known);
  if (list === null || list === undefined) return v.errors;
  v.taskList(list, { handlers: opts.handlers ?? false, what: opts.handlers ? 'a handler file' : 'a task file' }, undefined);
  return v.errors;
}

export function validateInventoryDoc(doc: unknown, file: string): GxError[] {
  const v = new Validator(file);
  if (doc === null || doc === undefined) return v.errors;
  v.shape('inventory', doc, { what: 'inventory', scalarMessage: 'an inventory is a mapping of groups, e.g. all: {hosts: {web1: {}}}' });
  return v.errors;
}

export function validateRoleMeta(doc: unknown, file: string): GxError[] {
  const v = new Validator(file);
  if (!v.shape('role_meta', doc, { what: 'role meta keyword', scalarMessage: 'role meta is a mapping (dependencies, galaxy_info)' })) return v.errors;
  const deps = isObj(doc) ? doc.dependencies : undefined;
  if (Array.isArray(deps)) deps.forEach((d, i) => v.roleEntry(deps, i, d));
  return v.errors;
}

export function validateVarsFile(doc: unknown, file: string): GxError[] {
  const v = new Validator(file);
  v.shape('vars_file', doc, { what: 'variable', scalarMessage: 'a vars file is a mapping of variable names to values' });
  return v.errors;
}

function startOf(file: string): SourceLocation {
  return { file, line: 1, col: 1 };
}

// ---------------------------------------------------------------- the walk

interface ListCtx {
  handlers: boolean;
  /** what the list is, for messages: 'tasks', 'a block', ... */
  what: string;
}

class Validator {
  private readonly found: GxError[] = [];

  /** every problem, in file order */
  get errors(): GxError[] {
    return [...this.found].sort((a, b) => (a.loc?.line ?? 0) - (b.loc?.line ?? 0) || (a.loc?.col ?? 0) - (b.loc?.col ?? 0));
  }

  constructor(
    private readonly file: string,
    private readonly known?: KnownModules,
  ) {}

  add(e: GxError): void {
    this.found.push(e);
  }

  private loc(obj: unknown, key?: string | number, which: 'key' | 'value' = 'key'): SourceLocation {
    return locate(obj, key, which) ?? startOf(this.file);
  }

  playbookItem(list: unknown[], i: number, item: unknown): void {
    if (!isObj(item)) {
      this.add(new PlaybookError(`each item of a playbook must be a play (a mapping), got ${show(item)}`, { loc: this.loc(list, i) }));
      return;
    }
    normalizePlaybookItem(item);
    if ('import_playbook' in item) {
      this.shape('import_playbook', item, { what: 'import_playbook keyword' });
      return;
    }
    const looksLikeTask = Object.keys(item).some((k) => this.isAction(k));
    if (!('hosts' in item) && looksLikeTask) {
      this.add(
        new PlaybookError("this looks like a task, but a playbook is a list of plays", {
          loc: this.loc(list, i),
          hint: "wrap the tasks in a play: '- hosts: all', then the tasks under 'tasks:'",
        }),
      );
      return;
    }
    this.shape('play', item, { what: 'play keyword', requiredMessage: { hosts: "play has no 'hosts': which hosts should it run on?" } });
    for (const section of ['pre_tasks', 'tasks', 'post_tasks', 'handlers'] as const) {
      const tasks = item[section];
      if (Array.isArray(tasks)) this.taskList(tasks, { handlers: section === 'handlers', what: section }, item);
    }
    const roles = item.roles;
    if (Array.isArray(roles)) roles.forEach((r, j) => this.roleEntry(roles, j, r));
  }

  taskList(list: unknown, ctx: ListCtx, parent: Obj | undefined): void {
    if (!Array.isArray(list)) {
      this.add(
        new PlaybookError(`${ctx.what} must be a list of tasks, got ${show(list)}`, {
          loc: parent ? this.loc(parent, undefined) : this.loc(list),
          hint: isObj(list) ? "start each task with '- '" : undefined,
        }),
      );
      return;
    }
    list.forEach((task, i) => this.task(list, i, task, ctx));
  }

  private isAction(key: string): boolean {
    return key in TASK_ACTIONS || (this.known?.names.has(key) ?? false);
  }

  task(list: unknown[], i: number, task: unknown, ctx: ListCtx): void {
    if (!isObj(task)) {
      this.add(
        new PlaybookError(`a task must be a mapping of keywords and one module, got ${show(task)}`, {
          loc: this.loc(list, i),
          hint: typeof task === 'string' ? `a module call looks like '- command: ${task}'` : undefined,
        }),
      );
      return;
    }
    normalizeTask(task, (name) => this.known?.names.has(name) ?? false);
    const keys = Object.keys(task);
    const keywords = ctx.handlers ? { ...TASK_KEYWORDS, ...HANDLER_KEYWORDS } : TASK_KEYWORDS;
    const actions = keys.filter((k) => this.isAction(k));
    const unknown = keys.filter((k) => !this.isAction(k) && !(k in keywords) && !(k in BLOCK_SECTIONS));

    if (actions.length > 1) {
      const [first, second] = actions as [string, string];
      this.add(
        new PlaybookError(`a task has one action, this one has '${first}' and '${second}'`, {
          loc: this.loc(task, second),
          hint: 'split it into two tasks',
        }),
      );
      return;
    }
    const action = actions[0];
    if (action === undefined) {
      const builtin = unknown.length === 1 ? ansibleBuiltin(unknown[0]!) : undefined;
      if (builtin !== undefined) {
        // an Ansible built-in gx lacks, on a path these hosts may never take: said now, fails if reached
        const e = new PlaybookError(`module '${unknown[0]}' is an Ansible built-in that gx does not have: this task fails on a host that reaches it`, {
          loc: this.loc(task, unknown[0]!),
          hint: 'write it with the modules gx has (gx doc --list), or command/shell',
        });
        ignoredArgErrors.add(e);
        this.add(e);
      } else if (unknown.length > 0) {
        for (const k of unknown) this.unknownTaskKey(task, k, ctx);
      } else if ('rescue' in task || 'always' in task) {
        const k = 'rescue' in task ? 'rescue' : 'always';
        this.add(new PlaybookError(`'${k}' belongs to a block, but this task has no 'block'`, { loc: this.loc(task, k) }));
      } else {
        this.add(
          new PlaybookError("task has no action: expected a module such as 'command', or block/include_tasks", {
            loc: this.loc(list, i),
          }),
        );
      }
      return;
    }

    if (action === 'block') this.block(task, ctx);
    else if (action in TASK_ACTIONS) this.include(task, action, ctx);
    else {
      for (const k of unknown) this.unknownTaskKey(task, k, ctx);
      for (const k of ['rescue', 'always'])
        if (k in task) this.add(new PlaybookError(`'${k}' belongs to a block, not to a '${action}' task`, { loc: this.loc(task, k) }));
      this.shape(ctx.handlers ? 'module_handler' : 'module_task', task, { what: 'task keyword' });
      const argErrors = checkModuleArgs(task, action, this.known!, (o, k, w) => this.loc(o, k, w));
      // `ignore_errors: true`: Ansible fails the task at run time and goes on; gx warns now and does the same
      if (looseBoolean(task.ignore_errors) === true) for (const e of argErrors) ignoredArgErrors.add(e);
      for (const e of argErrors) this.add(e);
    }
  }

  private unknownTaskKey(task: Obj, key: string, ctx: ListCtx): void {
    if (key in HANDLER_KEYWORDS && !ctx.handlers) {
      this.add(new PlaybookError(`'${key}' is only for handlers`, { loc: this.loc(task, key) }));
      return;
    }
    const candidates = [...ALL_TASK_KEYS, ...(this.known?.names ?? [])];
    const hint = ansibleHint(key) ?? customModuleHint(this.file, key) ?? didYouMean(key, candidates) ?? loopHint(key);
    this.add(new PlaybookError(`unknown keyword or module '${key}'`, { loc: this.loc(task, key), hint }));
  }

  private block(task: Obj, ctx: ListCtx): void {
    this.shape('block', task, {
      what: 'block keyword',
      notHere: 'a block',
      notHereHint: (key) =>
        ['loop', 'loop_control'].includes(key) || key.startsWith('with_')
          ? 'a block cannot loop: loop over an include_tasks instead'
          : `put '${key}' on the tasks inside the block`,
    });
    for (const section of Object.keys(BLOCK_SECTIONS)) {
      const tasks = task[section];
      if (Array.isArray(tasks)) this.taskList(tasks, { handlers: ctx.handlers, what: `'${section}'` }, task);
    }
  }

  private include(task: Obj, action: string, ctx: ListCtx): void {
    const dynamic = action.startsWith('include_');
    const why = dynamic ? undefined : `${action} is static (inlined at load time)`;
    // an include under handlers: may listen to topics, like the handler it stands for
    let shaped = task;
    if (ctx.handlers && 'listen' in task) {
      const { listen: _listen, ...rest } = task;
      shaped = carryLocation(task, rest);
    }
    this.shape(action, shaped, {
      what: `${action} keyword`,
      notHere: `${action}`,
      notHereHint: (key) => (why && (['loop', 'loop_control'].includes(key) || key.startsWith('with_')) ? `${why}; use include_${action.slice(7)} to loop` : undefined),
    });
  }

  roleEntry(list: unknown[], i: number, entry: unknown): void {
    if (typeof entry === 'string') return;
    if (!isObj(entry)) {
      this.add(new PlaybookError(`a role is a name or a mapping with 'role:', got ${show(entry)}`, { loc: this.loc(list, i) }));
      return;
    }
    this.shape('role_entry', entry, { what: 'role keyword' });
    if (!('role' in entry) && !('name' in entry)) {
      this.add(new PlaybookError("role entry has no 'role': which role should run?", { loc: this.loc(list, i) }));
    }
    // other keys are role parameters, as in Ansible; one that is a near miss of a keyword is a typo
    for (const key of Object.keys(entry)) {
      if (key in ROLE_KEYWORDS) continue;
      const near = suggest(key, Object.keys(ROLE_KEYWORDS));
      if (near && near !== key) {
        this.add(
          new PlaybookError(`unknown role keyword '${key}'`, {
            loc: this.loc(entry, key),
            hint: `did you mean '${near}'? (role parameters go under 'vars:')`,
          }),
        );
      }
    }
  }

  // ------------------------------------------------------------ schema shapes

  /**
   * Validates `obj` against one definition and turns ajv's errors into one problem per place.
   * Returns false when the value is not even the right kind (so callers skip deeper checks).
   */
  shape(
    def: string,
    obj: unknown,
    opts: {
      what: string;
      notHere?: string;
      notHereHint?: (key: string) => string | undefined;
      requiredMessage?: Record<string, string>;
      scalarMessage?: string;
    },
  ): boolean {
    const validate = shape(def);
    if (validate(obj)) return true;
    const errors = validate.errors ?? [];
    if (opts.scalarMessage && errors.some((e) => e.instancePath === '' && e.keyword === 'type')) {
      this.add(new PlaybookError(`${opts.scalarMessage}, got ${show(obj)}`, { loc: this.loc(obj) }));
      return false;
    }
    for (const group of groupByPath(errors)) this.shapeError(obj, group, opts);
    return true;
  }

  private shapeError(
    root: unknown,
    group: ErrorObject[],
    opts: { what: string; notHere?: string; notHereHint?: (key: string) => string | undefined; requiredMessage?: Record<string, string> },
  ): void {
    const pointer = group[0]!.instancePath;
    const here = valueAtPointer(root, pointer);
    const valueErrors: ErrorObject[] = [];
    for (const e of group) {
      if (e.keyword === 'additionalProperties') this.extraKey(e, here, pointer, opts);
      else if (e.keyword === 'required') {
        const missing = String(e.params.missingProperty);
        const msg = (pointer === '' && opts.requiredMessage?.[missing]) || `'${missing}' is required${pointer ? ` in '${pointerLabel(pointer)}'` : ''}`;
        this.add(new PlaybookError(msg, { loc: this.loc(here) }));
      } else if (e.keyword === 'propertyNames') {
        const name = String(e.params.propertyName);
        this.add(
          new PlaybookError(`'${name}' is not a valid variable name`, {
            loc: this.loc(here, name),
            hint: 'variable names are letters, digits and underscores, not starting with a digit',
          }),
        );
      } else if (e.propertyName === undefined) valueErrors.push(e);
    }
    if (valueErrors.length === 0) return;
    // type / enum / pattern / range: one message per place, worded from the outermost schema
    const outer = outermost(valueErrors);
    const parts = pointerParts(pointer);
    const parent = parts.length > 0 ? walk(root, parts.slice(0, -1)) : undefined;
    const last = parts[parts.length - 1];
    const loc = last === undefined ? this.loc(root) : this.loc(parent, Array.isArray(parent) ? Number(last) : last, 'value');
    const subject = pointer === '' ? `this ${opts.what.replace(/ keyword$/, '')}` : `'${pointerLabel(pointer)}'`;
    const expected = (parts.length === 1 && EXPECT[parts[0]!]) || expectation(outer);
    this.add(new PlaybookError(`${subject} ${expected}, got ${show(here)}`, { loc, hint: bareVariableHint(parts, here) ?? yesNoHint(outer, here) ?? enumHint(outer, here) }));
  }

  private extraKey(
    e: ErrorObject,
    owner: unknown,
    pointer: string,
    opts: { what: string; notHere?: string; notHereHint?: (key: string) => string | undefined },
  ): void {
    const extra = String(e.params.additionalProperty);
    const allowed = Object.keys((e.parentSchema as { properties?: object }).properties ?? {});
    const loc = this.loc(owner, extra);
    if (pointer === '' && opts.notHere && (extra in TASK_KEYWORDS || extra in PLAY_KEYWORDS)) {
      this.add(
        new PlaybookError(`'${extra}' cannot be used on ${opts.notHere}`, {
          loc,
          hint: ansibleHint(extra) ?? opts.notHereHint?.(extra) ?? `keywords of ${opts.notHere}: ${allowed.filter((a) => !a.startsWith('with_') || a === 'with_items').map((a) => (a === 'with_items' ? 'with_*' : a)).join(', ')}`,
        }),
      );
      return;
    }
    const label = pointer === '' ? `${opts.what} '${extra}'` : `key '${extra}' in '${pointerLabel(pointer)}'`;
    const hint =
      ansibleHint(extra) ??
      didYouMean(extra, allowed) ??
      loopHint(extra) ??
      (allowed.length > 0 && allowed.length <= 8 ? `expected one of: ${allowed.join(', ')}` : undefined);
    this.add(new PlaybookError(`unknown ${label}`, { loc, hint }));
  }
}

// ---------------------------------------------------------------- helpers

/** Ansible keywords gx deliberately does not have: say what to write instead of guessing a typo. */
function ansibleHint(key: string): string | undefined {
  if (key === 'async' || key === 'poll') return `${key} goes on a task (one running command or shell), not here`;
  if (key === 'connection') return "on a task gx takes only 'connection: local' (run it on this machine); set other connections per play or per host (ansible_connection in the inventory)";
  if (key === 'port') return 'set ansible_port for the host in the inventory (or in vars)';
  if (key === 'become_flags' || key === 'become_exe') return `gx runs sudo itself and takes no ${key}: remove it`;
  if (key === 'user') return "'user' is the old name of remote_user: write remote_user";
  if (key === 'timeout') return 'put timeout on the tasks inside';
  if (key === 'sudo' || key === 'sudo_user') return `'${key}' is Ansible 1's: write ${key === 'sudo' ? 'become: true' : 'become_user'}`;
  if (key === 'first_available_file') return "first_available_file is gone from Ansible too: write with_first_found: [a, b] and use '{{ item }}'";
  if (key === 'action' || key === 'local_action') return `one module per task, written literally (e.g. '${key}: copy src=a dest=b' and no other module key): module names are not templated, in Ansible either`;
  if (key === 'apply') return 'apply goes under the include: include_tasks: {file: x.yaml, apply: {tags: [t]}}';
  return undefined;
}

/** `with_items: groups.web`: Ansible 1 templated a bare variable name there; Ansible 2 and gx need the braces. */
function bareVariableHint(parts: string[], value: unknown): string | undefined {
  const key = parts.length === 1 ? parts[0]! : undefined;
  if (!key || !(key === 'loop' || key.startsWith('with_')) || typeof value !== 'string') return undefined;
  if (!/^[A-Za-z_][\w.[\]'"-]*$/.test(value.trim())) return undefined;
  return `a bare variable is not templated (Ansible 2 does not either): write ${key}: "{{ ${value.trim()} }}"`;
}

/** A module the playbook or role ships in library/ (Python, run by Ansible's module machinery): say so. */
function customModuleHint(file: string, key: string): string | undefined {
  const dir = dirname(file);
  for (const lib of [join(dir, 'library'), join(dirname(dir), 'library')]) {
    for (const ext of ['.py', '.sh', '.ps1', '']) {
      const p = join(lib, key + ext);
      if (existsSync(p)) return `'${key}' is a custom module (${p}): gx runs only its own modules; write it as one (modules/${key}.ts) or call the script with the script or command module`;
    }
  }
  return undefined;
}

/** with_<a lookup gx lacks>: after did-you-mean, so that a misspelt with_items is still called that. */
function loopHint(key: string): string | undefined {
  return key.startsWith('with_') ? `gx has no '${key.slice(5)}' lookup to loop with; loop over a list instead: loop: "{{ ... }}"` : undefined;
}

