// Module arguments: the one checker, in two modes.
// - static (`checkModuleArgs`, before anything runs): the arguments a task writes, checked where
//   they are literal; a value containing `{{` is rendered at run time, so nothing about it is judged
//   now (neither its type nor a cross-field rule that reads it). Every problem, each at its place.
// - run time (`compileArgs`, per host, on the rendered arguments): the same checks on everything,
//   and the result is the module's arguments, coerced and with their defaults filled in.
// The same parsing, coercion and messages in both:
// - a string for a module with `freeForm` becomes that argument; `key=value` words naming one of the
//   module's other arguments are taken out of it (`command: ./build.sh chdir=/src creates=out`);
// - a string for any other module is read as `key=value` words (`file: path={{ p }} state=touch`),
//   split as Ansible splits them (split-args.ts: quotes and `{{ }}` kept together);
// - a `null` argument counts as not given (so `{{ omit }}`-style unset values fall back to defaults),
//   except a free-named one (set_fact's variables) or one whose schema type includes null;
// - booleans take Ansible's words (yes/no, true/false, on/off, y/n, t/f, 1/0, any case);
// - numbers given as strings ("8080", what a template renders) become numbers, scalars become
//   strings where a string is wanted, and a single value becomes a one-item list where a list is wanted;
// - then the module's own pure `check(args)` (rules across arguments), when the schema is satisfied.
// Modes are module business (modules/lib/mode.ts), not converted here.
import { createHash } from 'node:crypto';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { GxError, InternalError, ModuleArgsError } from '../errors.js';
import type { ArgsSchema } from '../module-contract.js';
import { parseKv, UnbalancedArgs, type KeyValues } from './split-args.js';
import {
  enumHint,
  expectation,
  groupByPath,
  hasTemplate,
  isObj,
  outermost,
  pointerLabel,
  pointerParts,
  show,
  templatedOnPath,
  valueAtPointer,
  type Obj,
} from './schema-errors.js';
import { locate, type SourceLocation } from './source.js';
import { didYouMean, suggest } from './suggest.js';
import type { KnownModules } from './known-modules.js';
import * as precompiled from './module-validators.generated.js';

/** What the checker needs of a module (a ModuleDefinition is one). */
export interface ArgsSpec {
  name: string;
  schema: ArgsSchema;
  freeForm?: string;
  /** the module's rules across arguments: one message per broken rule (pure, no I/O) */
  check?: (args: any) => string[];
}

/** Where a key or value of a loaded object is (falls back to the file's start). */
export type Locator = (obj: unknown, key?: string | number, which?: 'key' | 'value') => SourceLocation;

/** A problem and what it is about: an argument's key or value, the arguments as a whole (the value), or the task's module. */
interface Problem {
  message: string;
  hint?: string;
  key?: string;
  at: 'key' | 'value' | 'module';
}

// Module schemas come from module authors: lenient about annotations they may add (the registry's
// own test checks each schema against the meta-schema). `verbose` keeps the failing schema for the
// messages; validation coerces and fills defaults in the object it is given.
export const ARGS_AJV_OPTIONS = {
  allErrors: true,
  allowUnionTypes: true,
  verbose: true,
  strict: false,
  useDefaults: true,
  coerceTypes: 'array',
  validateSchema: false,
} as const;
let ajv: Ajv | undefined;
const compiled = new WeakMap<ArgsSchema, ValidateFunction>();

/** what a precompiled validator was made from (engine/cli/build-arg-validators.ts) */
export function schemaHash(schema: ArgsSchema): string {
  return createHash('sha256').update(JSON.stringify(schema)).digest('base64');
}

const precompiledArgs = precompiled as unknown as { validators: Record<string, ValidateFunction | undefined>; schemaHashes: Record<string, string> };

/** the validator npm run build compiled for this module, if its schema has not changed since */
function precompiledFor(spec: ArgsSpec): ValidateFunction | undefined {
  const hash = Object.hasOwn(precompiledArgs.schemaHashes, spec.name) ? precompiledArgs.schemaHashes[spec.name] : undefined;
  return hash !== undefined && hash === schemaHash(spec.schema) ? precompiledArgs.validators[spec.name] : undefined;
}

function validatorOf(spec: ArgsSpec): ValidateFunction {
  let fn = compiled.get(spec.schema);
  if (!fn) {
    try {
      // compiling is for schemas changed since the build: optimize off, it runs a few times per run
      fn = precompiledFor(spec) ?? (ajv ??= new Ajv({ ...ARGS_AJV_OPTIONS, code: { optimize: false } })).compile(spec.schema);
    } catch (err) {
      throw new InternalError(`module '${spec.name}' has an invalid argument schema: ${(err as Error).message}`, { cause: err });
    }
    compiled.set(spec.schema, fn);
  }
  return fn;
}

