import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GxError } from '../../engine/errors.js';
import { shlexWords } from '../../engine/inventory/ini-inventory.js';
import { loadInventory } from '../../engine/inventory/inventory.js';
import { pyLiteral } from '../../engine/vars/py-literal.js';
import { fixture } from './fixtures.js';

const GX = join(process.cwd(), 'engine', 'cli', 'main.ts');

async function problems(text: string): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'gx-ini-'));
  try {
    writeFileSync(join(dir, 'hosts'), text);
    await loadInventory([join(dir, 'hosts')]);
    return [];
  } catch (e) {
    const list = (e as { errors?: GxError[] }).errors ?? [e as GxError];
    return list.map((x) => `${x.loc?.line}: ${x.message}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('inventory: INI files as Ansible reads them', () => {
  it('gives the groups, hosts and typed variables ansible-inventory --list gives (recorded from ansible-core 2.14.18)', () => {
    // ansible-inventory-list.json is `ansible-inventory -i hosts --list` on the same file
    const expected = JSON.parse(readFileSync(fixture('ini/ansible-inventory-list.json'), 'utf8')) as Record<string, unknown>;
    const out = execFileSync(process.execPath, ['--import', 'tsx', GX, 'inventory', '-i', fixture('ini/hosts'), '--list'], { encoding: 'utf8' });
    expect(JSON.parse(out)).to.deep.equal(expected);
  });

  it('reads Python literals as literal_eval does, and keeps anything else as text', () => {
    const cases: [string, unknown][] = [
      ['22', 22],
      ['-5', -5],
      ['0x1F', 31],
      ['1_000', 1000],
      ['1.5e3', 1500],
      ['.5', 0.5],
      ['True', true],
      ['None', null],
      ["'22'", '22'],
      ['"a" \'b\'', 'ab'],
      ["r'\\d+'", '\\d+'],
      ["'\\x41\\n'", 'A\n'],
      ["[1, 'a', (2, 3)]", [1, 'a', [2, 3]]],
      ["{'k': [1], 2: None}", { k: [1], '2': null }],
      ['(1)', 1],
      ['()', []],
      ['true', 'true'],
      ['yes', 'yes'],
      ['012', '012'],
      ['1.2.3.4', '1.2.3.4'],
      ['hello world', 'hello world'],
      ['[1, 2', '[1, 2'],
      ["f'x'", "f'x'"],
      ['23 # a comment', 23],
    ];
    for (const [text, want] of cases) expect(pyLiteral(text), text).to.deep.equal(want);
  });

  it('splits host lines as shlex.split(comments=True) does', () => {
    expect(shlexWords(`h1 a="x y" b='q#r' c=1 # the rest`)).to.deep.equal(['h1', 'a=x y', 'b=q#r', 'c=1']);
    expect(shlexWords('a#b c')).to.deep.equal(['a']);
    expect(shlexWords('k=a\\ b "e\\"q"')).to.deep.equal(['k=a b', 'e"q']);
    expect(() => shlexWords('h k="open')).to.throw(/No closing quotation/);
  });

  it('accepts children and vars sections before the groups they name are declared', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gx-ini-'));
    try {
      writeFileSync(join(dir, 'hosts'), '[prod:children]\nweb\n\n[web:vars]\nport=80\n\n[web]\nw1\n');
      const inv = await loadInventory([join(dir, 'hosts')]);
      expect(inv.select('prod')).to.deep.equal(['w1']);
      expect(inv.host('w1')!.vars).to.deep.equal({ port: 80 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports what Ansible refuses, at the line', async () => {
    expect(await problems('[web:vars]\nport=80\n')).to.deep.equal(["1: section [web:vars] is for a group that is never declared: add a [web] or [web:children] section"]);
    expect(await problems('[prod:children]\nweb\n')).to.deep.equal(["2: section [prod:children] names group 'web', which is never declared: add a [web] section"]);
    expect(await problems('[web]\nw1 novalue\n')).to.deep.equal(["2: expected key=value after the host name, got 'novalue'"]);
    expect(await problems('[web:hostz]\n')).to.deep.equal(["1: section [web:hostz] has unknown type 'hostz' (hosts, vars or children)"]);
    expect(await problems('[web]\nw1\n[web:vars]\njustaword\n')).to.deep.equal(["4: expected key=value in [web:vars], got 'justaword'"]);
    expect(await problems('[ web ]\n')).to.deep.equal(["1: invalid section '[ web ]': a section is [group], [group:vars] or [group:children], with no spaces"]);
  });

  it('tells YAML from INI in a file without a YAML extension, and reads extensionless files in a directory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gx-ini-'));
    try {
      mkdirSync(join(dir, 'inv'));
      writeFileSync(join(dir, 'inv', 'hosts'), '[web]\nw1 a=1\n');
      writeFileSync(join(dir, 'inv', 'more'), 'db:\n  hosts:\n    d1: {b: 2}\n');
      writeFileSync(join(dir, 'inv', 'skipped.ini'), '[x]\nnot-read\n');
      const inv = await loadInventory([join(dir, 'inv')]);
      expect(inv.select('all')).to.deep.equal(['w1', 'd1']);
      expect(inv.host('w1')!.vars).to.deep.equal({ a: 1 });
      expect(inv.host('d1')!.vars).to.deep.equal({ b: 2 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
