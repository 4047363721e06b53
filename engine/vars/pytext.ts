// How values read inside text in a Jinja template, as Python prints them (Ansible's templates run
// on Python): `['a', 'b']`, `{'k': 1}`, True/False/None. A lone `{{ x }}` keeps its type instead
// (template.ts); these are for values inside text, the `string` filter and `~`.
import { isUnknown } from './unknown.js';
import { isMapping } from './values.js';

const CONTROL = /[\x00-\x1f\x7f\\]/g;
const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\\': '\\\\' };

/** Python's repr() of a str: single quotes unless the text holds ' and no ". */
function reprString(s: string): string {
  const q = s.includes("'") && !s.includes('"') ? '"' : "'";
  const body = s.replace(CONTROL, (c) => NAMED[c] ?? `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return q + (q === "'" ? body.replace(/'/g, "\\'") : body) + q;
}

function reprNumber(n: number): string {
  if (Number.isNaN(n)) return 'nan';
  if (!Number.isFinite(n)) return n > 0 ? 'inf' : '-inf';
  return String(n);
}

/** Python's repr(): how items of a list or dict print. */
export function pyRepr(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'string') return reprString(v);
  if (typeof v === 'number') return reprNumber(v);
  if (isUnknown(v)) return String(v);
  if (Array.isArray(v)) return `[${v.map(pyRepr).join(', ')}]`;
  if (isMapping(v)) return `{${Object.keys(v).map((k) => `${reprString(k)}: ${pyRepr(v[k])}`).join(', ')}}`;
  return reprString(String(v));
}

/** Python's str(): strings as they are, everything else as repr(). */
export function pyText(v: unknown): string {
  return typeof v === 'string' ? v : pyRepr(v);
}

/** What `{{ x }}` prints inside text: Python's str(), except that none prints nothing (Ansible's finalize). */
export function outputText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === null || v === undefined) return '';
  return pyRepr(v);
}
