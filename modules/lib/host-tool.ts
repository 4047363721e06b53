// Running a system tool on the host by name. Tools such as useradd, sysctl or modprobe live in the
// sbin directories, which a non-root login's PATH often lacks, so those are appended (never
// prepended: whatever PATH the task sets, e.g. a test's command doubles, still comes first).
// Failures are ModuleErrors, which the engine turns into a failed result (engine/run/execute-module.ts).
import { argvToShell, type RunResult } from '../../engine/connect/connection.js';
import { ModuleError } from '../../engine/errors.js';
import type { ModuleContext } from '../../engine/module-contract.js';

const SBIN = '/usr/local/sbin:/usr/sbin:/sbin';

export interface ToolOptions {
  stdin?: string | Buffer;
  env?: Record<string, string>;
  timeoutMs?: number;
  /** the package that provides the tool, named in the error when the tool is missing */
  providedBy?: string;
}

/** The shell line that runs argv with the sbin directories on PATH; every word is quoted. */
export function toolShell(argv: string[]): string {
  return `PATH="$PATH:${SBIN}"; export PATH; exec ${argvToShell(argv)}`;
}

/** Runs argv on the host; a missing tool (rc 127) is an error, any other exit status is returned. */
export async function runTool(ctx: ModuleContext, argv: string[], o: ToolOptions = {}): Promise<RunResult> {
  const res = await ctx.conn.run({ shell: toolShell(argv), stdin: o.stdin, env: o.env, timeoutMs: o.timeoutMs });
  if (res.rc === 127) {
    const pkg = o.providedBy ? ` (install the ${o.providedBy} package)` : '';
    throw new ModuleError(`${argv[0]} is not installed on ${ctx.host}${pkg}`);
  }
  return res;
}

/** Runs argv on the host and throws when it exits non-zero. */
export async function mustRunTool(ctx: ModuleContext, argv: string[], o: ToolOptions = {}): Promise<RunResult> {
  const res = await runTool(ctx, argv, o);
  if (res.rc !== 0) throw new ModuleError(commandFailure(argv, res));
  return res;
}

export function commandFailure(argv: string[], res: RunResult): string {
  const why = (res.stderr.trim() || res.stdout.trim()).split('\n').slice(-5).join('\n');
  const how = res.timedOut ? 'timed out' : `exited ${res.rc}`;
  return `${argvToShell(argv)} ${how}${why ? `: ${why}` : ''}`;
}
