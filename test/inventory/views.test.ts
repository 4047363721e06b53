import { expect } from 'chai';
import { UsageError } from '../../engine/errors.js';
import { inventoryCommand } from '../../engine/inventory/cli.js';
import { loadInventory, type Inventory } from '../../engine/inventory/inventory.js';
import { fixture } from './fixtures.js';

const BASIC = fixture('basic/hosts.yaml');

async function usageError(p: Promise<unknown>): Promise<UsageError> {
  try {
    await p;
  } catch (err) {
    expect(err).to.be.instanceOf(UsageError);
    return err as UsageError;
  }
  throw new Error('expected a UsageError');
}

describe('inventory views (ansible-inventory --graph / --list / --host)', () => {
  let inv: Inventory;
  before(async () => {
    inv = await loadInventory([BASIC]);
  });

  it('--graph draws the tree like ansible-inventory (sorted, "  |" per level)', () => {
    expect(inv.toGraph()).to.equal(
      [
        '@all:',
        '  |--@db:',
        '  |  |--db-a',
        '  |  |--db-b',
        '  |  |--db-c',
        '  |  |--web03',
        '  |--@monitoring:',
        '  |  |--mon1',
        '  |  |--web02',
        '  |--@ungrouped:',
        '  |  |--bastion',
        '  |--@web:',
        '  |  |--@web_east:',
        '  |  |  |--east.example.com',
        '  |  |  |--web01',
        '  |  |--lb.example.com',
        '  |  |--web01',
        '  |  |--web02',
        '  |  |--web03',
      ].join('\n'),
    );
  });

  it('--graph GROUP starts at that group; --limit hides other hosts', () => {
    expect(inv.toGraph('web_east')).to.equal('@web_east:\n  |--east.example.com\n  |--web01');
    expect(inv.toGraph('web', { limit: 'db' })).to.equal('@web:\n  |--@web_east:\n  |--web03');
  });

  it('--list gives groups (sorted hosts and children, empty ones left out) and _meta.hostvars', () => {
    const list = inv.toList();
    expect(Object.keys(list)).to.deep.equal(['_meta', 'all', 'db', 'monitoring', 'ungrouped', 'web', 'web_east']);
    expect(list['all']).to.deep.equal({ children: ['db', 'monitoring', 'ungrouped', 'web'] });
    expect(list['web']).to.deep.equal({ children: ['web_east'], hosts: ['lb.example.com', 'web01', 'web02', 'web03'] });
    expect(list['monitoring']).to.deep.equal({ hosts: ['mon1', 'web02'] });
    const hostvars = (list['_meta'] as { hostvars: Record<string, unknown> }).hostvars;
    expect(Object.keys(hostvars)).to.have.length(10);
    expect(hostvars['mon1']).to.deep.equal({ ntp: 'pool.ntp.org', tier: 'base', ansible_port: 2222 });
  });

  it('--list leaves out a group with no hosts and no children but keeps its name under its parent', async () => {
    const small = await loadInventory([fixture('localhost/with-localhost.yaml')]);
    const list = small.toList();
    expect(list['all']).to.deep.equal({ children: ['control', 'remote', 'ungrouped'] });
    expect(list).to.not.have.property('ungrouped');
  });

  it('--list --limit keeps only the selected hosts', () => {
    const list = inv.toList({ limit: 'web_east' });
    expect(list).to.not.have.property('db');
    expect(list['web']).to.deep.equal({ children: ['web_east'], hosts: ['web01'] });
    expect(Object.keys((list['_meta'] as { hostvars: object }).hostvars)).to.deep.equal(['web01', 'east.example.com']);
  });

  it('gx inventory --list prints JSON with sorted keys and a 4-space indent', async () => {
    const text = await inventoryCommand({ sources: [BASIC], list: true });
    expect(JSON.parse(text)).to.deep.equal(JSON.parse(JSON.stringify(inv.toList())));
    expect(text.split('\n').slice(0, 6)).to.deep.equal([
      '{',
      '    "_meta": {',
      '        "hostvars": {',
      '            "bastion": {',
      '                "ansible_host": "10.0.0.1",',
      '                "ntp": "pool.ntp.org",',
    ]);
  });

  it('gx inventory --graph [GROUP] and --host NAME', async () => {
    expect(await inventoryCommand({ sources: [BASIC], graph: true })).to.equal(inv.toGraph());
    expect(await inventoryCommand({ sources: [BASIC], graph: 'db' })).to.equal(inv.toGraph('db'));
    expect(await inventoryCommand({ sources: [BASIC], host: 'mon1' })).to.equal(
      '{\n    "ansible_port": 2222,\n    "ntp": "pool.ntp.org",\n    "tier": "base"\n}',
    );
  });

  it('usage errors: no view or two views, unknown group or host (with did-you-mean)', async () => {
    await usageError(inventoryCommand({ sources: [BASIC] }));
    await usageError(inventoryCommand({ sources: [BASIC], list: true, graph: true }));
    const g = await usageError(inventoryCommand({ sources: [BASIC], graph: 'webb' }));
    expect(g.hint).to.equal("did you mean 'web'?");
    const h = await usageError(inventoryCommand({ sources: [BASIC], host: 'web1' }));
    expect(h.message).to.match(/no host 'web1'/);
    expect(h.hint).to.match(/did you mean 'web0[123]'\?/);
  });
});
