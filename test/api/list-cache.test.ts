// TaskListCache on its own, no database: what it answers, what it refuses to store, and that its
// byte accounting and budget hold through every way a page can leave it.
import { expect } from 'chai';
import { pageCost, TaskListCache } from '../../api/src/http/task-list-cache.js';

const body = (n: number, fill = 'x'): Buffer => Buffer.alloc(n, fill);

/** An enabled cache, as after the change feed's first 'up'. */
// the tests below count a page as its body's bytes, to keep their arithmetic readable; the
// production cost (key, owner and bookkeeping too) has a test of its own
const bodyBytes = (_owner: string, _query: string, body: Buffer): number => body.length;

function cacheOf(maxBytes: number, maxPages?: number): TaskListCache {
  const c = new TaskListCache(maxBytes, maxPages, bodyBytes);
  c.enable();
  return c;
}

function store(c: TaskListCache, owner: string, query: string, b: Buffer): void {
  c.put(c.ticket(owner), query, b);
}

// The bytes the cache really holds, read from its pages rather than from its own counter: the point
// is to check that counter. Coupled to the private field on purpose; a rename fails here loudly.
function heldPages(c: TaskListCache): Map<string, Map<string, Buffer>> {
  const owners = (c as unknown as { owners: Map<string, { pages: Map<string, Buffer> }> }).owners;
  if (!(owners instanceof Map)) throw new Error('TaskListCache no longer keeps its pages in `owners`');
  return new Map([...owners].map(([o, e]) => [o, e.pages]));
}

function heldBytes(c: TaskListCache): number {
  let n = 0;
  for (const pages of heldPages(c).values()) for (const b of pages.values()) n += b.length;
  return n;
}

function expectExactStats(c: TaskListCache): void {
  expect(c.stats.bytes, 'stats.bytes against the pages held').to.equal(heldBytes(c));
  expect(c.stats.owners, 'stats.owners against the owners held').to.equal(heldPages(c).size);
}

