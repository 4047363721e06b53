// Where a task's files, templates and vars files are looked up (engine/load/find-file.ts): its
// role and the roles above it, the file it is written in, the play's directory, the configured
// template directories. One place, so the template module, lookups, loops and the check for facts
// a template reads all search alike.
import type { TaskNode } from '../compile/types.js';
import type { SearchPath } from '../load/find-file.js';

export function searchPathOf(node: TaskNode, playbookDir: string, templateDirs: readonly string[] | undefined): SearchPath {
  return { roleDir: node.eff.role?.dir, parentRoleDirs: node.eff.role?.parentDirs, taskFile: node.loc?.file, playbookDir, templateDirs };
}
