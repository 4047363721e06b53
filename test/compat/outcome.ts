// What one run of ansible-playbook or gx left in its output: the recap per host and the first error
// that was not ignored. Both tools print Ansible's recap line
// `host : ok=N changed=N unreachable=N failed=N skipped=N rescued=N ignored=N`.

export type { RecapCounts } from '../../engine/report/events.js';
import type { RecapCounts } from '../../engine/report/events.js';

export interface RunOutcome {
  /** Exit status (null when killed by the time limit). */
  status: number | null;
  timedOut: boolean;
  /** The last recap printed, host → counts (empty when the run stopped before any recap). */
  recap: Record<string, RecapCounts>;
  /** The first error not followed by `...ignoring`, or '' when there was none. */
  firstError: string;
  seconds: number;
}

const RECAP_LINE =
  /^(\S+)\s+:\s+ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)\s+skipped=(\d+)\s+rescued=(\d+)\s+ignored=(\d+)/;

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;]*m/g;

export function parseRecap(output: string): Record<string, RecapCounts> {
  const lines = output.replace(ANSI, '').split('\n');
  const start = lines.findLastIndex((l) => l.startsWith('PLAY RECAP'));
  const recap: Record<string, RecapCounts> = {};
  if (start < 0) return recap;
  for (const line of lines.slice(start + 1)) {
    const m = RECAP_LINE.exec(line.trim());
    if (!m) continue;
    const [, host, ok, changed, unreachable, failed, skipped, rescued, ignored] = m;
    recap[host!] = {
      ok: +ok!,
      changed: +changed!,
      unreachable: +unreachable!,
      failed: +failed!,
      skipped: +skipped!,
      rescued: +rescued!,
      ignored: +ignored!,
    };
  }
  return recap;
}

const ERROR_START = /^(ERROR!|fatal: \[|failed: \[|\[ERROR\]|error:|Error:)/;
const HEADER = /^(TASK|PLAY|RUNNING HANDLER)\b/;

interface ErrorBlock {
  text: string;
  load: boolean;
}

/** Every error block the output holds that no `...ignoring` follows, with the task it belongs to. */
function errorBlocks(output: string): ErrorBlock[] {
  const lines = output.replace(ANSI, '').split('\n');
  const out: ErrorBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (!ERROR_START.test(line.trimStart())) continue;
    const block = [line];
    for (let j = i + 1; j < lines.length && lines[j]!.trim() !== '' && !HEADER.test(lines[j]!) && block.length < 8; j++) block.push(lines[j]!);
    const rest = lines.slice(i + 1, i + 40);
    const next = rest.findIndex((l) => HEADER.test(l) || /^(fatal|failed|ok|changed|skipping): \[/.test(l));
    if ((next < 0 ? rest : rest.slice(0, next)).some((l) => l.trim() === '...ignoring')) continue;
    const load = line.startsWith('ERROR!');
    const task = lines.slice(0, i).findLast((l) => /^(TASK|RUNNING HANDLER) \[/.test(l));
    const where = task && !load ? `${task.replace(/\s*\*+$/, '')}: ` : '';
    out.push({ text: where + block.join('\n').trim(), load });
  }
  return out;
}

/**
 * The error that stopped the run: the first load/CLI error (`ERROR! …` with its location lines),
 * else the last task failure not marked `...ignoring` (earlier ones may have been rescued; the
 * items run one host, which stops at its last failure).
 */
export function firstError(output: string): string {
  const blocks = errorBlocks(output);
  return (blocks.find((b) => b.load) ?? blocks.at(-1))?.text ?? '';
}

/** Every load-time problem (`ERROR! …` line) gx printed, each once. */
export function loadErrors(output: string): string[] {
  const lines = output.replace(ANSI, '').split('\n').filter((l) => l.startsWith('ERROR!'));
  return [...new Set(lines)];
}

export function finished(o: RunOutcome): boolean {
  if (o.timedOut || o.status !== 0) return false;
  return Object.values(o.recap).every((c) => c.failed === 0 && c.unreachable === 0);
}

export function sameRecap(a: RunOutcome, b: RunOutcome): boolean {
  const hosts = Object.keys(a.recap).sort();
  const other = Object.keys(b.recap).sort();
  if (hosts.join(',') !== other.join(',')) return false;
  return hosts.every((h) => JSON.stringify(a.recap[h]) === JSON.stringify(b.recap[h]));
}
