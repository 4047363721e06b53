// Every query that reads or writes one task carries the owner in its WHERE clause, so another
// user's task id is simply "not found": ownership cannot be forgotten in a handler.
import type { Knex } from 'knex';

export interface Task {
  id: string;
  owner: string;
  title: string;
  description: string;
  done: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface NewTask {
  title: string;
  description: string;
  done: boolean;
}

export type TaskPatch = Partial<NewTask>;

export interface Page {
  items: Task[];
  nextCursor: string | null;
}

interface Row {
  id: string;
  owner_sub: string;
  title: string;
  description: string;
  done: boolean;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = ['id', 'owner_sub', 'title', 'description', 'done', 'created_at', 'updated_at'];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function toTask(r: Row): Task {
  return {
    id: r.id,
    owner: r.owner_sub,
    title: r.title,
    description: r.description,
    done: r.done,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}

export function encodeCursor(t: Pick<Task, 'createdAt' | 'id'>): string {
  return Buffer.from(JSON.stringify([t.createdAt, t.id])).toString('base64url');
}

/** Undefined for anything that is not a cursor this API produced. */
export function decodeCursor(cursor: string): { createdAt: Date; id: string } | undefined {
  try {
    const v: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (!Array.isArray(v) || v.length !== 2 || typeof v[0] !== 'string' || typeof v[1] !== 'string' || !UUID.test(v[1])) return undefined;
    const createdAt = new Date(v[0]);
    return Number.isNaN(createdAt.getTime()) ? undefined : { createdAt, id: v[1] };
  } catch {
    return undefined;
  }
}

export class TasksRepo {
  constructor(private readonly db: Knex) {}

  async list(owner: string | undefined, limit: number, after?: { createdAt: Date; id: string }): Promise<Page> {
    const q = this.db<Row>('tasks').select(COLUMNS);
    if (owner !== undefined) q.where('owner_sub', owner);
    if (after) q.whereRaw('(created_at, id) < (?, ?)', [after.createdAt, after.id]);
    // one extra row tells whether another page exists without a COUNT
    const rows = (await q.orderBy([{ column: 'created_at', order: 'desc' }, { column: 'id', order: 'desc' }]).limit(limit + 1)) as unknown as Row[];
    const items = rows.slice(0, limit).map(toTask);
    const last = items[items.length - 1];
    return { items, nextCursor: rows.length > limit && last ? encodeCursor(last) : null };
  }

  async get(owner: string, id: string): Promise<Task | undefined> {
    if (!UUID.test(id)) return undefined;
    const row = (await this.db<Row>('tasks').select(COLUMNS).where({ id, owner_sub: owner }).first()) as Row | undefined;
    return row ? toTask(row) : undefined;
  }

  async create(owner: string, t: NewTask): Promise<Task> {
    const [row] = (await this.db<Row>('tasks')
      .insert({ owner_sub: owner, title: t.title, description: t.description, done: t.done })
      .returning(COLUMNS)) as Row[];
    return toTask(row!);
  }

  async update(owner: string, id: string, patch: TaskPatch): Promise<Task | undefined> {
    if (!UUID.test(id)) return undefined;
    const [row] = (await this.db<Row>('tasks')
      .where({ id, owner_sub: owner })
      .update({ ...patch, updated_at: this.db.raw("date_trunc('milliseconds', now())") })
      .returning(COLUMNS)) as Row[];
    return row ? toTask(row) : undefined;
  }

  async remove(owner: string, id: string): Promise<boolean> {
    if (!UUID.test(id)) return false;
    const n = await this.db('tasks').where({ id, owner_sub: owner }).delete();
    return n > 0;
  }
}
