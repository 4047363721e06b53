// The one road from the executor to the reporters. Every event is redacted here, so a reporter
// cannot leak a secret even if it prints everything it gets; no_log results are censored here too
// in case the executor forgot.
import { InternalError } from '../errors.js';
import type { GxEvent, Reporter } from './events.js';
import { RecapCounter } from './recap.js';
import { maskNoLog, Redactor } from './redact.js';

export class EventBus {
  readonly redactor: Redactor;
  /** counts from host.result events: the CLI's exit code comes from here */
  readonly counter = new RecapCounter();
  private readonly reporters: Reporter[] = [];
  private readonly failures: unknown[] = [];
  private closed = false;

  constructor(redactor: Redactor = new Redactor()) {
    this.redactor = redactor;
  }

  add(r: Reporter): void {
    this.reporters.push(r);
  }

  /** Marks a value as secret for all later events (ModuleContext.secret ends up here). */
  secret(value: string): void {
    this.redactor.addSecret(value);
  }

  emit(e: GxEvent): void {
    if (this.closed) return;
    const safe = this.redactEvent(e);
    if (safe.type === 'host.result') this.counter.add(safe.result);
    for (const r of this.reporters) {
      try {
        r.handle(safe);
      } catch (err) {
        // a broken reporter must not stop a run half-way through changing hosts; it fails at close
        this.failures.push(err);
      }
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const r of this.reporters) {
      try {
        await r.close();
      } catch (err) {
        this.failures.push(err);
      }
    }
    if (this.failures.length > 0) {
      throw new InternalError(`a reporter failed: ${String((this.failures[0] as Error)?.message ?? this.failures[0])}`, { cause: this.failures[0] });
    }
  }

  private redactEvent(e: GxEvent): GxEvent {
    let ev = e;
    if ((ev.type === 'host.result' || ev.type === 'item.result') && ev.result.censored) ev = { ...ev, result: maskNoLog(ev.result) };
    const out = this.redactor.redact(ev);
    if (out === ev) return ev;
    // `type` and `status` stay as they are: a secret that happens to spell "log" or "failed" must
    // not unroute an event or change an outcome
    const fixed = { ...out, type: ev.type } as GxEvent;
    if ((fixed.type === 'host.result' || fixed.type === 'item.result') && (ev.type === 'host.result' || ev.type === 'item.result')) {
      fixed.result = { ...fixed.result, status: ev.result.status };
    }
    return fixed;
  }
}
