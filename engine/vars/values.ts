// Value semantics shared by the expression language (expr.ts) and the template helpers
// (helpers.ts), so `x | int` in a `when` and `{{int x}}` in a template agree. They follow
// Python/Jinja where Ansible users rely on it (truthiness, ==, bool()), JS elsewhere.
import { isUnknown } from './unknown.js';

/** Names that would lead out of the data into the JS object machinery. */
const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype', '__defineGetter__', '__defineSetter__', '__lookupGetter__', '__lookupSetter__']);

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v) || isUnknown(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** Is `v` a proxy-like lazy map (hostvars) or a plain object? Both are looked up by own keys. */
export function isMapping(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && !isUnknown(v) && !(v instanceof Date);
}

export const MISSING: unique symbol = Symbol('missing');

const FIELDS: unique symbol = Symbol('named tuple fields');

/**
 * A Python named tuple: a list whose items also answer to names (`groupby`'s `grouper`/`list`).
 * The names live under a symbol, so the value stays a plain list for JSON, equality and loops.
 */
export function namedTuple(items: unknown[], names: readonly string[]): unknown[] {
  const t = [...items];
  Object.defineProperty(t, FIELDS, { value: Object.fromEntries(names.map((n, i) => [n, i])), enumerable: false });
  return t;
}

/**
 * One step of attribute/index access on data: own properties of mappings, integer indices of
 * arrays and strings (negative counts from the end, like Python). Never the prototype chain.
 */
export function getMember(obj: unknown, key: string | number): unknown {
  if (typeof key === 'string' && FORBIDDEN.has(key)) return MISSING;
  if (Array.isArray(obj) || typeof obj === 'string') {
    const field = typeof key === 'string' && Array.isArray(obj) ? (obj as { [FIELDS]?: Record<string, number> })[FIELDS]?.[key] : undefined;
    if (field !== undefined) return obj[field];
    const i = typeof key === 'number' ? key : /^-?\d+$/.test(key) ? Number(key) : NaN;
    if (!Number.isInteger(i)) return MISSING;
    const j = i < 0 ? obj.length + i : i;
    if (j < 0 || j >= obj.length) return MISSING;
    return obj[j];
  }
  if (isMapping(obj)) {
    // one descriptor read: a lazy map (hostvars, a lazily rendered scope) computes the value once
    const d = Object.getOwnPropertyDescriptor(obj, String(key));
    if (!d) return MISSING;
    const v = 'value' in d ? d.value : obj[String(key)];
    return typeof v === 'function' ? MISSING : v;
  }
  return MISSING;
}

export function typeName(v: unknown): string {
  if (v === null || v === undefined) return 'none';
  if (Array.isArray(v)) return 'list';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  if (typeof v === 'string') return 'str';
  if (isUnknown(v)) return 'unknown';
  return 'dict';
}

const FALSE_WORDS = new Set(['false', 'no', 'off', '0']);

/**
 * Python truthiness, with one deliberate difference: the strings "false", "no", "off" and "0"
 * are false. `-e flag=false` produces the string "false"; Ansible ≤2.18 made that false for bare
 * variables and 2.19 rejects it, gx makes it false everywhere.
 */
export function truthy(v: unknown): boolean {
  if (v === null || v === undefined || v === false || v === 0) return false;
  if (typeof v === 'number') return !Number.isNaN(v);
  if (typeof v === 'string') return v !== '' && !FALSE_WORDS.has(v.trim().toLowerCase());
  if (Array.isArray(v)) return v.length > 0;
  if (isPlainObject(v)) return Object.keys(v).length > 0;
  return true;
}

/** Python-ish falsiness used by `default(x, true)`: '', 0, false, none, [] and {} count as empty. */
export function isEmptyish(v: unknown): boolean {
  if (v === null || v === undefined || v === false || v === 0 || v === '') return true;
  if (Array.isArray(v)) return v.length === 0;
  if (isPlainObject(v)) return Object.keys(v).length === 0;
  return false;
}

/** Python ==: deep for lists and dicts, bool compares as 0/1 against numbers. */
export function pyEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a == null || b == null) return a == null && b == null;
  if (typeof a === 'boolean' && typeof b === 'number') return (a ? 1 : 0) === b;
  if (typeof a === 'number' && typeof b === 'boolean') return a === (b ? 1 : 0);
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => pyEqual(x, b[i]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && pyEqual(a[k], b[k]));
  }
  return false;
}

/** Jinja's `int` filter: parses strings (also "3.7"), truncates floats, 0 when it cannot. */
export function toInt(v: unknown, fallback = 0): number {
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'number') return Number.isFinite(v) ? Math.trunc(v) : fallback;
  if (typeof v === 'string') {
    const s = v.trim().replace(/_/g, '');
    if (/^[+-]?\d+$/.test(s)) return parseInt(s, 10);
    if (/^[+-]?0x[0-9a-f]+$/i.test(s)) return (s.startsWith('-') ? -1 : 1) * parseInt(s.replace(/^[+-]/, ''), 16);
    const f = Number(s);
    return s !== '' && Number.isFinite(f) ? Math.trunc(f) : fallback;
  }
  return fallback;
}

export function toFloat(v: unknown, fallback = 0): number {
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    const f = Number(v.trim());
    return v.trim() !== '' && !Number.isNaN(f) ? f : fallback;
  }
  return fallback;
}

/** How a value reads inside text: strings as-is, lists and dicts as JSON, none as ''. */
export function textOf(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || isUnknown(v)) return String(v);
  return JSON.stringify(v);
}

/** Python's str() for the expression language's `string` filter and `~`. */
export function pyStr(v: unknown): string {
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (v === null || v === undefined) return 'None';
  return textOf(v);
}

/** `length`: characters of a string, items of a list, keys of a dict. */
export function lengthOf(v: unknown): number | undefined {
  if (typeof v === 'string') return [...v].length;
  if (Array.isArray(v)) return v.length;
  if (isMapping(v)) return Object.keys(v).length;
  return undefined;
}
