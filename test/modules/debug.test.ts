import { expect } from 'chai';
import { runModule } from './harness.js';

describe('debug module', () => {
  it('shows msg (any value), defaulting to Hello world!', async () => {
    expect((await runModule('debug', { msg: 'hi there' })).data).to.include({ msg: 'hi there', changed: false, failed: false });
    expect((await runModule('debug', {})).data.msg).to.equal('Hello world!');
    const list = await runModule('debug', { msg: ['a', 1] });
    expect(list.data.msg).to.deep.equal(['a', 1]);
    expect(list.msg).to.equal('["a",1]');
  });

  it('shows a variable or an expression on it, or says it is not defined', async () => {
    const vars = { result: { stdout_lines: ['x', 'y'] } };
    expect((await runModule('debug', { var: 'result.stdout_lines' }, { vars })).data['result.stdout_lines']).to.deep.equal(['x', 'y']);
    expect((await runModule('debug', { var: 'result.stdout_lines | length' }, { vars })).data['result.stdout_lines | length']).to.equal(2);
    expect((await runModule('debug', { var: 'missing_var' }, { vars })).data.missing_var).to.equal('VARIABLE IS NOT DEFINED!');
  });

  it('refuses msg and var together', async () => {
    let err: unknown;
    await runModule('debug', { msg: 'a', var: 'b' }).catch((e: unknown) => (err = e));
    expect(String(err)).to.match(/msg and var cannot be used together/);
  });

  it('is skipped below its verbosity', async () => {
    const quiet = await runModule('debug', { msg: 'x', verbosity: 2 }, { vars: { ansible_verbosity: 1 } });
    expect(quiet.skipped).to.equal(true);
    expect(quiet.skipReason).to.match(/verbosity/);
    const loud = await runModule('debug', { msg: 'x', verbosity: 2 }, { vars: { ansible_verbosity: 2 } });
    expect(loud.skipped).to.equal(false);
  });
});
