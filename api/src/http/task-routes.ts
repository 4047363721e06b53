import type { Context, Middleware } from 'koa';
import type { Principal } from '../auth/authenticate.js';
import type { Role } from '../auth/roles.js';
import { decodeCursor, type NewTask, type TaskPatch, type TasksRepo } from '../db/tasks-repo.js';
import { ApiError } from './errors.js';
import { readJson } from './json-body.js';
import type { Routes } from './routes.js';
import type { TaskListCache } from './task-list-cache.js';
import { check, validateAdminListQuery, validateListQuery, validateTaskCreate, validateTaskPatch } from './validate.js';

interface ListQuery {
  limit: number;
  cursor?: string;
  owner?: string;
}

const notFound = (): ApiError => new ApiError(404, 'not_found', 'task not found');
const subject = (ctx: Context): string => (ctx.state.principal as Principal).subject;

function cursorOf(q: ListQuery): { createdAt: Date; id: string } | undefined {
  if (q.cursor === undefined) return undefined;
  const c = decodeCursor(q.cursor);
  if (!c) throw new ApiError(400, 'validation_failed', 'the query string is invalid', [{ path: '/cursor', message: 'is not a cursor returned by this API' }]);
  return c;
}

/**
 * Routes under /api, added to the app's one router. Authentication is part of each route's chain
 * rather than a global middleware, so a refused token is still counted under its route template.
 */
export function taskRoutes(r: Routes, repo: TasksRepo, auth: (role: Role) => Middleware, lists: TaskListCache): void {
  // not async: a cached page (the common case) is answered without a promise of its own
  r.get('/api/tasks', auth('user'), (ctx) => {
    const owner = subject(ctx);
    // keyed by the raw query string: only a query that passed validation was ever stored under it
    const key = ctx.querystring;
    // the full header value: Koa's `ctx.type =` would look the short name up on every request
    ctx.set('Content-Type', 'application/json; charset=utf-8');
    const cached = lists.get(owner, key);
    if (cached) {
      ctx.body = cached;
      return undefined;
    }
    return listFromDatabase(ctx, owner, key);
  });

  async function listFromDatabase(ctx: Context, owner: string, key: string): Promise<void> {
    const q = check<ListQuery>(validateListQuery, { ...ctx.query }, 'query string');
    const ticket = lists.ticket(owner);
    const json = JSON.stringify(await repo.list(owner, q.limit, cursorOf(q)));
    // a buffer of its own: Buffer.from would put a small page in node's shared 8 KiB pool slab, and
    // a cached page would keep the whole slab alive
    const body = Buffer.allocUnsafeSlow(Buffer.byteLength(json));
    body.write(json);
    lists.put(ticket, key, body);
    ctx.body = body;
  }

  // every write drops the owner's cached pages before answering, so the writer's next read on this
  // replica sees its write; other replicas hear of it through the change feed
  r.post('/api/tasks', auth('user'), async (ctx) => {
    const body = check<NewTask>(validateTaskCreate, await readJson(ctx), 'request body');
    const task = await repo.create(subject(ctx), body);
    lists.invalidate(subject(ctx));
    ctx.status = 201;
    ctx.set('Location', `/api/tasks/${task.id}`);
    ctx.body = task;
  });

  r.get('/api/tasks/:id', auth('user'), async (ctx) => {
    const task = await repo.get(subject(ctx), ctx.params.id!);
    if (!task) throw notFound();
    ctx.body = task;
  });

  r.patch('/api/tasks/:id', auth('user'), async (ctx) => {
    const patch = check<TaskPatch>(validateTaskPatch, await readJson(ctx), 'request body');
    const task = await repo.update(subject(ctx), ctx.params.id!, patch);
    if (!task) throw notFound();
    lists.invalidate(subject(ctx));
    ctx.body = task;
  });

  r.delete('/api/tasks/:id', auth('user'), async (ctx) => {
    if (!(await repo.remove(subject(ctx), ctx.params.id!))) throw notFound();
    lists.invalidate(subject(ctx));
    ctx.status = 204;
  });

  r.get('/api/admin/tasks', auth('admin'), async (ctx) => {
    const q = check<ListQuery>(validateAdminListQuery, { ...ctx.query }, 'query string');
    ctx.body = await repo.list(q.owner, q.limit, cursorOf(q));
  });
}
