// Builds the Koa application from its collaborators; nothing here reads the environment or opens a
// socket, so tests construct it directly with a real database and a real issuer.
import Koa from 'koa';
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import { authenticate } from './auth/authenticate.js';
import type { KeyStore } from './auth/key-store.js';
import { databaseReachable } from './db/database.js';
import { TasksRepo } from './db/tasks-repo.js';
import { renderDocsPage } from './http/docs-page.js';
import { errorBoundary } from './http/errors.js';
import { createMetrics, registerListCacheMetrics, type HttpMetrics } from './http/metrics.js';
import { openApiDocument } from './http/openapi.js';
import { requestContext } from './http/request-context.js';
import type { TaskChangeFeed } from './db/task-change-feed.js';
import { DEFAULT_LIST_CACHE_BYTES, TaskListCache } from './http/task-list-cache.js';
import { Routes } from './http/routes.js';
import { taskRoutes } from './http/task-routes.js';

export interface AppDeps {
  db: Knex;
  keys: KeyStore;
  log: Logger;
  issuers: string[];
  audience: string[];
  clientId: string;
  clockToleranceSec: number;
  tokenCacheSize?: number;
  /** The LISTEN session that keeps the list cache honest; without one, lists are never cached. */
  taskChanges?: TaskChangeFeed;
  /** Bytes of task pages to cache; 0 turns the list cache off. */
  listCacheBytes?: number;
}

export interface ApiApp {
  koa: Koa;
  metrics: HttpMetrics;
  lists: TaskListCache;
  /** Once set, /readyz answers 503 and responses ask clients to close their connection. */
  startDraining(): void;
}

export function createApp(deps: AppDeps): ApiApp {
  const koa = new Koa({ proxy: true });
  const metrics = createMetrics();
  let draining = false;
  const docsHtml = renderDocsPage();
  const openApiJson = JSON.stringify(openApiDocument);

  koa.use(requestContext(deps.log, () => draining, metrics, errorBoundary(deps.log)));

  // one router for every route: each request is matched once, and 405s are answered in one place
  const open = new Routes();
  open.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  open.get('/readyz', async (ctx) => {
    if (!deps.keys.loaded) await deps.keys.refreshIfAllowed();
    const checks = { database: await databaseReachable(deps.db), keys: deps.keys.loaded, accepting: !draining };
    const ready = checks.database && checks.keys && checks.accepting;
    ctx.status = ready ? 200 : 503;
    ctx.body = { status: ready ? 'ready' : 'not_ready', checks };
  });
  open.get('/metrics', async (ctx) => {
    ctx.type = metrics.registry.contentType;
    ctx.body = await metrics.registry.metrics();
  });
  open.get('/openapi.json', (ctx) => {
    ctx.type = 'application/json';
    ctx.body = openApiJson;
  });
  open.get('/docs', (ctx) => {
    ctx.type = 'text/html; charset=utf-8';
    ctx.set('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'");
    ctx.body = docsHtml;
  });
  const lists = listCache(deps);
  registerListCacheMetrics(metrics.registry, lists.stats, () => deps.taskChanges?.up ?? false);
  const auth = authenticate({ ...deps, verifiedTokenCache: deps.tokenCacheSize });
  taskRoutes(open, new TasksRepo(deps.db), auth, lists);
  koa.use(open.middleware());

  return {
    koa,
    metrics,
    lists,
    startDraining() {
      draining = true;
    },
  };
}

/** The cache follows the feed: on while it listens, emptied and off while it is down. */
function listCache(deps: AppDeps): TaskListCache {
  const lists = new TaskListCache(deps.listCacheBytes ?? DEFAULT_LIST_CACHE_BYTES);
  const feed = deps.taskChanges;
  if (!feed) return lists;
  feed.on('up', () => lists.enable());
  feed.on('down', () => lists.disable());
  feed.on('change', (owner) => lists.invalidate(owner));
  if (feed.up) lists.enable();
  return lists;
}
