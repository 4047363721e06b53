import { expect } from 'chai';
import { EventBus } from '../../engine/report/bus.js';
import type { GxEvent, Reporter } from '../../engine/report/events.js';
import { JsonReporter } from '../../engine/report/json.js';
import { PlainReporter } from '../../engine/report/plain.js';
import { MASK, NO_LOG_MSG } from '../../engine/report/redact.js';
import { Unknown } from '../../engine/vars/unknown.js';
import { CaptureStream, T } from './helpers.js';

const CANARY = 'CANARY-7f3a9e';
const loc = { file: `/srv/${CANARY}/site.yaml`, line: 1, col: 1 };

/** One of every event type, a canary in every string field a module, a user or a host can fill. */
function everyEvent(): GxEvent[] {
  const result = {
    host: 'web1',
    status: 'failed' as const,
    msg: `password ${CANARY} rejected`,
    item: { name: 'u', password: CANARY, list: [`x${CANARY}`] },
    delegatedTo: `jump-${CANARY}`,
    diff: [{ label: `/etc/${CANARY}.conf`, before: `old ${CANARY}\n`, after: `new ${CANARY}\n` }],
    data: { stdout: CANARY, nested: { deep: [{ deeper: { value: `..${CANARY}..` } }] }, err: new Error(`boom ${CANARY}`), unk: new Unknown(`from ${CANARY}`) },
    skipReason: `because ${CANARY}`,
    durationMs: 3,
  };
  return [
    { type: 'run.start', playbook: `${CANARY}.yaml`, check: false, diff: true, time: T },
    { type: 'play.start', name: `play ${CANARY}`, hosts: ['web1'], loc, time: T },
    { type: 'task.start', id: 't1', name: `set ${CANARY}`, module: 'command', handler: false, loc, hosts: ['web1'], time: T },
    { type: 'host.progress', host: 'web1', task: `set ${CANARY}`, item: CANARY, time: T },
    { type: 'item.result', taskId: 't1', result: { ...result, status: 'changed' }, time: T },
    { type: 'host.result', taskId: 't1', result, time: T },
    { type: 'task.end', id: 't1', durationMs: 3, time: T },
    { type: 'warning', msg: `deprecated ${CANARY}`, host: 'web1', loc, time: T },
    { type: 'log', level: 1, msg: `exec echo ${CANARY}`, host: 'web1', time: T },
    { type: 'play.end', name: `play ${CANARY}`, time: T },
    { type: 'recap', hosts: { web1: { ok: 0, changed: 0, unreachable: 0, failed: 1, skipped: 0, rescued: 0, ignored: 0 } }, durationMs: 9, interrupted: false, time: T },
  ];
}

class Recorder implements Reporter {
  seen: GxEvent[] = [];
  closed = false;
  handle(e: GxEvent): void {
    this.seen.push(e);
  }
  close(): void {
    this.closed = true;
  }
}

function deepStrings(v: unknown, out: string[] = [], seen = new Set<unknown>()): string[] {
  if (typeof v === 'string') out.push(v);
  else if (v && typeof v === 'object' && !seen.has(v)) {
    seen.add(v);
    if (v instanceof Error) out.push(v.message, v.stack ?? '');
    if (v instanceof Unknown) out.push(v.reason);
    for (const x of Object.values(v)) deepStrings(x, out, seen);
  }
  return out;
}

