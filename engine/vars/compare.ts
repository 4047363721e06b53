// Python's ordering and membership for the expression language: `<` between numbers, between
// strings, lists lexicographically; `in` on lists, strings and dict keys.
import { Fail } from './fail.js';
import { isUnknown, type Unknown } from './unknown.js';
import { isMapping, pyEqual, typeName } from './values.js';

/** Python ordering: numbers with numbers, strings with strings, lists lexicographically. */
export function compareValues(op: string, a: unknown, b: unknown): boolean {
  const num = (x: unknown): x is number | boolean => typeof x === 'number' || typeof x === 'boolean';
  let c: number;
  if (num(a) && num(b)) c = Number(a) - Number(b);
  else if (typeof a === 'string' && typeof b === 'string') c = a < b ? -1 : a > b ? 1 : 0;
  else if (a instanceof Date && b instanceof Date) c = a.getTime() - b.getTime();
  else if (Array.isArray(a) && Array.isArray(b)) {
    c = 0;
    for (let i = 0; i < Math.min(a.length, b.length) && c === 0; i++) {
      if (!pyEqual(a[i], b[i])) c = compareValues('<', a[i], b[i]) ? -1 : 1;
    }
    if (c === 0) c = a.length - b.length;
  } else {
    throw new Fail(`'${op}' is not supported between ${typeName(a)} and ${typeName(b)} (convert first, e.g. x | int)`);
  }
  switch (op) {
    case '<':
      return c < 0;
    case '<=':
      return c <= 0;
    case '>':
      return c > 0;
    default:
      return c >= 0;
  }
}

/** `needle in haystack`; Unknown when the answer depends on an unknown item. */
export function contains(hay: unknown, needle: unknown): boolean | Unknown {
  if (typeof hay === 'string') {
    if (typeof needle !== 'string') throw new Fail(`'in <string>' requires a string on the left, got ${typeName(needle)}`);
    return hay.includes(needle);
  }
  if (Array.isArray(hay)) {
    let unknown: Unknown | undefined;
    for (const x of hay) {
      if (isUnknown(x)) unknown ??= x;
      else if (pyEqual(x, needle)) return true;
    }
    return unknown ?? false;
  }
  if (isMapping(hay)) return typeof needle === 'string' || typeof needle === 'number' ? Object.prototype.hasOwnProperty.call(hay, String(needle)) : false;
  throw new Fail(`'in' needs a list, string or dict on the right, got ${typeName(hay)}`);
}
