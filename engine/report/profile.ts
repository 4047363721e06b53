// --profile: per-task wall time, slowest first, like Ansible's profile_tasks callback.
import type { GxEvent } from './events.js';
import { banner } from './banner.js';

interface TaskTime {
  name: string;
  where?: string;
  ms: number;
}

export const PROFILE_TOP = 20;

export class TaskProfile {
  private readonly tasks = new Map<string, TaskTime>();

  handle(e: GxEvent): void {
    if (e.type === 'task.start') {
      if (!this.tasks.has(e.id)) this.tasks.set(e.id, { name: e.name || e.module, where: e.loc ? `${e.loc.file}:${e.loc.line}` : undefined, ms: 0 });
    } else if (e.type === 'task.end') {
      const t = this.tasks.get(e.id);
      // a handler notified twice, or a task in a loop of plays, adds up under one row
      if (t) t.ms += e.durationMs;
      else this.tasks.set(e.id, { name: e.id, ms: e.durationMs });
    }
  }

  format(width = 80): string {
    const all = [...this.tasks.values()];
    if (all.length === 0) return '';
    const rows = [...all].sort((a, b) => b.ms - a.ms).slice(0, PROFILE_TOP);
    const total = all.reduce((s, t) => s + t.ms, 0);
    let out = banner(`TASKS BY TIME (slowest ${rows.length} of ${all.length})`, width);
    for (const t of rows) out += row(t.where ? `${t.name} (${t.where})` : t.name, t.ms, width);
    out += row('total', total, width);
    return out;
  }
}

function row(label: string, ms: number, width: number): string {
  const secs = `${(ms / 1000).toFixed(2)}s`;
  const dashes = Math.max(3, width - label.length - secs.length - 2);
  return `${label} ${'-'.repeat(dashes)} ${secs}\n`;
}
