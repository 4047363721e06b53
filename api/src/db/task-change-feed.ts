// One dedicated PostgreSQL session per replica that LISTENs on gx_tasks_changed (see migration 002)
// and reports which owner's tasks changed. It is not a pool connection: LISTEN belongs to a session,
// and a pooled connection goes back to the pool. While the session is down, notifications are lost,
// so the feed says so (`up` is false, 'down' is emitted) and whoever relies on it must stop trusting
// what it derived from earlier notifications. It reconnects on its own with a capped backoff, and
// a periodic round trip catches a connection that died without a reset (a half-open TCP session).
import { EventEmitter } from 'node:events';
import pg from 'pg';

export const TASK_CHANGES_CHANNEL = 'gx_tasks_changed';
/** The payload that means "anything may have changed" (TRUNCATE, an oversized owner). */
export const ALL_OWNERS = '*';

export interface TaskChangeFeedOptions {
  databaseUrl: string;
  /** How often the session proves it is alive; a failed or slow round trip reconnects it. */
  heartbeatMs?: number;
  reconnectMinMs?: number;
  reconnectMaxMs?: number;
}

export interface TaskChangeFeedLogger {
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

export interface TaskChangeFeedEvents {
  change: [owner: string];
  up: [];
  down: [];
}

/** The enabled row trigger of migration 002 on the tasks table visible through the search path. */
const TRIGGER_PRESENT = `SELECT count(*)::int AS n FROM pg_trigger WHERE tgrelid = to_regclass('tasks') AND tgname = 'tasks_notify_rows' AND tgenabled <> 'D'`;
/** The same, marked so that pg_stat_activity tells a heartbeat from the check at connect. */
const HEARTBEAT = `${TRIGGER_PRESENT} /* heartbeat */`;

export class TaskChangeFeed extends EventEmitter<TaskChangeFeedEvents> {
  private client: pg.Client | undefined;
  private isUp = false;
  private stopped = false;
  private retryMs: number;
  private retryTimer: NodeJS.Timeout | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private readonly opts: Required<TaskChangeFeedOptions>;

  constructor(
    opts: TaskChangeFeedOptions,
    private readonly log?: TaskChangeFeedLogger,
  ) {
    super();
    // `??`, not a spread: an option passed as undefined must keep its default
    this.opts = {
      databaseUrl: opts.databaseUrl,
      heartbeatMs: opts.heartbeatMs ?? 10_000,
      reconnectMinMs: opts.reconnectMinMs ?? 100,
      reconnectMaxMs: opts.reconnectMaxMs ?? 5_000,
    };
    this.retryMs = this.opts.reconnectMinMs;
  }

  get up(): boolean {
    return this.isUp;
  }

  /** Starts listening in the background; resolves after the first attempt, whatever its outcome. */
  async start(): Promise<void> {
    this.stopped = false;
    await this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.markDown();
    const c = this.client;
    this.client = undefined;
    // a session stuck on a dead socket would hold end() open; shutdown must not wait on it
    if (c) await Promise.race([c.end().catch(() => undefined), new Promise((r) => setTimeout(r, 1_000).unref())]);
  }

