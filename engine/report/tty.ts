// The TTY reporter: the same text as the plain reporter for finished work, plus a live area under
// it, one line per host saying what it is doing now. The area is erased and redrawn in place at
// most once per interval (not once per event), so 50 hosts x 100 tasks costs a few redraws a second.
// On a stream that is not a terminal it is the plain reporter, byte for byte.
import type { GxEvent, Reporter } from './events.js';
import { colors, useColor, type Colors } from './colors.js';
import { PlainFormatter, itemLabel } from './plain-format.js';
import { flush, type PlainReporterOptions } from './plain.js';
import { RecapCounter } from './recap.js';

export interface Timers {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

export interface TtyReporterOptions extends PlainReporterOptions {
  /** minimum time between two redraws of the live area */
  intervalMs?: number;
  /** injectable for tests; default setTimeout/clearTimeout (unref'd) */
  timers?: Timers;
  /** erase the live area and restore the cursor on SIGINT; default true */
  handleSignals?: boolean;
}

const realTimers: Timers = {
  set(fn, ms) {
    const t = setTimeout(fn, ms);
    t.unref();
    return t;
  },
  clear(h) {
    clearTimeout(h as NodeJS.Timeout);
  },
};

const ESC = '\x1b[';
const HIDE_CURSOR = `${ESC}?25l`;
const SHOW_CURSOR = `${ESC}?25h`;

interface HostLine {
  task?: string;
  item?: unknown;
  state: 'waiting' | 'running' | 'ok' | 'changed' | 'failed' | 'skipped' | 'unreachable';
}

type TtyStream = NodeJS.WritableStream & { isTTY?: boolean; columns?: number; rows?: number };

export class TtyReporter implements Reporter {
  private readonly stream: TtyStream;
  private readonly formatter: PlainFormatter;
  private readonly c: Colors;
  private live: boolean;
  private readonly intervalMs: number;
  private readonly timers: Timers;
  private readonly counter = new RecapCounter();
  private hosts = new Map<string, HostLine>();
  private pending = '';
  private drawn = 0;
  private cursorHidden = false;
  private timer: unknown;
  private closed = false;
  private readonly onSigint = (): void => {
    this.eraseNow();
    // we were the only listener: do what Node would have done without us
    if (process.listenerCount('SIGINT') === 0) process.kill(process.pid, 'SIGINT');
  };
  private readonly onExit = (): void => this.eraseNow();
  private readonly signals: boolean;

  constructor(opts: TtyReporterOptions) {
    this.stream = (opts.stream ?? process.stdout) as TtyStream;
    const color = useColor(this.stream, opts.color);
    this.formatter = new PlainFormatter({ verbosity: opts.verbosity, color, profile: opts.profile ?? false });
    this.c = colors(color);
    this.live = this.stream.isTTY === true && process.env.TERM !== 'dumb';
    this.intervalMs = opts.intervalMs ?? 80;
    this.timers = opts.timers ?? realTimers;
    this.signals = this.live && (opts.handleSignals ?? true);
    if (this.signals) {
      process.once('SIGINT', this.onSigint);
      process.once('exit', this.onExit);
    }
  }

  /** Whether it draws a live area (false: it behaves exactly as the plain reporter). */
  get isLive(): boolean {
    return this.live;
  }

  handle(e: GxEvent): void {
    if (this.closed) return;
    const text = this.formatter.format(e);
    if (!this.live) {
      if (text !== '') this.stream.write(text);
      return;
    }
    this.track(e);
    this.pending += text;
    this.schedule();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    if (this.live) {
      if (this.timer !== undefined) this.timers.clear(this.timer);
      this.timer = undefined;
      this.hosts.clear();
      this.redraw();
      if (this.cursorHidden) this.stream.write(SHOW_CURSOR);
      this.cursorHidden = false;
    }
    this.closed = true;
    this.removeListeners();
    await flush(this.stream);
  }

  private removeListeners(): void {
    if (!this.signals) return;
    process.removeListener('SIGINT', this.onSigint);
    process.removeListener('exit', this.onExit);
  }

