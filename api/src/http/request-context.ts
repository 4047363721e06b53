// One log line and one metrics sample per request, with a request id that is echoed in X-Request-Id
// and in error bodies.
// Only method, path, route, status, duration and subject are logged: never headers, so never a token.
import { randomUUID } from 'node:crypto';
import type { Context, Next } from 'koa';
import type { Logger } from 'pino';
import type { Principal } from '../auth/authenticate.js';
import { requestLineWriter } from '../logger.js';
import type { HttpMetrics } from './metrics.js';

const SAFE_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/**
 * The request's log line and its metrics, timed once. `draining`: once true, responses ask the
 * client to close its connection (graceful shutdown). `metrics`: where the request is counted.
 */
export function requestContext(log: Logger, draining: () => boolean, metrics?: Pick<HttpMetrics, 'record'>) {
  const write = requestLineWriter(log);
  const record = metrics ? metrics.record : () => undefined;
  return async function context(ctx: Context, next: Next): Promise<void> {
    const start = performance.now();
    const incoming = ctx.get('x-request-id');
    const requestId = SAFE_ID.test(incoming) ? incoming : randomUUID();
    ctx.state.requestId = requestId;
    ctx.set('X-Request-Id', requestId);
    try {
      await next();
    } finally {
      // decided when the response is about to go, so a request that began before shutdown closes its connection too
      if (draining()) ctx.set('Connection', 'close');
      const ms = performance.now() - start;
      const status = ctx.status;
      // the route template, never the raw path: ids in label values would explode cardinality
      record(ctx.method, (ctx.state.route as string | undefined) ?? 'unmatched', status, ms / 1e3);
      const principal = ctx.state.principal as Principal | undefined;
      write(requestId, ctx.method, ctx.path, status, ms, principal?.subject, ctx.state.authFailure as string | undefined);
    }
  };
}
