// The API's routing: find-my-way (Fastify's radix-tree router) finds the route, and each route's
// middleware chain is composed once, when it is registered, not per request. What it answers (case,
// trailing slash, HEAD, 405 and OPTIONS with Allow, what counts as an unknown path) is in
// docs/api.md, "Routing".
import FindMyWay, { type HTTPMethod } from 'find-my-way';
import type { Context, Middleware, Next } from 'koa';
import compose from 'koa-compose';
import { ApiError } from './errors.js';

interface RouteStore {
  /** The route template, e.g. /api/tasks/:id: the metrics label, never the raw path. */
  template: string;
  chain: (ctx: Context, next: Next) => Promise<unknown>;
}

export class Routes {
  private readonly tree = FindMyWay({ ignoreTrailingSlash: true, caseSensitive: false });
  private readonly methods = new Set<HTTPMethod>();

  get(path: string, ...chain: Middleware[]): this {
    return this.add('GET', path, chain);
  }

  post(path: string, ...chain: Middleware[]): this {
    return this.add('POST', path, chain);
  }

  patch(path: string, ...chain: Middleware[]): this {
    return this.add('PATCH', path, chain);
  }

  delete(path: string, ...chain: Middleware[]): this {
    return this.add('DELETE', path, chain);
  }

  middleware(): Middleware {
    return (ctx, next) => {
      const found = this.tree.find(ctx.method as HTTPMethod, ctx.path);
      if (!found) return this.unmatched(ctx, next);
      const store = found.store as RouteStore;
      ctx.params = found.params as Record<string, string>;
      ctx.state.route = store.template;
      return store.chain(ctx, next);
    };
  }

  private add(method: HTTPMethod, path: string, chain: Middleware[]): this {
    const store: RouteStore = { template: path, chain: compose(chain) as RouteStore['chain'] };
    // find-my-way's handler is not used: the store carries the composed chain. HEAD runs the GET
    // chain (node's HTTP server sends no body for HEAD)
    for (const m of method === 'GET' ? (['GET', 'HEAD'] as const) : [method]) {
      this.tree.on(m, path, () => undefined, store);
      this.methods.add(m);
    }
    return this;
  }

  private unmatched(ctx: Context, next: Next): Promise<unknown> {
    const found = [...this.methods].map((m) => [m, this.tree.find(m, ctx.path)] as const).filter(([, f]) => f !== null);
    if (found.length === 0) return next();
    const allowed = found.map(([m]) => m).join(', ');
    ctx.state.route = (found[0]![1]!.store as RouteStore).template;
    if (ctx.method === 'OPTIONS') {
      ctx.status = 204;
      ctx.set('Allow', allowed);
      return Promise.resolve();
    }
    throw new ApiError(405, 'method_not_allowed', 'method not allowed', undefined, { Allow: allowed });
  }
}
