// mode / owner / group, shared by every module that writes or manages a file (copy, template, file,
// lineinfile, blockinfile, get_url, x509_certificate): what would change, and changing it.
import type { Connection, FileStat } from '../../engine/connect/connection.js';
import { ModuleError } from '../../engine/errors.js';
import type { DiffEntry } from '../../engine/module-contract.js';
import { formatMode, modeProperty, parseMode } from './mode.js';

export interface AttrArgs {
  mode?: string | number;
  owner?: string;
  group?: string;
}

export const attrProperties = {
  mode: modeProperty,
  owner: { type: 'string', description: 'The user that should own it (a name or a numeric id).' },
  group: { type: 'string', description: 'The group that should own it (a name or a numeric id).' },
  // Ansible's file common argument: its modules fall back to writing in place when the atomic rename
  // fails (module_utils/basic.py atomic_move); gx never does
  unsafe_writes: {
    type: 'boolean',
    description: 'Accepted for Ansible compatibility and ignored: gx always writes atomically (a temporary file renamed over the old one), never in place.',
  },
} as const;

export interface AttrChange {
  mode?: number;
  owner?: string;
  group?: string;
}

function sameId(want: string, name: string, id: number): boolean {
  return /^\d+$/.test(want) ? Number(want) === id : want === name;
}

/** The mode a new file gets before `mode` applies (0666 under the usual 022 umask); symbolic modes start from it. */
export const NEW_FILE_MODE = 0o644;

/**
 * What differs between the file as it is and the wanted attributes (empty when nothing does). A
 * file that does not exist yet (null) gets every asked attribute, a symbolic mode applied to
 * NEW_FILE_MODE.
 */
export function attrChanges(st: FileStat | null, a: AttrArgs): AttrChange {
  const out: AttrChange = {};
  if (!st) {
    if (a.mode !== undefined) out.mode = parseMode(a.mode, NEW_FILE_MODE);
    if (a.owner !== undefined) out.owner = a.owner;
    if (a.group !== undefined) out.group = a.group;
    return out;
  }
  if (a.mode !== undefined && st.type !== 'link') {
    const want = parseMode(a.mode, st.mode, st.type === 'directory');
    if (want !== st.mode) out.mode = want;
  }
  if (a.owner !== undefined && !sameId(a.owner, st.owner, st.uid)) out.owner = a.owner;
  if (a.group !== undefined && !sameId(a.group, st.group, st.gid)) out.group = a.group;
  return out;
}

export function hasChanges(c: AttrChange): boolean {
  return c.mode !== undefined || c.owner !== undefined || c.group !== undefined;
}

/** The changes as short phrases for a message ("mode 0644 -> 0640"); a missing file's side is '-'. */
export function changePhrases(st: FileStat | null, c: AttrChange): string[] {
  const out: string[] = [];
  if (c.mode !== undefined) out.push(`mode ${st ? formatMode(st.mode) : '-'} -> ${formatMode(c.mode)}`);
  if (c.owner !== undefined) out.push(`owner ${st?.owner ?? '-'} -> ${c.owner}`);
  if (c.group !== undefined) out.push(`group ${st?.group ?? '-'} -> ${c.group}`);
  return out;
}

/** The changes of an existing file as a --diff entry, labelled "PATH (attributes)". */
export function attrDiff(label: string, st: FileStat, c: AttrChange): DiffEntry {
  const before: string[] = [];
  const after: string[] = [];
  if (c.mode !== undefined) {
    before.push(`mode: ${formatMode(st.mode)}`);
    after.push(`mode: ${formatMode(c.mode)}`);
  }
  if (c.owner !== undefined) {
    before.push(`owner: ${st.owner}`);
    after.push(`owner: ${c.owner}`);
  }
  if (c.group !== undefined) {
    before.push(`group: ${st.group}`);
    after.push(`group: ${c.group}`);
  }
  return { label: `${label} (attributes)`, before: before.join('\n') + '\n', after: after.join('\n') + '\n' };
}

/** Applies the changes through the connection; `-h` keeps chown off a link's target. */
export async function applyAttrs(conn: Connection, path: string, c: AttrChange, isLink = false): Promise<void> {
  if (c.owner !== undefined || c.group !== undefined) {
    const spec = `${c.owner ?? ''}${c.group !== undefined ? `:${c.group}` : ''}`;
    await must(conn, ['chown', ...(isLink ? ['-h'] : []), spec, '--', path], path);
  }
  if (c.mode !== undefined) await must(conn, ['chmod', formatMode(c.mode), '--', path], path);
}

/** Runs argv (a coreutils command: cp, mv, chmod, …) on the host; a non-zero exit is a ModuleError. */
export async function must(conn: Connection, argv: string[], what: string): Promise<string> {
  const r = await conn.run({ argv });
  if (r.rc !== 0) throw new ModuleError(`${argv[0]} failed on ${what}: ${r.stderr.trim() || `rc ${r.rc}`}`);
  return r.stdout;
}

/** The attributes a result reports, in Ansible's shape. */
export function attrData(st: FileStat): Record<string, unknown> {
  return { mode: formatMode(st.mode), owner: st.owner, group: st.group, uid: st.uid, gid: st.gid, size: st.size };
}

/** A short description of a path's state, for --diff. */
export function describeState(st: FileStat | null): string {
  if (!st) return 'state: absent\n';
  const state = st.type === 'directory' ? 'directory' : st.type === 'link' ? 'link' : st.type === 'file' ? 'file' : 'other';
  const lines = [`state: ${state}`];
  if (st.type === 'link') lines.push(`src: ${st.linkTarget}`);
  else lines.push(`mode: ${formatMode(st.mode)}`);
  lines.push(`owner: ${st.owner}`, `group: ${st.group}`);
  return lines.join('\n') + '\n';
}
