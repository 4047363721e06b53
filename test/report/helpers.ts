// Shared by the reporter tests: a stream that records what was written, and short event builders.
import { Writable } from 'node:stream';
import type { GxEvent, HostResult, RecapCounts } from '../../engine/report/events.js';
import { emptyCounts } from '../../engine/report/events.js';

export class CaptureStream extends Writable {
  chunks: string[] = [];
  isTTY?: boolean;
  columns?: number;
  rows?: number;
  constructor(tty?: { columns: number; rows: number }) {
    super();
    if (tty) {
      this.isTTY = true;
      this.columns = tty.columns;
      this.rows = tty.rows;
    }
  }
  override _write(chunk: Buffer | string, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.chunks.push(chunk.toString());
    cb();
  }
  get text(): string {
    return this.chunks.join('');
  }
}

export const T = 1_700_000_000_000;

export const ev = {
  run: (check = false, diff = false): GxEvent => ({ type: 'run.start', playbook: 'site.yaml', check, diff, time: T }),
  play: (name: string, hosts: string[]): GxEvent => ({ type: 'play.start', name, hosts, time: T }),
  task: (id: string, name: string, hosts: string[], extra: { module?: string; handler?: boolean; line?: number } = {}): GxEvent => ({
    type: 'task.start',
    id,
    name,
    module: extra.module ?? 'command',
    handler: extra.handler ?? false,
    hosts,
    loc: extra.line === undefined ? undefined : { file: 'site.yaml', line: extra.line, col: 7 },
    time: T,
  }),
  host: (taskId: string, r: Partial<HostResult> & Pick<HostResult, 'host' | 'status'>): GxEvent => ({
    type: 'host.result',
    taskId,
    result: { durationMs: 5, ...r },
    time: T,
  }),
  item: (taskId: string, r: Partial<HostResult> & Pick<HostResult, 'host' | 'status'>): GxEvent => ({
    type: 'item.result',
    taskId,
    result: { durationMs: 1, ...r },
    time: T,
  }),
  progress: (host: string, task: string, item?: unknown): GxEvent => ({ type: 'host.progress', host, task, item, time: T }),
  taskEnd: (id: string, durationMs = 10): GxEvent => ({ type: 'task.end', id, durationMs, time: T }),
  playEnd: (name: string): GxEvent => ({ type: 'play.end', name, time: T }),
  recap: (hosts: Record<string, Partial<RecapCounts>>, interrupted = false): GxEvent => ({
    type: 'recap',
    hosts: Object.fromEntries(Object.entries(hosts).map(([h, c]) => [h, { ...emptyCounts(), ...c }])),
    durationMs: 100,
    interrupted,
    time: T,
  }),
};

/** The 80-column banner line Ansible prints for a title. */
export function stars(title: string): string {
  return `${title} ${'*'.repeat(80 - title.length - 1)}`;
}
