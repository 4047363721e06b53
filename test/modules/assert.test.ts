import { expect } from 'chai';
import { Unknown } from '../../engine/vars/unknown.js';
import { runModule } from './harness.js';

describe('assert module', () => {
  const vars = { status: 200, body: 'ok: fine', items: [1, 2] };

  it('passes when every condition holds', async () => {
    const r = await runModule('assert', { that: ['status == 200', "'ok' in body", 'items | length == 2'] }, { vars });
    expect(r).to.include({ failed: false, changed: false, msg: 'All assertions passed' });
  });

  it('fails on the first false condition with fail_msg (or msg), naming it', async () => {
    const r = await runModule('assert', { that: ['status == 200', 'status == 404'], fail_msg: 'not found' }, { vars });
    expect(r).to.include({ failed: true, msg: 'not found' });
    expect(r.data).to.include({ assertion: 'status == 404', evaluated_to: false });
    const m = await runModule('assert', { that: 'status > 500', msg: 'too low' }, { vars });
    expect(m).to.include({ failed: true, msg: 'too low' });
  });

  it('quiet suppresses the success message', async () => {
    const r = await runModule('assert', { that: ['true'], quiet: true, success_msg: 'yay' }, { vars });
    expect(r.msg).to.equal(undefined);
  });

  it('neither passes nor fails on a value unknown in check mode', async () => {
    const r = await runModule('assert', { that: ['out.rc == 0'] }, { vars: { out: { rc: new Unknown('the command did not run') } }, check: true });
    expect(r.skipped).to.equal(true);
    expect(r.skipReason).to.match(/cannot check 'out.rc == 0' in check mode/);
  });
});
