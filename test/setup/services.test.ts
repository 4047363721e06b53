// The helper every caller of test/services/*.sh uses: set-up output to a log, KEY=VALUE lines back.
import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runServiceScript } from './services.js';

describe('runServiceScript (test services: output to a log file, not the terminal)', () => {
  let dir: string;
  let log: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'gx-services-'));
    log = join(dir, 'logs', 'services.log');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function script(name: string, body: string): string {
    const path = join(dir, name);
    writeFileSync(path, `set -e\n${body}\n`);
    return path;
  }

  it('returns the KEY=VALUE lines of stdout and puts the chatter in the log, under a header', () => {
    const s = script('svc.sh', 'echo "Setting up postgresql-15 ..." >&2\necho "GX_TEST_X=1"\necho "not a variable"\necho "GX_TEST_Y=a=b" ');
    expect(runServiceScript(s, ['start'], { log })).to.deep.equal({ GX_TEST_X: '1', GX_TEST_Y: 'a=b' });
    runServiceScript(s, ['start'], { log });
    const text = readFileSync(log, 'utf8');
    expect(text.match(/^--- .* svc\.sh start \(test run \d+\)$/gm)).to.have.length(2);
    expect(text.match(/^Setting up postgresql-15 \.\.\.$/gm)).to.have.length(2);
    expect(text).not.to.include('GX_TEST_X');
  });

  it('on failure, names the log and shows the last lines of this call', () => {
    const s = script('broken.sh', 'for i in $(seq 1 30); do echo "line $i" >&2; done\nexit 3');
    expect(() => runServiceScript(s, ['start'], { log })).to.throw(Error).that.satisfies((e: Error) => {
      expect(e.message).to.include('test service "broken.sh start" failed (exit 3)');
      expect(e.message).to.include(`its output is in ${log}`);
      expect(e.message).to.include('  | line 30').and.include('  | line 11').and.not.include('line 10\n');
      return true;
    });
  });

  it('says so when a failing script printed nothing, and when it timed out', () => {
    expect(() => runServiceScript(script('silent.sh', 'exit 1'), [], { log })).to.throw('failed (exit 1); its output is in ' + log + ' (it printed nothing)');
    expect(() => runServiceScript(script('slow.sh', 'sleep 5'), [], { log, timeoutMs: 200 })).to.throw('failed (killed by SIGTERM (timed out))');
  });
});
