// Remembers tokens whose signature, issuer and audience were already verified, so a client that
// sends the same access token on every request pays for one RS256 verification, not one per call.
// A hit is only honoured while the token is inside its exp/nbf window and the key that signed it
// is still in the current key set: rotation and expiry behave exactly as without the cache. The key
// is whatever identifies the token exactly (the authenticator uses the whole Authorization header).
import type { Claims } from './roles.js';

interface Entry {
  /** The whole key: the map is keyed by its tail only. */
  token: string;
  claims: Claims;
  kid: string;
  exp: number | undefined;
  nbf: number | undefined;
}

/**
 * The map is keyed by the token's last characters (in a JWT, its signature), the entry holding the
 * whole token to compare: a Map hashes its whole string key, and a bearer header is ~800 characters,
 * arriving as a new string on every request — hashing it was a few percent of a cached request.
 * Two tokens sharing a tail only displace each other.
 */
const KEY_CHARS = 48;
const keyOf = (token: string): string => (token.length > KEY_CHARS ? token.slice(-KEY_CHARS) : token);

export class VerifiedTokens {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly maxEntries: number,
    private readonly clockToleranceSec: number,
    private readonly now: () => number = Date.now,
  ) {}

  get(token: string, keyIsCurrent: (kid: string) => boolean): Claims | undefined {
    const key = keyOf(token);
    const e = this.entries.get(key);
    if (!e || e.token !== token) return undefined;
    const t = this.now() / 1000;
    if ((e.exp !== undefined && t >= e.exp + this.clockToleranceSec) || (e.nbf !== undefined && t < e.nbf - this.clockToleranceSec) || !keyIsCurrent(e.kid)) {
      this.entries.delete(key);
      return undefined;
    }
    return e.claims;
  }

  remember(token: string, kid: string, claims: Claims): void {
    if (this.maxEntries <= 0) return;
    // a Map iterates in insertion order: the first key is the oldest entry
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);
    const key = keyOf(token);
    // a token with another's tail replaces it (delete first: the new entry is the newest)
    this.entries.delete(key);
    this.entries.set(key, { token, claims, kid, exp: num(claims.exp), nbf: num(claims.nbf) });
  }

  get size(): number {
    return this.entries.size;
  }
}
