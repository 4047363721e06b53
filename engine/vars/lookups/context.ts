// What a lookup knows about where it runs: the task's variables (playbook_dir, role_path,
// ansible_check_mode…) and where the expression is written (the task file). Lookups run on the
// controller when the expression is evaluated, in check mode too, as in Ansible.
import { dirname, isAbsolute, join } from 'node:path';
import { existsSync } from 'node:fs';
import { searchCandidates as fileSearch, type SearchPath } from '../../load/find-file.js';
import type { Where } from '../where.js';
import { Fail } from '../fail.js';

export interface LookupContext {
  /** the task's scope */
  vars: Record<string, unknown>;
  /** where the expression is written; `where.loc.file` is the task file */
  where?: Where;
  /** the subdirectory relative names are looked for in (Ansible sets 'templates' for template tasks) */
  subdir?: 'files' | 'templates' | 'vars' | 'tasks';
  /**
   * The task's full search path when the caller knows it (the roles that included or depend on
   * the task's role, --templates-dir…): engine/load/find-file.ts's order is then used. Without
   * it the path comes from the scope: role_path, the task file, playbook_dir.
   */
  search?: SearchPath;
}

/** The search path given with the context, or one set on `where` by the task runner. */
function givenSearch(ctx: LookupContext): SearchPath | undefined {
  return ctx.search ?? (ctx.where as (Where & { search?: SearchPath }) | undefined)?.search;
}

const asDir = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);

/** The directory relative paths (pipe's cwd, fileglob) are taken from: the playbook's. */
export function baseDir(ctx: LookupContext): string {
  return asDir(ctx.vars['playbook_dir']) ?? process.cwd();
}

/**
 * Ansible's path_dwim_relative_stack (parsing/dataloader.py): the role (its <subdir>/ and itself),
 * the task file's directory (<subdir>/ and itself), then the playbook directory. Absolute
 * paths and ~ are taken as they are.
 */
export function searchCandidates(name: string, subdir: string, ctx: LookupContext): string[] {
  if (name.startsWith('~')) return [(process.env['HOME'] ?? '') + name.slice(1)];
  if (isAbsolute(name)) return [name];
  const search = givenSearch(ctx);
  if (search && (subdir === 'files' || subdir === 'templates')) return fileSearch(name, subdir, search);
  const out: string[] = [];
  const add = (dir: string | undefined): void => {
    if (!dir) return;
    if (name.split('/')[0] !== subdir) out.push(join(dir, subdir, name));
    out.push(join(dir, name));
  };
  const role = asDir(ctx.vars['role_path']);
  add(role);
  const taskFile = ctx.where?.loc?.file;
  // a role's tasks/ file too: its directory (tasks/<subdir>/, tasks/) is searched after the role's,
  // as Ansible's task search path holds both (setup_remote_tmp_dir's first_found finds tasks/default.yml)
  if (taskFile) add(dirname(taskFile));
  add(baseDir(ctx));
  return [...new Set(out)];
}

/** The first existing candidate, or undefined. */
export function findInSearchPath(name: string, subdir: string, ctx: LookupContext): string | undefined {
  return searchCandidates(name, subdir, ctx).find((c) => existsSync(c));
}

export function requireFile(name: string, subdir: string, ctx: LookupContext, lookup: string): string {
  const found = findInSearchPath(name, subdir, ctx);
  if (!found) throw new Fail(`${lookup}: could not locate file in lookup: ${name} (searched ${searchCandidates(name, subdir, ctx).join(', ')})`);
  return found;
}

/** The search path's directories for fileglob's bare patterns: role, task dir, playbook dir. */
export function searchDirs(ctx: LookupContext): string[] {
  const search = givenSearch(ctx);
  if (search) {
    const roles = search.roleDir ? [search.roleDir, ...((search as { parentRoleDirs?: readonly string[] }).parentRoleDirs ?? [])] : [];
    return [...new Set([...roles, ...(search.taskFile ? [dirname(search.taskFile)] : []), search.playbookDir])];
  }
  const dirs = [asDir(ctx.vars['role_path']), ctx.where?.loc?.file ? dirname(ctx.where.loc.file) : undefined, baseDir(ctx)].filter((d): d is string => !!d);
  return [...new Set(dirs)];
}
