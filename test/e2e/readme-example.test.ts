// The README's first command, end to end through the real CLI process: --check first (nothing on
// disk changes), then a real run, then a second run that changes nothing.
import { expect } from 'chai';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gx } from './gx.js';

function recap(stdout: string): Record<string, number> {
  const line = stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l)).find((e) => e.type === 'recap');
  return line.hosts.localhost;
}

describe('e2e: the README example (playbooks/examples/hello.yaml)', function () {
  this.timeout(60_000);
  const dir = join(mkdtempSync(join(tmpdir(), 'gx-hello-')), 'app');
  const args = ['play', 'playbooks/examples/hello.yaml', '-e', `hello_dir=${dir}`, '--output', 'json'];

  it('--check plans changes and writes nothing', async () => {
    const r = await gx([...args, '--check', '--diff']);
    expect(r.code, r.stderr + r.stdout).to.equal(0);
    expect(recap(r.stdout).changed).to.be.greaterThan(0);
    expect(existsSync(dir)).to.equal(false);
  });

  it('a real run makes the changes and runs the handler', async () => {
    const r = await gx(args);
    expect(r.code, r.stderr + r.stdout).to.equal(0);
    expect(recap(r.stdout).changed).to.be.greaterThan(0);
    expect(readdirSync(join(dir, 'conf.d')).sort()).to.deep.equal(['port-8080.conf', 'port-8443.conf']);
    expect(readFileSync(join(dir, 'app.yaml'), 'utf8')).to.match(/replicas: 3/);
    expect(existsSync(join(dir, 'reloaded'))).to.equal(true);
  });

  it('a second run changes nothing', async () => {
    const r = await gx(args);
    expect(r.code, r.stderr + r.stdout).to.equal(0);
    expect(recap(r.stdout)).to.include({ changed: 0, failed: 0 });
  });

  it('the plain output looks like Ansible', async () => {
    const r = await gx(['play', 'playbooks/examples/hello.yaml', '-e', `hello_dir=${dir}`, '--output', 'plain']);
    expect(r.stdout).to.match(/PLAY \[hello from gx\]/);
    expect(r.stdout).to.match(/TASK \[app directory\]/);
    expect(r.stdout).to.match(/PLAY RECAP/);
    expect(r.stdout).to.match(/localhost\s+: ok=\d+\s+changed=0/);
  });
});
