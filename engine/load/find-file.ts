// Where `src: app.conf` or `src: site.conf.hbs` is looked up, like Ansible (dataloader.py
// path_dwim_relative_stack, v2.17.5): the role's files/ or templates/ first, then those of the roles
// that included or depend on it, then beside the task file, then the play's files/ or templates/, then the play's
// directory itself, and for templates last the extra directories the caller configured (gx play
// --templates-dir; the CLI's default is documented there). The engine knows no project layout: the
// search path is data its caller gives.
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { ModuleError } from '../errors.js';

/** files/ (copy), templates/ (template), vars/ (include_vars) */
export type FileKind = 'files' | 'templates' | 'vars';

export interface SearchPath {
  /** the task's role: its files/ or templates/, then the role directory */
  roleDir?: string;
  /** the roles that included or depend on the task's role, nearest first: searched the same way, after it */
  parentRoleDirs?: readonly string[];
  /** the file the task is written in: files/ or templates/ beside it, then its directory */
  taskFile?: string;
  /** the play's directory: files/ or templates/ in it, then the directory itself */
  playbookDir: string;
  /** searched last, for templates only: directories the caller configured */
  templateDirs?: readonly string[];
}

/** Every place `name` is looked for, in order (duplicates removed). */
export function searchCandidates(name: string, kind: FileKind, where: SearchPath): string[] {
  if (isAbsolute(name)) return [name];
  const candidates: string[] = [];
  // `src: files/a.conf` is not looked for in files/files/ (dataloader.py path_dwim_relative_stack)
  const under = (dir: string): string[] => (name.split('/')[0] === kind ? [join(dir, name)] : [join(dir, kind, name), join(dir, name)]);
  for (const r of [where.roleDir, ...(where.roleDir ? (where.parentRoleDirs ?? []) : [])]) if (r) candidates.push(...under(r));
  if (where.taskFile) candidates.push(...under(dirname(where.taskFile)));
  candidates.push(...under(where.playbookDir));
  if (kind === 'templates') for (const d of where.templateDirs ?? []) candidates.push(join(d, name));
  return [...new Set(candidates)];
}

export async function findFile(name: string, kind: FileKind, where: SearchPath): Promise<string> {
  if (isAbsolute(name)) {
    if (existsSync(name)) return name;
    throw new ModuleError(`file not found: ${name}`);
  }
  const candidates = searchCandidates(name, kind, where);
  for (const c of candidates) if (existsSync(c)) return c;
  throw new ModuleError(`could not find '${name}' in: ${candidates.join(', ')}`);
}
