// What makes a verified JWT an access token for this API, beyond its signature, issuer and audience
// (which jsonwebtoken checks): the claims RFC 9068 requires, and a type that says "access token".
// Keycloak signs ID, refresh and logout tokens with the same realm key, and an ID token for this
// client carries this client as its audience: only the type tells them apart.
import type { Claims } from './roles.js';

/** The JOSE header's `typ` of an RFC 9068 access token (the media type may be written out). */
const AT_JWT = /^(application\/)?at\+jwt$/i;

export interface JoseHeader {
  kid?: unknown;
  typ?: unknown;
}

/**
 * Undefined for an acceptable access token, else the reason it is refused (for the log, never the
 * client). `nowSec` and `toleranceSec` as for exp and nbf.
 */
export function accessTokenProblem(claims: Claims, header: JoseHeader, nowSec: number, toleranceSec: number): string | undefined {
  // jsonwebtoken checks exp, nbf, iss and aud only when present; a token without exp never expires
  for (const name of ['exp', 'iat'] as const) {
    const v = claims[name];
    if (v === undefined) return `token has no ${name}`;
    if (typeof v !== 'number' || !Number.isFinite(v)) return `token ${name} is not a number`;
  }
  if (claims.iss === undefined) return 'token has no iss';
  if (claims.aud === undefined) return 'token has no aud';
  if (typeof claims.sub !== 'string' || claims.sub.length === 0) return 'token has no subject';
  // a token from the future means a skewed issuer clock or a forged iat: refused like an early nbf
  if ((claims.iat as number) > nowSec + toleranceSec) return 'token iat is in the future';
  // Keycloak: typ "Bearer" in access tokens ("ID", "Refresh", "Logout" in the others); RFC 9068:
  // header typ at+jwt. A payload typ other than Bearer is never overridden by the header.
  const typ = claims.typ;
  if (typ === 'Bearer') return undefined;
  if (typ === undefined && typeof header.typ === 'string' && AT_JWT.test(header.typ)) return undefined;
  return typ === undefined ? 'token does not say it is an access token (no typ)' : `token is not an access token (typ ${JSON.stringify(typ).slice(0, 40)})`;
}
