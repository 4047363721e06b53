// The module contract. A module is one file under modules/ exporting a ModuleDefinition. It PLANS
// first (reads state through the connection and decides what would change) and returns the work as
// `apply`; the engine calls `apply` only outside check mode. So check mode is honest by construction:
// a module cannot change anything while planning unless it misuses the connection.
import type { TemplateOptions } from './vars/template.js';
import type { Connection } from './connect/connection.js';
import type { SourceLocation } from './load/source.js';

/** JSON Schema for a module's arguments. Every property carries a `description`: that is the doc. */
export interface ArgsSchema {
  type: 'object';
  properties: Record<string, Record<string, unknown> & { description: string }>;
  required?: string[];
  additionalProperties?: false;
  [k: string]: unknown;
}

/** Ansible's words for the type of a returned value (its module return documentation). */
export const RETURN_TYPES = ['str', 'int', 'float', 'bool', 'list', 'dict', 'raw', 'path', 'complex', 'any'] as const;
export type ReturnType = (typeof RETURN_TYPES)[number];

export interface ReturnDoc {
  type: ReturnType;
  description: string;
  /** when it is present, e.g. "always", "when changed" */
  returned?: string;
}

export interface ModuleDefinition<A = Record<string, unknown>, D extends object = Record<string, unknown>> {
  name: string;
  /** other names accepted for it; `ansible.builtin.<name>` is added automatically */
  aliases?: string[];
  summary: string;
  /** longer description (markdown) */
  description?: string;
  schema: ArgsSchema;
  /** a string value given instead of a mapping (`command: ls -l`) becomes this argument */
  freeForm?: string;
  /**
   * Rules across arguments that the schema does not say (`src` or `content`, an agent needs
   * `server_url`): one message per broken rule, none when the arguments are fine. Pure: no I/O, no
   * context. Run before any host is touched on a task's literal arguments (a rule that reads a
   * templated one waits), and again at run time on the rendered, defaulted arguments.
   */
  check?(args: A): string[];
  /** YAML task snippets */
  examples: string[];
  /** what `register` stores, key by key */
  returns: Record<string, ReturnDoc>;
  /** the module runs on the controller even for remote hosts (e.g. debug, set_fact, multipass) */
  controllerOnly?: boolean;
  /** the module supports check mode itself; false means the engine skips it in check mode */
  checkMode?: boolean;
  /**
   * the module can plan with arguments that are unknown in check mode (set_fact passes them on,
   * add_host adds a host whose address is not known yet); others are skipped with the reason
   */
  acceptsUnknown?: boolean;
  /** runs once for the play's hosts, like Ansible's add_host (implicit run_once) */
  bypassHostLoop?: boolean;
  plan(ctx: ModuleContext, args: A): Promise<Plan<D>>;
  /**
   * `async:` — the work to start in the background on the host instead of running it now
   * (command, shell), or a Plan when there is nothing to start (creates/removes said so). A module
   * without it refuses async: its work is planned and applied from the controller.
   */
  background?(ctx: ModuleContext, args: A): Promise<BackgroundWork | Plan<D>>;
}

/** What a module starts in the background for `async:` (engine/run/async-job.ts runs it). */
export interface BackgroundWork {
  run: { argv?: string[]; shell?: string; cwd?: string; stdin?: string };
  /** the `cmd` of the result */
  cmd: string | string[];
}

/** Before and after, shown only with --diff: the engine decides; a module returns its diff whenever it has one. */
export interface DiffEntry {
  /** a label for the thing diffed, e.g. a path */
  label: string;
  before: string;
  after: string;
}

/**
 * A module's diff: the entries, or a function that reads what they need (e.g. the old content of a
 * file about to be replaced), which the engine calls only with --diff.
 */
export type Diff = DiffEntry[] | (() => Promise<DiffEntry[]>);

/** The entries of a diff, reading them when they are read lazily. */
export async function diffEntries(d: Diff | undefined): Promise<DiffEntry[]> {
  if (d === undefined) return [];
  return typeof d === 'function' ? d() : d;
}

/** What a module decided. `changed` false with no `apply` means: already in the desired state. */
export interface Plan<D extends object = Record<string, unknown>> {
  changed: boolean;
  /** planned diffs, always given when there are any; the engine shows them only with --diff */
  diff?: Diff;
  msg?: string;
  /** the registered value in check mode (predicted), or when nothing needs doing */
  data?: D;
  /** the module decided not to act, e.g. command in check mode; the reason is shown */
  skipped?: string;
  /** the task fails without changing anything (e.g. assert, fail, validate command) */
  failed?: boolean;
  /** does the change; only called outside check mode, and only when changed is true */
  apply?: () => Promise<Applied<D>>;
  /** facts to set on the host (set_fact); applied in check mode too */
  facts?: Record<string, unknown>;
  /**
   * the facts are templates, rendered when read (include_vars: values from files, as Ansible's
   * clean-facts actions keep them); without it they are data, never rendered again
   */
  factsAreTemplates?: boolean;
  /** hosts to add to the run's inventory (add_host), or existing hosts to put in groups (group_by, with the groups' parents) */
  addHosts?: { name: string; groups: string[]; vars: Record<string, unknown>; parents?: string[] }[];
  /** warnings for the user (Ansible's result `warnings`): shown as warnings and registered under `warnings` */
  warnings?: string[];
  /** executor control (meta) */
  control?: 'flush_handlers' | 'end_play' | 'end_batch' | 'end_host' | 'noop' | 'clear_host_errors' | 'reset_connection';
}

