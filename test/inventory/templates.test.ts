import { expect } from 'chai';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ErrorList, TemplateError } from '../../engine/errors.js';
import { loadInventory } from '../../engine/inventory/inventory.js';

// Inventories are playbook values too: their `{{ }}` is Jinja, and a syntax error is found when the
// inventory loads (with the value's place), not when the first task reads the variable.
describe('inventory: template syntax is checked when it loads', () => {
  it('host vars, group vars and group_vars/ files, each at its place', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gx-inv-tpl-'));
    writeFileSync(join(dir, 'hosts.yaml'), 'all:\n  hosts:\n    web1:\n      url: "http://{{ host }"\n  vars:\n    motd: \'{{default x "hi"}}\'\n');
    mkdirSync(join(dir, 'group_vars'));
    writeFileSync(join(dir, 'group_vars', 'all.yaml'), 'fine: "{{ a | default(1) }}"\nbad: "{% if a %}"\n');
    let err: unknown;
    await loadInventory([join(dir, 'hosts.yaml')]).catch((e: unknown) => (err = e));
    expect(err).to.be.instanceOf(ErrorList);
    const list = (err as ErrorList).errors;
    for (const e of list) expect(e).to.be.instanceOf(TemplateError);
    expect(list.map((e) => `${e.loc?.file.replace(dir, '')}:${e.loc?.line}:${e.loc?.col} ${e.message.replace(/ — .*/, '')}`)).to.have.members([
      "/hosts.yaml:4:12 template syntax error: line 1, col 16: unexpected '}'",
      "/hosts.yaml:6:11 template syntax error: line 1, col 1: Handlebars '{{default x \"hi\"}}' in a playbook value: playbooks use Ansible's Jinja2 expressions (Handlebars is for .hbs template files)",
      "/group_vars/all.yaml:2:6 template syntax error: line 1, col 1: unexpected end of template: '{% if %}' is never closed (expected '{% endif %}')",
    ]);
  });

  it('the shipped inventory.yaml has none', async () => {
    await loadInventory([join(import.meta.dirname, '../../inventory.yaml')]);
  });
});
