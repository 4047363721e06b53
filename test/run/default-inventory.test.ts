// Which inventory `gx play` uses without -i.
import { expect } from 'chai';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultInventory } from '../../engine/cli/play.js';

describe('gx play without -i', () => {
  const root = mkdtempSync(join(tmpdir(), 'gx-definv-'));
  mkdirSync(join(root, 'playbooks', 'deep'), { recursive: true });
  writeFileSync(join(root, 'inventory.yaml'), 'all: {}\n');

  it('uses inventory.yaml beside the playbook, or above it up to the current directory', () => {
    expect(defaultInventory(join(root, 'site.yaml'), root)).to.deep.equal([join(root, 'inventory.yaml')]);
    expect(defaultInventory(join(root, 'playbooks', 'deep', 'x.yaml'), root)).to.deep.equal([join(root, 'inventory.yaml')]);
    writeFileSync(join(root, 'playbooks', 'inventory.yml'), 'all: {}\n');
    expect(defaultInventory(join(root, 'playbooks', 'deep', 'x.yaml'), root)).to.deep.equal([join(root, 'playbooks', 'inventory.yml')]);
  });

  it('never takes the inventory of the current directory for a playbook outside it', () => {
    const elsewhere = mkdtempSync(join(tmpdir(), 'gx-definv-other-'));
    expect(defaultInventory(join(elsewhere, 'site.yaml'), root)).to.deep.equal([]);
  });
});
