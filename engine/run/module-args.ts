// Module arguments: the raw value a task gives (a mapping, or a string in the `key=value` or
// free-form style) → a validated, defaulted object, or a ModuleArgsError that names the argument.
//
// Conversions, like Ansible's:
// - a string for a module with `freeForm` becomes that argument; `key=value` words naming one of the
//   module's other arguments are taken out of it (`command: ./build.sh chdir=/src creates=out`);
// - a string for any other module is read as `key=value` words (`file: path=/x state=touch`);
// - a `null` argument counts as not given (so `{{ omit }}`-style unset values fall back to defaults);
// - booleans accept yes/no, true/false (any case), on/off, y/n, 1/0;
// - numbers given as strings ("8080", what a template renders) become numbers, scalars become
//   strings where a string is wanted, and a single value becomes a one-item list where a list is wanted.
// Modes are module business (modules/lib/mode.ts), not converted here.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { ModuleArgsError } from '../errors.js';
import { locate, type SourceLocation } from '../load/source.js';
import { didYouMean } from '../load/suggest.js';
import type { ModuleDefinition } from '../module-contract.js';

export type ArgsCompiler = (raw: unknown, where?: SourceLocation) => Record<string, unknown>;

const ajv = new Ajv({ allErrors: true, useDefaults: true, coerceTypes: 'array', strict: false });
const cache = new WeakMap<ModuleDefinition<any, any>, ArgsCompiler>();

const TRUE = new Set(['yes', 'true', 'on', 'y', '1']);
const FALSE = new Set(['no', 'false', 'off', 'n', '0']);

/** The argument checker for a module; compiled once per module and cached. */
export function compileArgs(def: ModuleDefinition<any, any>): ArgsCompiler {
  const hit = cache.get(def);
  if (hit) return hit;
  let validate: ValidateFunction;
  try {
    validate = ajv.compile(def.schema);
  } catch (err) {
    throw new ModuleArgsError(`module '${def.name}' has an invalid argument schema: ${(err as Error).message}`, { cause: err });
  }
  const props = def.schema.properties;
  const booleans = new Set(Object.keys(props).filter((k) => typeAllows(props[k]!, 'boolean') && !typeAllows(props[k]!, 'string')));
  const closed = def.schema.additionalProperties === false;

  const compiler: ArgsCompiler = (raw, where) => {
    const args = toObject(def, raw, where);
    const at = (key?: string): SourceLocation | undefined => (key !== undefined ? locate(raw, key) : undefined) ?? where ?? locate(raw);
    const problems: ModuleArgsError[] = [];
    if (closed) {
      for (const key of Object.keys(args)) {
        if (key in props) continue;
        problems.push(
          new ModuleArgsError(`${def.name}: unknown argument '${key}'`, {
            loc: at(key),
            hint: didYouMean(key, Object.keys(props)) ?? `known arguments: ${Object.keys(props).sort().join(', ')}`,
          }),
        );
      }
    }
    for (const key of booleans) {
      const v = args[key];
      if (typeof v === 'string' || typeof v === 'number') {
        const s = String(v).trim().toLowerCase();
        if (TRUE.has(s)) args[key] = true;
        else if (FALSE.has(s)) args[key] = false;
      }
    }
    if (problems.length === 0 && !validate(args)) {
      for (const e of relevant(validate.errors ?? [])) {
        const key = argumentOf(e);
        problems.push(new ModuleArgsError(`${def.name}: ${describe(e, key, args)}`, { loc: at(key) }));
      }
    }
    if (problems.length === 1) throw problems[0]!;
    if (problems.length > 1) {
      const first = problems[0]!;
      throw new ModuleArgsError(problems.map((p) => p.message + (p.hint ? ` (${p.hint})` : '')).join('\n'), { loc: first.loc, hint: first.hint });
    }
    return args;
  };
  cache.set(def, compiler);
  return compiler;
}

function typeAllows(prop: Record<string, unknown>, t: string): boolean {
  const type = prop.type;
  return type === t || (Array.isArray(type) && type.includes(t));
}

function toObject(def: ModuleDefinition<any, any>, raw: unknown, where?: SourceLocation): Record<string, unknown> {
  let out: Record<string, unknown>;
  if (raw === null || raw === undefined) out = {};
  else if (typeof raw === 'string' || typeof raw === 'number' || typeof raw === 'boolean') out = fromString(def, String(raw), where);
  else if (typeof raw === 'object' && !Array.isArray(raw)) out = copyPlain(raw) as Record<string, unknown>;
  else throw new ModuleArgsError(`${def.name}: arguments must be a mapping${def.freeForm ? ' or a string' : ''}, not a list`, { loc: where ?? locate(raw) });
  for (const k of Object.keys(out)) if (out[k] === null || out[k] === undefined) delete out[k];
  return out;
}

/** Validation coerces and fills defaults in place; the task's own values must not change under it. */
function copyPlain(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(copyPlain);
  if (v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = copyPlain(x);
    return out;
  }
  return v;
}

