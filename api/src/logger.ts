import { pino, type Logger } from 'pino';

const FLUSH_EVERY_MS = 250;

/**
 * JSON lines on stdout; the authorization header is redacted in case a request object is ever logged.
 * With bufferBytes > 0 lines are gathered and written in chunks of that size: one write(2) per
 * chunk instead of one per request line, a large share of a cached request's CPU. The writes stay
 * synchronous, on the main thread (sonic-boom's asynchronous mode hands every chunk to libuv's
 * thread pool and wakes the loop when it is done, which measured no cheaper). A chunk is written at
 * least every FLUSH_EVERY_MS and at exit; a SIGKILL can lose the lines of the last FLUSH_EVERY_MS.
 */
export function createLogger(level: string, bufferBytes = 0): Logger {
  const dest = pino.destination({ dest: 1, sync: true, minLength: bufferBytes, periodicFlush: bufferBytes > 0 ? FLUSH_EVERY_MS : 0 });
  if (bufferBytes > 0) process.once('exit', () => dest.flushSync());
  return pino({
    level,
    base: { service: 'gx-api' },
    timestamp: isoTimeOncePerMs,
    redact: { paths: ['req.headers.authorization', 'headers.authorization', 'authorization', 'token'], censor: '[redacted]' },
  }, dest);
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
