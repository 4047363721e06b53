import { expect } from 'chai';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { ErrorList, PlaybookError } from '../../engine/errors.js';
import { loadInventory } from '../../engine/inventory/inventory.js';
import { fixture } from './fixtures.js';

interface Problem {
  file: string;
  line: number;
  col: number;
  message: RegExp;
  hint?: RegExp;
}

async function problems(sources: string[], opts: { playbookDir?: string } = {}): Promise<PlaybookError[]> {
  try {
    await loadInventory(sources, opts);
  } catch (err) {
    expect(err).to.be.instanceOf(ErrorList);
    const list = (err as ErrorList).errors;
    for (const e of list) expect(e).to.be.instanceOf(PlaybookError);
    return list as PlaybookError[];
  }
  throw new Error('expected the inventory to be rejected');
}

function expectProblems(actual: PlaybookError[], expected: Problem[]): void {
  expect(actual.map((e) => `${e.loc?.file}:${e.loc?.line}:${e.loc?.col}`)).to.deep.equal(expected.map((p) => `${p.file}:${p.line}:${p.col}`));
  expected.forEach((p, i) => {
    expect(actual[i]!.message).to.match(p.message);
    if (p.hint) expect(actual[i]!.hint ?? '').to.match(p.hint);
  });
}

const bad = (name: string): string => fixture(`bad/${name}`);

// shape problems come from the shared schema validation (engine/load/validate.ts), the rest from
// the inventory reader; either way: PlaybookError, exact position, all at once
const CASES: [string, Omit<Problem, 'file'>][] = [
  ['host-list.yaml', { line: 6, col: 11, message: /'all\.children\.web\.hosts\.web1' must be a mapping, got a list/ }],
  ['unknown-key.yaml', { line: 4, col: 7, message: /unknown key 'host' in 'all\.children\.web'/, hint: /did you mean 'hosts'\?/ }],
  ['same-name.yaml', { line: 5, col: 9, message: /'db' is both a host and a group \(group at line 6\)/, hint: /rename/ }],
  ['cycle.yaml', { line: 7, col: 13, message: /group 'a' cannot be a child of 'b': that makes a cycle/ }],
  ['hosts-as-list.yaml', { line: 5, col: 9, message: /'all\.children\.web\.hosts' must be a mapping, got a list/ }],
  ['vars-list.yaml', { line: 3, col: 5, message: /'web\.vars' must be a mapping/ }],
  ['bad-range.yaml', { line: 4, col: 5, message: /host range '\[3:1\]' must have begin <= end/ }],
  ['all-child.yaml', { line: 3, col: 5, message: /'all' cannot be a child of group 'web'/ }],
  ['not-mapping.yaml', { line: 1, col: 1, message: /an inventory is a mapping of groups/ }],
  // an unclosed bracket is reported where it opens
  ['syntax.yaml', { line: 4, col: 13, message: /^YAML: / }],
];

describe('inventory errors carry file:line:col', () => {
  for (const [name, p] of CASES) {
    it(name, async () => {
      expectProblems(await problems([bad(name)]), [{ file: bad(name), ...p }]);
    });
  }

  it('reports every problem of a file at once, in order', async () => {
    const f = bad('several.yaml');
    expectProblems(await problems([f]), [
      { file: f, line: 5, col: 15, message: /'all\.children\.web\.hosts\.web1' must be a mapping/ },
      { file: f, line: 6, col: 7, message: /unknown key 'varz'/, hint: /did you mean 'vars'\?/ },
      { file: f, line: 9, col: 14, message: /'all\.children\.db\.hosts' must be a mapping, got 'db1'/ },
      { file: f, line: 10, col: 17, message: /'all\.children\.db\.children' must be a mapping/ },
    ]);
  });

  it('reports problems across several sources together', async () => {
    const list = await problems([bad('host-list.yaml'), bad('cycle.yaml')]);
    expect(list.map((e) => e.loc?.file)).to.deep.equal([bad('host-list.yaml'), bad('cycle.yaml')]);
  });

  it('points into a group_vars file that is not a mapping, once even when it is also the playbook dir', async () => {
    const dir = bad('group-vars-list');
    const gv = fixture('bad/group-vars-list/group_vars/web.yaml');
    const message = /a vars file is a mapping of variable names to values, got a list/;
    expectProblems(await problems([dir]), [{ file: gv, line: 1, col: 1, message }]);
    expectProblems(await problems([`${dir}/hosts.yaml`], { playbookDir: dir }), [{ file: gv, line: 1, col: 1, message }]);
  });

  it('rejects a host_vars file with a variable name that is not one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gx-inv-'));
    try {
      mkdirSync(join(dir, 'host_vars'));
      writeFileSync(join(dir, 'inv.yaml'), 'all:\n  hosts:\n    web1:\n');
      writeFileSync(join(dir, 'host_vars', 'web1.yml'), 'ok: 1\nhttp-port: 80\n');
      const [e, ...rest] = await problems([join(dir, 'inv.yaml')]);
      expect(rest).to.deep.equal([]);
      expect(e!.loc).to.deep.equal({ file: join(dir, 'host_vars', 'web1.yml'), line: 2, col: 1 });
      expect(e!.message).to.match(/'http-port' is not a valid variable name/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps the position relative to how the source was named', async () => {
    const rel = relative(process.cwd(), bad('unknown-key.yaml'));
    const [e] = await problems([rel]);
    expect(e!.loc).to.deep.equal({ file: rel, line: 4, col: 7 });
  });
});
