// Validation of loaded documents: pure functions that return every problem found (never throw for
// a user's mistake), each with the file:line:col of the offending key or value.
//
// The JSON Schemas (engine/schema) check the shape of plays, blocks, includes, inventories and vars
// files. What a schema cannot know is done here: which key of a task is its module (the registry
// is dynamic), typos among keywords and module names, and module arguments against the module's
// own schema. `action:` / `local_action:` are not supported (gx has no module-string syntax); they
// are reported as unknown keywords.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { GxError, InternalError, ModuleArgsError, PlaybookError } from '../errors.js';
import type { ArgsSchema } from '../module-contract.js';
import { shlexWords } from '../run/module-args.js';
import { validatorSchema } from '../schema/build.js';
import {
  ALL_TASK_KEYS,
  BLOCK_SECTIONS,
  EXPECT,
  HANDLER_KEYWORDS,
  PLAY_KEYWORDS,
  ROLE_KEYWORDS,
  TASK_ACTIONS,
  TASK_KEYWORDS,
  TEMPLATE_PATTERN,
  VAR_NAME_PATTERN,
} from '../schema/keywords.js';
import { locate, type SourceLocation } from './source.js';
import { didYouMean, suggest } from './suggest.js';

export interface KnownModules {
  names: Set<string>;
  schemaOf(name: string): ArgsSchema | undefined;
  freeFormOf(name: string): string | undefined;
}

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const hasTemplate = (v: unknown): boolean => typeof v === 'string' && v.includes('{{');

// ---------------------------------------------------------------- ajv, compiled once

let shapes: Ajv | undefined;
const shapeCache = new Map<string, ValidateFunction>();

function shape(def: string): ValidateFunction {
  let fn = shapeCache.get(def);
  if (fn) return fn;
  if (!shapes) {
    // validateSchema off: our schemas are checked against the meta-schema by the tests, and
    // compiling the meta-schema would cost every run a few hundred milliseconds. optimize off: each
    // validator runs a handful of times per run, so compiling fast beats running fast (~30% less CPU)
    shapes = new Ajv({ allErrors: true, allowUnionTypes: true, verbose: true, strictRequired: false, validateSchema: false, code: { optimize: false } });
    shapes.addSchema(validatorSchema());
  }
  fn = shapes.getSchema(`urn:gx:schema:validate#/definitions/${def}`);
  if (!fn) throw new InternalError(`no schema definition '${def}'`);
  shapeCache.set(def, fn);
  return fn;
}

// module schemas come from module authors: lenient about annotations they may add
// (the module registry's own test checks each schema against the meta-schema)
const argsAjv = new Ajv({ allErrors: true, allowUnionTypes: true, verbose: true, strict: false, coerceTypes: 'array', validateSchema: false, code: { optimize: false } });
const argsCache = new WeakMap<ArgsSchema, ValidateFunction>();

