import { expect } from 'chai';
import { loadInventory, type Inventory } from '../../engine/inventory/inventory.js';
import { fixture } from './fixtures.js';

// precedence/inventory/hosts.yaml puts h1 in parent>child, aaa, bbb (priority 5), ccc and zzz;
// group_vars/ and host_vars/ sit beside it and beside precedence/playbook.
describe('inventory variable precedence', () => {
  let inv: Inventory;
  let noPlaybook: Inventory;
  before(async () => {
    inv = await loadInventory([fixture('precedence/inventory/hosts.yaml')], { playbookDir: fixture('precedence/playbook') });
    noPlaybook = await loadInventory([fixture('precedence/inventory/hosts.yaml')]);
  });
  const h1 = (): Record<string, unknown> => inv.host('h1')!.vars;

  it('all is the base', () => {
    expect(h1()['v_all']).to.equal('file-all');
  });

  it('a child group beats its parent', () => {
    expect(h1()['v_depth']).to.equal('child');
  });

  it('groups of the same depth apply alphabetically (the later name wins)', () => {
    expect(h1()['v_alpha']).to.equal('parent');
    expect(h1()['v_same']).to.equal('zzz');
  });

  it('ansible_group_priority beats the alphabet at the same depth, and is not a variable', () => {
    expect(h1()['v_prio']).to.equal('bbb');
    expect(inv.host('h2')!.vars['v_prio']).to.equal('ccc');
    expect(h1()).to.not.have.property('ansible_group_priority');
  });

  it('host vars beat group vars', () => {
    expect(h1()['v_host']).to.equal('file-host');
  });

  it('group_vars/ beside the inventory beat the inventory file', () => {
    expect(h1()['v_dir']).to.equal('invdir-all');
    expect(noPlaybook.host('h1')!.vars['v_gv_child']).to.equal('invdir-child');
  });

  it('group_vars/ beside the playbook beat group_vars/ beside the inventory', () => {
    expect(h1()['v_pb']).to.equal('pb-all');
    expect(h1()['v_gv_child']).to.equal('pb-child');
    expect(h1()['v_gv_child_only']).to.equal('invdir-child');
    expect(noPlaybook.host('h1')!.vars['v_pb']).to.equal('invdir-all');
  });

  it('like Ansible, group_vars/all in a directory beats a child group written in the inventory file', () => {
    expect(h1()['v_gotcha']).to.equal('invdir-all');
  });

  it('host_vars/ (a file without extension) beat the inventory file, and the playbook dir beats both', () => {
    expect(h1()['v_dir_host']).to.equal('invdir-host');
    expect(h1()['v_pb_host']).to.equal('pb-host');
    expect(noPlaybook.host('h1')!.vars['v_pb_host']).to.equal('invdir-host');
  });

  it('reads a group_vars directory file by file, alphabetically, and .json files', () => {
    expect(h1()).to.include({ v_dirmerge: 'b', v_dirfile: 'a', v_json: 'from-json' });
  });

  it('ignores group_vars for groups the inventory does not have', () => {
    expect(h1()).to.not.have.property('v_never');
  });

  it("puts a group's own layered vars on the group", () => {
    expect(inv.groups.get('parent')!.vars).to.deep.equal({ v_depth: 'parent', v_alpha: 'parent', v_dirmerge: 'b', v_dirfile: 'a' });
    expect(inv.groups.get('child')!.vars).to.include({ v_gv_child: 'pb-child', v_depth: 'child' });
  });

  it('h2 sees only its own groups', () => {
    expect(inv.host('h2')!.vars).to.deep.equal({ v_all: 'file-all', v_dir: 'invdir-all', v_pb: 'pb-all', v_gotcha: 'invdir-all', v_prio: 'ccc' });
  });
});

describe('inventory variables named like Object internals', () => {
  it('keeps __proto__ and constructor as plain variables', async () => {
    const { mkdtempSync, rmSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = mkdtempSync(join(tmpdir(), 'gx-inv-'));
    try {
      writeFileSync(join(dir, 'inv.yaml'), 'all:\n  vars:\n    __proto__: {polluted: true}\n  hosts:\n    h:\n      constructor: 1\n');
      const inv = await loadInventory([join(dir, 'inv.yaml')]);
      const vars = inv.host('h')!.vars;
      expect(Object.keys(vars).sort()).to.deep.equal(['__proto__', 'constructor']);
      expect(Object.getPrototypeOf(vars)).to.equal(Object.prototype);
      expect(({} as Record<string, unknown>)['polluted']).to.equal(undefined);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
