// The list cache of GET /api/tasks with two API replicas on one real PostgreSQL (test/services/
// postgres.sh), each with its own LISTEN session: a replica answers repeated reads from its cache, a
// writer reads its own write at once, every other replica drops its pages when the trigger's
// notification arrives, and a replica that cannot hear notifications does not serve its cache.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import type { Knex } from 'knex';
import { pino } from 'pino';
import { createApp, type ApiApp } from '../../api/src/app.js';
import { KeyStore } from '../../api/src/auth/key-store.js';
import { createDatabase } from '../../api/src/db/database.js';
import { TaskChangeFeed } from '../../api/src/db/task-change-feed.js';
import { freshDatabase, type TestDatabase } from './helpers/database.js';
import { call, startApi, type RunningApi } from './helpers/harness.js';
import { CLIENT_ID, OidcIssuer } from './helpers/oidc-issuer.js';
import { TcpProxy } from './helpers/tcp-proxy.js';

interface Replica {
  baseUrl: string;
  app: ApiApp;
}

interface Task {
  id: string;
  title: string;
  owner: string;
  done: boolean;
}

/** A value of the replica's /metrics, e.g. metric(a, 'api_task_list_cache_requests_total{result="hit"}'). */
async function metric(r: Replica, series: string): Promise<number> {
  const text = await (await fetch(`${r.baseUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  if (line === undefined) throw new Error(`no ${series} in /metrics`);
  return Number(line.slice(series.length + 1));
}
const HEARTBEAT_MS = 10_000;
const HITS = 'api_task_list_cache_requests_total{result="hit"}';
const FEED_UP = 'api_task_change_feed_up';

async function list(r: Replica, token: string, qs = ''): Promise<{ items: Task[]; nextCursor: string | null }> {
  const res = await call(r.baseUrl, 'GET', `/api/tasks${qs ? `?${qs}` : ''}`, token);
  expect(res.status, `GET /api/tasks?${qs}: ${JSON.stringify(res.body)}`).to.equal(200);
  return res.body;
}
const titles = async (r: Replica, token: string, qs = ''): Promise<string[]> => (await list(r, token, qs)).items.map((t) => t.title);

/**
 * Reads the page until the replica answers it from its cache, so that a later fresh answer proves an
 * invalidation. It can take more than two reads: a notification still on its way for an earlier write
 * (of any owner) makes the cache refuse the page read meanwhile, by design.
 */
async function primed(r: Replica, token: string, qs = ''): Promise<string[]> {
  const end = Date.now() + 8_000;
  let fresh: string[] | undefined;
  for (;;) {
    const hits = r.app.lists.stats.hits;
    const got = await titles(r, token, qs);
    if (r.app.lists.stats.hits === hits + 1) {
      if (fresh) expect(got, 'the cached page against the one read just before').to.deep.equal(fresh);
      return got;
    }
    if (Date.now() > end) throw new Error(`?${qs} was never answered from the cache`);
    fresh = got;
  }
}

/** Polls until `ok` holds; the bound only keeps a broken feed from hanging the run. */
async function eventually<T>(read: () => Promise<T>, ok: (v: T) => boolean, what: string, boundMs = 8_000): Promise<T> {
  const end = Date.now() + boundMs;
  for (;;) {
    const v = await read();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`gave up waiting for ${what}; last: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 15));
  }
}
const sameAs = (want: string[]) => (got: string[]) => JSON.stringify(got) === JSON.stringify(want);

