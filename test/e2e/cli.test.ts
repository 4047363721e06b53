// The gx binary's other commands, as a user runs them: version, doc, inventory, usage errors.
import { expect } from 'chai';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gx } from './gx.js';

describe('e2e: gx commands', function () {
  this.timeout(60_000);

  it('--version prints the package version', async () => {
    const r = await gx(['--version']);
    expect(r.code).to.equal(0);
    expect(r.stdout.trim()).to.match(/^\d+\.\d+\.\d+$/);
  });

  it('doc lists modules and documents one; an unknown one is a usage error with a suggestion', async () => {
    const list = await gx(['doc', '--list']);
    expect(list.stdout).to.match(/^copy\s+/m);
    const copy = await gx(['doc', 'copy']);
    expect(copy.stdout).to.match(/dest/);
    const bad = await gx(['doc', 'cpy']);
    expect(bad.code).to.equal(5);
    expect(bad.stderr).to.match(/did you mean 'copy'/);
  });

  it('inventory --graph and --list show the groups', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gx-inv-'));
    writeFileSync(join(dir, 'inv.yaml'), 'all:\n  children:\n    web:\n      hosts:\n        web1: { port: 80 }\n');
    const g = await gx(['inventory', '-i', join(dir, 'inv.yaml'), '--graph']);
    expect(g.code, g.stderr).to.equal(0);
    expect(g.stdout).to.match(/@all:[\s\S]*@web:[\s\S]*web1/);
    const l = await gx(['inventory', '-i', join(dir, 'inv.yaml'), '--list']);
    expect(JSON.parse(l.stdout)._meta.hostvars.web1.port).to.equal(80);
  });

  it('--limit that matches no host of the inventory is a usage error naming the add_host case, before anything runs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gx-limit-'));
    writeFileSync(join(dir, 'inv.yaml'), 'all:\n  children:\n    web:\n      hosts:\n        web1: { ansible_connection: local }\n');
    writeFileSync(join(dir, 'site.yaml'), '- hosts: localhost\n  gather_facts: false\n  tasks:\n    - add_host: { name: vm2, ansible_connection: local }\n- hosts: vm2\n  gather_facts: false\n  tasks:\n    - file: { path: "' + join(dir, 'marker') + '", state: touch }\n');
    const r = await gx(['play', join(dir, 'site.yaml'), '-i', join(dir, 'inv.yaml'), '--limit', 'vm2']);
    expect(r.code).to.equal(5);
    expect(r.stderr).to.contain('--limit vm2 matches no host of the inventory').and.contain('--limit localhost,');
    const ok = await gx(['play', join(dir, 'site.yaml'), '-i', join(dir, 'inv.yaml'), '--limit', 'localhost,vm2']);
    expect(ok.code, ok.stderr + ok.stdout).to.equal(0);
    expect(ok.stdout).to.match(/changed: \[vm2\]/);
  });

  it('a missing playbook is a usage error (exit 5); an unknown option too', async () => {
    expect((await gx(['play', '/nonexistent.yaml'])).code).to.equal(5);
    expect((await gx(['play', '--no-such-flag', 'x.yaml'])).code).to.equal(5);
  });
});
