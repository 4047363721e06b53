import { expect } from 'chai';
import { VerifiedTokens } from '../../api/src/auth/verified-tokens.js';

describe('api: verified-token cache', function () {
  let nowMs = 1_000_000_000;
  const clock = (): number => nowMs;
  const current = new Set(['k1']);
  const isCurrent = (kid: string): boolean => current.has(kid);
  const exp = nowMs / 1000 + 60;

  it('returns remembered claims while the token is valid', function () {
    const c = new VerifiedTokens(10, 5, clock);
    c.remember('t', 'k1', { sub: 'a', exp });
    expect(c.get('t', isCurrent)).to.deep.equal({ sub: 'a', exp });
    expect(c.get('other', isCurrent)).to.equal(undefined);
  });

  it('forgets a token once it expires (with the same skew as verification)', function () {
    const c = new VerifiedTokens(10, 5, clock);
    c.remember('t', 'k1', { sub: 'a', exp });
    nowMs += 64_000;
    expect(c.get('t', isCurrent)).to.not.equal(undefined);
    nowMs += 1_000;
    expect(c.get('t', isCurrent)).to.equal(undefined);
    expect(c.size).to.equal(0);
  });

  it('does not honour a token before its nbf', function () {
    const c = new VerifiedTokens(10, 5, clock);
    c.remember('t', 'k1', { sub: 'a', nbf: nowMs / 1000 + 30 });
    expect(c.get('t', isCurrent)).to.equal(undefined);
  });

  it('drops a token whose signing key left the key set', function () {
    const c = new VerifiedTokens(10, 5, clock);
    c.remember('t', 'k2', { sub: 'a' });
    expect(c.get('t', isCurrent)).to.equal(undefined);
  });

  it('evicts the oldest entry when full, and remembers nothing with size 0', function () {
    const c = new VerifiedTokens(2, 5, clock);
    c.remember('a', 'k1', { sub: 'a' });
    c.remember('b', 'k1', { sub: 'b' });
    c.remember('c', 'k1', { sub: 'c' });
    expect(c.get('a', isCurrent)).to.equal(undefined);
    expect(c.get('c', isCurrent)).to.deep.equal({ sub: 'c' });
    const off = new VerifiedTokens(0, 5, clock);
    off.remember('a', 'k1', { sub: 'a' });
    expect(off.size).to.equal(0);
  });

  it('never confuses two tokens that end alike (it keys by the tail, compares the whole token)', function () {
    const c = new VerifiedTokens(10, 5, clock);
    const tail = 'S'.repeat(100);
    const exp = nowMs / 1000 + 60; // the clock moved in the tests above
    c.remember(`alice.${tail}`, 'k1', { sub: 'alice', exp });
    expect(c.get(`alice.${tail}`, isCurrent)).to.deep.include({ sub: 'alice' });
    expect(c.get(`mallory.${tail}`, isCurrent)).to.equal(undefined);
    c.remember(`bob.${tail}`, 'k1', { sub: 'bob', exp });
    expect(c.get(`bob.${tail}`, isCurrent)).to.deep.include({ sub: 'bob' });
    expect(c.get(`alice.${tail}`, isCurrent)).to.equal(undefined);
    expect(c.size).to.equal(1);
  });
});
