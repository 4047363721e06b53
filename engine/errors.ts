// The error tree. Only the CLI turns these into text (engine/report/format-error.ts); everything
// else throws or returns them. A host failure is a result, never one of these.
import type { SourceLocation } from './load/source.js';

export type ErrorKind = 'playbook' | 'template' | 'module-args' | 'connection' | 'module' | 'usage' | 'internal';

export class GxError extends Error {
  readonly kind: ErrorKind;
  /** where in the user's files the problem is, when we know */
  loc?: SourceLocation;
  /** one extra line of help, e.g. "did you mean 'when'?" */
  hint?: string;
  constructor(kind: ErrorKind, message: string, opts: { loc?: SourceLocation; hint?: string; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.kind = kind;
    this.loc = opts.loc;
    this.hint = opts.hint;
    this.name = new.target.name;
  }
}

/** Anything wrong with the YAML or its shape: playbooks, roles, inventories, vars files. */
export class PlaybookError extends GxError {
  constructor(message: string, opts: { loc?: SourceLocation; hint?: string; cause?: unknown } = {}) {
    super('playbook', message, opts);
  }
}

/** A template or expression that cannot be parsed or refers to something undefined. */
export class TemplateError extends GxError {
  constructor(message: string, opts: { loc?: SourceLocation; hint?: string; cause?: unknown } = {}) {
    super('template', message, opts);
  }
}

/** Module arguments that do not satisfy the module's schema. */
export class ModuleArgsError extends GxError {
  constructor(message: string, opts: { loc?: SourceLocation; hint?: string; cause?: unknown } = {}) {
    super('module-args', message, opts);
  }
}

/** A host cannot be reached, or the connection died. Turns the host `unreachable`. */
export class ConnectionError extends GxError {
  readonly host: string;
  constructor(host: string, message: string, opts: { loc?: SourceLocation; hint?: string; cause?: unknown } = {}) {
    super('connection', message, opts);
    this.host = host;
  }
}

/** A module could not do its work (not the same as a command exiting non-zero, which is a result). */
export class ModuleError extends GxError {
  constructor(message: string, opts: { loc?: SourceLocation; hint?: string; cause?: unknown } = {}) {
    super('module', message, opts);
  }
}

/** Bad command-line usage. */
export class UsageError extends GxError {
  constructor(message: string, opts: { hint?: string } = {}) {
    super('usage', message, opts);
  }
}

/** A bug in gx. The CLI prints its stack. */
export class InternalError extends GxError {
  constructor(message: string, opts: { cause?: unknown } = {}) {
    super('internal', message, opts);
  }
}

/** Several problems reported at once (validation collects everything before failing). */
export class ErrorList extends GxError {
  readonly errors: GxError[];
  constructor(errors: GxError[]) {
    super(errors[0]?.kind ?? 'internal', `${errors.length} problem${errors.length === 1 ? '' : 's'} found`);
    this.errors = errors;
  }
}

/** Process exit codes, documented in the README. Failed and unreachable combine bitwise (6 = both). */
export const EXIT = {
  OK: 0,
  INTERNAL: 1,
  HOST_FAILED: 2,
  /** the playbook, inventory or a template is invalid: nothing ran */
  INVALID: 3,
  HOST_UNREACHABLE: 4,
  USAGE: 5,
  INTERRUPTED: 130,
} as const;

export function exitCodeForError(err: unknown): number {
  if (err instanceof UsageError) return EXIT.USAGE;
  if (err instanceof ErrorList) return err.errors.every((e) => e instanceof UsageError) ? EXIT.USAGE : EXIT.INVALID;
  if (err instanceof PlaybookError || err instanceof TemplateError || err instanceof ModuleArgsError) return EXIT.INVALID;
  return EXIT.INTERNAL;
}