describe('api: TaskListCache (unit)', function () {
  describe('hits and misses', function () {
    it('answers a page after put, misses another owner or another query string, and counts each', function () {
      const c = cacheOf(1024);
      const page = Buffer.from('{"items":[],"nextCursor":null}');
      store(c, 'alice', 'limit=5', page);
      expect(c.get('alice', 'limit=5')).to.equal(page);
      expect(c.get('bob', 'limit=5')).to.equal(undefined);
      expect(c.get('alice', 'limit=6')).to.equal(undefined);
      expect(c.get('alice', '')).to.equal(undefined);
      expect(c.get('alice', 'limit=5')).to.equal(page);
      expect(c.stats).to.include({ hits: 2, misses: 3, bypassed: 0 });
    });

    it('is off until enabled, and a cache of 0 bytes never turns on', function () {
      const fresh = new TaskListCache(1024);
      expect(fresh.active).to.equal(false);
      fresh.put(fresh.ticket('alice'), '', body(10));
      expect(fresh.get('alice', '')).to.equal(undefined);
      expect(fresh.stats).to.include({ hits: 0, misses: 0, bypassed: 1, bytes: 0 });

      const zero = new TaskListCache(0);
      zero.enable();
      expect(zero.active).to.equal(false);
      zero.put(zero.ticket('alice'), '', body(0));
      expect(zero.get('alice', '')).to.equal(undefined);
      expect(zero.stats).to.include({ hits: 0, misses: 0, bypassed: 1 });
    });
  });

  describe('tickets: a read that raced an invalidation never stores its page', function () {
    it('refuses a ticket taken before invalidate of the same owner', function () {
      const c = cacheOf(1024);
      store(c, 'alice', '', body(10));
      const t = c.ticket('alice');
      c.invalidate('alice');
      c.put(t, '', body(10, 'o'));
      expect(c.get('alice', '')).to.equal(undefined);
      expectExactStats(c);
    });

    it('refuses a ticket taken before invalidate of ANOTHER owner', function () {
      const c = cacheOf(1024);
      const t = c.ticket('alice');
      c.invalidate('bob');
      c.put(t, '', body(10));
      expect(c.get('alice', '')).to.equal(undefined);
    });

    it('refuses a ticket for an owner with nothing cached when that owner is invalidated', function () {
      const c = cacheOf(1024);
      expect(c.get('alice', '')).to.equal(undefined);
      const t = c.ticket('alice');
      c.invalidate('alice');
      c.put(t, '', body(10));
      expect(c.get('alice', '')).to.equal(undefined);
      expect(c.stats.bytes).to.equal(0);
    });

    it('honours a ticket taken after the invalidation', function () {
      const c = cacheOf(1024);
      c.invalidate('alice');
      c.invalidate('bob');
      const page = body(10);
      c.put(c.ticket('alice'), '', page);
      expect(c.get('alice', '')).to.equal(page);
    });

    it("refuses a ticket taken before '*'", function () {
      const c = cacheOf(1024);
      const t = c.ticket('alice');
      c.invalidate('*');
      c.put(t, '', body(10));
      expect(c.get('alice', '')).to.equal(undefined);
    });
  });

  describe('disable and enable (the change feed going down and up)', function () {
    it('disable() empties the cache, refuses puts and counts reads as bypassed', function () {
      const c = cacheOf(1024);
      store(c, 'alice', '', body(10));
      store(c, 'bob', '', body(20));
      c.disable();
      expect(c.active).to.equal(false);
      expect(c.stats).to.include({ bytes: 0, owners: 0 });
      expect(heldPages(c).size).to.equal(0);
      store(c, 'alice', '', body(10));
      expect(heldPages(c).size).to.equal(0);
      expect(c.get('alice', '')).to.equal(undefined);
      expect(c.get('bob', '')).to.equal(undefined);
      expect(c.stats).to.include({ hits: 0, misses: 0, bypassed: 2 });
    });

    it('enable() starts empty and refuses tickets from before the disable or from while it was off', function () {
      const c = cacheOf(1024);
      store(c, 'alice', '', body(10));
      const beforeDisable = c.ticket('alice');
      c.disable();
      const whileOff = c.ticket('alice');
      c.enable();
      expect(c.get('alice', '')).to.equal(undefined);
      expect(c.stats).to.include({ bytes: 0, owners: 0, misses: 1 });
      c.put(beforeDisable, '', body(10));
      c.put(whileOff, 'limit=1', body(10));
      expect(c.get('alice', '')).to.equal(undefined);
      expect(c.get('alice', 'limit=1')).to.equal(undefined);
      const page = body(10);
      c.put(c.ticket('alice'), '', page);
      expect(c.get('alice', '')).to.equal(page);
    });

    it('enable() on an enabled cache empties it and refuses earlier tickets too (a second up)', function () {
      const c = cacheOf(1024);
      store(c, 'alice', '', body(10));
      const t = c.ticket('bob');
      c.enable();
      c.put(t, '', body(10));
      expect(c.get('alice', '')).to.equal(undefined);
      expect(c.get('bob', '')).to.equal(undefined);
      expectExactStats(c);
    });
  });

  describe('invalidation and memory', function () {
    it("invalidate(owner) drops only that owner's pages; '*' drops everything", function () {
      const c = cacheOf(1024);
      store(c, 'alice', '', body(10));
      store(c, 'alice', 'limit=2', body(11));
      store(c, 'bob', '', body(12));
      store(c, 'carol', '', body(13));
      c.invalidate('alice');
      expect(c.get('alice', '')).to.equal(undefined);
      expect(c.get('alice', 'limit=2')).to.equal(undefined);
      expect(c.get('bob', '')?.length).to.equal(12);
      expectExactStats(c);
      expect(c.stats.bytes).to.equal(25);
      c.invalidate('*');
      expect(c.get('bob', '')).to.equal(undefined);
      expect(c.get('carol', '')).to.equal(undefined);
      expect(c.stats).to.include({ bytes: 0, owners: 0 });
      expectExactStats(c);
    });

    it('evicts the least recently READ owner first when the byte budget is exceeded', function () {
      const c = cacheOf(100);
      store(c, 'alice', '', body(40));
      store(c, 'bob', '', body(40));
      store(c, 'carol', '', body(40));
      // nobody read: alice is the oldest and goes
      expect(c.get('alice', '')).to.equal(undefined);
      expect(c.get('bob', '')?.length).to.equal(40);
      expect(c.get('carol', '')?.length).to.equal(40);
      expectExactStats(c);
    });

    it('a get refreshes recency: the owner read last survives the next eviction', function () {
      const c = cacheOf(100);
      store(c, 'alice', '', body(40));
      store(c, 'bob', '', body(40));
      expect(c.get('alice', '')?.length).to.equal(40);
      store(c, 'carol', '', body(40));
      expect(c.get('bob', '')).to.equal(undefined);
      expect(c.get('alice', '')?.length).to.equal(40);
      expect(c.get('carol', '')?.length).to.equal(40);
      expectExactStats(c);
    });

    it('does not store a body larger than the whole budget, and keeps what it had', function () {
      const c = cacheOf(100);
      store(c, 'bob', '', body(30));
      store(c, 'alice', '', body(101));
      expect(c.get('alice', '')).to.equal(undefined);
      expect(c.get('bob', '')?.length).to.equal(30);
      expect(c.stats.bytes).to.equal(30);
      store(c, 'alice', '', body(100));
      // exactly the budget fits, at the price of everyone else
      expect(c.get('alice', '')?.length).to.equal(100);
      expect(c.get('bob', '')).to.equal(undefined);
      expectExactStats(c);
    });

    it('keeps at most maxPagesPerOwner pages per owner, dropping the oldest page', function () {
      const c = cacheOf(10_000, 3);
      for (let i = 1; i <= 4; i++) store(c, 'alice', `cursor=${i}`, body(10 * i));
      store(c, 'bob', 'cursor=1', body(5));
      expect(c.get('alice', 'cursor=1')).to.equal(undefined);
      for (let i = 2; i <= 4; i++) expect(c.get('alice', `cursor=${i}`)?.length).to.equal(10 * i);
      expect(c.get('bob', 'cursor=1')?.length).to.equal(5);
      expect(heldPages(c).get('alice')?.size).to.equal(3);
      expect(c.stats.bytes).to.equal(20 + 30 + 40 + 5);
      expectExactStats(c);
    });

    it('replacing a page at the cap keeps the other pages, and the byte count follows the new body', function () {
      const c = cacheOf(10_000, 2);
      store(c, 'alice', 'a', body(10));
      store(c, 'alice', 'b', body(20));
      store(c, 'alice', 'a', body(15));
      expect(c.get('alice', 'a')?.length).to.equal(15);
      expect(c.get('alice', 'b')?.length).to.equal(20);
      expect(c.stats.bytes).to.equal(35);
      expectExactStats(c);
    });

    it('stays within its byte budget when the owner just written is the least recently read', function () {
      // alice is older than bob and reads nothing; her second page pushes the total over budget.
      // Evicting bob alone is not enough: alice's own pages must give way too.
      const c = cacheOf(100);
      store(c, 'alice', 'p=1', body(60));
      store(c, 'bob', 'p=1', body(30));
      store(c, 'alice', 'p=2', body(60));
      expectExactStats(c);
      expect(c.stats.bytes, 'bytes held after the put').to.be.at.most(100);
    });

    it('keeps stats.bytes exact and within budget through a long random mix of operations', function () {
      // mulberry32 with a fixed seed: a failure replays identically
      let seed = 0x2f6e2b1;
      const rnd = (n: number): number => {
        seed = (seed + 0x6d2b79f5) | 0;
        let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
        t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
        return ((t ^ (t >>> 14)) >>> 0) % n;
      };
      const budget = 500;
      const c = cacheOf(budget, 4);
      const owners = ['a', 'b', 'c', 'd', 'e'];
      const tickets: ReturnType<TaskListCache['ticket']>[] = [];
      const ops: string[] = [];
      for (let i = 0; i < 4000; i++) {
        const owner = owners[rnd(owners.length)]!;
        const query = `cursor=${rnd(6)}`;
        const r = rnd(100);
        if (r < 45) {
          c.put(c.ticket(owner), query, body(rnd(220)));
          ops.push(`put ${owner} ${query}`);
        } else if (r < 75) {
          c.get(owner, query);
          ops.push(`get ${owner} ${query}`);
        } else if (r < 85) {
          tickets.push(c.ticket(owner));
          ops.push(`ticket ${owner}`);
        } else if (r < 90 && tickets.length) {
          c.put(tickets.shift()!, query, body(rnd(220)));
          ops.push(`late put ${query}`);
        } else if (r < 96) {
          c.invalidate(owner);
          ops.push(`invalidate ${owner}`);
        } else if (r < 98) {
          c.invalidate('*');
          ops.push('invalidate *');
        } else {
          c.disable();
          ops.push('disable');
        }
        // a feed that went down comes back a few operations later
        if (!c.active && rnd(5) === 0) {
          c.enable();
          ops.push('enable');
        }
        const where = `after op ${i} (${ops.slice(-3).join(' / ')})`;
        expect(c.stats.bytes, where).to.equal(heldBytes(c));
        expect(c.stats.owners, where).to.equal(heldPages(c).size);
        expect(c.stats.bytes, where).to.be.at.most(budget);
        for (const pages of heldPages(c).values()) expect(pages.size, where).to.be.within(1, 4);
      }
      expect(c.stats.hits, 'the mix exercised hits').to.be.greaterThan(50);
    });
  });
  describe('the production page cost', function () {
    it('counts the key, the owner and bookkeeping, so tiny pages and long keys cannot exceed the budget unseen', function () {
      expect(pageCost('alice', 'limit=10', Buffer.alloc(30))).to.equal(30 + 8 + 5 + 200);
      const c = new TaskListCache(10_000);
      c.enable();
      for (let i = 0; i < 100; i++) c.put(c.ticket(`user-${i}`), '', Buffer.from('{"items":[],"nextCursor":null}'));
      // 100 empty pages of 30 bytes would be 3,000 bytes by body alone; the cost keeps it in budget
      expect(c.stats.bytes).to.be.at.most(10_000);
      expect(c.stats.owners).to.be.below(100);
    });

    it('answers but does not keep a page whose query string is padded beyond 256 characters', function () {
      const c = new TaskListCache(1_000_000);
      c.enable();
      const padded = '&'.repeat(300) + 'limit=10';
      c.put(c.ticket('alice'), padded, Buffer.from('{}'));
      expect(c.get('alice', padded)).to.equal(undefined);
      c.put(c.ticket('alice'), 'limit=10', Buffer.from('{}'));
      expect(c.get('alice', 'limit=10')).to.not.equal(undefined);
    });
  });
});
