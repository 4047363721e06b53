// executeModule (engine/run/execute-module.ts): the one path from arguments to outcome.
import { expect } from 'chai';
import { ConnectionError, ModuleArgsError, ModuleError } from '../../engine/errors.js';
import type { ModuleDefinition, Plan } from '../../engine/module-contract.js';
import { executeModule } from '../../engine/run/execute-module.js';
import { Unknown } from '../../engine/vars/unknown.js';
import { makeContext } from './harness.js';

function fake(plan: (applied: string[]) => Plan | Promise<Plan>, extra: Partial<ModuleDefinition> = {}): { def: ModuleDefinition; applied: string[] } {
  const applied: string[] = [];
  const def: ModuleDefinition = {
    name: 'fake',
    summary: 'a module for the tests',
    schema: { type: 'object', properties: { x: { type: 'integer', default: 1, description: 'd' } }, additionalProperties: false },
    examples: [],
    returns: {},
    async plan() {
      return plan(applied);
    },
    ...extra,
  };
  return { def, applied };
}

describe('executeModule', () => {
  const changing = (applied: string[]): Plan => ({
    changed: true,
    data: { predicted: true },
    diff: [{ label: 'p', before: 'a', after: 'b' }],
    apply: async () => {
      applied.push('applied');
      return { data: { real: true } };
    },
  });

  it('in check mode returns the prediction and never applies', async () => {
    const { def, applied } = fake(changing);
    const r = await executeModule(def, {}, makeContext({ check: true, diff: true }));
    expect(applied).to.deep.equal([]);
    expect(r).to.deep.include({ changed: true, failed: false, skipped: false, diff: [{ label: 'p', before: 'a', after: 'b' }] });
    expect(r.data).to.deep.equal({ predicted: true, changed: true, failed: false });
  });

  it('outside check mode applies, and the applied data is registered', async () => {
    const { def, applied } = fake(changing);
    const r = await executeModule(def, {}, makeContext());
    expect(applied).to.deep.equal(['applied']);
    expect(r.data).to.deep.equal({ real: true, changed: true, failed: false });
  });

  it('does not apply a plan that changes nothing, and lets apply correct changed', async () => {
    const { def, applied } = fake((a) => ({ changed: false, apply: async () => (a.push('x'), {}) }));
    expect((await executeModule(def, {}, makeContext())).changed).to.equal(false);
    expect(applied).to.deep.equal([]);
    const late = fake(() => ({ changed: true, apply: async () => ({ changed: false, msg: 'nothing after all' }) }));
    expect(await executeModule(late.def, {}, makeContext())).to.include({ changed: false, msg: 'nothing after all' });
  });

  it('skips a module without check mode support in check mode, with the reason', async () => {
    const { def, applied } = fake(changing, { checkMode: false });
    const r = await executeModule(def, {}, makeContext({ check: true }));
    expect(r).to.include({ skipped: true, changed: false, skipReason: 'fake does not support check mode' });
    expect(r.data).to.include({ skipped: true });
    expect(applied).to.deep.equal([]);
  });

  it("reports the plan's skip, failure, facts and control", async () => {
    expect(await executeModule(fake(() => ({ changed: false, skipped: 'why not' })).def, {}, makeContext())).to.include({ skipped: true, skipReason: 'why not', msg: 'why not' });
    const failed = await executeModule(fake(() => ({ changed: true, failed: true, msg: 'bad' })).def, {}, makeContext());
    expect(failed).to.include({ failed: true, changed: false, msg: 'bad' });
    expect(failed.data).to.include({ failed: true, changed: false, msg: 'bad' });
    const r = await executeModule(fake(() => ({ changed: false, facts: { a: 1 }, control: 'end_host' })).def, {}, makeContext());
    expect(r).to.deep.include({ facts: { a: 1 }, control: 'end_host' });
  });

  it('turns a ModuleError into a failed outcome, but lets argument and connection errors through', async () => {
    const r = await executeModule(fake(() => Promise.reject(new ModuleError('cannot'))).def, {}, makeContext());
    expect(r).to.include({ failed: true, msg: 'cannot' });
    const applyErr = await executeModule(fake(() => ({ changed: true, apply: () => Promise.reject(new ModuleError('mid-way')) })).def, {}, makeContext());
    expect(applyErr).to.include({ failed: true, msg: 'mid-way' });
    let err: unknown;
    await executeModule(fake(() => Promise.reject(new ConnectionError('h', 'gone'))).def, {}, makeContext()).catch((e: unknown) => (err = e));
    expect(err).to.be.instanceOf(ConnectionError);
    err = undefined;
    await executeModule(fake(changing).def, { x: 'many' }, makeContext()).catch((e: unknown) => (err = e));
    expect(err).to.be.instanceOf(ModuleArgsError);
  });

  it('in check mode, skips a task whose arguments hold values not known yet, naming them and why', async () => {
    const { def, applied } = fake(changing);
    const r = await executeModule(def, { x: new Unknown(), y: [1, { z: new Unknown('the VM does not exist yet') }] }, makeContext({ check: true }));
    expect(r).to.include({ skipped: true, skipReason: "cannot plan in check mode: 'x', 'y[1].z' are not known yet (not known in check mode; the VM does not exist yet)" });
    expect(applied).to.deep.equal([]);
  });

  it('passes validated, defaulted arguments to plan', async () => {
    let seen: unknown;
    const def: ModuleDefinition = { ...fake(changing).def, plan: async (_ctx, a) => ((seen = a), { changed: false }) };
    await executeModule(def, { x: '5' }, makeContext());
    expect(seen).to.deep.equal({ x: 5 });
    await executeModule(def, null, makeContext());
    expect(seen).to.deep.equal({ x: 1 });
  });

  it('shows a diff only with --diff: the engine decides, and never reads a lazy diff without it', async () => {
    let reads = 0;
    const lazy = (applied: string[]): Plan => ({
      ...changing(applied),
      diff: async () => {
        reads++;
        return [{ label: 'p', before: 'old', after: 'new' }];
      },
    });
    const quiet = await executeModule(fake(lazy).def, {}, makeContext({ check: true }));
    expect(quiet.diff).to.equal(undefined);
    expect(reads).to.equal(0);
    expect((await executeModule(fake(changing).def, {}, makeContext({ check: true }))).diff).to.equal(undefined);
    const shown = await executeModule(fake(lazy).def, {}, makeContext({ check: true, diff: true }));
    expect(shown.diff).to.deep.equal([{ label: 'p', before: 'old', after: 'new' }]);
    expect(reads).to.equal(1);
    // read before apply (a lazy diff reads the state the apply replaces)
    const order: string[] = [];
    const ordered = fake((applied) => ({
      changed: true,
      diff: async () => (order.push('diff'), []),
      apply: async () => (applied.push('applied'), order.push('apply'), {}),
    }));
    await executeModule(ordered.def, {}, makeContext({ diff: true }));
    expect(order).to.deep.equal(['diff', 'apply']);
  });
});