describe('api: list cache across two replicas kept honest by LISTEN/NOTIFY (real PostgreSQL)', function () {
  let issuer: OidcIssuer;
  let database: TestDatabase;
  let db: Knex;
  let a: RunningApi;
  let b: RunningApi;
  let users = 0;

  before(async function () {
    issuer = await OidcIssuer.start();
    database = await freshDatabase();
    db = database.db;
    // heartbeatMs spelled out: left undefined, startApi hands the feed an explicit undefined that
    // replaces its default and makes it beat every millisecond (see task-change-feed.test.ts)
    a = await startApi(db, issuer, { heartbeatMs: HEARTBEAT_MS });
    b = await startApi(db, issuer, { heartbeatMs: HEARTBEAT_MS });
    expect(a.feed?.up && b.feed?.up).to.equal(true);
  });

  after(async function () {
    await a?.close();
    await b?.close();
    await database?.drop();
    await issuer?.close();
  });

  async function user(name: string): Promise<{ sub: string; token: string }> {
    const sub = `${name}-${++users}`;
    return { sub, token: await issuer.token({ sub }) };
  }
  const create = async (r: Replica, token: string, title: string): Promise<Task> => {
    const res = await call(r.baseUrl, 'POST', '/api/tasks', token, { title });
    expect(res.status).to.equal(201);
    return res.body;
  };

  it("serves a repeated GET from B's cache, and never one user's page to another on the same query string", async function () {
    const alice = await user('alice');
    const bob = await user('bob');
    await create(a, alice.token, 'a1');
    await create(a, alice.token, 'a2');
    await create(a, bob.token, 'b1');

    expect(await primed(b, alice.token, 'limit=10')).to.deep.equal(['a2', 'a1']);
    const cached = await call(b.baseUrl, 'GET', '/api/tasks?limit=10', alice.token);
    expect(cached.headers.get('content-type')).to.match(/^application\/json/);
    expect(cached.body.items.map((t: Task) => t.owner)).to.deep.equal([alice.sub, alice.sub]);

    // same query string, other subject: not a hit on alice's page, and bob's own page once cached
    const hits = b.app.lists.stats.hits;
    expect(await titles(b, bob.token, 'limit=10')).to.deep.equal(['b1']);
    expect(b.app.lists.stats.hits).to.equal(hits);
    expect(await primed(b, bob.token, 'limit=10')).to.deep.equal(['b1']);
    expect(await titles(b, alice.token, 'limit=10')).to.deep.equal(['a2', 'a1']);
    // what /metrics reports is the cache's own count
    expect(await metric(b, HITS)).to.equal(b.app.lists.stats.hits);
    expect(b.app.lists.stats.hits).to.be.at.least(hits + 2);
    for (const t of (await list(b, bob.token, 'limit=10')).items) expect(t.owner).to.equal(bob.sub);
  });

  it('POST, PATCH and DELETE through A: A reads its own write at once, B once its feed has delivered', async function () {
    const carol = await user('carol');
    const old = await create(a, carol.token, 'old');
    expect(await primed(a, carol.token)).to.deep.equal(['old']);
    expect(await primed(b, carol.token)).to.deep.equal(['old']);

    await create(a, carol.token, 'new');
    expect(await titles(a, carol.token)).to.deep.equal(['new', 'old']);
    await eventually(() => titles(b, carol.token), sameAs(['new', 'old']), 'B to see the POST');

    await primed(a, carol.token);
    await primed(b, carol.token);
    expect((await call(a.baseUrl, 'PATCH', `/api/tasks/${old.id}`, carol.token, { title: 'patched', done: true })).status).to.equal(200);
    const mine = (await list(a, carol.token)).items.find((t) => t.id === old.id);
    expect(mine).to.include({ title: 'patched', done: true });
    await eventually(() => titles(b, carol.token), sameAs(['new', 'patched']), 'B to see the PATCH');

    await primed(a, carol.token);
    await primed(b, carol.token);
    expect((await call(a.baseUrl, 'DELETE', `/api/tasks/${old.id}`, carol.token)).status).to.equal(204);
    expect(await titles(a, carol.token)).to.deep.equal(['new']);
    await eventually(() => titles(b, carol.token), sameAs(['new']), 'B to see the DELETE');
  });

  it('reads its own writes even with no change feed at all (a double of a feed that has not delivered yet)', async function () {
    // the cache is switched on by hand and nothing ever invalidates it but the routes themselves:
    // only the write path's own invalidation can make the next read fresh
    const deaf = await startApi(db, issuer, { listCache: false });
    try {
      deaf.app.lists.enable();
      const dora = await user('dora');
      const t = await create(deaf, dora.token, 'one');
      expect(await primed(deaf, dora.token)).to.deep.equal(['one']);
      await create(deaf, dora.token, 'two');
      expect(await titles(deaf, dora.token)).to.deep.equal(['two', 'one']);
      await primed(deaf, dora.token);
      expect((await call(deaf.baseUrl, 'PATCH', `/api/tasks/${t.id}`, dora.token, { title: 'uno' })).status).to.equal(200);
      expect(await titles(deaf, dora.token)).to.deep.equal(['two', 'uno']);
      await primed(deaf, dora.token);
      expect((await call(deaf.baseUrl, 'DELETE', `/api/tasks/${t.id}`, dora.token)).status).to.equal(204);
      expect(await titles(deaf, dora.token)).to.deep.equal(['two']);
      // and what it does not write itself it does not see: this is what the feed is for
      await db('tasks').insert({ owner_sub: dora.sub, title: 'from sql' });
      expect(await titles(deaf, dora.token)).to.deep.equal(['two']);
    } finally {
      await deaf.close();
    }
  });

  it('pages behind a cursor are cached one by one and dropped together with page 1', async function () {
    const pat = await user('pat');
    for (const t of ['t1', 't2', 't3', 't4', 't5']) await create(a, pat.token, t);
    const page1 = await list(b, pat.token, 'limit=2');
    expect(page1.items.map((t) => t.title)).to.deep.equal(['t5', 't4']);
    const qs2 = `limit=2&cursor=${page1.nextCursor}`;
    expect(await primed(b, pat.token, qs2)).to.deep.equal(['t3', 't2']);
    expect(await primed(b, pat.token, 'limit=2')).to.deep.equal(['t5', 't4']);

    // a change on page 2 only, through the other replica
    const t3 = (await list(a, pat.token, qs2)).items[0]!;
    expect((await call(a.baseUrl, 'PATCH', `/api/tasks/${t3.id}`, pat.token, { title: 't3!' })).status).to.equal(200);
    await eventually(() => titles(b, pat.token, qs2), sameAs(['t3!', 't2']), 'B to see page 2 change');
    // page 1 did not change, but it went with the owner's other pages
    const { hits, misses } = b.app.lists.stats;
    expect(await titles(b, pat.token, 'limit=2')).to.deep.equal(['t5', 't4']);
    expect(b.app.lists.stats).to.include({ hits, misses: misses + 1 });
  });

  it('a change made straight in SQL (insert, update, owner move, delete, TRUNCATE) reaches both caches', async function () {
    const dan = await user('dan');
    const erin = await user('erin');
    const both = async (token: string, want: string[], what: string): Promise<void> => {
      for (const r of [a, b]) await eventually(() => titles(r, token), sameAs(want), `${what} on ${r === a ? 'A' : 'B'}`);
    };
    const primeBoth = async (token: string): Promise<void> => {
      await primed(a, token);
      await primed(b, token);
    };
    await primeBoth(dan.token);
    await primeBoth(erin.token);

    const [row] = await db('tasks').insert({ owner_sub: dan.sub, title: 'sql insert' }).returning('id');
    const id = (row as { id: string }).id;
    await both(dan.token, ['sql insert'], 'the insert');

    await primeBoth(dan.token);
    await db('tasks').where({ id }).update({ title: 'sql update' });
    await both(dan.token, ['sql update'], 'the update');

    await primeBoth(dan.token);
    await primeBoth(erin.token);
    await db('tasks').where({ id }).update({ owner_sub: erin.sub });
    await both(dan.token, [], 'the move, for the old owner');
    await both(erin.token, ['sql update'], 'the move, for the new owner');

    await primeBoth(erin.token);
    await db('tasks').where({ id }).delete();
    await both(erin.token, [], 'the delete');

    await db('tasks').insert([
      { owner_sub: dan.sub, title: 'd' },
      { owner_sub: erin.sub, title: 'e' },
    ]);
    await both(dan.token, ['d'], 'the inserts before TRUNCATE');
    await both(erin.token, ['e'], 'the inserts before TRUNCATE');
    await primeBoth(dan.token);
    await primeBoth(erin.token);
    await db.raw('TRUNCATE tasks');
    await both(dan.token, [], 'TRUNCATE');
    await both(erin.token, [], 'TRUNCATE');
  });
});

