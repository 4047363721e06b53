import { expect } from 'chai';
import { controllerPython } from '../../engine/run/ansible-compat.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadInventory } from '../../engine/inventory/inventory.js';
import { fixture } from './fixtures.js';

describe('inventory: implicit localhost', () => {
  it('resolves localhost and 127.0.0.1 when absent, with a local connection, outside all', async () => {
    const inv = await loadInventory([fixture('localhost/without.yaml')]);
    expect(inv.hosts.has('localhost')).to.equal(false);
    expect(inv.select('all')).to.deep.equal(['r1']);
    expect(inv.groupMembers('all')).to.deep.equal(['r1']);
    expect(inv.select('localhost')).to.deep.equal(['localhost']);
    const lh = inv.host('localhost')!;
    expect(lh.groups).to.deep.equal([]);
    // like Ansible, it still sees the variables of all
    // and, as Ansible's _create_implicit_localhost, the controller's python as its interpreter
    const py = controllerPython();
    expect(lh.vars).to.deep.equal({ ansible_user: 'deploy', ansible_connection: 'local', ...(py ? { ansible_python_interpreter: py } : {}) });
    expect(inv.host('127.0.0.1')!.vars['ansible_connection']).to.equal('local');
    expect(inv.host('web9')).to.equal(undefined);
    expect(inv.toList()).to.not.have.nested.property('_meta.hostvars.localhost');
  });

  it('reads host_vars/localhost beside the playbook for the implicit host', async () => {
    const inv = await loadInventory([fixture('localhost/without.yaml')], { playbookDir: fixture('precedence/playbook') });
    expect(inv.host('localhost')!.vars).to.include({ from_pb_host_vars: 'yes-localhost', ansible_connection: 'local' });
  });

  it('treats a listed localhost as a normal host whose connection still defaults to local', async () => {
    const inv = await loadInventory([fixture('localhost/with-localhost.yaml')]);
    expect(inv.select('all')).to.deep.equal(['localhost', 'r1', 'r2']);
    const lh = inv.host('localhost')!;
    expect(lh.groups).to.deep.equal(['all', 'control']);
    expect(lh.vars).to.deep.equal({ ansible_connection: 'local', ansible_user: 'deploy', note: 'listed' });
    expect(inv.host('r1')!.vars).to.not.have.property('ansible_connection');
    expect(inv.host('r2')!.vars['ansible_connection']).to.equal('ssh');
  });

  it('lets the inventory override the default connection of a listed localhost', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gx-inv-'));
    try {
      writeFileSync(join(dir, 'inv.yaml'), 'all:\n  vars:\n    ansible_connection: ssh\n  hosts:\n    localhost:\n');
      const inv = await loadInventory([join(dir, 'inv.yaml')]);
      expect(inv.host('localhost')!.vars['ansible_connection']).to.equal('ssh');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
