// The shape of one YAML inventory document, checked before it is read: every problem at once,
// each at its file:line:col. Kept apart from the reader (which skips what is malformed) so the
// shared JSON-Schema validation (engine/load/validate.ts, validateInventoryDoc) can replace it.
import { PlaybookError, type GxError } from '../errors.js';
import { locate, type SourceLocation } from '../load/source.js';
import { didYouMean } from '../load/suggest.js';

export const GROUP_KEYS = ['hosts', 'vars', 'children'];

type Vars = Record<string, unknown>;

export function isMapping(v: unknown): v is Vars {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function describe(v: unknown): string {
  if (Array.isArray(v)) return 'a list';
  return typeof v === 'string' ? `the string '${v}'` : `the ${typeof v} ${String(v)}`;
}

export function checkInventoryDoc(doc: unknown, file: string): GxError[] {
  const errors: GxError[] = [];
  const fail = (message: string, loc: SourceLocation | undefined, hint?: string): void => {
    errors.push(new PlaybookError(message, { loc: loc ?? { file, line: 1, col: 1 }, hint }));
  };

  const group = (name: string, value: unknown, container: Vars): void => {
    if (value === null || value === undefined) return;
    if (!isMapping(value)) {
      fail(`group '${name}' must be a mapping with 'hosts', 'vars' and/or 'children', not ${describe(value)}`, locate(container, name, 'value'));
      return;
    }
    for (const [key, v] of Object.entries(value)) {
      if (!GROUP_KEYS.includes(key)) {
        fail(
          `unknown key '${key}' in group '${name}': a group has only 'hosts', 'vars' and 'children'`,
          locate(value, key),
          didYouMean(key, GROUP_KEYS) ?? 'variables go under vars:, sub-groups under children:',
        );
        continue;
      }
      if (v === null || v === undefined) continue;
      const vloc = locate(value, key, 'value');
      if (key === 'vars') {
        if (!isMapping(v)) fail(`'vars' of group '${name}' must be a mapping of variable names to values, not ${describe(v)}`, vloc);
        continue;
      }
      // Ansible accepts a single name as a string
      if (typeof v === 'string') continue;
      if (!isMapping(v)) {
        const hint = Array.isArray(v) ? `write each name as a key followed by ':' (e.g. 'web1:'), one per line` : undefined;
        fail(`'${key}' of group '${name}' must be a mapping of names, not ${describe(v)}`, vloc, hint);
        continue;
      }
      if (key === 'children') {
        for (const [c, cv] of Object.entries(v)) group(c, cv, v);
        continue;
      }
      for (const [h, hv] of Object.entries(v)) {
        if (hv === null || hv === undefined || isMapping(hv)) continue;
        fail(
          `host '${h}' must be followed by a mapping of its variables (or nothing), not ${describe(hv)}`,
          locate(v, h),
          Array.isArray(hv) ? 'a host is not a group: to list several hosts, make each one a key under hosts:' : undefined,
        );
      }
    }
  };

  if (doc === null || doc === undefined) return errors;
  if (!isMapping(doc)) {
    fail(`an inventory must be a mapping of group names (usually 'all:'), not ${describe(doc)}`, locate(doc), "start the file with 'all:' and put 'hosts:' and 'children:' under it");
    return errors;
  }
  for (const [name, value] of Object.entries(doc)) group(name, value, doc);
  return errors;
}
