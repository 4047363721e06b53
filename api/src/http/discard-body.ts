import type { IncomingMessage } from 'node:http';

/**
 * A request body the API refuses (413, 401, 415, …) is read and thrown away, up to this many bytes,
 * before the error is sent: a connection closed with unread bytes (a client that said Connection:
 * close, or shutdown) is reset, and the reset can reach a client still writing its body before the
 * answer does (EPIPE, no status). Past this the answer goes at once and the connection is closed.
 */
export const DISCARD_LIMIT = 64 * 1024 * 1024;

/** True once the body has ended; false when more than `limit` bytes came (reading stops then). */
export function discardBody(req: IncomingMessage, limit = DISCARD_LIMIT): Promise<boolean> {
  if (req.complete) return Promise.resolve(true);
  return new Promise((resolve) => {
    let n = 0;
    const onData = (chunk: Buffer): void => {
      n += chunk.length;
      if (n > limit) done(false);
    };
    const done = (ended: boolean): void => {
      req.off('data', onData).off('end', onEnd).off('close', onClose);
      if (!ended) req.pause();
      resolve(ended);
    };
    const onEnd = (): void => done(true);
    const onClose = (): void => done(req.complete);
    req.on('data', onData).on('end', onEnd).on('close', onClose);
    req.resume();
  });
}
