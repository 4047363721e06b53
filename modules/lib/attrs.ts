// mode / owner / group, shared by copy, template and file: what would change, and changing it.
import type { Connection, FileStat } from '../../engine/connect/connection.js';
import { ModuleError } from '../../engine/errors.js';
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
} as const;

export interface AttrChange {
  mode?: number;
  owner?: string;
  group?: string;
}

function sameId(want: string, name: string, id: number): boolean {
  return /^\d+$/.test(want) ? Number(want) === id : want === name;
}

/** What differs between the file as it is and the wanted attributes (empty when nothing does). */
export function attrChanges(st: FileStat, a: AttrArgs): AttrChange {
  const out: AttrChange = {};
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

/** Applies the changes through the connection; `-h` keeps chown off a link's target. */
export async function applyAttrs(conn: Connection, path: string, c: AttrChange, isLink = false): Promise<void> {
  if (c.owner !== undefined || c.group !== undefined) {
    const spec = `${c.owner ?? ''}${c.group !== undefined ? `:${c.group}` : ''}`;
    await must(conn, ['chown', ...(isLink ? ['-h'] : []), spec, '--', path], path);
  }
  if (c.mode !== undefined) await must(conn, ['chmod', formatMode(c.mode), '--', path], path);
}

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
