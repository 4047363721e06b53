// The issuer's RS256 keys, held as a whole set rather than memoised one kid at a time: when the
// set is refetched, a key the issuer removed disappears at once, which a per-kid cache would keep
// serving until it expires. An unknown kid triggers a refetch, but at most once per interval, so a
// flood of forged kids cannot turn the API into a JWKS hammer.
import { createPublicKey, type KeyObject } from 'node:crypto';
import { JwksClient } from 'jwks-rsa';

export interface KeyStoreOptions {
  /** The JWKS endpoint, or undefined to discover it from the issuer's openid-configuration. */
  jwksUri: string | undefined;
  discoveryIssuer: string;
  refetchIntervalMs: number;
  maxAgeMs: number;
  timeoutMs?: number;
  now?: () => number;
}

export interface KeyStoreLogger {
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

export class KeyStore {
  private keys = new Map<string, KeyObject>();
  private fetchedAt = Number.NEGATIVE_INFINITY;
  private lastAttempt = Number.NEGATIVE_INFINITY;
  private inflight: Promise<void> | undefined;
  private client: JwksClient | undefined;
  private readonly now: () => number;

  constructor(
    private readonly opts: KeyStoreOptions,
    private readonly log?: KeyStoreLogger,
  ) {
    this.now = opts.now ?? Date.now;
  }

  get loaded(): boolean {
    return this.keys.size > 0;
  }

  has(kid: string): boolean {
    return this.keys.has(kid);
  }

  get kids(): string[] {
    return [...this.keys.keys()];
  }

  /** Fetch the whole set now; concurrent callers share one request. Failures keep the old set. */
  refresh(): Promise<void> {
    this.inflight ??= this.fetch().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  /** Refresh unless another fetch happened within the refetch interval. */
  async refreshIfAllowed(): Promise<void> {
    if (this.now() - this.lastAttempt < this.opts.refetchIntervalMs) return this.inflight;
    await this.refresh().catch((err: unknown) => this.log?.warn({ err: describe(err) }, 'JWKS refresh failed'));
  }

  async get(kid: string | undefined): Promise<KeyObject | undefined> {
    if (this.now() - this.fetchedAt > this.opts.maxAgeMs) await this.refreshIfAllowed();
    if (kid === undefined) return undefined;
    const known = this.keys.get(kid);
    if (known) return known;
    await this.refreshIfAllowed();
    return this.keys.get(kid);
  }

  private async fetch(): Promise<void> {
    this.lastAttempt = this.now();
    const client = await this.jwksClient();
    const signing = await client.getSigningKeys();
    const next = new Map<string, KeyObject>();
    for (const key of signing) {
      // RS256 only: an EC or HMAC entry in the set must never become a verification key here
      if (!key.kid || (key.alg !== undefined && key.alg !== 'RS256')) continue;
      const obj = createPublicKey(key.getPublicKey());
      if (obj.asymmetricKeyType !== 'rsa') continue;
      next.set(key.kid, obj);
    }
    this.keys = next;
    this.fetchedAt = this.now();
    this.log?.info({ kids: [...next.keys()] }, 'JWKS loaded');
  }

  private async jwksClient(): Promise<JwksClient> {
    if (this.client) return this.client;
    const jwksUri = this.opts.jwksUri ?? (await discoverJwksUri(this.opts.discoveryIssuer, this.opts.timeoutMs ?? 5000));
    // jwks-rsa's own per-kid cache and limiter stay off: this class owns both, for the whole set
    this.client = new JwksClient({ jwksUri, cache: false, rateLimit: false, timeout: this.opts.timeoutMs ?? 5000 });
    return this.client;
  }
}

async function discoverJwksUri(issuer: string, timeoutMs: number): Promise<string> {
  const url = issuer.replace(/\/+$/, '') + '/.well-known/openid-configuration';
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  if (!res.ok) throw new Error(`OIDC discovery at ${url} answered ${res.status}`);
  const doc = (await res.json()) as { jwks_uri?: unknown };
  if (typeof doc.jwks_uri !== 'string') throw new Error(`OIDC discovery at ${url} has no jwks_uri`);
  return doc.jwks_uri;
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
