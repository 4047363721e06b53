// A real OIDC issuer on loopback, in the test process: discovery document and JWKS over HTTP,
// RS256 keys generated here, access tokens shaped like Keycloak's (realm_access, resource_access,
// azp, typ "Bearer"). Keys can be added and removed to exercise rotation.
import { createHmac, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';

interface IssuerKey {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
  publicPem: string;
}

export interface TokenOptions {
  sub?: string;
  realmRoles?: string[];
  clientRoles?: string[];
  /** Defaults to the issuer's own URL. */
  iss?: string;
  aud?: string | string[];
  kid?: string;
  /** Put this kid in the header while signing with `kid` (a forged key id). */
  headerKid?: string;
  /** Seconds relative to now. */
  expIn?: number;
  nbfIn?: number;
  /** Seconds relative to now (default 0). */
  iatIn?: number;
  /** The payload's `typ`: Keycloak writes "Bearer" in access tokens, "ID" in ID tokens, "Refresh" in refresh tokens. */
  typ?: string;
  /** The JOSE header's `typ` (default "JWT"; RFC 9068 access tokens carry "at+jwt"). */
  headerTyp?: string;
  omit?: string[];
  /** Claims set as given, after everything else (e.g. a claim of the wrong type). */
  claims?: Record<string, unknown>;
}

export const CLIENT_ID = 'gx-api';

export class OidcIssuer {
  readonly keys = new Map<string, IssuerKey>();
  /** Kids that sign but are not (or no longer) published. */
  private readonly hidden = new Map<string, IssuerKey>();
  jwksFetches = 0;
  discoveryFetches = 0;

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(realm = 'gx'): Promise<OidcIssuer> {
    let issuer: OidcIssuer | undefined;
    const server = createServer((req, res) => issuer!.handle(req.url ?? '/', res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    issuer = new OidcIssuer(server, `http://127.0.0.1:${port}/realms/${realm}`);
    await issuer.addKey();
    return issuer;
  }

  get jwksUri(): string {
    return `${this.url}/protocol/openid-connect/certs`;
  }

  get currentKid(): string {
    return [...this.keys.keys()].at(-1)!;
  }

  /** Generates a key and publishes it in the JWKS; returns its kid. */
  async addKey(publish = true): Promise<string> {
    const { privateKey, publicKey } = await generateKeyPair('RS256', { modulusLength: 2048 });
    const kid = randomUUID();
    const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
    const key = { kid, privateKey, publicJwk, publicPem: await exportSPKI(publicKey) };
    (publish ? this.keys : this.hidden).set(kid, key);
    return kid;
  }

  /** Stops publishing the key (it can still sign, as a stolen or retired key would). */
  unpublish(kid: string): void {
    const key = this.keys.get(kid);
    if (!key) throw new Error(`no published key ${kid}`);
    this.keys.delete(kid);
    this.hidden.set(kid, key);
  }

  publicPem(kid = this.currentKid): string {
    return this.key(kid).publicPem;
  }

  async token(o: TokenOptions = {}): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const kid = o.kid ?? this.currentKid;
    const claims: Record<string, unknown> = {
      exp: now + (o.expIn ?? 300),
      iat: now + (o.iatIn ?? 0),
      auth_time: now,
      jti: randomUUID(),
      iss: o.iss ?? this.url,
      aud: o.aud ?? [CLIENT_ID, 'account'],
      sub: o.sub ?? 'user-1',
      typ: o.typ ?? 'Bearer',
      azp: CLIENT_ID,
      session_state: randomUUID(),
      acr: '1',
      realm_access: { roles: ['offline_access', 'uma_authorization', 'default-roles-gx', ...(o.realmRoles ?? ['user'])] },
      resource_access: { [CLIENT_ID]: { roles: o.clientRoles ?? [] }, account: { roles: ['manage-account', 'view-profile'] } },
      scope: 'openid profile email',
      email_verified: true,
      preferred_username: o.sub ?? 'user-1',
    };
    if (o.nbfIn !== undefined) claims.nbf = now + o.nbfIn;
    for (const k of o.omit ?? []) delete claims[k];
    Object.assign(claims, o.claims);
    return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', typ: o.headerTyp ?? 'JWT', kid: o.headerKid ?? kid }).sign(this.key(kid).privateKey);
  }

  /** The classic confusion attack: HS256 keyed with the RSA public key the server trusts. */
  hs256WithPublicKey(payload: Record<string, unknown>, kid = this.currentKid): string {
    const head = b64({ alg: 'HS256', typ: 'JWT', kid });
    const body = b64(payload);
    const sig = createHmac('sha256', this.publicPem(kid)).update(`${head}.${body}`).digest('base64url');
    return `${head}.${body}.${sig}`;
  }

  unsigned(payload: Record<string, unknown>, kid = this.currentKid): string {
    return `${b64({ alg: 'none', typ: 'JWT', kid })}.${b64(payload)}.`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private key(kid: string): IssuerKey {
    const k = this.keys.get(kid) ?? this.hidden.get(kid);
    if (!k) throw new Error(`no key ${kid}`);
    return k;
  }

  private handle(path: string, res: import('node:http').ServerResponse): void {
    const send = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const prefix = new URL(this.url).pathname;
    if (path === `${prefix}/.well-known/openid-configuration`) {
      this.discoveryFetches++;
      send(200, {
        issuer: this.url,
        authorization_endpoint: `${this.url}/protocol/openid-connect/auth`,
        token_endpoint: `${this.url}/protocol/openid-connect/token`,
        jwks_uri: this.jwksUri,
        id_token_signing_alg_values_supported: ['RS256'],
        response_types_supported: ['code'],
        subject_types_supported: ['public'],
      });
    } else if (path === `${prefix}/protocol/openid-connect/certs`) {
      this.jwksFetches++;
      send(200, { keys: [...this.keys.values()].map((k) => k.publicJwk) });
    } else {
      send(404, { error: 'not found' });
    }
  }
}

function b64(obj: unknown): string {
  return Buffer.from(JSON.stringify(obj)).toString('base64url');
}

/** Payload a legitimate token would carry, for hand-built attack tokens. */
export function payloadFor(issuer: OidcIssuer, sub = 'attacker'): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return { iss: issuer.url, aud: [CLIENT_ID], sub, exp: now + 300, iat: now, realm_access: { roles: ['user', 'admin'] } };
}
