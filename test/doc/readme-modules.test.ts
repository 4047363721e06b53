import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { END, moduleTable, START, updateReadme } from '../../engine/doc/readme-modules.js';
import { allModules, getModule } from '../../modules/index.js';
import { tempDir } from '../modules/harness.js';

function run(args: string[]): { rc: number; out: string } {
  try {
    return { rc: 0, out: execFileSync(process.execPath, ['--import', 'tsx', 'engine/doc/readme-modules.ts', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }) };
  } catch (e) {
    const err = e as { status: number; stderr: string };
    return { rc: err.status, out: err.stderr };
  }
}

describe('README module table', () => {
  it('is up to date with the module registry (run engine/doc/readme-modules.ts when this fails)', () => {
    const r = run(['--check']);
    expect(r.rc, r.out).to.equal(0);
  });

  it('has a row per module, required arguments in bold', () => {
    const table = moduleTable(allModules).split('\n');
    expect(table).to.have.length(allModules.length + 2);
    expect(moduleTable([getModule('stat')!])).to.include('| `stat` | ');
    expect(moduleTable([getModule('stat')!])).to.include('**`path`**, `checksum_algorithm`');
  });

  it('rewrites only what lies between the markers, and --check fails on a stale file', async () => {
    const file = join(await tempDir(), 'README.md');
    await writeFile(file, `# T\n\nbefore\n${START}\nold table\n${END}\nafter\n`);
    expect(run(['--check', file]).rc).to.equal(1);
    expect(run([file]).rc).to.equal(0);
    const text = await readFile(file, 'utf8');
    expect(text.startsWith(`# T\n\nbefore\n${START}\n| Module |`)).to.equal(true);
    expect(text.endsWith(`|\n${END}\nafter\n`)).to.equal(true);
    expect(run(['--check', file]).rc).to.equal(0);
    expect(() => updateReadme('no markers', allModules)).to.throw(/markers/);
  });
});
