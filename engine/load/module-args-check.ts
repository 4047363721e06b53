// Module arguments, checked before anything runs: names against the module's schema (with
// did-you-mean), then types, enums and required arguments. As lenient as the run-time checker
// (run/module-args.ts): Ansible's loose booleans, `key=value` strings, scalars coerced to the type
// wanted; and a value containing `{{` is not type-checked at all (it is rendered at run time).
import { Ajv, type ValidateFunction } from 'ajv';
import { GxError, InternalError, ModuleArgsError } from '../errors.js';
import type { ArgsSchema } from '../module-contract.js';
import { shlexWords } from '../run/module-args.js';
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
import type { SourceLocation } from './source.js';
import { didYouMean, suggest } from './suggest.js';
import type { KnownModules } from './known-modules.js';

/** Where a key or value of a loaded object is (falls back to the file's start). */
export type Locator = (obj: unknown, key?: string | number, which?: 'key' | 'value') => SourceLocation;

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

/** Every problem with the arguments `task` gives `module` (one of `known`), each at its place. */
export function checkModuleArgs(task: Obj, module: string, known: KnownModules, loc: Locator): GxError[] {
  const problems: GxError[] = [];
  const schema = known.schemaOf(module);
  const freeForm = known.freeFormOf(module);
  const value = task[module];
  const extra = task.args;
  if (hasTemplate(extra)) return problems;

  /** the merged arguments, and for each key the mapping it came from (for its location) */
  const args: Obj = {};
  const origin = new Map<string, Obj>();
  const taskLoc = loc(task, module);
  const valueLoc = loc(task, module, 'value');

  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
    const text = String(value);
    if (freeForm) args[freeForm] = text;
    else if (hasTemplate(text) && !text.includes('=')) return problems;
    else {
      // Ansible's `file: path=/x state=touch` form: accepted when every word is key=value
      let words: { value: string }[];
      try {
        words = shlexWords(text);
      } catch {
        words = [{ value: text }];
      }
      if (words.length === 0 || words.some((w) => w.value.indexOf('=') <= 0)) {
        problems.push(
          new ModuleArgsError(`module '${module}' needs its arguments as a mapping, not a string`, {
            loc: valueLoc,
            hint: `e.g. '${module}:' followed by indented 'name: value' lines`,
          }),
        );
        return problems;
      }
      for (const w of words) args[w.value.slice(0, w.value.indexOf('='))] = w.value.slice(w.value.indexOf('=') + 1);
    }
  } else if (isObj(value)) {
    for (const [k, v] of Object.entries(value)) {
      args[k] = v;
      origin.set(k, value);
    }
  } else if (Array.isArray(value)) {
    problems.push(new ModuleArgsError(`module '${module}' needs its arguments as a mapping, not a list`, { loc: valueLoc }));
    return problems;
  }
  if (isObj(extra)) {
    for (const [k, v] of Object.entries(extra)) {
      if (k in args) continue;
      args[k] = v;
      origin.set(k, extra);
    }
  }
  if (!schema) return problems;

  for (const k of Object.keys(args)) if (args[k] === null) delete args[k];
  const props = schema.properties ?? {};
  const at = (key: string | undefined, which: 'key' | 'value'): SourceLocation => {
    const from = key === undefined ? undefined : origin.get(key);
    return from ? loc(from, key, which) : valueLoc;
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
      problems.push(
        new ModuleArgsError(`unknown argument '${k}' for module '${module}'`, {
          loc: at(k, 'key'),
          hint: didYouMean(k, Object.keys(props)) ?? `its arguments are: ${Object.keys(props).sort().join(', ')}`,
        }),
      );
    }
  }

  const copy = looseBooleans(structuredClone(args), props);
  const validate = argsValidator(module, schema);
  if (validate(copy)) return problems;
  const errors = (validate.errors ?? []).filter(
    (e) => !(e.keyword === 'additionalProperties' && unknownKeys.has(String(e.params.additionalProperty))) && !templatedOnPath(args, e.instancePath),
  );
  for (const e of errors.filter((x) => x.keyword === 'required')) {
    const missing = String(e.params.missingProperty);
    if (e.instancePath === '' && meant.has(missing)) continue;
    const asText = missing === freeForm ? ` (or give it as text: '${module}: ...')` : '';
    const top = pointerParts(e.instancePath)[0];
    problems.push(new ModuleArgsError(`module '${module}' needs the argument '${missing}'${asText}`, { loc: top === undefined ? taskLoc : at(top, 'value') }));
  }
  for (const e of errors.filter((x) => x.keyword === 'propertyNames')) {
    const name = String(e.params.propertyName);
    problems.push(
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
    problems.push(new ModuleArgsError(message, { loc: top === undefined ? valueLoc : at(top, 'value'), hint: enumHint(outer, value) }));
  }
  return problems;
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

