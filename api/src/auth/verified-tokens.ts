// Remembers tokens whose signature, issuer and audience were already verified, so a client that
// sends the same access token on every request pays for one RS256 verification, not one per call.
// A hit is only honoured while the token is inside its exp/nbf window and the key that signed it
// is still in the current key set: rotation and expiry behave exactly as without the cache. The key
// is whatever identifies the token exactly (the authenticator uses the whole Authorization header).
import type { Claims } from './roles.js';

interface Entry {
  claims: Claims;
  kid: string;
  exp: number | undefined;
  nbf: number | undefined;
}

export class VerifiedTokens {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly maxEntries: number,
    private readonly clockToleranceSec: number,
    private readonly now: () => number = Date.now,
  ) {}

  get(token: string, keyIsCurrent: (kid: string) => boolean): Claims | undefined {
    const e = this.entries.get(token);
    if (!e) return undefined;
    const t = this.now() / 1000;
    if ((e.exp !== undefined && t >= e.exp + this.clockToleranceSec) || (e.nbf !== undefined && t < e.nbf - this.clockToleranceSec) || !keyIsCurrent(e.kid)) {
      this.entries.delete(token);
      return undefined;
    }
    return e.claims;
  }

  remember(token: string, kid: string, claims: Claims): void {
    if (this.maxEntries <= 0) return;
    // a Map iterates in insertion order: the first key is the oldest entry
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);
    this.entries.set(token, { claims, kid, exp: num(claims.exp), nbf: num(claims.nbf) });
  }

  get size(): number {
    return this.entries.size;
  }
}
