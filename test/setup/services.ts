// Runs a test service's script (test/services/*.sh) the way every caller needs: its set-up output
// (apt-get, initdb, pg_ctl, sshd notes; the scripts write it all to stderr) goes to one log file
// instead of the test run's terminal, and its stdout's KEY=VALUE lines come back as a record. When a
// script fails, the error says where the log is and shows the last lines this call wrote there.
import { execFileSync } from 'node:child_process';
import { closeSync, fstatSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** git-ignored (/.gx/); several test runs in one checkout append to it, each call under a header. */
export const SERVICES_LOG = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '.gx', 'test-services.log');

const TAIL_LINES = 20;

export interface ServiceScriptOptions {
  timeoutMs?: number;
  /** where the output goes (tests of this helper use their own file) */
  log?: string;
}

export function runServiceScript(script: string, args: string[], opts: ServiceScriptOptions = {}): Record<string, string> {
  const log = opts.log ?? SERVICES_LOG;
  const what = [basename(script), ...args].join(' ');
  mkdirSync(dirname(log), { recursive: true });
  const fd = openSync(log, 'a');
  let out: string;
  try {
    const from = fstatSync(fd).size;
    writeSync(fd, `--- ${new Date().toISOString()} ${what} (test run ${process.pid})\n`);
    try {
      out = execFileSync('bash', [script, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', fd], timeout: opts.timeoutMs ?? 300_000 });
    } catch (err) {
      const e = err as { status?: number | null; signal?: string | null; message: string };
      const why = e.status != null ? `exit ${e.status}` : e.signal ? `killed by ${e.signal}${e.signal === 'SIGTERM' ? ' (timed out)' : ''}` : e.message;
      const lines = readFileSync(log).subarray(from).toString('utf8').trimEnd().split('\n').slice(1);
      const tail = lines.slice(-TAIL_LINES).map((l) => `  | ${l}`).join('\n');
      throw new Error(`test service "${what}" failed (${why}); its output is in ${log}${tail ? `, ending:\n${tail}` : ' (it printed nothing)'}`);
    }
  } finally {
    closeSync(fd);
  }
  const vars: Record<string, string> = {};
  for (const line of out.split('\n')) {
    const m = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (m) vars[m[1]!] = m[2]!;
  }
  return vars;
}
