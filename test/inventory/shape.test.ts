import { expect } from 'chai';
import { loadInventory, type Inventory } from '../../engine/inventory/inventory.js';
import { splitHostPort } from '../../engine/inventory/yaml-inventory.js';
import { fixture } from './fixtures.js';

describe('inventory YAML shape', () => {
  let inv: Inventory;
  before(async () => {
    inv = await loadInventory([fixture('basic/hosts.yaml')]);
  });

  it('keeps hosts in the order they were first written, ranges expanded in place', () => {
    expect([...inv.hosts.keys()]).to.deep.equal([
      'bastion', 'web01', 'web02', 'web03', 'lb.example.com', 'east.example.com', 'db-a', 'db-b', 'db-c', 'mon1',
    ]);
  });

  it('puts a host in every group that lists it, with ancestors, all first', () => {
    expect(inv.host('web01')!.groups).to.deep.equal(['all', 'web', 'web_east']);
    expect(inv.host('web02')!.groups).to.deep.equal(['all', 'monitoring', 'web']);
    expect(inv.host('web03')!.groups).to.deep.equal(['all', 'db', 'web']);
  });

  it('makes top-level groups children of all, and hosts only in all members of ungrouped', () => {
    expect(inv.groups.get('all')!.children).to.deep.equal(['ungrouped', 'web', 'db', 'monitoring']);
    expect(inv.groups.get('ungrouped')!.hosts).to.deep.equal(['bastion']);
    expect(inv.host('bastion')!.groups).to.deep.equal(['all', 'ungrouped']);
  });

  it('records direct hosts and children per group, and transitive members separately', () => {
    const web = inv.groups.get('web')!;
    expect(web.hosts).to.deep.equal(['web01', 'web02', 'web03', 'lb.example.com']);
    expect(web.children).to.deep.equal(['web_east']);
    expect(inv.groupMembers('web')).to.deep.equal(['web01', 'web02', 'web03', 'lb.example.com', 'east.example.com']);
    expect(inv.groupMembers('nope')).to.deep.equal([]);
  });

  it('gives every host of a range the range variables, and merges a host seen twice', () => {
    expect(inv.host('web02')!.vars).to.include({ http_port: 80, tier: 'web' });
    expect(inv.host('web01')!.vars).to.include({ http_port: 80, tier: 'web_east' });
  });

  it('reads host:port as ansible_port', () => {
    expect(inv.host('mon1')!.vars).to.include({ ansible_port: 2222 });
    expect(splitHostPort('web[1:3]')).to.deep.equal({ name: 'web[1:3]' });
    expect(splitHostPort('web[1:3]:22')).to.deep.equal({ name: 'web[1:3]', port: 22 });
    expect(splitHostPort('fe80::1')).to.deep.equal({ name: 'fe80::1' });
  });

  it('exposes group vars on the group', () => {
    expect(inv.groups.get('web_east')!.vars).to.deep.equal({ tier: 'web_east' });
    expect(inv.groups.get('all')!.vars).to.deep.equal({ ntp: 'pool.ntp.org', tier: 'base' });
  });
});
