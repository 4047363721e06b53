import { expect } from 'chai';
import { ErrorList, PlaybookError } from '../../engine/errors.js';
import { loadInventory } from '../../engine/inventory/inventory.js';
import { fixture } from './fixtures.js';

describe('inventory: add_host at run time', () => {
  it('adds a host to existing and new groups (new ones under all), with its vars on top', async () => {
    const inv = await loadInventory([fixture('basic/hosts.yaml')]);
    const h = inv.addHost('new1', ['web', 'fresh'], { tier: 'mine', x: 1 });
    expect(h.groups).to.deep.equal(['all', 'fresh', 'web']);
    expect(h.vars).to.deep.equal({ ntp: 'pool.ntp.org', tier: 'mine', x: 1 });
    expect(inv.select('fresh')).to.deep.equal(['new1']);
    expect(inv.select('web')).to.include('new1');
    expect(inv.groups.get('all')!.children).to.include('fresh');
    expect(inv.toGraph('fresh')).to.equal('@fresh:\n  |--new1');
  });

  it('extends an existing host in place, so earlier references see the change', async () => {
    const inv = await loadInventory([fixture('basic/hosts.yaml')]);
    const before = inv.host('bastion')!;
    inv.addHost('bastion', ['db']);
    expect(before.groups).to.deep.equal(['all', 'db']);
    expect(before.vars['tier']).to.equal('db');
    // no longer ungrouped once it is in a real group
    expect(inv.select('ungrouped')).to.deep.equal([]);
  });

  it('puts a host without groups in ungrouped, and turns an implicit localhost into a real one', async () => {
    const inv = await loadInventory([fixture('localhost/without.yaml')]);
    inv.addHost('loner');
    expect(inv.select('ungrouped')).to.deep.equal(['r1', 'loner']);
    inv.addHost('localhost', ['ctl']);
    expect(inv.select('all')).to.deep.equal(['r1', 'loner', 'localhost']);
    expect(inv.host('localhost')!.vars).to.include({ ansible_connection: 'local', ansible_user: 'deploy' });
  });

  it('refuses a host named like a group', async () => {
    const inv = await loadInventory([fixture('basic/hosts.yaml')]);
    expect(() => inv.addHost('web')).to.throw(PlaybookError, /already the name of a group/);
  });

  it('reports a broken group_vars file of a group that add_host brings in', async () => {
    const inv = await loadInventory([fixture('localhost/without.yaml')], { playbookDir: fixture('bad/group-vars-list') });
    expect(() => inv.addHost('w9', ['web'])).to.throw(ErrorList);
  });
});
