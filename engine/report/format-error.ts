// Turns an error into the text the CLI prints: the message, where it is, the offending line with a
// caret under the column (underlining the key or word that starts there), and the hint. Only
// internal errors (bugs in gx) and --debug show a stack: a user's mistake is never a stack trace.
import { isAbsolute, relative } from 'node:path';
import { createColors } from 'picocolors';
import { ConnectionError, ErrorList, GxError, InternalError } from '../errors.js';
import { formatLocation, sourceLine, type SourceLocation } from '../load/source.js';

export interface FormatOptions {
  color: boolean;
  debug: boolean;
}

type Colors = ReturnType<typeof createColors>;

export function formatError(err: unknown, opts: FormatOptions): string {
  const c = createColors(opts.color);
  if (err instanceof ErrorList) {
    const all = flatten(err);
    if (all.length === 1) return formatOne(all[0]!, opts, c);
    const blocks = all.map((e) => formatOne(e, opts, c));
    return `${blocks.join('\n\n')}\n\n${c.bold(c.red(`${all.length} problems found`))}`;
  }
  return formatOne(err, opts, c);
}

function flatten(list: ErrorList): GxError[] {
  return list.errors.flatMap((e) => (e instanceof ErrorList ? flatten(e) : [e]));
}

function formatOne(err: unknown, opts: FormatOptions, c: Colors): string {
  if (!(err instanceof GxError)) {
    // anything that is not one of ours escaped a bug: say so, and show where
    const e = err instanceof Error ? err : new Error(String(err));
    return `${c.bold(c.red('ERROR!'))} unexpected error (a bug in gx): ${e.message}\n${stackOf(e, c)}`;
  }
  const lines: string[] = [];
  const internal = err instanceof InternalError;
  const prefix = err instanceof ConnectionError && !err.message.includes(err.host) ? `${err.host}: ` : '';
  lines.push(`${c.bold(c.red('ERROR!'))} ${internal ? 'internal error (a bug in gx): ' : ''}${prefix}${err.message}`);
  if (err.loc) lines.push(...snippet(err.loc, c));
  if (err.hint) lines.push(`  ${c.cyan('hint:')} ${err.hint}`);
  if (internal || opts.debug) lines.push(stackOf(err, c));
  return lines.join('\n');
}

function snippet(loc: SourceLocation, c: Colors): string[] {
  const out = [`  ${c.blue('-->')} ${formatLocation({ ...loc, file: shortPath(loc.file) })}`];
  const text = sourceLine(loc.file, loc.line);
  if (text === undefined) return out;
  const num = String(loc.line);
  const width = Math.max(5, num.length + 1);
  const gutter = c.blue(`${' '.repeat(width)} |`);
  // keep tabs in the caret line's padding, so the caret lands under the right character
  const pad = text.slice(0, Math.max(0, loc.col - 1)).replace(/[^\t]/g, ' ');
  const carets = '^'.repeat(tokenLength(text, loc.col));
  out.push(`${c.blue(`${num.padStart(width)} |`)} ${text}`);
  out.push(`${gutter} ${pad}${c.red(carets)}`);
  return out;
}

/** A path under the working directory is shown relative to it: shorter, and still clickable. */
function shortPath(file: string): string {
  if (!isAbsolute(file)) return file;
  const rel = relative(process.cwd(), file);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
}

/** The length of the word (key, value, quoted string, {{ template }}) starting at `col`; 1 when there is none. */
function tokenLength(text: string, col: number): number {
  const rest = text.slice(col - 1);
  const template = /^\{\{.*?\}\}/.exec(rest);
  if (template) return template[0].length;
  const quoted = /^(['"])(?:\\.|(?!\1).)*\1/.exec(rest);
  if (quoted) return quoted[0].length;
  const word = /^[^\s:,#[\]{}]+/.exec(rest);
  return word ? word[0].length : 1;
}

function stackOf(err: Error, c: Colors): string {
  const parts = [c.dim(err.stack ?? `${err.name}: ${err.message}`)];
  let cause = err.cause;
  for (let depth = 0; cause !== undefined && depth < 5; depth++) {
    parts.push(c.dim(`caused by: ${cause instanceof Error ? (cause.stack ?? cause.message) : String(cause)}`));
    cause = cause instanceof Error ? cause.cause : undefined;
  }
  return parts.join('\n');
}
