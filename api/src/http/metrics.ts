import type { Context, Next } from 'koa';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface HttpMetrics {
  registry: Registry;
  middleware(ctx: Context, next: Next): Promise<void>;
}

/** One registry per app instance, so several apps in one process (tests) do not collide. */
export function createMetrics(): HttpMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const labelNames = ['method', 'route', 'status'] as const;
  const requests = new Counter({ name: 'http_requests_total', help: 'HTTP requests by route template and status.', labelNames, registers: [registry] });
  const latency = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency by route template and status.',
    labelNames,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  return {
    registry,
    async middleware(ctx, next) {
      const start = process.hrtime.bigint();
      try {
        await next();
      } finally {
        // the route template, never the raw path: ids in label values would explode cardinality
        const route = (ctx as Context & { routerPath?: string; _matchedRoute?: string | RegExp }).routerPath ?? ctx._matchedRoute;
        const labels = { method: ctx.method, route: typeof route === 'string' ? route : 'unmatched', status: String(ctx.status) };
        requests.inc(labels);
        latency.observe(labels, Number(process.hrtime.bigint() - start) / 1e9);
      }
    },
  };
}
