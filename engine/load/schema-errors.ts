// Turning ajv's errors into short human messages: where (a JSON pointer → the value in the loaded
// document), what was expected (worded from the schema that failed), and what we got.
import type { ErrorObject } from 'ajv';
import { BOOL_PATTERN, TEMPLATE_PATTERN, VAR_NAME_PATTERN } from '../schema/keywords.js';
import { didYouMean } from './suggest.js';

export type Obj = Record<string, unknown>;

export const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
// a Jinja start string ({{, {%, {#), as engine/vars/template.ts's hasTemplate and Ansible's is_possibly_template
export const hasTemplate = (v: unknown): boolean => typeof v === 'string' && /\{[{%#]/.test(v);

export function groupByPath(errors: ErrorObject[]): ErrorObject[][] {
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

export function pointerParts(pointer: string): string[] {
  return pointer === '' ? [] : pointer.split('/').slice(1).map(decode);
}

export function valueAtPointer(root: unknown, pointer: string): unknown {
  return walk(root, pointerParts(pointer));
}

export function walk(root: unknown, parts: string[]): unknown {
  let cur = root;
  for (const part of parts) {
    if (Array.isArray(cur)) cur = cur[Number(part)];
    else if (isObj(cur)) cur = Object.prototype.hasOwnProperty.call(cur, part) ? cur[part] : undefined;
    else return undefined;
  }
  return cur;
}

/** The error whose schema encloses the others at the same place (an anyOf rather than its branches). */
export function outermost(errors: ErrorObject[]): ErrorObject {
  return errors.reduce((a, b) => (b.schemaPath.split('/').length < a.schemaPath.split('/').length ? b : a));
}

/** `/loop_control/pause` → `loop_control.pause`; `/tags/1` → `tags[1]` */
export function pointerLabel(pointer: string): string {
  let out = '';
  for (const p of pointerParts(pointer)) out += /^\d+$/.test(p) ? `[${p}]` : out ? `.${p}` : p;
  return out;
}

export function templatedOnPath(args: unknown, pointer: string): boolean {
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
export function expectation(e: ErrorObject): string {
  const schema = (e.parentSchema ?? {}) as Record<string, unknown>;
  if (['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum'].includes(e.keyword)) return e.message ?? 'is out of range';
  if (e.keyword === 'minItems') return 'must not be empty';
  if (e.keyword === 'pattern' && schema.pattern !== TEMPLATE_PATTERN && schema.pattern !== BOOL_PATTERN) {
    if (schema.pattern === VAR_NAME_PATTERN) return 'must be a variable name (letters, digits, _)';
    return `must match ${String(schema.pattern)}`;
  }
  const words = describeSchema(schema);
  if (words.length === 0) return `is invalid (${e.message ?? e.keyword})`;
  if (Array.isArray(schema.enum) && words.length > 2) return `must be one of ${words.join(', ')}`;
  return `must be ${words.length === 1 ? words[0] : `${words.slice(0, -1).join(', ')} or ${words[words.length - 1]}`}`;
}

function describeSchema(schema: Record<string, unknown>): string[] {
  if (Array.isArray(schema.enum)) return schema.enum.map((v) => (typeof v === 'string' ? `'${v}'` : String(v)));
  if (schema.const !== undefined) return [`'${String(schema.const)}'`];
  const branches = (schema.anyOf ?? schema.oneOf) as Record<string, unknown>[] | undefined;
  if (Array.isArray(branches)) return [...new Set(branches.flatMap(describeSchema))];
  const templated = schema.pattern === TEMPLATE_PATTERN || schema.pattern === BOOL_PATTERN;
  const types = ([] as unknown[]).concat(schema.type ?? []) as string[];
  return types.filter((t) => !(templated && t === 'string') && t !== 'null').map((t) => TYPE_WORDS[t] ?? t);
}

export function yesNoHint(e: ErrorObject, value: unknown): string | undefined {
  const types = ([] as unknown[]).concat(((e.parentSchema ?? {}) as Record<string, unknown>).type ?? []);
  if (types.includes('boolean') && typeof value === 'string' && /^(yes|no|on|off|y|n|true|false)$/i.test(value)) {
    return `YAML 1.2 reads '${value}' as a string: write ${/^(yes|on|y|true)$/i.test(value)}`;
  }
  return undefined;
}

export function enumHint(e: ErrorObject, value: unknown): string | undefined {
  const allowed = ((e.parentSchema ?? {}) as { enum?: unknown[] }).enum;
  return Array.isArray(allowed) && typeof value === 'string' ? didYouMean(value, allowed.map(String)) : undefined;
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

