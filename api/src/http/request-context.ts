// One log line and one metrics sample per request, with a request id that is echoed in X-Request-Id
// and in error bodies.
// Only method, path, route, status, duration and subject are logged: never headers, so never a token.
import { randomBytes } from 'node:crypto';
import type { Context, Next } from 'koa';
import type { Logger } from 'pino';
import type { Principal } from '../auth/authenticate.js';
import { requestLineWriter } from '../logger.js';
import type { ErrorBoundary } from './errors.js';
import type { HttpMetrics } from './metrics.js';

const SAFE_ID = /^[A-Za-z0-9._:-]{1,64}$/;

// Generated request ids: a random prefix per process and a counter, in the 8-4-4-4-12 hex shape of a
// UUID. Unique across replicas (80 random bits each) without asking for fresh randomness on every
// request (randomUUID took about 0.5 µs of a cached request). Not secret, like any request id.
const hex = randomBytes(10).toString('hex');
const ID_PREFIX = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-`;
let idCounter = 0;
const nextRequestId = (): string => {
  idCounter = (idCounter + 1) % 0x1000000000000;
  return ID_PREFIX + idCounter.toString(16).padStart(12, '0');
};

/**
 * The request's log line and its metrics, timed once, around the error boundary. `draining`: once
 * true, responses ask the client to close its connection (graceful shutdown). `metrics`: where the
 * request is counted. `errors`: turns a failure into its response (without it, failures propagate).
 */
export function requestContext(log: Logger, draining: () => boolean, metrics?: Pick<HttpMetrics, 'record'>, errors?: ErrorBoundary) {
  const write = requestLineWriter(log);
  const record = metrics ? metrics.record : () => undefined;
  const fail: ErrorBoundary =
    errors ??
    ((_ctx, err) => {
      if (err === undefined) return Promise.resolve();
      throw err;
    });
  return async function context(ctx: Context, next: Next): Promise<void> {
    const start = performance.now();
    const incoming = ctx.get('x-request-id');
    const requestId = SAFE_ID.test(incoming) ? incoming : nextRequestId();
    ctx.state.requestId = requestId;
    ctx.set('X-Request-Id', requestId);
    try {
      // the error boundary sits here rather than in a middleware of its own: one async frame less
      try {
        await next();
      } catch (err) {
        await fail(ctx, err);
      }
      // an unmatched route (404) arrives as a bare status without a body
      if (ctx.status >= 400 && ctx.body == null) await fail(ctx, undefined);
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