  /** Resolves once the session is listening (or after timeoutMs with false). */
  async whenUp(timeoutMs: number): Promise<boolean> {
    if (this.isUp) return true;
    return new Promise((resolve) => {
      const done = (v: boolean): void => {
        clearTimeout(timer);
        this.off('up', onUp);
        resolve(v);
      };
      const onUp = (): void => done(true);
      const timer = setTimeout(() => done(false), timeoutMs);
      this.on('up', onUp);
    });
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    // query_timeout: LISTEN or the trigger check stuck on a session that went half-open while connecting
    const client = new pg.Client({ connectionString: this.opts.databaseUrl, application_name: 'gx-api-listen', keepAlive: true, connectionTimeoutMillis: 5_000, query_timeout: 5_000 });
    this.client = client;
    // registered before connecting: a failure while connecting must not become an unhandled 'error'
    client.on('error', (err) => this.lost(client, err));
    client.on('end', () => this.lost(client, new Error('connection ended')));
    client.on('notification', (n) => {
      if (n.channel === TASK_CHANGES_CHANNEL) this.emit('change', n.payload ?? ALL_OWNERS);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${TASK_CHANGES_CHANNEL}`);
      // without migration 002's trigger nobody sends the notifications (an image started before its
      // migrations ran): the session would look healthy while caches went stale, so it counts as down
      await this.checkTrigger(client, TRIGGER_PRESENT);
    } catch (err) {
      this.lost(client, err);
      return;
    }
    if (this.client !== client || this.stopped) {
      // stopped (or replaced) while connecting: this session must not stay open, listening
      client.end().catch(() => undefined);
      return;
    }
    this.missingTriggerLogged = false;
    this.retryMs = this.opts.reconnectMinMs;
    this.isUp = true;
    this.heartbeat = setInterval(() => this.beat(client), this.opts.heartbeatMs);
    this.heartbeat.unref();
    this.log?.info({ channel: TASK_CHANGES_CHANNEL }, 'listening for task changes');
    this.emit('up');
  }

  private beating = false;
  private missingTriggerLogged = false;
  private lastFailureLogAt = Number.NEGATIVE_INFINITY;

  /** Throws while migration 002's trigger is missing or disabled: nobody would send a notification. */
  private async checkTrigger(client: pg.Client, sql: string): Promise<void> {
    const { rows } = await client.query<{ n: number }>(sql);
    if (Number(rows[0]?.n ?? 0) > 0) return;
    if (!this.missingTriggerLogged) this.log?.warn({ trigger: 'tasks_notify_rows' }, 'task change trigger missing or disabled (migrations pending?); list cache off until it is back');
    this.missingTriggerLogged = true;
    throw new Error('task change trigger missing');
  }

  private beat(client: pg.Client): void {
    // a beat still waiting for its answer is not doubled: its own deadline decides
    if (this.beating) return;
    this.beating = true;
    let settled = false;
    const done = (err?: unknown): void => {
      if (settled) return;
      settled = true;
      this.beating = false;
      clearTimeout(timer);
      if (err !== undefined) this.lost(client, err);
    };
    const timer = setTimeout(() => done(new Error('heartbeat timed out')), Math.max(1_000, this.opts.heartbeatMs / 2));
    timer.unref();
    // the beat also re-checks the trigger: one dropped or disabled while the session lives stops the cache too
    this.checkTrigger(client, HEARTBEAT).then(() => done(), (err: unknown) => done(err ?? new Error('heartbeat failed')));
  }

  /** Only the current client's failure counts; a stale one's late 'end' must not take down its successor. */
  private lost(client: pg.Client, err: unknown): void {
    if (this.client !== client) return;
    this.client = undefined;
    const wasUp = this.isUp;
    this.markDown();
    // end() on a broken socket can hang until TCP gives up; nothing waits for it
    client.end().catch(() => undefined);
    if (this.stopped) return;
    // a loss is logged at once; failed attempts to come back at most once a minute
    const now = Date.now();
    if (wasUp || now - this.lastFailureLogAt >= 60_000) {
      this.lastFailureLogAt = now;
      const msg = wasUp ? 'task change feed lost; list cache off until it is back' : 'task change feed still down; list cache off';
      this.log?.warn({ err: err instanceof Error ? err.message : String(err), retryMs: this.retryMs }, msg);
    }
    this.retryTimer = setTimeout(() => void this.connect(), this.retryMs);
    this.retryTimer.unref();
    this.retryMs = Math.min(this.retryMs * 2, this.opts.reconnectMaxMs);
  }

  private markDown(): void {
    clearInterval(this.heartbeat);
    this.heartbeat = undefined;
    if (!this.isUp) return;
    this.isUp = false;
    this.emit('down');
  }
}
