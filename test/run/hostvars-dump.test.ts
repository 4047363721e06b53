import { expect } from 'chai';
import { play } from './play-helper.js';

// ansible's filter_core target templates `{{ hostvars[inventory_hostname] | to_nice_json }}`: the
// dump of a host's variables must end (it overflowed the stack: each hostvars[h] held a new hostvars)
describe('run: hostvars[host] as Ansible lists it', () => {
  it('dumps to JSON, does not list hostvars itself, and its templates may still read hostvars', async () => {
    const r = await play({
      'site.yaml': `
- hosts: localhost
  gather_facts: false
  vars:
    a: "{{ hostvars[inventory_hostname].inventory_hostname }}-x"
  tasks:
    - name: dump
      debug: { msg: "{{ (hostvars[inventory_hostname] | to_nice_json | from_json).a }}" }
    - name: keys
      debug: { msg: "{{ 'hostvars' in hostvars[inventory_hostname].keys() | list }}" }
`,
    });
    expect(r.code, r.text).to.equal(0);
    expect(r.results('dump')[0]!.data?.msg).to.equal('localhost-x');
    expect(r.results('keys')[0]!.data?.msg).to.equal(false);
  });
});
