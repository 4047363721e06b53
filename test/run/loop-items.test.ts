import { expect } from 'chai';
import { loopItems } from '../../engine/run/loop-items.js';
import { isUnknown, Unknown } from '../../engine/vars/unknown.js';

describe('run: loop items from with_* lookups', () => {
  const search = { playbookDir: '/nonexistent' };
  const where = { host: 'h1', task: 't' };

  it('a lookup term holding a value unknown in check mode makes the items unknown (the task would run), not a failure', () => {
    const scope = { users: [{ name: 'ada', keys: new Unknown('out is not known in check mode') }] };
    const kw = { withLookup: { name: 'subelements', terms: ['{{ users }}', 'keys'] } };
    expect(isUnknown(loopItems(kw as never, scope, where, search as never))).to.equal(true);
  });

  it('known terms give the lookup items, and a misuse still fails with the lookup words', () => {
    const scope = { users: [{ name: 'ada', keys: ['k1', 'k2'] }] };
    const items = loopItems({ withLookup: { name: 'subelements', terms: ['{{ users }}', 'keys'] } } as never, scope, where, search as never);
    // as Ansible's subelements.py: the element comes without the subelement's key
    expect(items).to.deep.equal([
      [{ name: 'ada' }, 'k1'],
      [{ name: 'ada' }, 'k2'],
    ]);
    expect(() => loopItems({ withLookup: { name: 'together', terms: [] } } as never, {}, where, search as never)).to.throw(/together/);
  });
});