describe('report/bus', () => {
  it('no reporter ever sees a registered secret, in any field of any event type', async () => {
    const bus = new EventBus();
    bus.secret(CANARY);
    const rec = new Recorder();
    const json = new CaptureStream();
    const plain = new CaptureStream();
    bus.add(rec);
    bus.add(new JsonReporter({ stream: json }));
    bus.add(new PlainReporter({ verbosity: 4, profile: true, color: false, stream: plain }));
    const events = everyEvent();
    for (const e of events) bus.emit(e);
    await bus.close();
    expect(rec.seen.map((e) => e.type)).to.deep.equal(events.map((e) => e.type));
    for (const e of rec.seen) {
      for (const s of deepStrings(e)) expect(s, `${e.type}: ${s}`).to.not.include(CANARY);
    }
    expect(json.text).to.not.include(CANARY);
    expect(plain.text).to.not.include(CANARY);
    // the masked text is there instead: the fields were redacted, not dropped
    expect(json.text).to.include(`password ${MASK} rejected`);
    expect(plain.text).to.include(`-old ${MASK}`);
    expect(plain.text).to.include(`+new ${MASK}`);
    expect(rec.closed).to.equal(true);
    // the caller's objects are not modified
    expect((events[5] as Extract<GxEvent, { type: 'host.result' }>).result.msg).to.include(CANARY);
  });

  it('secrets registered mid-run mask everything after', () => {
    const bus = new EventBus();
    const rec = new Recorder();
    bus.add(rec);
    bus.emit({ type: 'log', level: 1, msg: 'token abc123', time: T });
    bus.secret('abc123');
    bus.emit({ type: 'log', level: 1, msg: 'token abc123', time: T });
    expect(rec.seen.map((e) => (e as { msg: string }).msg)).to.deep.equal(['token abc123', `token ${MASK}`]);
  });

  it('keeps event types and statuses even if a secret spells them', () => {
    const bus = new EventBus();
    bus.secret('log');
    bus.secret('failed');
    const rec = new Recorder();
    bus.add(rec);
    bus.emit({ type: 'log', level: 1, msg: 'log failed', time: T });
    bus.emit({ type: 'host.result', taskId: 't', result: { host: 'h', status: 'failed', msg: 'failed', durationMs: 1 }, time: T });
    expect(rec.seen[0]).to.deep.include({ type: 'log', msg: `${MASK} ${MASK}` });
    expect(rec.seen[1]).to.deep.include({ type: 'host.result' });
    expect((rec.seen[1] as Extract<GxEvent, { type: 'host.result' }>).result.status).to.equal('failed');
    expect(bus.counter.exitCode()).to.equal(2);
  });

  it('censors no_log results even when the executor left their data in', () => {
    const bus = new EventBus();
    const rec = new Recorder();
    bus.add(rec);
    bus.emit({
      type: 'item.result',
      taskId: 't',
      result: { host: 'h', status: 'changed', censored: true, item: 'pw=1234', msg: 'set pw=1234', data: { stdout: 'pw=1234' }, durationMs: 1 },
      time: T,
    });
    const r = (rec.seen[0] as Extract<GxEvent, { type: 'item.result' }>).result;
    expect(r).to.deep.equal({ host: 'h', status: 'changed', censored: true, msg: NO_LOG_MSG, durationMs: 1 });
  });

  it('counts host results for the exit code', () => {
    const bus = new EventBus();
    bus.emit({ type: 'host.result', taskId: 't', result: { host: 'a', status: 'changed', durationMs: 1 }, time: T });
    bus.emit({ type: 'host.result', taskId: 't', result: { host: 'b', status: 'unreachable', durationMs: 1 }, time: T });
    bus.emit({ type: 'item.result', taskId: 't', result: { host: 'c', status: 'failed', durationMs: 1 }, time: T });
    expect(bus.counter.snapshot().a).to.deep.include({ ok: 1, changed: 1 });
    expect(bus.counter.exitCode()).to.equal(4);
  });

  it('a reporter that throws does not stop the others; the failure surfaces at close', async () => {
    const bus = new EventBus();
    const rec = new Recorder();
    bus.add({
      handle() {
        throw new Error('disk full');
      },
      close() {},
    });
    bus.add(rec);
    bus.emit({ type: 'log', level: 1, msg: 'x', time: T });
    expect(rec.seen).to.have.length(1);
    let caught: unknown;
    await bus.close().catch((e: unknown) => (caught = e));
    expect(String(caught)).to.include('disk full');
    expect(rec.closed).to.equal(true);
  });
});
