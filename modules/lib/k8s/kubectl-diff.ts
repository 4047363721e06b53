// Reading `kubectl diff`. kubectl writes the live objects into one directory and the objects as the
// server's dry run of the apply would make them into another (one file per object, named
// GROUP.VERSION.KIND.NAMESPACE.NAME, the group and its dot left out for the core group, the
// namespace empty for cluster-scoped objects), then runs `diff -u -N LIVE MERGED` or the program
// named by KUBECTL_EXTERNAL_DIFF, with the words of that variable (letters, digits, '-' and '=' only)
// appended after the two directories. Exit status: 0 no differences, 1 differences, >1 an error.
//
// gx sets KUBECTL_EXTERNAL_DIFF to `diff -N -U999999`: a unified diff whose context is the whole
// file, so each object's full before and after can be rebuilt from it for --diff, and an object
// absent from the live side (a hunk starting at -0,0) is one that would be created.
import type { K8sObject } from './manifests.js';
import { groupOf, versionOf } from './manifests.js';

export const EXTERNAL_DIFF = 'diff -N -U999999';

export interface ObjectDiff {
  /** the file name kubectl gave the object */
  file: string;
  before: string;
  after: string;
  /** nothing live: the object would be created */
  created: boolean;
}

/** Splits the output of `diff -N -U<n> LIVE MERGED` into one entry per file that differs. */
export function parseUnifiedDiff(text: string): ObjectDiff[] {
  const lines = text.split('\n');
  const out: ObjectDiff[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    if (!line.startsWith('--- ') || !lines[i + 1]?.startsWith('+++ ')) {
      i++;
      continue;
    }
    const newPath = lines[i + 1]!.slice(4).split('\t')[0]!;
    const file = newPath.slice(newPath.lastIndexOf('/') + 1);
    i += 2;
    const before: string[] = [];
    const after: string[] = [];
    let oldTotal = 0;
    while (i < lines.length) {
      const h = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/.exec(lines[i]!);
      if (!h) break;
      let oldLeft = h[2] === undefined ? 1 : Number(h[2]);
      let newLeft = h[4] === undefined ? 1 : Number(h[4]);
      oldTotal += oldLeft;
      i++;
      // counted, not pattern-matched: a YAML line may itself start with '--- ' or '@@'
      while (i < lines.length && (oldLeft > 0 || newLeft > 0)) {
        const l = lines[i]!;
        const body = l.slice(1);
        if (l.startsWith('\\')) {
          i++;
          continue;
        }
        if (l.startsWith('-')) {
          before.push(body);
          oldLeft--;
        } else if (l.startsWith('+')) {
          after.push(body);
          newLeft--;
        } else {
          before.push(body);
          after.push(body);
          oldLeft--;
          newLeft--;
        }
        i++;
      }
      while (i < lines.length && lines[i]!.startsWith('\\')) i++;
    }
    out.push({ file, before: joinLines(before), after: joinLines(after), created: oldTotal === 0 });
  }
  return out;
}

function joinLines(ls: string[]): string {
  return ls.length === 0 ? '' : ls.join('\n') + '\n';
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Whether kubectl's file name for an object (namespace unknown to us) is this object's. */
export function diffFileMatches(file: string, obj: K8sObject, namespace?: string): boolean {
  const group = groupOf(obj.apiVersion);
  const prefix = `${group ? `${group}.` : ''}${versionOf(obj.apiVersion)}.${obj.kind}.`;
  const ns = namespace === undefined ? '[a-z0-9-]*' : escapeRe(namespace);
  return new RegExp(`^${escapeRe(prefix)}${ns}\\.${escapeRe(obj.metadata.name)}$`).test(file);
}
