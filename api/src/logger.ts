import { pino, type Logger, type LoggerOptions } from 'pino';
import { LineBuffer } from './log-destination.js';

const FLUSH_EVERY_MS = 250;

/**
 * JSON lines on stdout; the authorization header is redacted in case a request object is ever logged.
 * With bufferBytes > 0 lines are gathered and written in chunks of that size (LineBuffer): one
 * write(2) per chunk instead of one per request line, a large share of a cached request's CPU. The
 * writes stay synchronous, on the main thread (sonic-boom's asynchronous mode hands every chunk to
 * libuv's thread pool and wakes the loop when it is done, which measured no cheaper). A chunk is
 * written at least every FLUSH_EVERY_MS and at exit; a SIGKILL can lose the lines of the last
 * FLUSH_EVERY_MS.
 */
export function createLogger(level: string, bufferBytes = 0): Logger {
  const dest = new LineBuffer(1, bufferBytes, FLUSH_EVERY_MS);
  if (bufferBytes > 0) process.once('exit', () => dest.flushSync());
  return pino(loggerOptions(level), dest);
}

/** The API logger's options, apart from its destination. */
export function loggerOptions(level: string): LoggerOptions {
  return {
    level,
    base: { service: 'gx-api' },
    timestamp: isoTimeOncePerMs,
    redact: { paths: ['req.headers.authorization', 'headers.authorization', 'authorization', 'token'], censor: '[redacted]' },
  };
}

// pino's isoTime formats a Date for every line; at thousands of lines a second most lines share
// their millisecond with the previous one, so the formatted text is kept for that millisecond
let lastMs = -1;
let lastText = '';
function isoTimeOncePerMs(): string {
  const ms = Date.now();
  if (ms !== lastMs) {
    lastMs = ms;
    lastText = `,"time":"${new Date(ms).toISOString()}"`;
  }
  return lastText;
}

/** Writes one request's line; `sub` and `authFailure` are left out when undefined. */
export type RequestLineWriter = (reqId: string, method: string, path: string, status: number, ms: number, sub: string | undefined, authFailure: string | undefined) => void;

/**
 * Writes the per-request line — the very line `log.info(fields, 'request')` (or `log.error` from
 * 500 on) would write: same level, time, bindings, fields in the same order and message — without
 * building an object for pino to walk, serialize and redact (none of these fields is redacted):
 * about a third of pino's cost, measured. Uses the logger's own level, time function, bindings and
 * destination, so it follows LOG_LEVEL and LOG_BUFFER_BYTES like every other line.
 */
export function requestLineWriter(log: Logger): RequestLineWriter {
  const { streamSym, timeSym, chindingsSym } = pino.symbols;
  const logger = log as unknown as Record<symbol, unknown>;
  const q = JSON.stringify;
  return (reqId, method, path, status, ms, sub, authFailure) => {
    const level = status >= 500 ? 50 : 30;
    if (level < log.levelVal) return;
    let line = `{"level":${level}${(logger[timeSym] as () => string)()}${logger[chindingsSym] as string},"reqId":${q(reqId)},"method":${q(method)},"path":${q(path)},"status":${status},"ms":${ms}`;
    if (sub !== undefined) line += `,"sub":${q(sub)}`;
    if (authFailure !== undefined) line += `,"authFailure":${q(authFailure)}`;
    (logger[streamSym] as { write(s: string): void }).write(line + ',"msg":"request"}\n');
  };
}
