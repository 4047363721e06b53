import { expect } from 'chai';
import type { GxEvent } from '../../engine/report/events.js';
import { PlainReporter } from '../../engine/report/plain.js';
import { TtyReporter, type Timers } from '../../engine/report/tty.js';
import { CaptureStream, ev } from './helpers.js';

/** Timers that fire only when the test says so: no sleeping, no timing in assertions. */
class ManualTimers implements Timers {
  queue = new Map<number, () => void>();
  sets = 0;
  private next = 1;
  set(fn: () => void): unknown {
    this.sets++;
    const id = this.next++;
    this.queue.set(id, fn);
    return id;
  }
  clear(h: unknown): void {
    this.queue.delete(h as number);
  }
  fire(): void {
    const fns = [...this.queue.values()];
    this.queue.clear();
    for (const f of fns) f();
  }
}

/** A tiny terminal: applies text, newlines, cursor-up and erase-below to a screen of lines. */
function render(text: string): { screen: string; cursorVisible: boolean } {
  const lines: string[] = [''];
  let row = 0;
  let col = 0;
  let cursorVisible = true;
  const re = /\x1b\[([0-9;?]*)([A-Za-z])|\n|\r|[^\x1b\n\r]+/g;
  for (const m of text.matchAll(re)) {
    const tok = m[0];
    if (tok === '\n') {
      row++;
      col = 0;
      if (lines[row] === undefined) lines[row] = '';
    } else if (tok === '\r') {
      col = 0;
    } else if (m[2] !== undefined) {
      const p = m[1] ?? '';
      if (m[2] === 'A') row = Math.max(0, row - Number(p || '1'));
      else if (m[2] === 'J' && (p === '' || p === '0')) {
        lines.length = row + 1;
        lines[row] = lines[row]!.slice(0, col);
      } else if (p === '?25' && m[2] === 'l') cursorVisible = false;
      else if (p === '?25' && m[2] === 'h') cursorVisible = true;
      else throw new Error(`unexpected escape ${JSON.stringify(tok)}`);
    } else {
      const cur = lines[row]!.padEnd(col);
      lines[row] = cur.slice(0, col) + tok + cur.slice(col + tok.length);
      col += tok.length;
    }
  }
  return { screen: lines.join('\n'), cursorVisible };
}

function plainText(events: GxEvent[]): string {
  const out = new CaptureStream();
  const p = new PlainReporter({ verbosity: 0, color: false, stream: out });
  for (const e of events) p.handle(e);
  return out.text;
}

const hosts = ['web1', 'web2'];
const run: GxEvent[] = [
  ev.run(),
  ev.play('web', hosts),
  ev.task('t1', 'install packages', hosts),
  ev.progress('web1', 'install packages', 'nginx'),
  ev.progress('web2', 'install packages', 'nginx'),
  ev.item('t1', { host: 'web1', status: 'changed', item: 'nginx' }),
  ev.host('t1', { host: 'web1', status: 'changed' }),
  ev.host('t1', { host: 'web2', status: 'failed', msg: 'no space left' }),
  ev.taskEnd('t1'),
  ev.task('t2', 'start', ['web1']),
  ev.progress('web1', 'start'),
  ev.host('t2', { host: 'web1', status: 'ok' }),
  ev.taskEnd('t2'),
  ev.playEnd('web'),
  ev.recap({ web1: { ok: 2, changed: 1 }, web2: { failed: 1 } }),
];

describe('report/tty (fake terminal stream)', () => {
  it('draws a live area per host, redraws it in place, and leaves exactly the plain text behind', async () => {
    const out = new CaptureStream({ columns: 100, rows: 30 });
    const timers = new ManualTimers();
    const r = new TtyReporter({ verbosity: 0, color: false, stream: out, timers, handleSignals: false });
    expect(r.isLive).to.equal(true);
    const frames: string[] = [];
    for (const e of run) {
      r.handle(e);
      if (e.type === 'host.progress' || e.type === 'host.result') {
        timers.fire();
        frames.push(render(out.text).screen);
      }
    }
    // while web1 works on its first item, the area says so, under the task header
    expect(frames[1]).to.match(/\n {2}web1 > install packages \(item=nginx\) +ok=0 changed=0 failed=0\n {2}web2 > install packages \(item=nginx\) +ok=0 changed=0 failed=0\n$/);
    expect(frames[1]).to.include('TASK [install packages]');
    // after the results, the counts moved and the finished lines are above the area
    const later = frames[3]!;
    expect(later).to.include('changed: [web1] => (item=nginx)\nfailed: [web2] => no space left\n');
    expect(later).to.match(/ {2}web1 ~ install packages +ok=1 changed=1 failed=0\n {2}web2 ! install packages +ok=0 changed=0 failed=1\n$/);
    expect(out.text).to.match(/\x1b\[2A\x1b\[0J/);
    for (const f of frames) for (const l of f.split('\n')) expect(l.length).to.be.at.most(99);
    await r.close();
    const final = render(out.text);
    expect(final.screen).to.equal(plainText(run));
    expect(final.cursorVisible).to.equal(true);
    expect(timers.queue.size).to.equal(0);
  });

  it('throttles: 50 hosts x 100 tasks of events cause one pending redraw, not thousands of writes', async () => {
    const out = new CaptureStream({ columns: 120, rows: 80 });
    const timers = new ManualTimers();
    const r = new TtyReporter({ verbosity: 0, color: false, stream: out, timers, handleSignals: false });
    const names = Array.from({ length: 50 }, (_, i) => `host${String(i).padStart(2, '0')}`);
    const events: GxEvent[] = [ev.play('big', names)];
    for (let t = 0; t < 100; t++) {
      events.push(ev.task(`t${t}`, `task ${t}`, names));
      for (const h of names) events.push(ev.progress(h, `task ${t}`), ev.host(`t${t}`, { host: h, status: t % 3 === 0 ? 'changed' : 'ok' }));
      events.push(ev.taskEnd(`t${t}`));
    }
    for (const e of events) r.handle(e);
    expect(out.chunks).to.have.length(0);
    expect(timers.sets).to.equal(1);
    timers.fire();
    expect(out.chunks).to.have.length(1);
    const screen = render(out.text).screen;
    expect(screen).to.match(/\n {2}host00 ~ task 99 +ok=100 changed=34 failed=0\n/);
    expect(screen).to.match(/\n {2}host49 ~ task 99 +ok=100 changed=34 failed=0\n$/);
    await r.close();
    expect(render(out.text).screen).to.equal(plainText(events));
  });

  it('keeps the area on screen: extra hosts are summarised, long task names cut to the width', async () => {
    const out = new CaptureStream({ columns: 40, rows: 6 });
    const timers = new ManualTimers();
    const r = new TtyReporter({ verbosity: 0, color: false, stream: out, timers, handleSignals: false });
    const names = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
    r.handle(ev.play('p', names));
    r.handle(ev.task('t', 'a task with a name far too long for a forty column terminal', names));
    timers.fire();
    const lines = render(out.text).screen.split('\n');
    // the last line is the empty one after the final newline; the area is the 4 lines above it
    const area = lines.slice(-5, -1);
    expect(area).to.have.length(4);
    expect(area[3]).to.equal('  ... and 4 more hosts');
    expect(area[0]).to.equal('  a . a tas...  ok=0 changed=0 failed=0');
    for (const l of area) expect(l.length).to.be.at.most(39);
    await r.close();
  });

  it('is the plain reporter, byte for byte, when the stream is not a TTY', async () => {
    const out = new CaptureStream();
    const timers = new ManualTimers();
    const r = new TtyReporter({ verbosity: 0, color: false, stream: out, timers });
    expect(r.isLive).to.equal(false);
    for (const e of run) r.handle(e);
    await r.close();
    expect(out.text).to.equal(plainText(run));
    expect(timers.sets).to.equal(0);
    expect(out.text).to.not.include('\x1b');
  });

  it('on SIGINT erases the area, restores the cursor, and goes on as plain text for the recap', async () => {
    // another SIGINT listener stands in for the CLI's, so the reporter does not re-raise the signal
    const cli = (): void => {};
    process.on('SIGINT', cli);
    const out = new CaptureStream({ columns: 80, rows: 24 });
    const timers = new ManualTimers();
    const before = process.listenerCount('SIGINT');
    const r = new TtyReporter({ verbosity: 0, color: false, stream: out, timers });
    try {
      expect(process.listenerCount('SIGINT')).to.equal(before + 1);
      const upToInterrupt = run.slice(0, 6);
      for (const e of upToInterrupt) r.handle(e);
      timers.fire();
      expect(render(out.text).cursorVisible).to.equal(false);
      process.emit('SIGINT', 'SIGINT');
      const afterSignal = render(out.text);
      expect(afterSignal.cursorVisible).to.equal(true);
      expect(afterSignal.screen).to.equal(plainText(upToInterrupt));
      const recap = ev.recap({ web1: { changed: 1, ok: 1 } }, true);
      r.handle(recap);
      expect(render(out.text).screen).to.equal(plainText([...upToInterrupt, recap]));
      await r.close();
      expect(process.listenerCount('SIGINT')).to.equal(before);
    } finally {
      process.removeListener('SIGINT', cli);
      await r.close();
    }
  });

  it('removes its signal listeners on close', async () => {
    const before = process.listenerCount('SIGINT');
    const beforeExit = process.listenerCount('exit');
    const r = new TtyReporter({ verbosity: 0, color: false, stream: new CaptureStream({ columns: 80, rows: 24 }), timers: new ManualTimers() });
    expect(process.listenerCount('SIGINT')).to.equal(before + 1);
    await r.close();
    expect(process.listenerCount('SIGINT')).to.equal(before);
    expect(process.listenerCount('exit')).to.equal(beforeExit);
  });
});
