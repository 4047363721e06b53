import { pino, type Logger } from 'pino';

const FLUSH_EVERY_MS = 250;

/**
 * JSON lines on stdout; the authorization header is redacted in case a request object is ever logged.
 * With bufferBytes > 0 lines are written in chunks of that size (pino's asynchronous mode: one
 * write(2) per chunk instead of one per request line, a large share of a cached request's CPU), at
 * least every FLUSH_EVERY_MS, and synchronously at exit; a SIGKILL can lose the last unflushed lines.
 */
export function createLogger(level: string, bufferBytes = 0): Logger {
  const dest = pino.destination({ dest: 1, sync: bufferBytes === 0, minLength: bufferBytes });
  if (bufferBytes > 0) {
    setInterval(() => dest.flush(), FLUSH_EVERY_MS).unref();
    process.once('exit', () => dest.flushSync());
  }
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
