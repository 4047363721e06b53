// Secret masking. Every event passes through one Redactor before any reporter sees it, so a value
// registered as secret (vault values, passwords, tokens, no_log data) never reaches a terminal, a CI
// log or a JSON stream.
import type { HostResult } from './events.js';
import { Unknown } from '../vars/unknown.js';

export const MASK = '********';

/**
 * Values shorter than this are not masked: a two-letter "secret" such as "no" or "1" would turn every
 * line of output into asterisks and hide more than it protects.
 */
export const MIN_SECRET_LENGTH = 3;

/**
 * Variables whose values are masked in every output by their name alone (the README's naming
 * convention); a play's `secrets:` list names more.
 */
export const SECRET_NAME = /(password|passwd|passphrase|secret|token|api_key|private_key)$/i;

export const NO_LOG_MSG = "the output has been hidden due to 'no_log: true'";

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export class Redactor {
  private readonly secrets = new Set<string>();
  private pattern: RegExp | undefined;
  private dirty = false;

  /**
   * Registers a secret. Its base64 form (unpadded) is masked too, because `b64encode` is how
   * secrets usually end up in Kubernetes manifests and diffs; other encodings are not tracked.
   */
  addSecret(value: string): void {
    if (typeof value !== 'string' || value.length < MIN_SECRET_LENGTH) return;
    const before = this.secrets.size;
    this.secrets.add(value);
    const b64 = Buffer.from(value, 'utf8').toString('base64').replace(/=+$/, '');
    if (b64.length >= MIN_SECRET_LENGTH) this.secrets.add(b64);
    if (this.secrets.size !== before) this.dirty = true;
  }

  get size(): number {
    return this.secrets.size;
  }

  private regex(): RegExp | undefined {
    if (this.dirty) {
      // longest first, so a secret that contains another is masked whole
      const sorted = [...this.secrets].sort((a, b) => b.length - a.length);
      this.pattern = new RegExp(sorted.map(escapeRegExp).join('|'), 'g');
      this.dirty = false;
    }
    return this.pattern;
  }

  redactString(s: string): string {
    const re = this.regex();
    if (re === undefined) return s;
    re.lastIndex = 0;
    if (!re.test(s)) return s;
    re.lastIndex = 0;
    return s.replace(re, MASK);
  }

  /**
   * Deep copy of `v` with every string masked (object keys included). Parts that hold no secret are
   * returned as the same objects, and with no secrets registered `v` itself is returned.
   */
  redact<T>(v: T): T {
    if (this.regex() === undefined) return v;
    return this.walk(v, new Map()) as T;
  }

  private walk(v: unknown, seen: Map<object, unknown>): unknown {
    if (typeof v === 'string') return this.redactString(v);
    if (v === null || typeof v !== 'object') return v;
    const done = seen.get(v);
    if (done !== undefined) return done;
    if (v instanceof Unknown) {
      const reason = this.redactString(v.reason);
      return reason === v.reason ? v : new Unknown(reason);
    }
    if (Array.isArray(v)) {
      const out: unknown[] = new Array(v.length);
      seen.set(v, out);
      let changed = false;
      for (let i = 0; i < v.length; i++) {
        out[i] = this.walk(v[i], seen);
        if (out[i] !== v[i]) changed = true;
      }
      if (!changed) seen.set(v, v);
      return changed ? out : v;
    }
    if (v instanceof Date || ArrayBuffer.isView(v) || v instanceof RegExp) return v;
    if (v instanceof Map) {
      const out = new Map<unknown, unknown>();
      seen.set(v, out);
      let changed = false;
      for (const [k, x] of v) {
        const k2 = this.walk(k, seen);
        const x2 = this.walk(x, seen);
        if (k2 !== k || x2 !== x) changed = true;
        out.set(k2, x2);
      }
      if (!changed) seen.set(v, v);
      return changed ? out : v;
    }
    // plain objects, errors and other class instances: same prototype, own properties masked
    // (an Error's message and stack are own, non-enumerable properties, hence getOwnPropertyNames)
    const src = v as Record<string, unknown>;
    const out = Object.create(Object.getPrototypeOf(v)) as Record<string, unknown>;
    seen.set(v, out);
    let changed = false;
    const names = v instanceof Error ? Object.getOwnPropertyNames(v) : Object.keys(v);
    for (const k of names) {
      const k2 = this.redactString(k);
      const x2 = this.walk(src[k], seen);
      if (k2 !== k || x2 !== src[k]) changed = true;
      Object.defineProperty(out, k2, { value: x2, enumerable: Object.prototype.propertyIsEnumerable.call(v, k), writable: true, configurable: true });
    }
    if (!changed) seen.set(v, v);
    return changed ? out : v;
  }
}

/** What a reporter may see of a no_log result: its outcome, nothing it said or returned. */
export function maskNoLog(result: HostResult): HostResult {
  const out: HostResult = { host: result.host, status: result.status, durationMs: result.durationMs, censored: true, msg: NO_LOG_MSG };
  if (result.ignored !== undefined) out.ignored = result.ignored;
  if (result.rescued !== undefined) out.rescued = result.rescued;
  if (result.check !== undefined) out.check = result.check;
  if (result.delegatedTo !== undefined) out.delegatedTo = result.delegatedTo;
  if (result.silent !== undefined) out.silent = result.silent;
  return out;
}
