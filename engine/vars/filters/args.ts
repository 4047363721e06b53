// Argument coercion shared by the filters, tests, methods and lookups: the same rules and the same
// "expects a …, got …" messages everywhere.
import { Fail } from '../fail.js';
import { pyText } from '../pytext.js';
import { isMapping, toInt, typeName } from '../values.js';

export { Fail } from '../fail.js';

export type Fn = (v: unknown, args: unknown[], kw: Record<string, unknown>) => unknown;

/** A string argument, strictly. */
export function str(v: unknown, what: string): string {
  if (typeof v !== 'string') throw new Fail(`${what} expects a string, got ${typeName(v)}`);
  return v;
}

/** Jinja's soft_str: filters such as `lower` stringify what they are given (True, 3, [1]). */
export function text(v: unknown): string {
  return pyText(v);
}

/** Anything iterable as Python iterates it: lists, characters of a string, keys of a dict. */
export function seq(v: unknown, what: string): unknown[] {
  if (Array.isArray(v)) return v;
  if (typeof v === 'string') return [...v];
  if (isMapping(v)) return Object.keys(v);
  throw new Fail(`${what} expects a list, got ${typeName(v)}`);
}

export function list(v: unknown, what: string): unknown[] {
  if (!Array.isArray(v)) throw new Fail(`${what} expects a list, got ${typeName(v)}`);
  return v;
}

export function mapping(v: unknown, what: string): Record<string, unknown> {
  if (!isMapping(v)) throw new Fail(`${what} expects a dict, got ${typeName(v)}`);
  return v;
}

/** A number as Python's arithmetic takes it: bools are 0/1, a numeric string is still text (write | int). */
export function num(v: unknown, what: string): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  throw new Fail(`${what} expects a number, got ${typeName(v)}${typeof v === 'string' ? ' (convert it first: x | int or x | float)' : ''}`);
}

export function int(v: unknown, what: string): number {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string' && /^\s*[+-]?\d+\s*$/.test(v)) return toInt(v);
  throw new Fail(`${what} expects an integer, got ${typeName(v)}`);
}

/** A positional argument or its keyword spelling (`sort(true)` / `sort(reverse=true)`). */
export function arg(args: unknown[], kw: Record<string, unknown>, i: number, name: string, fallback?: unknown): unknown {
  if (args[i] !== undefined) return args[i];
  if (kw[name] !== undefined) return kw[name];
  return fallback;
}

/** A plain dict with the given own entries (keys such as "__proto__" stay data). */
export function dictOf(entries: Iterable<[string, unknown]>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of entries) Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  return out;
}

export { pyRepr, pyText } from '../pytext.js';
