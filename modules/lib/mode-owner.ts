// mode/owner/group arguments shared by the modules that write a file (lineinfile, blockinfile,
// get_url): parse them, say what differs from a stat, and fix it with chmod/chown.
import type { FileStat } from '../../engine/connect/connection.js';
import { ModuleError } from '../../engine/errors.js';
import type { ModuleContext } from '../../engine/module-contract.js';
import { mustRunTool } from './host-tool.js';

export interface ModeOwnerArgs {
  mode?: string | number;
  owner?: string;
  group?: string;
}

export const modeOwnerSchema = {
  mode: {
    type: ['string', 'integer'],
    description:
      "Permission bits as an octal string ('0644', '644'). A YAML number such as 0644 or 644 is read as octal digits too, since YAML 1.2 reads 0644 as decimal.",
  },
  owner: { type: 'string', description: 'User that should own the file (name or uid).' },
  group: { type: 'string', description: 'Group that should own the file (name or gid).' },
} as const;

/** Octal permission bits, or undefined when not given. */
export function parseMode(mode: string | number | undefined): number | undefined {
  if (mode === undefined) return undefined;
  const text = typeof mode === 'number' ? String(mode) : mode.trim().replace(/^0o/, '');
  if (!/^[0-7]{1,4}$/.test(text)) throw new ModuleError(`mode must be octal permission bits such as '0644', not ${JSON.stringify(mode)}`);
  return parseInt(text, 8);
}

export function formatMode(bits: number): string {
  return '0' + bits.toString(8).padStart(3, '0');
}

function sameId(want: string, name: string, id: number): boolean {
  return want === name || want === String(id);
}

/** What would change, as short phrases ("mode 0600 -> 0644"); empty when nothing. A missing file gets every asked attribute. */
export function modeOwnerChanges(stat: FileStat | null, want: ModeOwnerArgs): string[] {
  const out: string[] = [];
  const mode = parseMode(want.mode);
  if (mode !== undefined && (!stat || stat.mode !== mode)) out.push(`mode ${stat ? formatMode(stat.mode) : '-'} -> ${formatMode(mode)}`);
  if (want.owner !== undefined && (!stat || !sameId(want.owner, stat.owner, stat.uid))) out.push(`owner ${stat?.owner ?? '-'} -> ${want.owner}`);
  if (want.group !== undefined && (!stat || !sameId(want.group, stat.group, stat.gid))) out.push(`group ${stat?.group ?? '-'} -> ${want.group}`);
  return out;
}

/** Sets the asked attributes that differ from `stat` (all of them when stat is null). */
export async function applyModeOwner(ctx: ModuleContext, path: string, stat: FileStat | null, want: ModeOwnerArgs): Promise<void> {
  const mode = parseMode(want.mode);
  const owner = want.owner !== undefined && (!stat || !sameId(want.owner, stat.owner, stat.uid)) ? want.owner : undefined;
  const group = want.group !== undefined && (!stat || !sameId(want.group, stat.group, stat.gid)) ? want.group : undefined;
  if (owner !== undefined || group !== undefined) {
    await mustRunTool(ctx, ['chown', `${owner ?? ''}${group !== undefined ? `:${group}` : ''}`, '--', path]);
  }
  if (mode !== undefined && (!stat || stat.mode !== mode)) await mustRunTool(ctx, ['chmod', formatMode(mode), '--', path]);
}
