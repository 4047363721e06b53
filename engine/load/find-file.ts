// Where `src: app.conf` or `src: site.conf.hbs` is looked up, like Ansible: the role's files/ or
// templates/ first, then beside the task file, then the play's files/ or templates/, then the play's
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
  if (where.roleDir) candidates.push(join(where.roleDir, kind, name), join(where.roleDir, name));
  if (where.taskFile) candidates.push(join(dirname(where.taskFile), kind, name), join(dirname(where.taskFile), name));
  candidates.push(join(where.playbookDir, kind, name), join(where.playbookDir, name));
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
