// Tag selection with Ansible's rules: `always` runs unless skipped by name, `never` runs only when
// asked for by one of its tags, and the special selectors all / tagged / untagged.
import type { TaskNode } from './types.js';

export interface TagSelection {
  /** --tags; empty or undefined means "all" */
  only?: string[];
  /** --skip-tags */
  skip?: string[];
}

export function isSelected(tags: readonly string[], sel: TagSelection): boolean {
  const skip = sel.skip ?? [];
  const only = sel.only && sel.only.length > 0 ? sel.only : ['all'];
  const real = tags.filter((t) => t !== 'always' && t !== 'never');

  if (skip.length > 0) {
    if (tags.some((t) => skip.includes(t))) return false;
    if (skip.includes('tagged') && real.length > 0) return false;
    if (skip.includes('untagged') && tags.length === 0) return false;
    if (skip.includes('all') && !tags.includes('always')) return false;
  }
  if (tags.includes('always')) return true;
  const explicit = tags.some((t) => only.includes(t));
  if (tags.includes('never')) return explicit;
  if (explicit) return true;
  if (only.includes('all')) return true;
  if (only.includes('tagged') && real.length > 0) return true;
  if (only.includes('untagged') && tags.length === 0) return true;
  return false;
}

/**
 * Whether a node has anything to run under the selection. Blocks and statically known includes
 * are entered when any task inside is selected: a tag on an inner task is enough (Ansible would skip
 * an untagged include_tasks entirely, a well-known trap; gx does not).
 */
export function hasSelected(node: TaskNode, sel: TagSelection): boolean {
  switch (node.kind) {
    case 'task':
      return isSelected(node.eff.tags, sel);
    case 'block':
      return [...node.block, ...node.rescue, ...node.always].some((n) => hasSelected(n, sel));
    case 'include':
      if (isSelected(node.eff.tags, sel)) return true;
      return node.precompiled ? node.precompiled.nodes.some((n) => hasSelected(n, sel)) : false;
  }
}

export function uniqueTags(...lists: (readonly string[] | undefined)[]): string[] {
  const out: string[] = [];
  for (const l of lists) for (const t of l ?? []) if (!out.includes(t)) out.push(t);
  return out;
}