/** Ansible's boolean words (module_utils/parsing/convert_bool.py), compared case-insensitively. */
const TRUE = new Set(['yes', 'on', 'true', 'y', 't', '1']);
const FALSE = new Set(['no', 'off', 'false', 'n', 'f', '0']);

/** `v` as a boolean when it is one of Ansible's boolean words or 1/0, else undefined. */
export function looseBoolean(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (typeof v !== 'string' && typeof v !== 'number') return undefined;
  const s = String(v).trim().toLowerCase();
  return TRUE.has(s) ? true : FALSE.has(s) ? false : undefined;
}

function typeAllows(prop: Record<string, unknown> | undefined, t: string): boolean {
  const type = prop?.type;
  return type === t || (Array.isArray(type) && type.includes(t));
}

// ---------------------------------------------------------------------------------------------
// parsing: the task's value → an arguments object

/** Arguments given as text: free form (with the module's key=value words taken out) or key=value words, split as Ansible splits them. */
export function fromText(spec: ArgsSpec, text: string): { args: Obj } | { problem: Problem } {
  const named = spec.freeForm ? new Set(Object.keys(spec.schema.properties).filter((k) => k !== spec.freeForm)) : undefined;
  let kv: KeyValues;
  try {
    kv = parseKv(text, named ? (k) => named.has(k) : undefined);
  } catch (err) {
    if (!(err instanceof UnbalancedArgs)) throw err;
    // a shell script may hold quotes that do not pair (a `# don't` comment): then it is all free form
    if (spec.freeForm) return { args: { [spec.freeForm]: text.trim() } };
    return { problem: { message: `module '${spec.name}': unbalanced quotes or {{ }} in its key=value arguments`, hint: `give them as a mapping instead: '${spec.name}:' followed by indented 'name: value' lines`, at: 'value' } };
  }
  const out: Obj = { ...kv.options };
  if (spec.freeForm) {
    const cmd = (kv.raw ?? '').trim();
    if (cmd !== '') out[spec.freeForm] = cmd;
    return { args: out };
  }
  if (kv.rawWords.length > 0 || Object.keys(out).length === 0) {
    const stray = kv.rawWords[0];
    return {
      problem: {
        message:
          stray === undefined || Object.keys(out).length === 0
            ? `module '${spec.name}' needs its arguments as a mapping or as key=value words, not free text`
            : `module '${spec.name}': '${stray}' is not a key=value argument`,
        hint: `e.g. '${spec.name}:' followed by indented 'name: value' lines, or '${spec.name}: name=value name2=value2'`,
        at: 'value',
      },
    };
  }
  return { args: out };
}

/** Validation coerces and fills defaults in place; the task's own values must not change under it. */
function copyPlain(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(copyPlain);
  if (v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    const out: Obj = {};
    for (const [k, x] of Object.entries(v)) out[k] = copyPlain(x);
    return out;
  }
  return v;
}

const listProblem = (spec: ArgsSpec): Problem => ({ message: `module '${spec.name}' needs its arguments as a mapping, not a list`, at: 'value' });

// ---------------------------------------------------------------------------------------------
// checking: an arguments object → problems (coerced and defaulted in place)

function deepTemplated(v: unknown): boolean {
  if (hasTemplate(v)) return true;
  if (Array.isArray(v)) return v.some(deepTemplated);
  if (isObj(v)) return Object.values(v).some(deepTemplated);
  return false;
}

/**
 * Every problem with `args` for `spec`. `args` is changed in place: booleans and scalars coerced,
 * defaults filled. In static mode a templated value is not judged, nor a `check` rule that read one.
 * `given` tells whether the arguments came as the module's free-form text (for the message).
 */
