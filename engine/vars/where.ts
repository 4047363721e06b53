// Where a template or expression came from, so its errors name the task, host and file:line.
import { TemplateError } from '../errors.js';
import { formatLocation, type SourceLocation } from '../load/source.js';

export interface Where {
  task?: string;
  loc?: SourceLocation;
  host?: string;
  /** what was being rendered or evaluated: "when", "args.dest", "template templates/app.conf"… */
  what?: string;
}

/** " (in when of task "x" on host h, at file:line:col)" — empty when nothing is known. */
export function describeWhere(where: Where | undefined): string {
  if (!where) return '';
  const parts: string[] = [];
  if (where.what) parts.push(`in ${where.what}`);
  if (where.task) parts.push(`${where.what ? 'of ' : ''}task "${where.task}"`);
  if (where.host) parts.push(`on host ${where.host}`);
  let s = parts.join(' ');
  if (where.loc) s += `${s ? ', ' : ''}at ${formatLocation(where.loc)}`;
  return s ? ` (${s})` : '';
}

/** A TemplateError whose message carries the where-info and whose loc points at the source. */
export function templateError(message: string, where: Where | undefined, opts: { hint?: string; cause?: unknown } = {}): TemplateError {
  return new TemplateError(message + describeWhere(where), { loc: where?.loc, ...opts });
}
