import type { Context, Next } from 'koa';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { TaskListCacheStats } from './task-list-cache.js';

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
        const route = ctx.state.route as string | undefined;
        const labels = { method: ctx.method, route: route ?? 'unmatched', status: String(ctx.status) };
        requests.inc(labels);
        latency.observe(labels, Number(process.hrtime.bigint() - start) / 1e9);
      }
    },
  };
}

/** The list cache's counters, read at scrape time from the cache's own stats. */
export function registerListCacheMetrics(registry: Registry, stats: TaskListCacheStats, feedUp: () => boolean): void {
  const seen = { hit: 0, miss: 0, bypass: 0 };
  new Counter({
    name: 'api_task_list_cache_requests_total',
    help: 'GET /api/tasks answers by cache outcome: hit, miss, or bypass (cache off while the change feed is down).',
    labelNames: ['result'] as const,
    registers: [registry],
    collect() {
      const now = { hit: stats.hits, miss: stats.misses, bypass: stats.bypassed };
      for (const k of ['hit', 'miss', 'bypass'] as const) {
        this.inc({ result: k }, now[k] - seen[k]);
        seen[k] = now[k];
      }
    },
  });
  new Gauge({
    name: 'api_task_list_cache_bytes',
    help: 'Bytes of serialized task pages held by the list cache.',
    registers: [registry],
    collect() {
      this.set(stats.bytes);
    },
  });
  new Gauge({
    name: 'api_task_change_feed_up',
    help: '1 while the LISTEN session for task changes is connected (the list cache is on), else 0.',
    registers: [registry],
    collect() {
      this.set(feedUp() ? 1 : 0);
    },
  });
}
