// Turns events into Ansible-like text. Shared by the plain reporter (CI, pipes) and the TTY reporter
// (which adds a live area under the same text), so both print the same thing for finished tasks.
import type { SourceLocation } from '../load/source.js';
import type { GxEvent, HostResult, HostStatus, RecapCounts } from './events.js';
import { banner } from './banner.js';
import { colors, type Colors } from './colors.js';
import { formatDiff } from './diff.js';
import { safeJson } from './json-safe.js';
import { TaskProfile } from './profile.js';

export interface PlainOptions {
  /** 0..4, the number of -v */
  verbosity: number;
  color: boolean;
  /** print per-task timings after the recap */
  profile: boolean;
  /** line width for banners; Ansible uses 80 */
  width?: number;
}

interface TaskInfo {
  name: string;
  module: string;
  /** debug output is shown at every verbosity, as Ansible does */
  alwaysShow: boolean;
  /** hosts whose loop items were printed: their aggregate line would repeat them */
  itemHosts: Set<string>;
}

const DEBUG_MODULES = new Set(['debug', 'ansible.builtin.debug']);

/** The loop item as Ansible shows it in `(item=...)`. */
export function itemLabel(item: unknown): string {
  if (typeof item === 'string') return item;
  if (item === undefined) return 'None';
  if (item === null || typeof item !== 'object') return String(item);
  return safeJson(item);
}

function where(loc: SourceLocation): string {
  return `${loc.file}:${loc.line}:${loc.col}`;
}

export class PlainFormatter {
  private readonly c: Colors;
  private readonly width: number;
  private readonly tasks = new Map<string, TaskInfo>();
  private readonly profile?: TaskProfile;
  private check = false;

  constructor(private readonly opts: PlainOptions) {
    this.c = colors(opts.color);
    this.width = opts.width ?? 80;
    if (opts.profile) this.profile = new TaskProfile();
  }

  format(e: GxEvent): string {
    this.profile?.handle(e);
    switch (e.type) {
      case 'run.start':
        this.check = e.check;
        return '';
      case 'play.start':
        return banner(`PLAY [${e.name}]${this.checkMark()}`, this.width);
      case 'task.start': {
        this.tasks.set(e.id, { name: e.name, module: e.module, alwaysShow: DEBUG_MODULES.has(e.module), itemHosts: new Set() });
        const title = `${e.handler ? 'RUNNING HANDLER' : 'TASK'} [${e.name || e.module}]${this.checkMark()}`;
        let out = banner(title, this.width);
        if (this.opts.verbosity >= 2 && e.loc) out += `task path: ${where(e.loc)}\n`;
        return out;
      }
      case 'item.result': {
        const t = this.tasks.get(e.taskId);
        t?.itemHosts.add(e.result.host);
        return this.result(e.result, t, true);
      }
      case 'host.result': {
        const t = this.tasks.get(e.taskId);
        const r = e.result;
        if (t?.itemHosts.has(r.host) && r.status !== 'unreachable') return this.markers(r);
        return this.result(r, t, false);
      }
      case 'task.end':
        this.tasks.delete(e.id);
        return '';
      case 'warning': {
        const host = e.host ? `[${e.host}] ` : '';
        const loc = e.loc ? ` (${where(e.loc)})` : '';
        return this.c.magenta(`[WARNING]: ${host}${e.msg}${loc}`) + '\n';
      }
      case 'log':
        if (this.opts.verbosity < Math.max(1, e.level)) return '';
        return this.c.blue(e.host ? `<${e.host}> ${e.msg}` : e.msg) + '\n';
      case 'recap': {
        let out = banner(`PLAY RECAP${e.interrupted ? ' (interrupted)' : ''}`, this.width);
        out += this.recapRows(e.hosts);
        if (this.profile) out += this.profile.format(this.width);
        return out;
      }
      case 'host.progress':
      case 'play.end':
        return '';
    }
  }

  private checkMark(): string {
    return this.check ? ' (check mode)' : '';
  }

