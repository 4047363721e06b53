import { expect } from 'chai';
import type { HostResult } from '../../engine/report/events.js';
import { RecapCounter } from '../../engine/report/recap.js';

const r = (host: string, status: HostResult['status'], extra: Partial<HostResult> = {}): HostResult => ({ host, status, durationMs: 1, ...extra });

describe('report/recap', () => {
  it('counts like Ansible: changed is also ok, ignored is ok, rescued is not failed', () => {
    const c = new RecapCounter();
    c.add(r('a', 'ok'));
    c.add(r('a', 'changed'));
    c.add(r('a', 'skipped'));
    c.add(r('a', 'failed', { ignored: true }));
    c.add(r('a', 'changed', { ignored: true }));
    c.add(r('a', 'failed', { rescued: true }));
    c.add(r('b', 'failed'));
    c.add(r('c', 'unreachable'));
    c.touch('d');
    expect(c.snapshot()).to.deep.equal({
      a: { ok: 4, changed: 2, unreachable: 0, failed: 0, skipped: 1, rescued: 1, ignored: 2 },
      b: { ok: 0, changed: 0, unreachable: 0, failed: 1, skipped: 0, rescued: 0, ignored: 0 },
      c: { ok: 0, changed: 0, unreachable: 1, failed: 0, skipped: 0, rescued: 0, ignored: 0 },
      d: { ok: 0, changed: 0, unreachable: 0, failed: 0, skipped: 0, rescued: 0, ignored: 0 },
    });
  });

  it('exit code: 0 clean, 2 failed, 4 unreachable, 6 both; ignored and rescued do not count', () => {
    const c = new RecapCounter();
    c.add(r('a', 'changed'));
    c.add(r('a', 'failed', { ignored: true }));
    c.add(r('a', 'failed', { rescued: true }));
    expect(c.exitCode()).to.equal(0);
    c.add(r('b', 'failed'));
    expect(c.exitCode()).to.equal(2);
    const u = new RecapCounter();
    u.add(r('x', 'unreachable'));
    expect(u.exitCode()).to.equal(4);
    u.add(r('y', 'failed'));
    expect(u.exitCode()).to.equal(6);
  });

  it('counts() returns a copy', () => {
    const c = new RecapCounter();
    c.add(r('a', 'ok'));
    c.counts('a').ok = 99;
    expect(c.counts('a').ok).to.equal(1);
    expect(c.counts('nobody').ok).to.equal(0);
  });
});
