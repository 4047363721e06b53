// Reading users and groups on the host the way the system sees them (getent: local files, LDAP,
// sssd alike), shared by the user and group modules.
import { ModuleError } from '../../engine/errors.js';
import type { ModuleContext } from '../../engine/module-contract.js';
import { runTool } from './host-tool.js';

export interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
  comment: string;
  home: string;
  shell: string;
}

export interface GroupEntry {
  name: string;
  gid: number;
  members: string[];
}

/** getent exits 2 when the key is not found. */
async function getent(ctx: ModuleContext, db: 'passwd' | 'group' | 'shadow', key: string): Promise<string | null> {
  const res = await runTool(ctx, ['getent', db, key], { providedBy: 'libc-bin' });
  if (res.rc === 2) return null;
  if (res.rc !== 0) throw new ModuleError(`getent ${db} ${key} failed (rc ${res.rc}): ${res.stderr.trim()}`);
  return res.stdout.split('\n')[0] ?? null;
}

export async function getUser(ctx: ModuleContext, name: string): Promise<PasswdEntry | null> {
  const line = await getent(ctx, 'passwd', name);
  if (line === null) return null;
  const f = line.split(':');
  return { name: f[0]!, uid: Number(f[2]), gid: Number(f[3]), comment: f[4] ?? '', home: f[5] ?? '', shell: f[6] ?? '' };
}

export async function getGroup(ctx: ModuleContext, nameOrGid: string): Promise<GroupEntry | null> {
  const line = await getent(ctx, 'group', nameOrGid);
  if (line === null) return null;
  const f = line.split(':');
  return { name: f[0]!, gid: Number(f[2]), members: (f[3] ?? '').split(',').filter(Boolean) };
}

/** The password hash in the user's shadow entry; '' when there is none or it cannot be read (not root), as Ansible's user_password. */
export async function shadowHash(ctx: ModuleContext, name: string): Promise<string> {
  const line = await getent(ctx, 'shadow', name).catch(() => null);
  return line?.split(':')[1] ?? '';
}

/** Supplementary group names of a user (primary group excluded). */
export async function supplementaryGroups(ctx: ModuleContext, user: string, primary: string): Promise<string[]> {
  const res = await runTool(ctx, ['id', '-Gn', user], { providedBy: 'coreutils' });
  if (res.rc !== 0) throw new ModuleError(`id -Gn ${user} failed: ${res.stderr.trim()}`);
  return res.stdout.trim().split(/\s+/).filter((g) => g && g !== primary);
}

export const ACCOUNT_NAME = '^[A-Za-z0-9_][A-Za-z0-9_.-]*\\$?$';
