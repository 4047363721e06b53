// The API's log destination in its buffered mode (LOG_BUFFER_BYTES): lines are gathered into
// chunks, yet a line never waits longer than the flush period, and nothing is lost at exit.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { expect } from 'chai';
import { REPO } from './helpers/child-api.js';

/** Runs a child that logs `count` lines and stays alive `aliveMs`; resolves with the stdout chunks seen and when. */
function logChild(bufferBytes: number, count: number, aliveMs: number): Promise<{ firstLineAtMs: number; closedAtMs: number; lines: Array<Record<string, unknown>> }> {
  const script = `
    const { createLogger } = await import(${JSON.stringify(join(REPO, 'api/src/logger.ts'))});
    const log = createLogger('info', ${bufferBytes});
    for (let i = 0; i < ${count}; i++) log.info({ i }, 'line');
    setTimeout(() => process.exit(0), ${aliveMs});`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: REPO, stdio: ['ignore', 'pipe', 'inherit'] });
  const started = Date.now();
  let firstLineAtMs = -1;
  let out = '';
  child.stdout.on('data', (d: Buffer) => {
    if (firstLineAtMs < 0) firstLineAtMs = Date.now() - started;
    out += d.toString();
  });
  return new Promise((resolve) =>
    child.on('close', () => resolve({ firstLineAtMs, closedAtMs: Date.now() - started, lines: out.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>) })),
  );
}

describe('api: buffered JSON log lines (LOG_BUFFER_BYTES)', function () {
  it('writes a short burst before exit, within the flush period, not only when the buffer fills', async function () {
    // 3 lines are far below 4096 bytes and the child lives on for 1.5 s after logging them: only the
    // periodic flush (250 ms) can deliver them well before it exits
    const r = await logChild(4096, 3, 1500);
    expect(r.lines.map((l) => l.i)).to.deep.equal([0, 1, 2]);
    expect(r.closedAtMs - r.firstLineAtMs, 'the lines arrived only at exit').to.be.above(750);
  });

  it('loses nothing at exit when the buffer holds many chunks', async function () {
    const r = await logChild(4096, 2000, 0);
    expect(r.lines).to.have.length(2000);
    expect(r.lines.map((l) => l.i)).to.deep.equal([...Array(2000).keys()]);
    for (const l of r.lines) expect(l).to.include({ service: 'gx-api', msg: 'line' }).and.to.have.property('time').that.matches(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('with 0 writes every line at once', async function () {
    const r = await logChild(0, 1, 1500);
    expect(r.lines).to.have.length(1);
    expect(r.closedAtMs - r.firstLineAtMs, 'the line arrived only at exit').to.be.above(750);
  });
});