function fromString(def: ModuleDefinition<any, any>, text: string, where?: SourceLocation): Record<string, unknown> {
  const named = new Set(Object.keys(def.schema.properties).filter((k) => k !== def.freeForm));
  const out: Record<string, unknown> = {};
  let words: ShlexWord[];
  try {
    words = shlexWords(text);
  } catch (err) {
    // a shell script may hold quotes shlex cannot pair (a `# don't` comment): then it is all free form
    if (def.freeForm) return { [def.freeForm]: text.trim() };
    throw err;
  }
  if (def.freeForm) {
    // take out the key=value words this module knows; the rest of the text stays as written
    let rest = '';
    let pos = 0;
    for (const w of words) {
      const eq = w.value.indexOf('=');
      const key = eq > 0 ? w.value.slice(0, eq) : '';
      if (!named.has(key) || w.raw.slice(0, eq) !== key) continue;
      out[key] = w.value.slice(eq + 1);
      rest += text.slice(pos, w.start).replace(/\s+$/, '');
      pos = w.end;
    }
    rest += text.slice(pos);
    const cmd = rest.trim();
    if (cmd !== '') out[def.freeForm] = cmd;
    return out;
  }
  for (const w of words) {
    const eq = w.value.indexOf('=');
    if (eq <= 0) {
      throw new ModuleArgsError(`${def.name}: '${w.value}' is not a key=value argument (this module takes no free-form text)`, { loc: where });
    }
    out[w.value.slice(0, eq)] = w.value.slice(eq + 1);
  }
  return out;
}

export interface ShlexWord {
  value: string;
  /** the word as written, quotes included */
  raw: string;
  start: number;
  end: number;
}

/** Splits a command line into words like a POSIX shell (and Python's shlex.split) would, without expanding anything. */
export function shlexWords(text: string): ShlexWord[] {
  const words: ShlexWord[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    while (i < n && /\s/.test(text[i]!)) i++;
    if (i >= n) break;
    const start = i;
    let value = '';
    while (i < n && !/\s/.test(text[i]!)) {
      const c = text[i]!;
      if (c === "'") {
        const close = text.indexOf("'", i + 1);
        if (close < 0) throw new ModuleArgsError(`unterminated ' quote in: ${text}`);
        value += text.slice(i + 1, close);
        i = close + 1;
      } else if (c === '"') {
        i++;
        while (i < n && text[i] !== '"') {
          if (text[i] === '\\' && i + 1 < n && '\\"$`\n'.includes(text[i + 1]!)) {
            if (text[i + 1] !== '\n') value += text[i + 1];
            i += 2;
          } else value += text[i++];
        }
        if (i >= n) throw new ModuleArgsError(`unterminated " quote in: ${text}`);
        i++;
      } else if (c === '\\' && i + 1 < n) {
        if (text[i + 1] !== '\n') value += text[i + 1];
        i += 2;
      } else {
        value += c;
        i++;
      }
    }
    words.push({ value, raw: text.slice(start, i), start, end: i });
  }
  return words;
}

export function shlexSplit(text: string): string[] {
  return shlexWords(text).map((w) => w.value);
}

/** Drops the errors that only restate another one (anyOf/oneOf wrappers, `if` failures). */
function relevant(errors: ErrorObject[]): ErrorObject[] {
  const specific = errors.filter((e) => !['anyOf', 'oneOf', 'if', 'not', 'propertyNames'].includes(e.keyword));
  const list = specific.length > 0 ? specific : errors;
  const seen = new Set<string>();
  return list.filter((e) => {
    const k = `${e.instancePath}|${e.keyword}|${JSON.stringify(e.params)}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function argumentOf(e: ErrorObject): string | undefined {
  if (e.keyword === 'required') return (e.params as { missingProperty: string }).missingProperty;
  const m = /^\/([^/]+)/.exec(e.instancePath);
  return m ? m[1]!.replace(/~1/g, '/').replace(/~0/g, '~') : undefined;
}

function describe(e: ErrorObject, key: string | undefined, args: Record<string, unknown>): string {
  const path = e.instancePath
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .join('.');
  const what = path ? `argument '${path}'` : 'arguments';
  const value = path ? valueAt(args, e.instancePath) : undefined;
  const got = value === undefined ? '' : ` (got ${JSON.stringify(value)})`;
  const p = e.params as Record<string, unknown>;
  const badName = (e as ErrorObject & { propertyName?: string }).propertyName;
  if (badName !== undefined) return `'${badName}' is not an accepted argument name (${e.message ?? 'invalid'})`;
  switch (e.keyword) {
    case 'required':
      return `missing required argument '${key}'`;
    case 'type':
      return `${what} must be ${String(p.type).replace(/,/g, ' or ')}${got}`;
    case 'enum':
      return `${what} must be one of: ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}${got}`;
    case 'additionalProperties':
      return `${what} has an unknown key '${String(p.additionalProperty)}'`;
    case 'dependencies':
    case 'dependentRequired':
      return `argument '${String(p.property)}' needs '${String(p.missingProperty)}' too`;
    default:
      return `${what} ${e.message ?? 'is invalid'}${got}`;
  }
}

function valueAt(obj: unknown, pointer: string): unknown {
  let cur = obj;
  for (const part of pointer.split('/').slice(1)) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return cur;
}
