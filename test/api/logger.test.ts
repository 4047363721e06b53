// The API's log destination in its buffered mode (LOG_BUFFER_BYTES): lines are gathered into
// chunks, yet a line never waits longer than the flush period, and nothing is lost at exit.
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { pino } from 'pino';
import { LineBuffer } from '../../api/src/log-destination.js';
import { loggerOptions, requestLineWriter } from '../../api/src/logger.js';
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

describe('api: the per-request log line, written without pino building it', function () {
  /** A logger with the API's options writing into an array, and its request-line writer. */
  function capture(level = 'info') {
    const out: string[] = [];
    const log = pino(loggerOptions(level), { write: (s: string) => void out.push(s) });
    return { log, out, write: requestLineWriter(log) };
  }
  const withoutTime = (line: string): string => line.replace(/"time":"[^"]*"/, '"time":"T"');

  it('is byte for byte the line log.info(fields, "request") writes (log.error from 500)', function () {
    const cases: Array<[string, string, string, number, number, string | undefined, string | undefined]> = [
      ['b6a1c4f0-1111-4222-8333-944445555666', 'GET', '/api/tasks', 200, 0.123456, 'bench', undefined],
      ['trace-123', 'POST', '/api/tasks/', 401, 1.5, undefined, 'token has no exp'],
      ['x', 'GET', '/weird/"quoted"\\path/\u00e9\u2028', 404, 0, 'sub "with" quotes \u0000', 'jwt expired'],
      ['y', 'PATCH', '/api/tasks/1', 500, 12.000001, 'u', undefined],
      ['z', 'GET', '/readyz', 503, 3, undefined, undefined],
    ];
    for (const [reqId, method, path, status, ms, sub, authFailure] of cases) {
      const ours = capture();
      ours.write(reqId, method, path, status, ms, sub, authFailure);
      const pinos = capture();
      const entry = { reqId, method, path, status, ms, ...(sub !== undefined ? { sub } : {}), ...(authFailure !== undefined ? { authFailure } : {}) };
      if (status >= 500) pinos.log.error(entry, 'request');
      else pinos.log.info(entry, 'request');
      expect(ours.out.map(withoutTime), path).to.deep.equal(pinos.out.map(withoutTime));
    }
  });

  it('follows the logger level: nothing below it, errors still at warn', function () {
    const quiet = capture('warn');
    quiet.write('a', 'GET', '/', 200, 1, undefined, undefined);
    expect(quiet.out).to.deep.equal([]);
    quiet.write('b', 'GET', '/', 500, 1, undefined, undefined);
    expect(quiet.out).to.have.length(1);
    expect(JSON.parse(quiet.out[0]!)).to.include({ level: 50, reqId: 'b', status: 500, msg: 'request', service: 'gx-api' });
    const silent = capture('silent');
    silent.write('c', 'GET', '/', 500, 1, undefined, undefined);
    expect(silent.out).to.deep.equal([]);
  });
});

describe('api: LineBuffer, the log destination', function () {
  it('writes every line whole and in order: multi-byte text, a line longer than its buffer, chunk boundaries', function () {
    const dir = mkdtempSync(join(tmpdir(), 'gx-linebuffer-'));
    try {
      const file = join(dir, 'out');
      const fd = openSync(file, 'w');
      const out = new LineBuffer(fd, 4096, 60_000);
      const lines: string[] = [];
      for (let i = 0; i < 500; i++) lines.push(`{"i":${i},"text":${JSON.stringify('é€😀'.repeat(i % 7) + 'x'.repeat(i))}}\n`);
      lines.splice(250, 0, `{"big":"${'b'.repeat(200_000)}"}\n`);
      for (const l of lines) out.write(l);
      out.flushSync();
      closeSync(fd);
      expect(readFileSync(file, 'utf8')).to.equal(lines.join(''));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
