import { expect } from 'chai';
import { sleep } from '../engine/sleep.js';

describe('sleep (the abortable wait of loops, retries and polling modules)', () => {
  it('waits the whole time and says so', async () => {
    const start = Date.now();
    expect(await sleep(30, new AbortController().signal)).to.equal(true);
    expect(Date.now() - start).to.be.at.least(25);
  });

  it('ends early when the signal aborts, and says it was cut short', async () => {
    const ac = new AbortController();
    const start = Date.now();
    setTimeout(() => ac.abort(), 10);
    expect(await sleep(10_000, ac.signal)).to.equal(false);
    expect(Date.now() - start).to.be.below(1_000);
  });

  it('does not wait at all on a signal that already aborted', async () => {
    const ac = new AbortController();
    ac.abort();
    const start = Date.now();
    expect(await sleep(10_000, ac.signal)).to.equal(false);
    expect(Date.now() - start).to.be.below(100);
  });
});
