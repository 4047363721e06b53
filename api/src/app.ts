// Builds the Koa application from its collaborators; nothing here reads the environment or opens a
// socket, so tests construct it directly with a real database and a real issuer.
import Router from '@koa/router';
import Koa from 'koa';
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import { authenticate } from './auth/authenticate.js';
import type { KeyStore } from './auth/key-store.js';
import { databaseReachable } from './db/database.js';
import { TasksRepo } from './db/tasks-repo.js';
import { renderDocsPage } from './http/docs-page.js';
import { errorHandler } from './http/errors.js';
import { createMetrics, type HttpMetrics } from './http/metrics.js';
import { openApiDocument } from './http/openapi.js';
import { requestContext } from './http/request-context.js';
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
}

export interface ApiApp {
  koa: Koa;
  metrics: HttpMetrics;
  /** Once set, /readyz answers 503 and responses ask clients to close their connection. */
  startDraining(): void;
}

export function createApp(deps: AppDeps): ApiApp {
  const koa = new Koa({ proxy: true });
  const metrics = createMetrics();
  let draining = false;
  const docsHtml = renderDocsPage();
  const openApiJson = JSON.stringify(openApiDocument);

  koa.use(requestContext(deps.log));
  koa.use(metrics.middleware);
  koa.use(errorHandler(deps.log));
  koa.use(async (ctx, next) => {
    if (draining) ctx.set('Connection', 'close');
    await next();
  });

  const open = new Router();
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
  koa.use(open.routes());
  koa.use(open.allowedMethods());

  const auth = authenticate({ ...deps, verifiedTokenCache: deps.tokenCacheSize });
  const api = taskRoutes(new TasksRepo(deps.db), auth);
  koa.use(api.routes());
  koa.use(api.allowedMethods());

  return {
    koa,
    metrics,
    startDraining() {
      draining = true;
    },
  };
}