function problemsOf(spec: ArgsSpec, args: Obj, mode: 'static' | 'run', given: (key: string) => boolean): Problem[] {
  const problems: Problem[] = [];
  const schema = spec.schema;
  const module = spec.name;
  const props = schema.properties ?? {};
  const names = Object.keys(props);
  // a declared argument set to null is not given; a free-named one (set_fact's and add_host's
  // variables) keeps its null: `set_fact: {x: null}` defines x as None, as in Ansible
  const takesNull = (k: string): boolean => {
    const t = (props[k] as { type?: unknown } | undefined)?.type;
    return t === 'null' || (Array.isArray(t) && t.includes('null'));
  };
  for (const k of Object.keys(args)) if (args[k] === undefined || (args[k] === null && k in props && !takesNull(k))) delete args[k];

  const unknownKeys = new Set<string>();
  /** arguments a typo probably meant: not reported again as missing */
  const meant = new Set<string>();
  if (schema.additionalProperties === false) {
    for (const k of Object.keys(args)) {
      if (k in props) continue;
      unknownKeys.add(k);
      const near = suggest(k, names);
      if (near) meant.add(near);
      problems.push({
        message: `unknown argument '${k}' for module '${module}'`,
        hint: didYouMean(k, names) ?? `its arguments are: ${[...names].sort().join(', ')}`,
        key: k,
        at: 'key',
      });
    }
  }

  for (const [k, v] of Object.entries(args)) {
    if (!typeAllows(props[k], 'boolean') || typeAllows(props[k], 'string')) continue;
    const b = looseBoolean(v);
    if (b !== undefined) args[k] = b;
  }
  const raw = mode === 'static' ? (structuredClone(args) as Obj) : args;
  const validate = validatorOf(spec);
  if (!validate(args)) {
    const errors = (validate.errors ?? []).filter(
      (e) =>
        !(e.keyword === 'additionalProperties' && e.instancePath === '' && unknownKeys.has(String(e.params.additionalProperty))) &&
        !(mode === 'static' && templatedOnPath(raw, e.instancePath)) &&
        // `set_fact: {"{{ item.key }}": …}`: a templated name is judged once rendered
        !(mode === 'static' && e.keyword === 'propertyNames' && hasTemplate(String(e.params.propertyName))),
    );
    problems.push(...describeErrors(spec, errors, raw, meant, given));
  }
  if (problems.length === 0 && spec.check) problems.push(...runCheck(spec, args, mode));
  return problems;
}

/** The module's cross-field rules. Static: a rule that read a templated argument cannot be judged yet. */
function runCheck(spec: ArgsSpec, args: Obj, mode: 'static' | 'run'): Problem[] {
  const toProblem = (m: string): Problem => ({ message: `module '${spec.name}': ${m}`, at: 'module' });
  if (mode === 'run') return spec.check!(args).map(toProblem);
  const read = new Set<string>();
  const watched = new Proxy(args, {
    get(t, k, r) {
      if (typeof k === 'string') read.add(k);
      return Reflect.get(t, k, r);
    },
    has(t, k) {
      if (typeof k === 'string') read.add(k);
      return Reflect.has(t, k);
    },
    ownKeys(t) {
      for (const k of Object.keys(t)) read.add(k);
      return Reflect.ownKeys(t);
    },
  });
  let found: string[];
  try {
    found = spec.check!(watched);
  } catch {
    return []; // a value of a shape the rule does not expect: the run-time check decides
  }
  if ([...read].some((k) => deepTemplated(args[k]))) return [];
  return found.map(toProblem);
}

