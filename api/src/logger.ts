import { pino, type Logger } from 'pino';

/** JSON lines on stdout; the authorization header is redacted in case a request object is ever logged. */
export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'gx-api' },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: ['req.headers.authorization', 'headers.authorization', 'authorization', 'token'], censor: '[redacted]' },
  });
}
