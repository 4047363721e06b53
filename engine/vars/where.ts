// Where a template or expression came from, so its errors name the task, host and file:line.
import { formatLocation, type SourceLocation } from '../load/source.js';

export interface Where {
  task?: string;
  loc?: SourceLocation;
  host?: string;
  /** what was being rendered or evaluated: "when", "args.dest", "template templates/app.conf"… */
  what?: string;
  /** the value's own position inside the task, when known (more precise than loc) */
  at?: SourceLocation;
  /** the template file being rendered: an error inside it points at its line (plus lineOffset, a #jinja2: header) */
  file?: string;
  lineOffset?: number;
}

/** Where an error at `line`/`col` of a template belongs: in the template file, else the value's or the task's place. */
export function templateLoc(where: Where | undefined, line: number, col: number): SourceLocation | undefined {
  if (where?.file) return { file: where.file, line: line + (where.lineOffset ?? 0), col };
  return where?.at ?? where?.loc;
}

/**
 * " (in when of task "x" on host h, at file:line:col)" — empty when nothing is known. `at` is a
 * more precise location (the value inside the task); the task's own location is then kept too.
 */
export function describeWhere(where: Where | undefined, at: SourceLocation | undefined = where?.at): string {
  if (!where) return at ? ` (at ${formatLocation(at)})` : '';
  const parts: string[] = [];
  if (where.what) parts.push(`in ${where.what}`);
  if (where.task) parts.push(`${where.what ? 'of ' : ''}task "${where.task}"`);
  if (where.host) parts.push(`on host ${where.host}`);
  let s = parts.join(' ');
  const here = at ?? where.loc;
  if (here) s += `${s ? ', ' : ''}at ${formatLocation(here)}`;
  if (at && where.loc && formatLocation(at) !== formatLocation(where.loc)) s += `; task at ${formatLocation(where.loc)}`;
  return s ? ` (${s})` : '';
}