  /** One result line (plus the diff before it, like Ansible, and markers after it). */
  private result(r: HostResult, t: TaskInfo | undefined, isItem: boolean): string {
    const c = this.c;
    const v = this.opts.verbosity;
    const status: HostStatus = r.ignored && (r.status === 'ok' || r.status === 'changed') ? 'failed' : r.status;
    // meta tasks and include_role show only their TASK line in Ansible, unless skipped or failed
    if (r.silent && (status === 'ok' || status === 'changed')) return '';
    const host = `[${r.host}${r.delegatedTo ? ` -> ${r.delegatedTo}` : ''}]`;
    const item = isItem ? ` (item=${itemLabel(r.item)})` : '';
    const check = r.check ? ' (check)' : '';
    let out = '';
    if (r.diff && r.diff.length > 0 && !r.censored) out += formatDiff(r.diff, c);
    switch (status) {
      case 'ok':
      case 'changed': {
        let line = `${status}: ${host}${isItem ? ` =>${item}` : ''}${check}`;
        if (!r.censored && t?.alwaysShow) line += ` => ${safeJson(this.debugValue(r), 4)}`;
        else if (!r.censored && v >= 1 && status === 'changed') line += ` => ${this.json(r)}`;
        out += (status === 'ok' ? c.green(line) : c.yellow(line)) + '\n';
        break;
      }
      case 'skipped': {
        let line = `skipping: ${host}${isItem ? ` =>${item}` : ''}${check}`;
        if (r.skipReason && (v >= 1 || r.check)) line += ` => ${r.skipReason}`;
        out += c.cyan(line) + '\n';
        break;
      }
      case 'failed': {
        const detail = r.censored || v < 1 ? (r.msg ?? 'failed') : this.json(r);
        out += c.red(`failed: ${host}${item}${check} => ${detail}`) + '\n';
        if (v < 1 && !r.censored) out += this.stderr(r);
        break;
      }
      case 'unreachable':
        out += c.red(`fatal: ${host}${item}: UNREACHABLE! => ${r.msg ?? 'unreachable'}`) + '\n';
        break;
    }
    if (!isItem) out += this.markers(r);
    return out;
  }

  private markers(r: HostResult): string {
    if (r.ignored) return this.c.cyan('...ignoring') + '\n';
    if (r.rescued) return this.c.magenta('...rescued') + '\n';
    return '';
  }

  /** At -v0 a failed command's msg rarely says why; its stderr does (Ansible shows it in the JSON). */
  private stderr(r: HostResult): string {
    const err = r.data?.stderr;
    if (typeof err !== 'string' || err.trim() === '' || (r.msg ?? '').includes(err.trim())) return '';
    return this.c.red(err.trimEnd().split('\n').map((l) => `  stderr: ${l}`).join('\n')) + '\n';
  }

  private debugValue(r: HostResult): Record<string, unknown> {
    if (r.data && Object.keys(r.data).length > 0) return r.data;
    return { msg: r.msg ?? '' };
  }

  /** The registered result, as -v shows it: compact, or indented from -vvv like Ansible. */
  private json(r: HostResult): string {
    const o: Record<string, unknown> = { changed: r.status === 'changed' };
    if (r.status === 'failed' || r.ignored) o.failed = true;
    if (r.msg !== undefined) o.msg = r.msg;
    if (r.item !== undefined) o.item = r.item;
    if (r.data) Object.assign(o, r.data);
    return safeJson(o, this.opts.verbosity >= 3 ? 4 : undefined);
  }

  private recapRows(hosts: Record<string, RecapCounts>): string {
    const c = this.c;
    const names = Object.keys(hosts).sort();
    const w = Math.max(26, ...names.map((n) => n.length));
    let out = '';
    for (const h of names) {
      const n = hosts[h]!;
      const hostColor = n.failed > 0 || n.unreachable > 0 ? c.red : n.changed > 0 ? c.yellow : c.green;
      const cell = (key: keyof RecapCounts, paint: (s: string) => string): string => {
        const text = `${key}=${n[key]}`;
        const pad = ' '.repeat(Math.max(0, key.length + 5 - text.length));
        return (n[key] > 0 ? paint(text) : text) + pad;
      };
      const line = [
        `${hostColor(h.padEnd(w))} :`,
        cell('ok', c.green),
        cell('changed', c.yellow),
        cell('unreachable', c.red),
        cell('failed', c.red),
        cell('skipped', c.cyan),
        cell('rescued', c.magenta),
        cell('ignored', c.magenta),
      ].join(' ');
      out += line.trimEnd() + '\n';
    }
    return out;
  }
}
