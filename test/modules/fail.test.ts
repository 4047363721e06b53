import { expect } from 'chai';
import { runModule } from './harness.js';

describe('fail module', () => {
  it('fails with its message, or the default one, in check mode too', async () => {
    expect(await runModule('fail', { msg: 'unsupported' })).to.include({ failed: true, changed: false, msg: 'unsupported' });
    expect((await runModule('fail', {}, { check: true })).msg).to.equal('Failed as requested from task');
    expect((await runModule('fail', 'msg="two words"')).data).to.include({ failed: true, msg: 'two words' });
  });
});
