// Counts per host, the way Ansible's PLAY RECAP counts: a changed result is counted in `ok` AND in
// `changed`; an ignored failure counts as `ok` and `ignored` (and `changed` if it changed); a
// failure caught by a block's rescue counts only as `rescued`, not as `failed`.
import { EXIT } from '../errors.js';
import { emptyCounts, type HostResult, type RecapCounts } from './events.js';

export class RecapCounter {
  private readonly hosts = new Map<string, RecapCounts>();
  /** meta: clear_host_errors: their failures stay in the recap but no longer decide the exit code */
  private readonly forgiven = new Set<string>();

  /** Makes a host appear in the recap even if nothing ran on it. */
  touch(host: string): RecapCounts {
    let c = this.hosts.get(host);
    if (c === undefined) {
      c = emptyCounts();
      this.hosts.set(host, c);
    }
    return c;
  }

  /** Feed it host.result results (one per host per task; loop items are not counted). */
  add(r: HostResult): void {
    const c = this.touch(r.host);
    // Ansible's strategy runs meta tasks and expands include_role itself, outside the result queue that feeds the stats
    if (r.silent && r.status !== 'failed' && r.status !== 'unreachable') return;
    if (r.ignored) {
      c.ok++;
      c.ignored++;
      // Ansible counts an ignored failure as changed when its result says so (a command that ran and failed)
      if (r.status === 'changed' || r.data?.changed === true) c.changed++;
      return;
    }
    if ((r.status === 'failed' && !r.rescued) || r.status === 'unreachable') this.forgiven.delete(r.host);
    switch (r.status) {
      case 'ok':
        c.ok++;
        break;
      case 'changed':
        c.ok++;
        c.changed++;
        break;
      case 'skipped':
        c.skipped++;
        break;
      case 'unreachable':
        c.unreachable++;
        break;
      case 'failed':
        if (r.rescued) c.rescued++;
        else c.failed++;
        break;
    }
  }

  counts(host: string): RecapCounts {
    return { ...(this.hosts.get(host) ?? emptyCounts()) };
  }

  /** A copy of all counts, hosts sorted by name. */
  snapshot(): Record<string, RecapCounts> {
    const out: Record<string, RecapCounts> = {};
    for (const h of [...this.hosts.keys()].sort()) out[h] = { ...this.hosts.get(h)! };
    return out;
  }

  /** A host meta: clear_host_errors cleared: like Ansible, its earlier failures do not fail the run. */
  forgive(host: string): void {
    this.forgiven.add(host);
  }

  /** 0 all good, 2 a host failed, 4 a host was unreachable, 6 both. */
  exitCode(): number {
    return exitCodeForCounts([...this.hosts].filter(([h]) => !this.forgiven.has(h)).map(([, c]) => c));
  }
}

export function exitCodeForCounts(counts: Iterable<RecapCounts>): number {
  let code: number = EXIT.OK;
  for (const c of counts) {
    if (c.failed > 0) code |= EXIT.HOST_FAILED;
    if (c.unreachable > 0) code |= EXIT.HOST_UNREACHABLE;
  }
  return code;
}