export interface Applied<D extends object = Record<string, unknown>> {
  /** overrides the plan's changed when the module learns more while applying */
  changed?: boolean;
  failed?: boolean;
  msg?: string;
  data?: D;
  diff?: Diff;
}

export interface ModuleContext {
  /** the task's connection: environment and become already applied to every call */
  conn: Connection;
  /** the connection to the controller (localhost), for controller-side work */
  local: Connection;
  host: string;
  check: boolean;
  /** all variables visible to this task on this host (read-only) */
  vars: Readonly<Record<string, unknown>>;
  /** where the task comes from */
  loc?: SourceLocation;
  /** the playbook's directory */
  playbookDir: string;
  /** the role's directory when the task comes from a role */
  roleDir?: string;
  /** finds a file under files/, templates/ or vars/ (the kind): role first, then beside the task file, then playbook dir; absolute paths as they are */
  findFile(name: string, kind: 'files' | 'templates' | 'vars'): Promise<string>;
  /**
   * renders a template's text with the task's variables (strict): `extraVars.template_path` names the
   * file, whose extension picks the language (`.hbs` Handlebars, anything else Jinja2 with Ansible's
   * template defaults); without it, the text is rendered as a playbook value (Jinja2)
   */
  renderTemplate(text: string, extraVars?: Record<string, unknown>, options?: TemplateOptions): string;
  /** debug logging, shown at -vvv */
  log(msg: string): void;
  /** marks a string as secret: it is masked in every output from now on */
  secret(value: string): void;
  /** cancelled when the run is interrupted */
  signal: AbortSignal;
}

/** Names a module under its own name, its aliases and ansible.builtin.* */
export function moduleNames(def: ModuleDefinition<any, any>): string[] {
  const names = [def.name, ...(def.aliases ?? [])];
  return [...names, ...names.map((n) => `ansible.builtin.${n}`)];
}

/** The modules a run can use, by every name each answers to (modules/index.ts builds the real one). */
export type ModuleRegistry = ReadonlyMap<string, ModuleDefinition<any, any>>;

// Symbol.for: a module file loaded twice (the meta-test imports it by path) still carries the same mark
const DEFINED: unique symbol = Symbol.for('gx.defineModule') as never;

/**
 * Every module is made here (as typescript-eslint's createRule makes a rule): one shape, checked when
 * the module is defined, so a module with a malformed definition fails when modules/index.ts loads,
 * not when a playbook uses it. The type parameters come from `plan`'s and `check`'s arguments or are
 * given: `defineModule<CopyArgs, CopyData>({ … })`. The result is marked (a non-enumerable symbol)
 * so the registry's meta-test can tell it was made here.
 */
export function defineModule<A = Record<string, unknown>, D extends object = Record<string, unknown>>(def: ModuleDefinition<A, D>): ModuleDefinition<A, D> {
  const problems = definitionProblems(def as ModuleDefinition<any, any>);
  if (problems.length > 0) throw new Error(`defineModule(${JSON.stringify(def.name)}): ${problems.join('; ')}`);
  Object.defineProperty(def, DEFINED, { value: true, enumerable: false });
  return def;
}

/** Whether a value is a module definition made by defineModule. */
export function isDefinedModule(value: unknown): value is ModuleDefinition<any, any> {
  return typeof value === 'object' && value !== null && (value as { [DEFINED]?: boolean })[DEFINED] === true;
}

/** What defineModule can check without running anything: names, docs, the schema's outline, return types. */
function definitionProblems(def: ModuleDefinition<any, any>): string[] {
  const out: string[] = [];
  if (!/^[a-z][a-z0-9_]*$/.test(def.name ?? '')) out.push('name must be lower_snake_case');
  for (const a of def.aliases ?? []) if (!/^[a-z][a-z0-9_.-]*$/.test(a) || a === def.name) out.push(`alias '${a}' must be a lower-case name and not the module's own`);
  if (typeof def.summary !== 'string' || def.summary.trim() === '' || def.summary.includes('\n')) out.push('summary must be one non-empty line');
  if (def.schema?.type !== 'object' || typeof def.schema.properties !== 'object') out.push("schema must be an object schema with properties");
  else {
    for (const [k, p] of Object.entries(def.schema.properties)) {
      if (typeof p?.description !== 'string' || p.description.trim() === '') out.push(`argument '${k}' has no description`);
    }
    for (const r of def.schema.required ?? []) if (!(r in def.schema.properties)) out.push(`required argument '${r}' is not a property`);
    if (def.freeForm !== undefined && !(def.freeForm in def.schema.properties)) out.push(`freeForm '${def.freeForm}' is not a property`);
  }
  if (!Array.isArray(def.examples) || def.examples.length === 0) out.push('examples must not be empty');
  for (const [k, r] of Object.entries(def.returns ?? {})) {
    if (!(RETURN_TYPES as readonly string[]).includes(r.type)) out.push(`returns.${k}.type '${String(r.type)}' is not one of ${RETURN_TYPES.join(', ')}`);
    if (typeof r.description !== 'string' || r.description.trim() === '') out.push(`returns.${k} has no description`);
  }
  if (typeof def.plan !== 'function') out.push('plan must be a function');
  return out;
}
