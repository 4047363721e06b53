// Path filters (Ansible's plugins/filter/core.py: os.path functions on the controller).
import { realpathSync } from 'node:fs';
import { globFiles } from '../glob.js';
import { homedir } from 'node:os';
import { posix, resolve } from 'node:path';
import { isAbsolute } from 'node:path';
import { pyStr } from '../values.js';
import { Fail, list, str, text, type Fn } from './args.js';

/** os.path.splitext (posixpath.py / genericpath._splitext). */
export function splitext(p: string): [string, string] {
  const sep = p.lastIndexOf('/');
  const dot = p.lastIndexOf('.');
  if (dot > sep) {
    for (let i = sep + 1; i < dot; i++) if (p[i] !== '.') return [p.slice(0, dot), p.slice(dot)];
  }
  return [p, ''];
}

/** os.path.normpath: like posix.normalize, without a trailing slash, '.' for empty. */
export function normpath(p: string): string {
  if (p === '') return '.';
  const lead = p.startsWith('//') && !p.startsWith('///') ? '//' : p.startsWith('/') ? '/' : '';
  const out: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..' && out.length && out[out.length - 1] !== '..') out.pop();
    else if (part === '..' && lead) continue;
    else out.push(part);
  }
  return lead + out.join('/') || (lead ? lead : '.');
}

function expanduser(p: string): string {
  if (p === '~' || p.startsWith('~/')) return (process.env['HOME'] ?? homedir()) + p.slice(1);
  return p;
}

function realpath(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return normpath(resolve(p));
  }
}

export const PATH_FILTERS: Record<string, Fn> = {
  // os.path functions take text only (a number or list is a TypeError in Ansible too)
  basename: (v) => str(v, 'basename').slice(str(v, 'basename').lastIndexOf('/') + 1),
  dirname: (v) => {
    const p = str(v, 'dirname');
    const i = p.lastIndexOf('/');
    if (i < 0) return '';
    const head = p.slice(0, i + 1);
    return /^\/+$/.test(head) ? head : head.replace(/\/+$/, '');
  },
  expanduser: (v) => expanduser(str(v, 'expanduser')),
  expandvars: (v) => text(v).replace(/\$(\w+)|\$\{([^}]*)\}/g, (all, a: string | undefined, b: string | undefined) => process.env[a ?? b!] ?? all),
  realpath: (v) => realpath(str(v, 'realpath')),
  relpath: (v, [start]) => posix.relative(resolve(start === undefined ? '.' : pyStr(start)), resolve(str(v, 'relpath'))) || '.',
  splitext: (v) => splitext(str(v, 'splitext')),
  normpath: (v) => normpath(str(v, 'normpath')),
  path_join: (v) => {
    const parts = typeof v === 'string' ? [v] : list(v, 'path_join').map(pyStr);
    let out = '';
    for (const p of parts) out = isAbsolute(p) || out === '' ? p : out.endsWith('/') ? out + p : `${out}/${p}`;
    return out;
  },
  commonpath: (v) => {
    const paths = list(v, 'commonpath').map(pyStr);
    if (!paths.length) throw new Fail('commonpath: the list is empty');
    const abs = paths.map((p) => p.startsWith('/'));
    if (abs.some((a) => a !== abs[0])) throw new Fail("commonpath: can't mix absolute and relative paths");
    const split = paths.map((p) => p.split('/').filter((x) => x && x !== '.'));
    const common: string[] = [];
    for (let i = 0; split.every((s) => i < s.length && s[i] === split[0]![i]); i++) common.push(split[0]![i]!);
    return (abs[0] ? '/' : '') + common.join('/');
  },
  fileglob: (v) => globFiles(text(v)),
  win_basename: () => {
    throw new Fail('win_* path filters are not supported by gx (it manages Linux hosts)');
  },
};
PATH_FILTERS['win_dirname'] = PATH_FILTERS['win_splitdrive'] = PATH_FILTERS['win_basename']!;
