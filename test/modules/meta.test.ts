import { expect } from 'chai';
import { ModuleArgsError } from '../../engine/errors.js';
import { runModule } from './harness.js';

describe('meta module', () => {
  it('turns each action into executor control, in check mode too', async () => {
    for (const action of ['flush_handlers', 'end_play', 'end_host', 'noop', 'clear_host_errors']) {
      const r = await runModule('meta', action, { check: true });
      expect(r).to.include({ control: action, changed: false, failed: false });
    }
  });

  it('rejects an unknown action, listing the known ones', async () => {
    let err: unknown;
    await runModule('meta', 'flush_handler').catch((e: unknown) => (err = e));
    expect(err).to.be.instanceOf(ModuleArgsError);
    expect((err as Error).message).to.match(/'meta' must be one of .*'flush_handlers'/);
  });
});
