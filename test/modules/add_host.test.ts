// add_host on its own, through the engine's executeModule: what it plans (the executor adding the
// host to the run's inventory is tested in test/run/executor.test.ts and test/inventory/add-host.test.ts).
import { expect } from 'chai';
import { ModuleArgsError } from '../../engine/errors.js';
import { Unknown } from '../../engine/vars/unknown.js';
import { runModule } from './harness.js';

describe('add_host module', () => {
  it('adds the host with its groups (a list or a comma-separated string) and every other argument as a variable', async () => {
    const r = await runModule('add_host', { name: 'vm', groups: 'k3s, servers', ansible_host: '10.0.0.5', ansible_user: 'ubuntu' });
    expect(r).to.include({ changed: true, failed: false });
    expect(r.addHosts).to.deep.equal([{ name: 'vm', groups: ['k3s', 'servers'], vars: { ansible_host: '10.0.0.5', ansible_user: 'ubuntu' } }]);
    expect(r.data.add_host).to.deep.equal({ host_name: 'vm', groups: ['k3s', 'servers'], host_vars: { ansible_host: '10.0.0.5', ansible_user: 'ubuntu' } });
    const list = await runModule('add_host', { name: 'vm', groups: ['k3s'] });
    expect(list.addHosts).to.deep.equal([{ name: 'vm', groups: ['k3s'], vars: {} }]);
  });

  it('in check mode adds a host whose address is not known yet (the VM an earlier task would create)', async () => {
    const address = new Unknown('the VM does not exist yet');
    const r = await runModule('add_host', { name: 'vm', ansible_host: address }, { check: true });
    expect(r.skipped).to.equal(false);
    expect(r.addHosts?.[0]?.vars.ansible_host).to.equal(address);
  });

  it("takes Ansible's other spellings: hostname/host for name, groupname/group for groups, name:port (target add_host)", async () => {
    const r = await runModule('add_host', { hostname: 'vm2', groupname: 'a,b', ansible_port: '2222' });
    expect(r.addHosts).to.deep.equal([{ name: 'vm2', groups: ['a', 'b'], vars: { ansible_port: '2222' } }]);
    // `host` and `group` stay host variables too, as in Ansible's action
    const h = await runModule('add_host', { host: 'vm3:2200', group: 'g' });
    expect(h.data.add_host).to.deep.equal({ host_name: 'vm3', groups: ['g'], host_vars: { host: 'vm3:2200', group: 'g', ansible_ssh_port: 2200 } });
  });

  it('refuses a missing name and a variable name that is not one', async () => {
    for (const args of [{ groups: ['k3s'] }, { name: 'vm', 'not-a-name': 1 }]) {
      let err: unknown;
      await runModule('add_host', args).catch((e: unknown) => (err = e));
      expect(err, JSON.stringify(args)).to.be.instanceOf(ModuleArgsError);
    }
  });
});