function describeErrors(spec: ArgsSpec, errors: ErrorObject[], args: Obj, meant: Set<string>, given: (key: string) => boolean): Problem[] {
  const module = spec.name;
  const freeForm = spec.freeForm;
  const problems: Problem[] = [];
  for (const e of errors.filter((x) => x.keyword === 'required')) {
    const missing = String(e.params.missingProperty);
    const top = pointerParts(e.instancePath)[0];
    if (top === undefined) {
      if (meant.has(missing)) continue;
      const asText = missing === freeForm ? ` (or give it as text: '${module}: ...')` : '';
      problems.push({ message: `module '${module}' needs the argument '${missing}'${asText}`, at: 'module' });
    } else {
      problems.push({ message: `argument '${pointerLabel(e.instancePath)}' of module '${module}' needs the key '${missing}'`, key: top, at: 'value' });
    }
  }
  for (const e of errors.filter((x) => x.keyword === 'propertyNames')) {
    const name = String(e.params.propertyName);
    problems.push({
      message: `'${name}' is not a valid variable name`,
      hint: 'variable names are letters, digits and underscores, not starting with a digit',
      key: name,
      at: 'key',
    });
  }
  const rest = errors.filter((x) => x.keyword !== 'required' && x.keyword !== 'propertyNames' && x.propertyName === undefined);
  for (const group of groupByPath(rest)) {
    const outer = outermost(group);
    const top = pointerParts(outer.instancePath)[0];
    const label = pointerLabel(outer.instancePath);
    const value = valueAtPointer(args, outer.instancePath);
    // `meta: flush_handler`: the free-form text is the module's value, not an argument the user named
    const subject = top === freeForm && !given(top) ? `'${module}'` : `argument '${label || '(arguments)'}' of module '${module}'`;
    const message =
      outer.keyword === 'additionalProperties'
        ? `unknown key '${String(outer.params.additionalProperty)}' in argument '${label}' of module '${module}'`
        : `${subject} ${expectation(outer)}, got ${show(value)}`;
    problems.push({ message, hint: enumHint(outer, value), key: top, at: 'value' });
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// static mode

/** Every problem with the arguments `task` gives `module` (one of `known`), each at its place. */
export function checkModuleArgs(task: Obj, module: string, known: KnownModules, loc: Locator): GxError[] {
  const schema = known.schemaOf(module);
  const spec: ArgsSpec | undefined = schema && { name: module, schema, freeForm: known.freeFormOf(module), check: known.checkOf?.(module) };
  const value = task[module];
  const extra = task.args;
  if (hasTemplate(extra)) return [];

  /** the merged arguments, and for each key the mapping it came from (for its location) */
  let args: Obj = {};
  const origin = new Map<string, Obj>();
  const taskLoc = loc(task, module);
  const valueLoc = loc(task, module, 'value');
  const toError = (p: Problem): ModuleArgsError => {
    const from = p.key === undefined ? undefined : origin.get(p.key);
    const where = p.at === 'module' ? taskLoc : from ? loc(from, p.key, p.at) : valueLoc;
    return new ModuleArgsError(p.message, { loc: where, hint: p.hint });
  };

  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
    const text = String(value);
    if (!spec) return [];
    if (!spec.freeForm && hasTemplate(text) && !text.includes('=')) return [];
    const parsed = fromText(spec, text);
    if ('problem' in parsed) return [toError(parsed.problem)];
    args = parsed.args;
  } else if (isObj(value)) {
    for (const [k, v] of Object.entries(value)) {
      args[k] = copyPlain(v);
      origin.set(k, value);
    }
  } else if (Array.isArray(value)) {
    return [toError(listProblem(spec ?? { name: module, schema: { type: 'object', properties: {} } }))];
  }
  if (isObj(extra)) {
    for (const [k, v] of Object.entries(extra)) {
      if (k in args) continue;
      args[k] = copyPlain(v);
      origin.set(k, extra);
    }
  }
  if (!spec) return [];
  return problemsOf(spec, args, 'static', (k) => origin.has(k)).map(toError);
}

// ---------------------------------------------------------------------------------------------
// run-time mode

export type ArgsCompiler = (raw: unknown, where?: SourceLocation) => Record<string, unknown>;
const compilers = new WeakMap<ArgsSpec, ArgsCompiler>();

/** The run-time argument checker for a module (compiled once per module and cached): the module's arguments, or a ModuleArgsError. */
export function compileArgs(spec: ArgsSpec): ArgsCompiler {
  const hit = compilers.get(spec);
  if (hit) return hit;
  validatorOf(spec);
  const compiler: ArgsCompiler = (raw, where) => {
    const at = (p: Problem): SourceLocation | undefined => (p.key !== undefined && p.at !== 'module' ? locate(raw, p.key) : undefined) ?? where ?? locate(raw);
    const fail = (problems: Problem[]): never => {
      const first = problems[0]!;
      if (problems.length === 1) throw new ModuleArgsError(first.message, { loc: at(first), hint: first.hint });
      throw new ModuleArgsError(problems.map((p) => p.message + (p.hint ? ` (${p.hint})` : '')).join('\n'), { loc: at(first), hint: first.hint });
    };
    let args: Obj;
    if (raw === null || raw === undefined) args = {};
    else if (typeof raw === 'string' || typeof raw === 'number' || typeof raw === 'boolean') {
      const parsed = fromText(spec, String(raw));
      if ('problem' in parsed) fail([parsed.problem]);
      args = (parsed as { args: Obj }).args;
    } else if (isObj(raw)) args = copyPlain(raw) as Obj;
    else return fail([listProblem(spec)]);
    const problems = problemsOf(spec, args, 'run', () => typeof raw === 'object');
    if (problems.length > 0) fail(problems);
    return args;
  };
  compilers.set(spec, compiler);
  return compiler;
}

// ---------------------------------------------------------------------------------------------
// load time: key=value text → a mapping, before anything is rendered

/**
 * `file: path={{ p }} state=absent` as the mapping Ansible makes of it at load time, so that each
 * value is rendered on its own (a rendered value with a space cannot split an argument). Undefined
 * when the text is not key=value words (left to the checkers, which say why), or names no argument
 * of a free-form module (`command: ls` stays text).
 */
export function argsFromText(known: KnownModules, module: string, text: string): Obj | undefined {
  const schema = known.schemaOf(module);
  if (!schema) return undefined;
  const parsed = fromText({ name: module, schema, freeForm: known.freeFormOf(module) }, text);
  if ('problem' in parsed) return undefined;
  const free = known.freeFormOf(module);
  if (Object.keys(parsed.args).every((k) => k === free)) return undefined;
  return parsed.args;
}
