// Diffs as unified diffs with Ansible's headers (`--- before: path` / `+++ after: path`).
import { structuredPatch } from 'diff';
import type { DiffEntry } from '../module-contract.js';
import type { Colors } from './colors.js';

/** Ansible's default max_diff_size: past this, diffing costs more than reading it is worth. */
export const MAX_DIFF_SIZE = 104448;

export function formatDiff(entries: readonly DiffEntry[], c: Colors, context = 3): string {
  let out = '';
  for (const d of entries) {
    if (d.before === d.after) continue;
    const skip = d.before.includes('\0') || d.after.includes('\0')
      ? 'binary content differs'
      : Math.max(d.before.length, d.after.length) > MAX_DIFF_SIZE
        ? `diff skipped: content is larger than ${MAX_DIFF_SIZE} bytes`
        : undefined;
    if (skip !== undefined) {
      out += c.red(`--- before: ${d.label}`) + '\n' + c.green(`+++ after: ${d.label}`) + '\n' + `${skip}\n\n`;
      continue;
    }
    const patch = structuredPatch(d.label, d.label, d.before, d.after, undefined, undefined, { context });
    out += c.red(`--- before: ${d.label}`) + '\n' + c.green(`+++ after: ${d.label}`) + '\n';
    for (const h of patch.hunks) {
      // GNU diff convention, as `diff -u` and git print it: an empty side starts one line earlier
      const oldStart = h.oldLines === 0 ? h.oldStart - 1 : h.oldStart;
      const newStart = h.newLines === 0 ? h.newStart - 1 : h.newStart;
      out += c.cyan(`@@ -${oldStart},${h.oldLines} +${newStart},${h.newLines} @@`) + '\n';
      for (const line of h.lines) {
        if (line.startsWith('+')) out += c.green(line) + '\n';
        else if (line.startsWith('-')) out += c.red(line) + '\n';
        else out += line + '\n';
      }
    }
    out += '\n';
  }
  return out;
}
