// Ctrl-C: every connection is closed (commands in flight are killed), the recap still prints, and
// gx exits 130.
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('../..', import.meta.url).pathname;

describe('e2e: Ctrl-C', function () {
  this.timeout(60_000);

  it('kills the running command, prints the recap and exits 130', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gx-int-'));
    writeFileSync(
      join(dir, 'site.yaml'),
      `- hosts: localhost
  tasks:
    - name: long
      command: sleep 40
    - name: never
      debug: { msg: no }
`,
    );
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'engine/cli/main.ts'), 'play', join(dir, 'site.yaml'), '--output', 'json'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const started = Date.now();
    const code = await new Promise<number | null>((resolve) => {
      child.stdout.on('data', (d: Buffer) => {
        out += String(d);
        if (out.includes('"host.progress"') && !child.killed) child.kill('SIGINT');
      });
      child.on('exit', (c) => resolve(c));
    });
    expect(code).to.equal(130);
    expect(Date.now() - started).to.be.lessThan(30_000, 'the sleep was not killed');
    const events = out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { type: string; interrupted?: boolean; name?: string });
    const recap = events.find((e) => e.type === 'recap');
    expect(recap?.interrupted).to.equal(true);
    expect(events.filter((e) => e.type === 'task.start').map((e) => e.name)).to.deep.equal(['long']);
  });
});
