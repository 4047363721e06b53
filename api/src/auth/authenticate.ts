// Bearer-token authentication: koa-jwt does the verification (jsonwebtoken underneath) with the
// key chosen by kid from the KeyStore. RS256 is the only algorithm accepted, which is what stops
// both `alg: none` and the HS256-signed-with-the-public-key confusion attack.
import type { Context, Middleware, Next } from 'koa';
import koaJwt from 'koa-jwt';
import { accessTokenProblem, type JoseHeader } from './access-token.js';
import type { KeyStore } from './key-store.js';
import { grants, rolesOf, type Claims, type Role } from './roles.js';
import { VerifiedTokens } from './verified-tokens.js';
import { ApiError } from '../http/errors.js';

export interface Principal {
  subject: string;
  roles: Set<Role>;
}

export interface AuthOptions {
  keys: KeyStore;
  issuers: string[];
  audience: string[];
  clientId: string;
  clockToleranceSec: number;
  /** How many verified tokens to remember; 0 verifies every request. */
  verifiedTokenCache?: number;
}

// only a header of exactly this shape is remembered (and so can ever be a cache hit)
const BEARER = /^Bearer [A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/** Returns, for a role, the middleware that admits a request with a valid token granting it. */
export function authenticate(opts: AuthOptions): (role: Role) => Middleware {
  const cache = new VerifiedTokens(opts.verifiedTokenCache ?? 10_000, opts.clockToleranceSec);
  const keyIsCurrent = (kid: string): boolean => opts.keys.has(kid);
  // a remembered token's claims object is the same object on every hit, so its principal is too
  const principals = new WeakMap<Claims, Principal>();
  const verify = koaJwt({
    secret: async (header: { alg?: string; kid?: string }) => {
      if (header.alg !== 'RS256') throw new Error(`algorithm ${String(header.alg)} is not accepted`);
      const key = await opts.keys.get(header.kid);
      if (!key) throw new Error('unknown signing key');
      return key as unknown as string;
    },
    tokenKey: 'token',
    algorithms: ['RS256'],
    issuer: opts.issuers,
    audience: opts.audience.length === 1 ? opts.audience[0]! : opts.audience,
    clockTolerance: opts.clockToleranceSec,
    key: 'claims',
  } as koaJwt.Options);

  /**
   * One middleware per route: the token, then the role. Not an async function: a remembered token
   * (the common case) is checked synchronously and the route goes on without an extra promise.
   */
  return function requiring(role: Role): Middleware {
    return function auth(ctx: Context, next: Next): Promise<unknown> {
      // keyed by the whole header: the same bytes carry the same token, and a hit skips even parsing it
      const header = ctx.get('authorization');
      const known = header.length > 0 ? cache.get(header, keyIsCurrent) : undefined;
      if (known) {
        ctx.state.claims = known;
        admit(ctx, role);
        return next();
      }
      return verifyNow(ctx, header).then(() => {
        admit(ctx, role);
        return next();
      });
    };
  };

  async function verifyNow(ctx: Context, header: string): Promise<void> {
    try {
      await verify(ctx, () => Promise.resolve());
    } catch (err) {
      // koa-jwt throws 401 HttpErrors; the reason stays in the log, the client sees one message
      ctx.state.authFailure = (err as { originalError?: Error }).originalError?.message ?? (err as Error).message;
      throw new ApiError(401, 'unauthorized', 'a valid bearer token is required');
    }
    const token = ctx.state.token as string;
    ctx.state.token = undefined;
    const jose = JSON.parse(Buffer.from(token.slice(0, token.indexOf('.')), 'base64url').toString('utf8')) as JoseHeader & { kid: string };
    // checked once per token: a remembered token passed these before it was remembered
    const problem = accessTokenProblem(ctx.state.claims as Claims, jose, Date.now() / 1000, opts.clockToleranceSec);
    if (problem) {
      ctx.state.claims = undefined;
      ctx.state.authFailure = problem;
      throw new ApiError(401, 'unauthorized', 'a valid bearer token is required');
    }
    if (BEARER.test(header)) cache.remember(header, jose.kid, ctx.state.claims as Claims);
  }

  /** Sets the principal and checks the role, or throws 401/403. */
  function admit(ctx: Context, role: Role): void {
    const claims = ctx.state.claims as Claims;
    let principal = principals.get(claims);
    if (!principal) {
      if (typeof claims.sub !== 'string' || claims.sub.length === 0) {
        ctx.state.authFailure = 'token has no subject';
        throw new ApiError(401, 'unauthorized', 'a valid bearer token is required');
      }
      // the subject is stored as the owner: a subject PostgreSQL cannot store is no usable identity
      if (claims.sub.includes('\u0000')) {
        ctx.state.authFailure = 'token subject contains U+0000';
        throw new ApiError(401, 'unauthorized', 'a valid bearer token is required');
      }
      principal = { subject: claims.sub, roles: rolesOf(claims, opts.clientId) };
      principals.set(claims, principal);
    }
    ctx.state.principal = principal;
    if (!grants(principal.roles, role)) throw new ApiError(403, 'forbidden', `the "${role}" role is required`);
  }
}
