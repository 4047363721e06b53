// The serialized pages of GET /api/tasks, per owner, so a client that polls its list is answered
// without a database round trip. Correctness rests on three rules:
// - an owner's pages are dropped when that owner's tasks change: at once for a write made through
//   this replica (read-your-writes), and on the change feed's notification for any other writer;
// - a page is stored only if nothing at all was invalidated between the start of its query and its
//   arrival (a ticket carries the cache's version, which every invalidation moves), so a read racing
//   a write can never put the pre-write page back, even for an owner the cache held nothing of;
// - while the change feed is down, notifications are being lost: the cache is emptied, serves
//   nothing and stores nothing, and a feed that comes back starts from an empty cache.
// Memory is bounded in bytes; the owners least recently read are evicted first.
import { ALL_OWNERS } from '../db/task-change-feed.js';

export const DEFAULT_LIST_CACHE_BYTES = 32 * 1024 * 1024;
/** Query strings longer than this are answered but not cached: padding must not fill the cache. */
const MAX_QUERY_LENGTH = 256;

export type PageCost = (owner: string, query: string, body: Buffer) => number;
/**
 * What a page costs against the budget: its bytes, its key and the owner's name, plus a rough price
 * of its Map entry and Buffer object, so thousands of tiny pages still count.
 */
export const pageCost: PageCost = (owner, query, body) => body.length + query.length + owner.length + 200;

export interface TaskListCacheStats {
  hits: number;
  misses: number;
  /** Requests answered without the cache because it was off (the feed down). */
  bypassed: number;
  bytes: number;
  owners: number;
}

interface OwnerPages {
  pages: Map<string, Buffer>;
  bytes: number;
}

export interface ListTicket {
  readonly owner: string;
  readonly version: number;
}

export class TaskListCache {
  // insertion order is recency order: a read moves its owner to the end
  private readonly owners = new Map<string, OwnerPages>();
  // moved by every invalidation and clear: a ticket from before one of them is stale
  private version = 0;
  private enabled = false;
  readonly stats: TaskListCacheStats = { hits: 0, misses: 0, bypassed: 0, bytes: 0, owners: 0 };

  constructor(
    private readonly maxBytes: number,
    /** Pages kept per owner: a client walking cursors must not fill the cache for everyone. */
    private readonly maxPagesPerOwner = 16,
    private readonly costOf: PageCost = pageCost,
  ) {}

  get active(): boolean {
    return this.enabled && this.maxBytes > 0;
  }

  /** The change feed is listening: start caching from empty. */
  enable(): void {
    this.clear();
    this.enabled = true;
  }

  /** The change feed is down: forget everything and stop caching until enable(). */
  disable(): void {
    this.enabled = false;
    this.clear();
  }

  get(owner: string, query: string): Buffer | undefined {
    if (!this.active) {
      this.stats.bypassed++;
      return undefined;
    }
    const entry = this.owners.get(owner);
    const page = entry?.pages.get(query);
    if (!entry || !page) {
      this.stats.misses++;
      return undefined;
    }
    this.owners.delete(owner);
    this.owners.set(owner, entry);
    this.stats.hits++;
    return page;
  }

  /** Taken before the query runs; put() honours it only if nothing changed for the owner since. */
  ticket(owner: string): ListTicket {
    return { owner, version: this.version };
  }

  put(ticket: ListTicket, query: string, body: Buffer): void {
    // per-owner precision is not worth it: only reads in flight during a write lose their store
    if (!this.active || ticket.version !== this.version || query.length > MAX_QUERY_LENGTH) return;
    const size = this.costOf(ticket.owner, query, body);
    if (size > this.maxBytes) return;
    // the owner just read from the database is the most recently used: it moves to the end
    let entry = this.owners.get(ticket.owner);
    if (entry) this.owners.delete(ticket.owner);
    else entry = { pages: new Map(), bytes: 0 };
    this.owners.set(ticket.owner, entry);
    const old = entry.pages.get(query);
    if (old) this.account(entry, -this.costOf(ticket.owner, query, old));
    else if (entry.pages.size >= this.maxPagesPerOwner) {
      const oldest = entry.pages.keys().next().value!;
      this.account(entry, -this.costOf(ticket.owner, oldest, entry.pages.get(oldest)!));
      entry.pages.delete(oldest);
    }
    entry.pages.set(query, body);
    this.account(entry, size);
    this.evict();
  }

  /** The owner's tasks changed; '*' means any owner's may have. */
  invalidate(owner: string): void {
    if (owner === ALL_OWNERS) {
      this.clear();
      return;
    }
    this.version++;
    const entry = this.owners.get(owner);
    if (!entry) return;
    this.owners.delete(owner);
    this.account(entry, -entry.bytes);
    this.stats.owners = this.owners.size;
  }

  clear(): void {
    this.version++;
    this.owners.clear();
    this.stats.bytes = 0;
    this.stats.owners = 0;
  }

  private account(entry: OwnerPages, delta: number): void {
    entry.bytes += delta;
    this.stats.bytes += delta;
    this.stats.owners = this.owners.size;
  }

  /** Least recently used owners go first; the one just stored is last, so it goes only if it alone is too big. */
  private evict(): void {
    for (const [owner, entry] of this.owners) {
      if (this.stats.bytes <= this.maxBytes) break;
      this.owners.delete(owner);
      this.account(entry, -entry.bytes);
    }
  }
}
