import { expect } from 'chai';
import { MASK, maskNoLog, NO_LOG_MSG, Redactor } from '../../engine/report/redact.js';
import { Unknown } from '../../engine/vars/unknown.js';

describe('report/redact', () => {
  it('returns its input untouched when no secret is registered (fast path)', () => {
    const r = new Redactor();
    const v = { a: 'hunter2', b: [1, 'x'] };
    expect(r.redact(v)).to.equal(v);
    expect(r.redactString('hunter2')).to.equal('hunter2');
  });

  it('masks every occurrence, the longest secret first', () => {
    const r = new Redactor();
    r.addSecret('pass');
    r.addSecret('password123');
    expect(r.redactString('password123 then pass then password123')).to.equal(`${MASK} then ${MASK} then ${MASK}`);
  });

  it('ignores secrets shorter than 3 characters', () => {
    const r = new Redactor();
    r.addSecret('');
    r.addSecret('no');
    expect(r.size).to.equal(0);
    expect(r.redactString('no, nothing is hidden')).to.equal('no, nothing is hidden');
  });

  it('treats regex metacharacters in secrets literally', () => {
    const r = new Redactor();
    r.addSecret('a.b*c(d)$');
    expect(r.redactString('x a.b*c(d)$ y aXbbc(d)$')).to.equal(`x ${MASK} y aXbbc(d)$`);
  });

  it('masks the base64 form of a secret too', () => {
    const r = new Redactor();
    r.addSecret('s3cr3t-token');
    const b64 = Buffer.from('s3cr3t-token').toString('base64');
    expect(r.redactString(`data: {token: ${b64}}`)).to.not.include(b64.replace(/=+$/, ''));
  });

  it('walks objects, arrays, maps, keys, errors and Unknown, keeping clean parts shared', () => {
    const r = new Redactor();
    r.addSecret('CANARY');
    const clean = { deep: [1, 2, { x: 'fine' }] };
    const err = new Error('failed with CANARY');
    const input = {
      clean,
      nested: { a: [{ b: { c: 'pre-CANARY-post' } }] },
      ['key-CANARY']: 1,
      map: new Map([['k', 'CANARY']]),
      err,
      unknown: new Unknown('output of CANARY command'),
      n: 42,
      nil: null,
    };
    const out = r.redact(input);
    expect(JSON.stringify(out)).to.not.include('CANARY');
    expect(out.clean).to.equal(clean);
    expect(out.nested.a[0]!.b.c).to.equal(`pre-${MASK}-post`);
    expect(out.map.get('k')).to.equal(MASK);
    expect(out.err).to.be.instanceOf(Error);
    expect(out.err.message).to.equal(`failed with ${MASK}`);
    expect(out.err.stack ?? '').to.not.include('CANARY');
    expect(out.unknown).to.be.instanceOf(Unknown);
    expect(String(out.unknown)).to.equal(`<unknown: output of ${MASK} command>`);
    expect(out.n).to.equal(42);
    expect(input.nested.a[0]!.b.c).to.equal('pre-CANARY-post');
  });

  it('survives cycles', () => {
    const r = new Redactor();
    r.addSecret('CANARY');
    const a: Record<string, unknown> = { s: 'CANARY' };
    a.self = a;
    const out = r.redact(a);
    expect(out.s).to.equal(MASK);
    expect(out.self).to.equal(out);
  });

  it('maskNoLog keeps the outcome and nothing the module said', () => {
    const out = maskNoLog({
      host: 'a',
      status: 'failed',
      ignored: true,
      msg: 'password is hunter2',
      item: 'hunter2',
      data: { stdout: 'hunter2' },
      diff: [{ label: 'x', before: 'hunter2', after: '' }],
      durationMs: 3,
    });
    expect(out).to.deep.equal({ host: 'a', status: 'failed', ignored: true, durationMs: 3, censored: true, msg: NO_LOG_MSG });
    expect(NO_LOG_MSG).to.equal("the output has been hidden due to 'no_log: true'");
  });
});