function argsValidator(module: string, schema: ArgsSchema): ValidateFunction {
  let fn = argsCache.get(schema);
  if (!fn) {
    try {
      fn = argsAjv.compile(schema);
    } catch (err) {
      throw new InternalError(`module '${module}' has an invalid argument schema: ${(err as Error).message}`, { cause: err });
    }
    argsCache.set(schema, fn);
  }
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
      if (unknown.length > 0) {
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
    else if (action in TASK_ACTIONS) this.include(task, action);
    else {
      for (const k of unknown) this.unknownTaskKey(task, k, ctx);
      for (const k of ['rescue', 'always'])
        if (k in task) this.add(new PlaybookError(`'${k}' belongs to a block, not to a '${action}' task`, { loc: this.loc(task, k) }));
      this.shape(ctx.handlers ? 'module_handler' : 'module_task', task, { what: 'task keyword' });
      this.moduleArgs(task, action);
    }
  }

  private unknownTaskKey(task: Obj, key: string, ctx: ListCtx): void {
    if (key in HANDLER_KEYWORDS && !ctx.handlers) {
      this.add(new PlaybookError(`'${key}' is only for handlers`, { loc: this.loc(task, key) }));
      return;
    }
    const candidates = [...ALL_TASK_KEYS, ...(this.known?.names ?? [])];
    const hint = ansibleHint(key) ?? didYouMean(key, candidates) ?? loopHint(key);
    this.add(new PlaybookError(`unknown keyword or module '${key}'`, { loc: this.loc(task, key), hint }));
  }

  private block(task: Obj, ctx: ListCtx): void {
    this.shape('block', task, {
      what: 'block keyword',
      notHere: 'a block',
      notHereHint: (key) =>
        ['loop', 'with_items', 'loop_control'].includes(key)
          ? 'a block cannot loop: loop over an include_tasks instead'
          : `put '${key}' on the tasks inside the block`,
    });
    for (const section of Object.keys(BLOCK_SECTIONS)) {
      const tasks = task[section];
      if (Array.isArray(tasks)) this.taskList(tasks, { handlers: ctx.handlers, what: `'${section}'` }, task);
    }
  }

  private include(task: Obj, action: string): void {
    const dynamic = action.startsWith('include_');
    const why = dynamic ? undefined : `${action} is static (inlined at load time)`;
    this.shape(action, task, {
      what: `${action} keyword`,
      notHere: `${action}`,
      notHereHint: (key) => (why && ['loop', 'with_items', 'loop_control'].includes(key) ? `${why}; use include_${action.slice(7)} to loop` : undefined),
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

  // ------------------------------------------------------------ modules

  private moduleArgs(task: Obj, module: string): void {
    const known = this.known!;
    const schema = known.schemaOf(module);
    const freeForm = known.freeFormOf(module);
    const value = task[module];
    const extra = task.args;
    if (hasTemplate(extra)) return;

    /** the merged arguments, and for each key the mapping it came from (for its location) */
    const args: Obj = {};
    const origin = new Map<string, Obj>();
    const taskLoc = this.loc(task, module);
    const valueLoc = this.loc(task, module, 'value');

    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
      const text = String(value);
      if (freeForm) args[freeForm] = text;
      else if (hasTemplate(text) && !text.includes('=')) return;
      else {
        // Ansible's `file: path=/x state=touch` form: accepted when every word is key=value
        let words: { value: string }[];
        try {
          words = shlexWords(text);
        } catch {
          words = [{ value: text }];
        }
        if (words.length === 0 || words.some((w) => w.value.indexOf('=') <= 0)) {
          this.add(
            new ModuleArgsError(`module '${module}' needs its arguments as a mapping, not a string`, {
              loc: valueLoc,
              hint: `e.g. '${module}:' followed by indented 'name: value' lines`,
            }),
          );
          return;
        }
        for (const w of words) args[w.value.slice(0, w.value.indexOf('='))] = w.value.slice(w.value.indexOf('=') + 1);
      }
    } else if (isObj(value)) {
      for (const [k, v] of Object.entries(value)) {
        args[k] = v;
        origin.set(k, value);
      }
    } else if (Array.isArray(value)) {
      this.add(new ModuleArgsError(`module '${module}' needs its arguments as a mapping, not a list`, { loc: valueLoc }));
      return;
    }
    if (isObj(extra)) {
      for (const [k, v] of Object.entries(extra)) {
        if (k in args) continue;
        args[k] = v;
        origin.set(k, extra);
      }
    }
    if (!schema) return;

    for (const k of Object.keys(args)) if (args[k] === null) delete args[k];
    const props = schema.properties ?? {};
    const at = (key: string | undefined, which: 'key' | 'value'): SourceLocation => {
      const from = key === undefined ? undefined : origin.get(key);
      return from ? this.loc(from, key, which) : valueLoc;
    };
    const unknownKeys = new Set<string>();
    /** arguments a typo probably meant: not reported again as missing */
    const meant = new Set<string>();
    if (schema.additionalProperties === false) {
      for (const k of Object.keys(args)) {
        if (k in props) continue;
        unknownKeys.add(k);
        const near = suggest(k, Object.keys(props));
        if (near) meant.add(near);
        this.add(
          new ModuleArgsError(`unknown argument '${k}' for module '${module}'`, {
            loc: at(k, 'key'),
            hint: didYouMean(k, Object.keys(props)) ?? `its arguments are: ${Object.keys(props).sort().join(', ')}`,
          }),
        );
      }
    }

    const copy = looseBooleans(structuredClone(args), props);
    const validate = argsValidator(module, schema);
    if (validate(copy)) return;
    const errors = (validate.errors ?? []).filter(
      (e) => !(e.keyword === 'additionalProperties' && unknownKeys.has(String(e.params.additionalProperty))) && !templatedOnPath(args, e.instancePath),
    );
    for (const e of errors.filter((x) => x.keyword === 'required')) {
      const missing = String(e.params.missingProperty);
      if (e.instancePath === '' && meant.has(missing)) continue;
      const asText = missing === freeForm ? ` (or give it as text: '${module}: ...')` : '';
      const top = pointerParts(e.instancePath)[0];
      this.add(new ModuleArgsError(`module '${module}' needs the argument '${missing}'${asText}`, { loc: top === undefined ? taskLoc : at(top, 'value') }));
    }
    for (const e of errors.filter((x) => x.keyword === 'propertyNames')) {
      const name = String(e.params.propertyName);
      this.add(
        new ModuleArgsError(`'${name}' is not a valid variable name`, {
          loc: at(name, 'key'),
          hint: 'variable names are letters, digits and underscores, not starting with a digit',
        }),
      );
    }
    const rest = errors.filter((x) => x.keyword !== 'required' && x.keyword !== 'propertyNames' && x.propertyName === undefined);
    for (const group of groupByPath(rest)) {
      const outer = outermost(group);
      const top = pointerParts(outer.instancePath)[0];
      const label = pointerLabel(outer.instancePath);
      const value = valueAtPointer(args, outer.instancePath);
      // `meta: flush_handler`: the free-form text is the module's value, not an argument the user named
      const subject = top === freeForm && !origin.has(top) ? `'${module}'` : `argument '${label || '(arguments)'}' of module '${module}'`;
      const message =
        outer.keyword === 'additionalProperties'
          ? `unknown key '${String(outer.params.additionalProperty)}' in argument '${label}' of module '${module}'`
          : `${subject} ${expectation(outer)}, got ${show(value)}`;
      this.add(new ModuleArgsError(message, { loc: top === undefined ? valueLoc : at(top, 'value'), hint: enumHint(outer, value) }));
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
    this.add(new PlaybookError(`${subject} ${expected}, got ${show(here)}`, { loc, hint: yesNoHint(outer, here) ?? enumHint(outer, here) }));
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
          hint: opts.notHereHint?.(extra) ?? `keywords of ${opts.notHere}: ${allowed.join(', ')}`,
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
  if (key === 'action' || key === 'local_action') return `gx does not support '${key}'; write the module as the key, e.g. 'command: ls'`;
  if (key === 'include') return "'include' is gone from Ansible too: use include_tasks (at run time) or import_tasks (at load time)";
  if (key === 'remote_user') return 'gx takes the remote user from the inventory: set ansible_user there';
  if (key === 'async' || key === 'poll') return 'gx does not run tasks in the background (async/poll)';
  if (key === 'vars_prompt') return 'gx never prompts: pass the values with -e';
  return undefined;
}

/** with_dict, with_fileglob...: after did-you-mean, so that a misspelt with_items is still called that. */
function loopHint(key: string): string | undefined {
  return key.startsWith('with_') ? `gx loops with 'loop' (or 'with_items'): e.g. loop: "{{ ... }}"` : undefined;
}

function groupByPath(errors: ErrorObject[]): ErrorObject[][] {
  const groups = new Map<string, ErrorObject[]>();
  for (const e of errors) {
    // anyOf/oneOf branches report at the same place as their wrapper: keep them together
    const g = groups.get(e.instancePath) ?? [];
    g.push(e);
    groups.set(e.instancePath, g);
  }
  return [...groups.values()];
}

function decode(part: string): string {
  return part.replace(/~1/g, '/').replace(/~0/g, '~');
}

function pointerParts(pointer: string): string[] {
  return pointer === '' ? [] : pointer.split('/').slice(1).map(decode);
}

function valueAtPointer(root: unknown, pointer: string): unknown {
  return walk(root, pointerParts(pointer));
}

function walk(root: unknown, parts: string[]): unknown {
  let cur = root;
  for (const part of parts) {
    if (Array.isArray(cur)) cur = cur[Number(part)];
    else if (isObj(cur)) cur = Object.prototype.hasOwnProperty.call(cur, part) ? cur[part] : undefined;
    else return undefined;
  }
  return cur;
}

/** The error whose schema encloses the others at the same place (an anyOf rather than its branches). */
function outermost(errors: ErrorObject[]): ErrorObject {
  return errors.reduce((a, b) => (b.schemaPath.split('/').length < a.schemaPath.split('/').length ? b : a));
}

/** `/loop_control/pause` → `loop_control.pause`; `/tags/1` → `tags[1]` */
function pointerLabel(pointer: string): string {
  let out = '';
  for (const p of pointerParts(pointer)) out += /^\d+$/.test(p) ? `[${p}]` : out ? `.${p}` : p;
  return out;
}

function templatedOnPath(args: unknown, pointer: string): boolean {
  let cur = args;
  for (const part of pointerParts(pointer)) {
    if (hasTemplate(cur)) return true;
    if (Array.isArray(cur)) cur = cur[Number(part)];
    else if (isObj(cur)) cur = cur[part];
    else return false;
  }
  return hasTemplate(cur);
}

const TYPE_WORDS: Record<string, string> = {
  boolean: 'true or false',
  integer: 'a whole number',
  number: 'a number',
  string: 'a string',
  array: 'a list',
  object: 'a mapping',
  null: 'empty',
};

/** "must be true or false", from the schema that failed (a template string is always allowed, silently). */
function expectation(e: ErrorObject): string {
  const schema = (e.parentSchema ?? {}) as Record<string, unknown>;
  if (['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum'].includes(e.keyword)) return e.message ?? 'is out of range';
  if (e.keyword === 'minItems') return 'must not be empty';
  if (e.keyword === 'pattern' && schema.pattern !== TEMPLATE_PATTERN) {
    if (schema.pattern === VAR_NAME_PATTERN) return 'must be a variable name (letters, digits, _)';
    return `must match ${String(schema.pattern)}`;
  }
  const words = describeSchema(schema);
  if (words.length === 0) return `is invalid (${e.message ?? e.keyword})`;
  if (Array.isArray(schema.enum) && words.length > 2) return `must be one of ${words.join(', ')}`;
  return `must be ${words.length === 1 ? words[0] : `${words.slice(0, -1).join(', ')} or ${words[words.length - 1]}`}`;
}

function describeSchema(schema: Record<string, unknown>): string[] {
  if (Array.isArray(schema.enum)) return schema.enum.map((v) => `'${String(v)}'`);
  if (schema.const !== undefined) return [`'${String(schema.const)}'`];
  const branches = (schema.anyOf ?? schema.oneOf) as Record<string, unknown>[] | undefined;
  if (Array.isArray(branches)) return [...new Set(branches.flatMap(describeSchema))];
  const templated = schema.pattern === TEMPLATE_PATTERN;
  const types = ([] as unknown[]).concat(schema.type ?? []) as string[];
  return types.filter((t) => !(templated && t === 'string') && t !== 'null').map((t) => TYPE_WORDS[t] ?? t);
}

function yesNoHint(e: ErrorObject, value: unknown): string | undefined {
  const types = ([] as unknown[]).concat(((e.parentSchema ?? {}) as Record<string, unknown>).type ?? []);
  if (types.includes('boolean') && typeof value === 'string' && /^(yes|no|on|off|y|n|true|false)$/i.test(value)) {
    return `YAML 1.2 reads '${value}' as a string: write ${/^(yes|on|y|true)$/i.test(value)}`;
  }
  return undefined;
}

function enumHint(e: ErrorObject, value: unknown): string | undefined {
  const allowed = ((e.parentSchema ?? {}) as { enum?: unknown[] }).enum;
  return Array.isArray(allowed) && typeof value === 'string' ? didYouMean(value, allowed.map(String)) : undefined;
}

const LOOSE_TRUE = /^(yes|true|on|y|1)$/i;
const LOOSE_FALSE = /^(no|false|off|n|0)$/i;

/** The run-time argument checker (run/module-args.ts) accepts Ansible's loose booleans: so do we. */
function looseBooleans(args: Obj, props: ArgsSchema['properties']): Obj {
  for (const [k, v] of Object.entries(args)) {
    const t = props[k]?.type;
    const wantsBool = t === 'boolean' || (Array.isArray(t) && t.includes('boolean') && !t.includes('string'));
    if (!wantsBool || (typeof v !== 'string' && typeof v !== 'number')) continue;
    const s = String(v).trim();
    if (LOOSE_TRUE.test(s)) args[k] = true;
    else if (LOOSE_FALSE.test(s)) args[k] = false;
  }
  return args;
}

/** A short rendering of a value for messages. */
export function show(v: unknown): string {
  if (v === null || v === undefined) return 'nothing';
  if (typeof v === 'string') return `'${v.length > 40 ? `${v.slice(0, 37)}...` : v}'`;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return typeof v;
}

