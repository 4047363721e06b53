// Turning module outcomes into HostResults and registered values, and the aggregate of a loop.
import type { HostResult, HostStatus } from '../report/events.js';

export interface ItemOutcome {
  status: HostStatus;
  msg?: string;
  data: Record<string, unknown>;
  diff?: HostResult['diff'];
  skipReason?: string;
  ignored?: boolean;
  item?: unknown;
  label?: unknown;
  check?: boolean;
  unreachable?: boolean;
  notify?: boolean;
  /** meta: what the executor must do next */
  control?: string;
}

export function statusOf(o: { changed: boolean; failed: boolean; skipped: boolean }): HostStatus {
  if (o.failed) return 'failed';
  if (o.skipped) return 'skipped';
  return o.changed ? 'changed' : 'ok';
}

/** A loop's results folded into one, with `results` holding each item's registered value. */
export function aggregate(items: ItemOutcome[]): ItemOutcome {
  const results = items.map((i) => i.data);
  const anyFailed = items.some((i) => i.status === 'failed' || i.status === 'unreachable');
  const anyChanged = items.some((i) => i.status === 'changed' || i.data.changed === true);
  const allSkipped = items.length === 0 || items.every((i) => i.status === 'skipped');
  const unreachable = items.some((i) => i.status === 'unreachable');
  const status: HostStatus = unreachable ? 'unreachable' : anyFailed ? 'failed' : allSkipped ? 'skipped' : anyChanged ? 'changed' : 'ok';
  const data: Record<string, unknown> = { results, changed: anyChanged, failed: anyFailed, skipped: allSkipped };
  if (anyFailed) data.msg = 'One or more items failed';
  const diff = items.flatMap((i) => i.diff ?? []);
  return {
    status,
    data,
    msg: anyFailed ? 'One or more items failed' : items.length === 0 ? 'No items in the list' : undefined,
    diff: diff.length ? diff : undefined,
    skipReason: allSkipped ? (items.length === 0 ? 'No items in the list' : 'all items skipped') : undefined,
    ignored: anyFailed && items.every((i) => i.status !== 'failed' || i.ignored),
    check: items.some((i) => i.check),
    unreachable,
    notify: items.some((i) => i.notify),
    control: items.find((i) => i.control)?.control,
  };
}
