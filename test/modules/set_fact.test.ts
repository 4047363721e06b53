import { expect } from 'chai';
import { ModuleArgsError } from '../../engine/errors.js';
import { runModule } from './harness.js';

describe('set_fact module', () => {
  it('returns every argument but cacheable as facts, in check mode too', async () => {
    for (const check of [false, true]) {
      const r = await runModule('set_fact', { api_url: 'https://x', ready: false, nested: { a: [1] }, cacheable: 'yes' }, { check });
      expect(r.changed).to.equal(false);
      expect(r.facts).to.deep.equal({ api_url: 'https://x', ready: false, nested: { a: [1] } });
      expect(r.data.ansible_facts).to.deep.equal(r.facts);
    }
  });

  it('accepts the key=value form and refuses names that are not variable names', async () => {
    expect((await runModule('set_fact', 'a=1 b="two words"')).facts).to.deep.equal({ a: '1', b: 'two words' });
    let err: unknown;
    await runModule('set_fact', { 'not-a-name': 1 }).catch((e: unknown) => (err = e));
    expect(err).to.be.instanceOf(ModuleArgsError);
    expect((err as Error).message).to.match(/^'not-a-name' is not a valid variable name/);
  });
});
