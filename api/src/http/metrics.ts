import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { TaskListCacheStats } from './task-list-cache.js';

export interface HttpMetrics {
  registry: Registry;
  /** Counts one request and its latency under its labels; cheap enough for every request. */
  record(method: string, route: string, status: number, seconds: number): void;
}

const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
const REQUESTS = 'http_requests_total';
const DURATION = 'http_request_duration_seconds';

/** One label set's numbers: the counter is its count, the histogram its buckets, sum and count. */
interface Series {
  labels: { method: string; route: string; status: string };
  count: number;
  sum: number;
  /** Per bucket, not cumulative; the last slot is above the largest bound (+Inf only). */
  buckets: Float64Array;
}

/**
 * http_requests_total and http_request_duration_seconds, exported exactly as prom-client's Counter
 * and Histogram would (same names, labels, buckets, text), but kept in plain per-label-set objects
 * found through three Map lookups: prom-client's inc/observe build and hash a label key and look it
 * up on every call (its label children too), a large share of a cached request's CPU.
 */
class HttpSeries {
  private readonly byRoute = new Map<string, Map<string, Map<number, Series>>>();
  private readonly all: Series[] = [];

  record(method: string, route: string, status: number, seconds: number): void {
    let byMethod = this.byRoute.get(route);
    if (!byMethod) this.byRoute.set(route, (byMethod = new Map()));
    let byStatus = byMethod.get(method);
    if (!byStatus) byMethod.set(method, (byStatus = new Map()));
    let s = byStatus.get(status);
    if (!s) {
      s = { labels: { method, route, status: String(status) }, count: 0, sum: 0, buckets: new Float64Array(BUCKETS.length + 1) };
      byStatus.set(status, s);
      this.all.push(s);
    }
    s.count++;
    s.sum += seconds;
    let b = 0;
    while (b < BUCKETS.length && seconds > BUCKETS[b]!) b++;
    s.buckets[b]!++;
  }

  reset(): void {
    this.byRoute.clear();
    this.all.length = 0;
  }

  counter(): object {
    return { name: REQUESTS, help: 'HTTP requests by route template and status.', type: 'counter', aggregator: 'sum', values: this.all.map((s) => ({ labels: s.labels, value: s.count })) };
  }

  histogram(): object {
    const values: object[] = [];
    for (const s of this.all) {
      let acc = 0;
      for (let i = 0; i < BUCKETS.length; i++) {
        acc += s.buckets[i]!;
        values.push({ labels: { le: BUCKETS[i] }, sharedLabels: s.labels, value: acc, metricName: `${DURATION}_bucket` });
      }
      values.push({ labels: { le: '+Inf' }, sharedLabels: s.labels, value: s.count, metricName: `${DURATION}_bucket` });
      values.push({ labels: s.labels, value: s.sum, metricName: `${DURATION}_sum` });
      values.push({ labels: s.labels, value: s.count, metricName: `${DURATION}_count` });
    }
    return { name: DURATION, help: 'HTTP request latency by route template and status.', type: 'histogram', aggregator: 'sum', values };
  }
}

/** One registry per app instance, so several apps in one process (tests) do not collide. */
export function createMetrics(): HttpMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const series = new HttpSeries();
  // what the registry asks of a metric: its name, type and values at scrape time
  const metric = (name: string, type: string, get: () => object) => ({ name, help: '', type, get: () => Promise.resolve(get()), reset: () => series.reset() });
  registry.registerMetric(metric(REQUESTS, 'counter', () => series.counter()) as unknown as Counter);
  registry.registerMetric(metric(DURATION, 'histogram', () => series.histogram()) as unknown as Histogram);
  const record = series.record.bind(series);
  return {
    registry,
    record,
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