  private track(e: GxEvent): void {
    switch (e.type) {
      case 'play.start':
        this.hosts = new Map(e.hosts.map((h) => [h, { state: 'waiting' }]));
        for (const h of e.hosts) this.counter.touch(h);
        break;
      case 'task.start':
        for (const h of e.hosts) this.hosts.set(h, { task: e.name || e.module, state: 'waiting' });
        break;
      case 'host.progress':
        this.hosts.set(e.host, { task: e.task, item: e.item, state: 'running' });
        break;
      case 'host.result': {
        this.counter.add(e.result);
        const line = this.hosts.get(e.result.host);
        if (line) {
          line.state = e.result.status;
          line.item = undefined;
        }
        break;
      }
      case 'play.end':
      case 'recap':
        // nothing is running any more: the area goes away with the next redraw
        this.hosts.clear();
        break;
      default:
        break;
    }
  }

  private schedule(): void {
    if (this.timer !== undefined) return;
    this.timer = this.timers.set(() => {
      this.timer = undefined;
      if (!this.closed) this.redraw();
    }, this.intervalMs);
  }

  /** One write: erase the old area, print finished text, draw the new area. */
  private redraw(): void {
    let out = '';
    if (this.drawn > 0) out += `${ESC}${this.drawn}A${ESC}0J`;
    out += this.pending;
    this.pending = '';
    const lines = this.area();
    if (lines.length > 0 && !this.cursorHidden) {
      out = HIDE_CURSOR + out;
      this.cursorHidden = true;
    }
    for (const l of lines) out += l + '\n';
    this.drawn = lines.length;
    if (out !== '') this.stream.write(out);
  }

  /**
   * Synchronous clean-up for SIGINT and exit: the finished text stays, the live area goes, and from
   * here on events print as plain text (the interrupted recap still has to appear).
   */
  private eraseNow(): void {
    if (this.closed || !this.live) return;
    let out = this.drawn > 0 ? `${ESC}${this.drawn}A${ESC}0J` : '';
    out += this.pending;
    if (this.cursorHidden) out += SHOW_CURSOR;
    this.pending = '';
    this.drawn = 0;
    this.cursorHidden = false;
    this.live = false;
    this.hosts.clear();
    if (this.timer !== undefined) this.timers.clear(this.timer);
    this.timer = undefined;
    this.removeListeners();
    if (out !== '') this.stream.write(out);
  }

  private area(): string[] {
    if (this.hosts.size === 0) return [];
    const cols = Math.max(20, this.stream.columns ?? 80) - 1;
    // lines that wrap would break the cursor-up count, and the area must fit on the screen
    const maxLines = Math.max(2, (this.stream.rows ?? 24) - 2);
    const names = [...this.hosts.keys()];
    const shown = names.length > maxLines ? names.slice(0, maxLines - 1) : names;
    const w = Math.max(...shown.map((h) => h.length));
    const lines = shown.map((h) => this.hostLine(h, this.hosts.get(h)!, w, cols));
    if (shown.length < names.length) lines.push(this.c.dim(`  ... and ${names.length - shown.length} more hosts`.slice(0, cols)));
    return lines;
  }

  private hostLine(host: string, l: HostLine, w: number, cols: number): string {
    const n = this.counter.counts(host);
    const counts = `ok=${n.ok} changed=${n.changed} failed=${n.failed}${n.unreachable > 0 ? ` unreachable=${n.unreachable}` : ''}`;
    const doing = l.task === undefined ? '' : `${l.task}${l.item !== undefined ? ` (item=${itemLabel(l.item)})` : ''}`;
    const mark = { waiting: '.', running: '>', ok: '=', changed: '~', failed: '!', skipped: '-', unreachable: 'x' }[l.state];
    const head = `  ${host.padEnd(w)} ${mark} `;
    const room = cols - head.length - counts.length - 2;
    const task = room <= 0 ? '' : doing.length > room ? doing.slice(0, Math.max(0, room - 3)) + '...' : doing.padEnd(room);
    const text = `${head}${task}  ${counts}`.slice(0, cols);
    const paint = l.state === 'failed' || l.state === 'unreachable' ? this.c.red : l.state === 'changed' ? this.c.yellow : l.state === 'running' ? this.c.bold : this.c.dim;
    return paint(text);
  }
}
