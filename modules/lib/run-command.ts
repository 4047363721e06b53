// What command and shell share: creates/removes, running with chdir/stdin/timeout, and the
// registered result in Ansible's shape (rc, stdout, stderr, *_lines, cmd, start, end, delta).
import { posix } from 'node:path';
import type { Connection, RunOptions } from '../../engine/connect/connection.js';
import { shellQuote } from '../../engine/connect/connection.js';
import type { BackgroundWork, ModuleContext, Plan, ReturnDoc } from '../../engine/module-contract.js';
import { Unknown } from '../../engine/vars/unknown.js';

export interface CommonCommandArgs {
  chdir?: string;
  creates?: string;
  removes?: string;
  stdin?: string;
  stdin_add_newline: boolean;
  strip_empty_ends: boolean;
  timeout?: number;
}

export const commonCommandProperties = {
  chdir: { type: 'string', description: 'Change into this directory before running the command.' },
  creates: {
    type: 'string',
    description:
      'A path or glob; when it already exists the command is not run (and the task is ok, not changed). Relative to `chdir` when that is given.',
  },
  removes: {
    type: 'string',
    description: 'A path or glob; when it does NOT exist the command is not run. Relative to `chdir` when that is given.',
  },
  stdin: { type: 'string', description: 'Text written to the command\'s standard input.' },
  stdin_add_newline: { type: 'boolean', default: true, description: 'Add a newline after `stdin`.' },
  strip_empty_ends: { type: 'boolean', default: true, description: 'Strip trailing newlines from stdout and stderr in the result.' },
  timeout: {
    type: 'number',
    exclusiveMinimum: 0,
    description: 'Kill the command (and everything it started) after this many seconds; the task then fails with rc 124.',
  },
} as const;

export const commandReturns = {
  rc: { type: 'int', description: 'The exit status (124 after a timeout).', returned: 'when the command ran' },
  stdout: { type: 'str', description: 'Standard output.', returned: 'when the command ran' },
  stderr: { type: 'str', description: 'Standard error.', returned: 'when the command ran' },
  stdout_lines: { type: 'list', description: '`stdout` split into lines.', returned: 'when the command ran' },
  stderr_lines: { type: 'list', description: '`stderr` split into lines.', returned: 'when the command ran' },
  cmd: { type: 'raw', description: 'The command as run: a list (argv) for command, a string for shell.', returned: 'always' },
  start: { type: 'str', description: 'When the command started, local time `YYYY-MM-DD HH:MM:SS.ffffff`.', returned: 'when the command ran' },
  end: { type: 'str', description: 'When the command ended.', returned: 'when the command ran' },
  delta: { type: 'str', description: 'How long it ran, `H:MM:SS.ffffff`.', returned: 'when the command ran' },
  msg: { type: 'str', description: 'Why the command did not run, or why it failed.', returned: 'sometimes' },
} as const satisfies Record<string, ReturnDoc>;

/** Whether creates/removes say the command must not run; the reason when so. */
export async function guard(ctx: ModuleContext, a: CommonCommandArgs): Promise<string | undefined> {
  if (a.creates !== undefined && (await pathMatches(ctx.conn, a.creates, a.chdir))) return `skipped, since ${a.creates} exists`;
  if (a.removes !== undefined && !(await pathMatches(ctx.conn, a.removes, a.chdir))) return `skipped, since ${a.removes} does not exist`;
  return undefined;
}

async function pathMatches(conn: Connection, pattern: string, chdir?: string): Promise<boolean> {
  const full = chdir && !posix.isAbsolute(pattern) ? posix.join(chdir, pattern) : pattern;
  if (!/[*?[]/.test(full)) return (await conn.stat(full)) !== null;
  // a glob: only its wildcard characters stay unquoted, everything else reaches the shell literally
  const glob = full
    .split(/([*?]|\[[^\]/]*\])/)
    .map((part, i) => (i % 2 === 1 ? part : part === '' ? '' : shellQuote(part)))
    .join('');
  const r = await conn.run({ shell: `for f in ${glob}; do [ -e "$f" ] || [ -L "$f" ] && exit 0; done; exit 1` });
  return r.rc === 0;
}

/** The registered value in check mode: the command did not run, so what it would print is unknown. */
export function notRunData(cmd: string | string[]): Record<string, unknown> {
  const u = new Unknown('the command did not run in check mode');
  return { cmd, rc: u, stdout: u, stderr: u, stdout_lines: u, stderr_lines: u };
}

export function skippedByGuard(cmd: string | string[], reason: string): Plan {
  return {
    changed: false,
    msg: reason.replace(/^skipped, since/, 'Did not run command since'),
    data: { cmd, rc: 0, stdout: reason, stderr: '', stdout_lines: [reason], stderr_lines: [] },
  };
}

/** The plan for command and shell once the guard let it through. */
export function commandPlan(ctx: ModuleContext, a: CommonCommandArgs, run: Pick<RunOptions, 'argv' | 'shell'>, cmd: string | string[]): Plan {
  const guarded = a.creates !== undefined || a.removes !== undefined;
  if (ctx.check && !guarded) {
    return { changed: false, skipped: 'Command would have run if not in check mode', data: notRunData(cmd) };
  }
  return {
    changed: true,
    msg: ctx.check ? 'Command would have run if not in check mode' : undefined,
    data: notRunData(cmd),
    apply: async () => {
      const started = new Date();
      const stdin = a.stdin === undefined ? undefined : a.stdin + (a.stdin_add_newline ? '\n' : '');
      const r = await ctx.conn.run({
        ...run,
        cwd: a.chdir,
        stdin,
        timeoutMs: a.timeout !== undefined ? Math.round(a.timeout * 1000) : undefined,
      });
      const ended = new Date();
      const stdout = a.strip_empty_ends ? r.stdout.replace(/[\r\n]+$/, '') : r.stdout;
      const stderr = a.strip_empty_ends ? r.stderr.replace(/[\r\n]+$/, '') : r.stderr;
      const data = {
        cmd,
        rc: r.rc,
        stdout,
        stderr,
        stdout_lines: lines(stdout),
        stderr_lines: lines(stderr),
        start: timestamp(started),
        end: timestamp(ended),
        delta: delta(ended.getTime() - started.getTime()),
      };
      if (r.timedOut) return { failed: true, msg: `the command timed out after ${a.timeout} seconds`, data };
      if (r.rc !== 0) return { failed: true, msg: 'non-zero return code', data };
      return { data, msg: '' };
    },
  };
}

/** async: the command to start in the background, unless creates/removes say it must not run. */
export async function backgroundWork(ctx: ModuleContext, a: CommonCommandArgs, run: { argv: string[] } | { shell: string }, cmd: string | string[]): Promise<BackgroundWork | Plan> {
  const reason = await guard(ctx, a);
  if (reason) return skippedByGuard(cmd, reason);
  const stdin = a.stdin === undefined ? undefined : a.stdin + (a.stdin_add_newline ? '\n' : '');
  return { run: { ...run, cwd: a.chdir, stdin }, cmd };
}

function lines(s: string): string[] {
  return s === '' ? [] : s.split(/\r?\n/);
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

function timestamp(d: Date): string {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds() * 1000, 6)}`;
}

function delta(ms: number): string {
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = Math.floor((ms % 60_000) / 1000);
  return `${h}:${pad(m)}:${pad(s)}.${pad((ms % 1000) * 1000, 6)}`;
}
