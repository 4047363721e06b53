import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../../engine/errors.js';
import { loadInventory } from '../../engine/inventory/inventory.js';
import { fixture } from './fixtures.js';

describe('inventory sources', () => {
  it('reads a directory: every *.yaml/*.yml inside (sorted, recursively), plus its group_vars', async () => {
    const inv = await loadInventory([fixture('multi/dir')]);
    expect([...inv.hosts.keys()]).to.deep.equal(['w1', 'w2', 'd1', 'd2']);
    // b.yml comes after a.yaml: its value wins, a's other variables stay
    expect(inv.host('w1')!.vars).to.deep.equal({ from: 'a', web_dir_var: 'from-dir', src: 'b', only_a: 1 });
    expect(inv.host('d2')!.vars).to.deep.equal({ from: 'c' });
    expect(inv.groups.get('db')!.hosts).to.deep.equal(['d1', 'd2']);
  });

  it('merges several -i sources in order', async () => {
    const inv = await loadInventory([fixture('multi/dir'), fixture('multi/other.yaml')]);
    expect([...inv.hosts.keys()]).to.deep.equal(['w1', 'w2', 'd1', 'd2', 'solo', 'w3']);
    expect(inv.select('web')).to.deep.equal(['w1', 'w2', 'w3']);
    expect(inv.host('w3')!.vars).to.deep.equal({ from: 'other', web_dir_var: 'from-dir' });
    expect(inv.select('ungrouped')).to.deep.equal(['solo']);
  });

  it('reads an Ansible host list (-i "a1,a2,")', async () => {
    const inv = await loadInventory(['a1,a2,']);
    expect(inv.select('all')).to.deep.equal(['a1', 'a2']);
    expect(inv.select('ungrouped')).to.deep.equal(['a1', 'a2']);
  });

  it('refuses a source that does not exist (usage error, not a silent empty inventory)', async () => {
    let caught: unknown;
    try {
      await loadInventory([fixture('nope.yaml')]);
    } catch (err) {
      caught = err;
    }
    expect(caught).to.be.instanceOf(UsageError);
    expect((caught as Error).message).to.match(/nope\.yaml' not found/);
  });

  it('accepts an empty file as an empty inventory, and JSON inventories', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gx-inv-'));
    try {
      writeFileSync(join(dir, 'empty.yaml'), '# nothing yet\n');
      writeFileSync(join(dir, 'inv.json'), '{"web": {"hosts": {"j1": {"a": 1}}, "children": {"sub": null}}}');
      const inv = await loadInventory([join(dir, 'empty.yaml'), join(dir, 'inv.json')]);
      expect(inv.select('all')).to.deep.equal(['j1']);
      expect(inv.host('j1')!.vars).to.deep.equal({ a: 1 });
      expect(inv.groups.get('web')!.children).to.deep.equal(['sub']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
