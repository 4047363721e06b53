// Where `src: app.conf` or `src: site.conf.hbs` is looked up, like Ansible: the role's files/ or
// templates/ first, then beside the task file, then the playbook's files/ or templates/, then the
// playbook directory itself.
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { ModuleError } from '../errors.js';

export async function findFile(
  name: string,
  kind: 'files' | 'templates',
  where: { roleDir?: string; playbookDir: string; taskFile?: string },
): Promise<string> {
  if (isAbsolute(name)) {
    if (existsSync(name)) return name;
    throw new ModuleError(`file not found: ${name}`);
  }
  const candidates: string[] = [];
  if (where.roleDir) candidates.push(join(where.roleDir, kind, name), join(where.roleDir, name));
  if (where.taskFile) candidates.push(join(dirname(where.taskFile), kind, name), join(dirname(where.taskFile), name));
  candidates.push(join(where.playbookDir, kind, name), join(where.playbookDir, name));
  // the gauntlet keeps its manifests in the repository's top-level templates/
  if (kind === 'templates') candidates.push(join(where.playbookDir, '..', 'templates', name));
  for (const c of candidates) if (existsSync(c)) return c;
  throw new ModuleError(`could not find '${name}' in: ${[...new Set(candidates)].join(', ')}`);
}
