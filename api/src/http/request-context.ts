// One log line per request, with a request id that is echoed in X-Request-Id and in error bodies.
// Only method, path, route, status, duration and subject are logged: never headers, so never a token.
import { randomUUID } from 'node:crypto';
import type { Context, Next } from 'koa';
import type { Logger } from 'pino';
import type { Principal } from '../auth/authenticate.js';

const SAFE_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/** `draining`: once true, responses ask the client to close its connection (graceful shutdown). */
export function requestContext(log: Logger, draining: () => boolean) {
  return async function context(ctx: Context, next: Next): Promise<void> {
    const start = process.hrtime.bigint();
    const incoming = ctx.get('x-request-id');
    const requestId = SAFE_ID.test(incoming) ? incoming : randomUUID();
    ctx.state.requestId = requestId;
    ctx.set('X-Request-Id', requestId);
    try {
      await next();
    } finally {
      // decided when the response is about to go, so a request that began before shutdown closes its connection too
      if (draining()) ctx.set('Connection', 'close');
      const principal = ctx.state.principal as Principal | undefined;
      const entry = {
        reqId: requestId,
        method: ctx.method,
        path: ctx.path,
        status: ctx.status,
        ms: Number(process.hrtime.bigint() - start) / 1e6,
        ...(principal ? { sub: principal.subject } : {}),
        ...(ctx.state.authFailure ? { authFailure: ctx.state.authFailure as string } : {}),
      };
      if (ctx.status >= 500) log.error(entry, 'request');
      else log.info(entry, 'request');
    }
  };
}
