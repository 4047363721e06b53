// The typed event stream. The executor emits these; reporters (plain, tty, json) only consume them.
// Every event passes through the redactor before any reporter sees it, so secrets never leave.
import type { DiffEntry } from '../module-contract.js';
import type { SourceLocation } from '../load/source.js';

export type HostStatus = 'ok' | 'changed' | 'failed' | 'skipped' | 'unreachable';

export interface HostResult {
  host: string;
  status: HostStatus;
  /** ignore_errors turned a failure into ok */
  ignored?: boolean;
  /** rescued by a block's rescue section (set on the failing result) */
  rescued?: boolean;
  msg?: string;
  /** the loop item's label, for loop results */
  item?: unknown;
  /** delegate_to target when delegated */
  delegatedTo?: string;
  diff?: DiffEntry[];
  /** the registered value (module data + rc/stdout/...); shown at -v */
  data?: Record<string, unknown>;
  /** check mode: the module would act; shown as "would change" */
  check?: boolean;
  /** why it was skipped */
  skipReason?: string;
  durationMs: number;
  /** no_log: the reporter shows only the status */
  censored?: boolean;
  /** a meta task's or an include_role's: Ansible prints it only when skipped or failed, and counts it in no recap column */
  silent?: boolean;
}

export interface RecapCounts {
  ok: number;
  changed: number;
  unreachable: number;
  failed: number;
  skipped: number;
  rescued: number;
  ignored: number;
}

export type GxEvent =
  | { type: 'run.start'; playbook: string; check: boolean; diff: boolean; time: number }
  | { type: 'play.start'; name: string; hosts: string[]; loc?: SourceLocation; time: number }
  | { type: 'task.start'; id: string; name: string; module: string; handler: boolean; loc?: SourceLocation; hosts: string[]; time: number }
  /** a host started (or moved on to) something: for live progress */
  | { type: 'host.progress'; host: string; task: string; item?: unknown; time: number }
  /** one loop item's result */
  | { type: 'item.result'; taskId: string; result: HostResult; time: number }
  /** the host's overall result for the task (for loops: the aggregate) */
  | { type: 'host.result'; taskId: string; result: HostResult; time: number }
  | { type: 'task.end'; id: string; durationMs: number; time: number }
  | { type: 'warning'; msg: string; host?: string; loc?: SourceLocation; time: number }
  | { type: 'log'; level: 1 | 2 | 3 | 4; msg: string; host?: string; time: number }
  | { type: 'play.end'; name: string; time: number }
  | { type: 'recap'; hosts: Record<string, RecapCounts>; durationMs: number; interrupted: boolean; time: number };

export interface Reporter {
  handle(event: GxEvent): void;
  /** flush and stop any live display */
  close(): Promise<void> | void;
}

export function emptyCounts(): RecapCounts {
  return { ok: 0, changed: 0, unreachable: 0, failed: 0, skipped: 0, rescued: 0, ignored: 0 };
}