describe('api: list cache while its change feed is down (real PostgreSQL)', function () {
  let issuer: OidcIssuer;

  before(async function () {
    issuer = await OidcIssuer.start();
  });

  after(async function () {
    await issuer?.close();
  });

  describe('the LISTEN session terminated by the server', function () {
    let database: TestDatabase;
    let proxy: TcpProxy;
    let replica: Replica & { feed: TaskChangeFeed; close(): Promise<void> };

    before(async function () {
      database = await freshDatabase();
      proxy = await TcpProxy.forDatabase(database.url);
      // only the LISTEN session goes through the proxy, which keeps it from coming back until the
      // test has looked at the replica while it is down; the pool talks to PostgreSQL directly
      replica = await replicaWithFeed(database.db, issuer, proxy.urlFor(database.url));
    });

    after(async function () {
      await replica?.close();
      await proxy?.close();
      await database?.drop();
    });

    it('bypasses the cache while down (reads are fresh, the gauge is 0), then caches and invalidates again', async function () {
      const token = await issuer.token({ sub: 'gina' });
      const insert = (title: string) => database.db('tasks').insert({ owner_sub: 'gina', title });
      await insert('before');
      expect(await primed(replica, token)).to.deep.equal(['before']);
      expect(await metric(replica, FEED_UP)).to.equal(1);

      let downs = 0;
      replica.feed.once('down', () => {
        downs++;
        proxy.cut();
      });
      const killed = await database.db.raw(
        "SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE application_name = 'gx-api-listen' AND datname = current_database()",
      );
      expect(killed.rows).to.deep.equal([{ ok: true }]);
      await eventually(async () => downs, (n) => n === 1, "the feed's 'down'");

      expect(await metric(replica, FEED_UP)).to.equal(0);
      expect(await metric(replica, 'api_task_list_cache_bytes')).to.equal(0);
      const { hits, bypassed } = replica.app.lists.stats;
      await insert('while down');
      expect(await titles(replica, token)).to.deep.equal(['while down', 'before']);
      await insert('still down');
      expect(await titles(replica, token)).to.deep.equal(['still down', 'while down', 'before']);
      expect(replica.app.lists.stats).to.include({ hits, bypassed: bypassed + 2 });
      expect(replica.feed.up).to.equal(false);

      proxy.restore();
      expect(await replica.feed.whenUp(8_000)).to.equal(true);
      expect(await metric(replica, FEED_UP)).to.equal(1);
      expect(await primed(replica, token)).to.deep.equal(['still down', 'while down', 'before']);
      await insert('after');
      await eventually(() => titles(replica, token), sameAs(['after', 'still down', 'while down', 'before']), 'a change after the reconnect');
    });
  });

  describe('the database unreachable (readiness through a proxy that resets everything)', function () {
    let database: TestDatabase;
    let proxy: TcpProxy;
    let viaProxy: Knex;
    let api: RunningApi;

    before(async function () {
      database = await freshDatabase();
      proxy = await TcpProxy.forDatabase(database.url);
      viaProxy = createDatabase({ databaseUrl: proxy.urlFor(database.url), dbPoolMin: 2, dbPoolMax: 4 });
      api = await startApi(viaProxy, issuer, { heartbeatMs: HEARTBEAT_MS });
    });

    after(async function () {
      await api?.close();
      await viaProxy?.destroy();
      await proxy?.close();
      await database?.drop();
    });

    it('answers 503 (database unavailable) rather than a cached page once the feed is down, and caches again when the database is back', async function () {
      // Decided: the cache is only as good as the feed, so once the feed has noticed the loss the
      // cached page is not served and a list fails as it did before the cache existed. Between the
      // loss and that notice (at once on a reset, up to a heartbeat on a silent network) a cached
      // page can still be served; this test looks after the notice.
      const token = await issuer.token({ sub: 'hank' });
      expect((await call(api.baseUrl, 'POST', '/api/tasks', token, { title: 'cached' })).status).to.equal(201);
      expect(await primed(api, token)).to.deep.equal(['cached']);

      let downs = 0;
      api.feed!.once('down', () => downs++);
      proxy.cut();
      await eventually(async () => downs, (n) => n === 1, "the feed's 'down'");
      const failed = await call(api.baseUrl, 'GET', '/api/tasks', token);
      expect(failed.status).to.equal(503);
      expect(failed.headers.get('retry-after')).to.equal('5');
      expect(failed.body).to.deep.equal({ error: { code: 'database_unavailable', message: 'the database is unavailable; retry later', requestId: failed.headers.get('x-request-id') } });
      expect(await metric(api, FEED_UP)).to.equal(0);
      expect((await call(api.baseUrl, 'GET', '/readyz')).status).to.equal(503);

      proxy.restore();
      expect(await api.feed!.whenUp(8_000)).to.equal(true);
      expect(await primed(api, token)).to.deep.equal(['cached']);
      expect(await metric(api, FEED_UP)).to.equal(1);
    });
  });
});

/** Like startApi, but the feed listens through `feedUrl` while the pool uses `db` as it is. */
async function replicaWithFeed(db: Knex, issuer: OidcIssuer, feedUrl: string): Promise<Replica & { feed: TaskChangeFeed; close(): Promise<void> }> {
  const feed = new TaskChangeFeed({ databaseUrl: feedUrl, reconnectMaxMs: 500 });
  await feed.start();
  const app = createApp({
    db,
    taskChanges: feed,
    keys: new KeyStore({ jwksUri: issuer.jwksUri, discoveryIssuer: issuer.url, refetchIntervalMs: 0, maxAgeMs: 600_000 }),
    log: pino({ level: 'silent' }),
    issuers: [issuer.url],
    audience: [CLIENT_ID],
    clientId: CLIENT_ID,
    clockToleranceSec: 5,
  });
  const server: Server = app.koa.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    app,
    feed,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await feed.stop();
    },
  };
}
