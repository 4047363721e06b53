// TaskChangeFeed against the real PostgreSQL (test/services/postgres.sh) and the real trigger of
// migration 002: what each kind of change sends, that stop() really ends the LISTEN session, and that
// a session which dies without a reset (a half-open TCP connection) is noticed by the heartbeat.
import { expect } from 'chai';
import type { Knex } from 'knex';
import * as createTasks from '../../api/migrations/001_create_tasks.js';
import * as notifyTaskChanges from '../../api/migrations/002_notify_task_changes.js';
import { TaskChangeFeed } from '../../api/src/db/task-change-feed.js';
import { freshDatabase, type TestDatabase } from './helpers/database.js';
import { TcpProxy } from './helpers/tcp-proxy.js';

/** Everything a feed emitted, in order. */
class Recorder {
  readonly changes: string[] = [];
  ups = 0;
  downs = 0;

  constructor(feed: TaskChangeFeed) {
    feed.on('change', (o) => this.changes.push(o));
    feed.on('up', () => this.ups++);
    feed.on('down', () => this.downs++);
  }

  /** Polls until `ok` holds; the bound only keeps a broken feed from hanging the run. */
  async until(ok: () => boolean, what: string, boundMs = 8_000): Promise<void> {
    const end = Date.now() + boundMs;
    while (!ok()) {
      if (Date.now() > end) throw new Error(`gave up waiting for ${what}; changes so far: ${JSON.stringify(this.changes)}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }
}

const nextTick = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('api: TaskChangeFeed against real PostgreSQL and the migration 002 trigger', function () {
  let database: TestDatabase;
  let db: Knex;
  let feed: TaskChangeFeed;
  let rec: Recorder;
  let sentinels = 0;

  before(async function () {
    database = await freshDatabase();
    db = database.db;
    // a heartbeat that never runs within this file: a test below reads which queries the sessions ran
    feed = new TaskChangeFeed({ databaseUrl: database.url, heartbeatMs: 600_000, reconnectMinMs: 20, reconnectMaxMs: 200 });
    rec = new Recorder(feed);
    await feed.start();
    expect(feed.up).to.equal(true);
  });

  after(async function () {
    await feed?.stop();
    await database?.drop();
  });

  const insert = async (owner: string, title = 't'): Promise<string> => {
    const [row] = await db('tasks').insert({ owner_sub: owner, title }).returning('id');
    return (row as { id: string }).id;
  };

  /**
   * What the feed delivered for the statements since the last call, exactly: a marker row is
   * committed last and notifications of one session arrive in commit order, so once the marker is
   * in, everything before it is too, and nothing is missed or counted twice.
   */
  async function delivered(): Promise<string[]> {
    const marker = `marker-${++sentinels}`;
    await insert(marker);
    await rec.until(() => rec.changes.includes(marker), marker);
    const got = rec.changes.splice(0).filter((o) => !o.startsWith('marker-'));
    return got;
  }

  it('sends the owner for an insert, an update and a delete', async function () {
    await delivered();
    const id = await insert('alice');
    expect(await delivered()).to.deep.equal(['alice']);
    await db('tasks').where({ id }).update({ title: 'renamed', done: true });
    expect(await delivered()).to.deep.equal(['alice']);
    await db('tasks').where({ id }).delete();
    expect(await delivered()).to.deep.equal(['alice']);
  });

  it('sends both owners when an update moves a task to another owner, and one when it does not', async function () {
    const id = await insert('alice');
    await delivered();
    await db('tasks').where({ id }).update({ owner_sub: 'bob' });
    expect(await delivered()).to.deep.equal(['alice', 'bob']);
    await db('tasks').where({ id }).update({ owner_sub: 'bob', title: 'same owner' });
    expect(await delivered()).to.deep.equal(['bob']);
  });

  it("sends '*' for TRUNCATE", async function () {
    await insert('carol');
    await delivered();
    await db.raw('TRUNCATE tasks');
    expect(await delivered()).to.deep.equal(['*']);
    expect(await db('tasks').where({ owner_sub: 'carol' })).to.deep.equal([]);
  });

  it("sends '*' for an owner of 7000 bytes or more (counted in bytes), the owner itself below that", async function () {
    // repetitive text: PostgreSQL compresses it, so the owner index accepts rows this long
    await insert('x'.repeat(6999));
    expect(await delivered()).to.deep.equal(['x'.repeat(6999)]);
    await insert('x'.repeat(7000));
    expect(await delivered()).to.deep.equal(['*']);
    // 3500 characters, 7000 bytes in UTF-8
    await insert('é'.repeat(3500));
    expect(await delivered()).to.deep.equal(['*']);
  });

  it('sends nothing before commit, one notification per owner per transaction, nothing for a rollback', async function () {
    await delivered();
    const trx = await db.transaction();
    await trx('tasks').insert([{ owner_sub: 'dave', title: '1' }, { owner_sub: 'dave', title: '2' }, { owner_sub: 'erin', title: '3' }]);
    await trx('tasks').where({ owner_sub: 'dave' }).update({ done: true });
    // the marker commits while the transaction is still open
    expect(await delivered()).to.deep.equal([]);
    await trx.commit();
    expect((await delivered()).sort()).to.deep.equal(['dave', 'erin']);

    await db
      .transaction(async (t) => {
        await t('tasks').insert({ owner_sub: 'frank', title: 'never' });
        throw new Error('roll back');
      })
      .catch(() => undefined);
    expect(await delivered()).to.deep.equal([]);
  });

  it('comes back by itself after the server terminates its session, and still delivers', async function () {
    const ups = rec.ups;
    const downs = rec.downs;
    const killed = await db.raw(
      "SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE application_name = 'gx-api-listen' AND datname = current_database()",
    );
    expect(killed.rows).to.deep.equal([{ ok: true }]);
    await rec.until(() => rec.downs === downs + 1 && rec.ups === ups + 1, 'down then up again');
    expect(feed.up).to.equal(true);
    await insert('after-restart');
    expect(await delivered()).to.deep.equal(['after-restart']);
  });

  it('keeps its default heartbeat when an option is passed as undefined (as the test harness does)', async function () {
    // { heartbeatMs: undefined } spread over the defaults used to replace 10 s with undefined: a
    // SELECT 1 every millisecond, each given a 1 ms deadline, so the feed kept dropping and
    // re-opening its session and the cache behind it kept emptying itself
    const own = new TaskChangeFeed({ databaseUrl: database.url, heartbeatMs: undefined, reconnectMinMs: undefined, reconnectMaxMs: 500 });
    const ownRec = new Recorder(own);
    try {
      await own.start();
      expect(own.up).to.equal(true);
      const session = async (): Promise<Array<{ query: string }>> =>
        (
          await db.raw<{ rows: Array<{ query: string }> }>(
            "SELECT query FROM pg_stat_activity WHERE application_name = 'gx-api-listen' AND datname = current_database() AND query LIKE '%heartbeat%'",
          )
        ).rows;
      // a window far below the default period and far above a millisecond
      await nextTick(150);
      expect(await session(), 'a gx-api-listen session that already ran its heartbeat').to.deep.equal([]);
      expect(ownRec.downs).to.equal(0);
      expect(own.up).to.equal(true);
    } finally {
      await own.stop();
    }
  });

  it('stays down while the trigger of migration 002 is missing, and comes up once it exists', async function () {
    // an image started before its migrations ran: LISTEN works, but nobody would ever NOTIFY
    const bare = await freshDatabase({ migrate: false });
    const early = new TaskChangeFeed({ databaseUrl: bare.url, reconnectMinMs: 20, reconnectMaxMs: 100 });
    try {
      await createTasks.up(bare.db);
      await early.start();
      expect(early.up).to.equal(false);
      expect(await early.whenUp(400)).to.equal(false);
      await notifyTaskChanges.up(bare.db);
      expect(await early.whenUp(5_000)).to.equal(true);
    } finally {
      await early.stop();
      await bare.drop();
    }
  });

  it('goes down when the trigger is disabled while it listens (checked with every heartbeat), and back up once enabled', async function () {
    const own = new TaskChangeFeed({ databaseUrl: database.url, heartbeatMs: 1_100, reconnectMinMs: 20, reconnectMaxMs: 100 });
    const ownRec = new Recorder(own);
    try {
      await own.start();
      expect(own.up).to.equal(true);
      await db.raw('ALTER TABLE tasks DISABLE TRIGGER tasks_notify_rows');
      await ownRec.until(() => ownRec.downs === 1, 'the feed to notice the disabled trigger');
      expect(await own.whenUp(300)).to.equal(false);
      await db.raw('ALTER TABLE tasks ENABLE TRIGGER tasks_notify_rows');
      expect(await own.whenUp(5_000)).to.equal(true);
    } finally {
      await db.raw('ALTER TABLE tasks ENABLE TRIGGER tasks_notify_rows');
      await own.stop();
    }
  });

  describe('stop()', function () {
    const listeners = async (): Promise<number> =>
      (
        await db.raw<{ rows: Array<{ n: number }> }>(
          "SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'gx-api-listen' AND datname = current_database()",
        )
      ).rows[0]!.n;

    /** The count once it is n, or whatever it is when the bound runs out. */
    async function listenersBecome(n: number): Promise<number> {
      const end = Date.now() + 8_000;
      let now = await listeners();
      while (now !== n && Date.now() < end) {
        await nextTick(20);
        now = await listeners();
      }
      return now;
    }

    it('ends the LISTEN session: no gx-api-listen backend is left, and no change is reported after', async function () {
      const own = new TaskChangeFeed({ databaseUrl: database.url, reconnectMinMs: 10, reconnectMaxMs: 20 });
      const ownRec = new Recorder(own);
      await own.start();
      expect(own.up).to.equal(true);
      expect(await listenersBecome(2)).to.equal(2);
      await own.stop();
      expect(own.up).to.equal(false);
      expect(ownRec.downs).to.equal(1);
      // the backend exits once it has read the Terminate message, at the server's own pace
      expect(await listenersBecome(1)).to.equal(1);
      await insert('after-stop');
      // the suite's feed saw it; the stopped one did not and did not come back
      expect(await delivered()).to.deep.equal(['after-stop']);
      expect(ownRec.changes).to.deep.equal([]);
      expect(ownRec.ups).to.equal(1);
      expect(await own.whenUp(50)).to.equal(false);
    });

    it('while a reconnect is pending, cancels it: no new connection is attempted after stop()', async function () {
      const proxy = await TcpProxy.forDatabase(database.url);
      const own = new TaskChangeFeed({ databaseUrl: proxy.urlFor(database.url), reconnectMinMs: 10, reconnectMaxMs: 20 });
      const ownRec = new Recorder(own);
      try {
        await own.start();
        expect(own.up).to.equal(true);
        proxy.cut();
        await ownRec.until(() => ownRec.downs === 1, 'down');
        // let it fail a few reconnects, so a retry is scheduled when stop() comes
        await ownRec.until(() => proxy.accepted >= 3, 'reconnect attempts');
        await own.stop();
        proxy.restore();
        const attempts = proxy.accepted;
        // absence cannot be awaited: give a retry many times its delay to show up
        await nextTick(300);
        expect(proxy.accepted, 'connections attempted after stop()').to.equal(attempts);
        expect(ownRec.ups).to.equal(1);
        expect(own.up).to.equal(false);
      } finally {
        await own.stop();
        await proxy.close();
      }
    });
  });

  describe('reachability', function () {
    let proxy: TcpProxy;

    beforeEach(async function () {
      proxy = await TcpProxy.forDatabase(database.url);
    });

    afterEach(async function () {
      await proxy?.close();
    });

    it('notices a half-open session through its heartbeat, reconnects and delivers again', async function () {
      // a beat period above the feed's 1 s floor for a round trip, so one beat is in flight at a
      // time (a shorter period queues SELECT 1 behind a stuck one, and pg prints a deprecation)
      const own = new TaskChangeFeed({ databaseUrl: proxy.urlFor(database.url), heartbeatMs: 1_100, reconnectMinMs: 20, reconnectMaxMs: 100 });
      const ownRec = new Recorder(own);
      try {
        await own.start();
        expect(own.up).to.equal(true);
        proxy.freeze();
        await insert('lost-while-frozen');
        // nothing was reset: only a round trip that never returns can tell
        expect(own.up).to.equal(true);
        await ownRec.until(() => ownRec.downs === 1, "'down' from the heartbeat");
        expect(own.up).to.equal(false);
        proxy.restore();
        expect(await own.whenUp(8_000)).to.equal(true);
        expect(ownRec.ups).to.equal(2);
        await insert('after-thaw');
        await ownRec.until(() => ownRec.changes.includes('after-thaw'), 'after-thaw');
      } finally {
        await own.stop();
      }
    });

    it('starts while the database is unreachable (start() resolves, up is false) and comes up once it is', async function () {
      proxy.cut();
      const own = new TaskChangeFeed({ databaseUrl: proxy.urlFor(database.url), reconnectMinMs: 20, reconnectMaxMs: 50 });
      const ownRec = new Recorder(own);
      try {
        await own.start();
        expect(own.up).to.equal(false);
        expect(ownRec.downs).to.equal(0);
        expect(await own.whenUp(100)).to.equal(false);
        proxy.restore();
        expect(await own.whenUp(8_000)).to.equal(true);
        expect(ownRec.ups).to.equal(1);
        await insert('reachable');
        await ownRec.until(() => ownRec.changes.includes('reachable'), 'reachable');
      } finally {
        await own.stop();
      }
    });
  });
});
