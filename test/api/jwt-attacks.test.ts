// The JWT attack suite: every forged, stale or misdirected token is refused with 401 and the
// stable error shape; a valid token without a known role gets 403.
import { expect } from 'chai';
import { freshDatabase, type TestDatabase } from './helpers/database.js';
import { call, startApi, type RunningApi } from './helpers/harness.js';
import { CLIENT_ID, OidcIssuer, payloadFor } from './helpers/oidc-issuer.js';

describe('api: JWT attack suite (real loopback OIDC issuer, RS256)', function () {
  let issuer: OidcIssuer;
  let database: TestDatabase;
  let api: RunningApi;

  before(async function () {
    issuer = await OidcIssuer.start();
    database = await freshDatabase();
    api = await startApi(database.db, issuer);
  });

  after(async function () {
    await api?.close();
    await database?.drop();
    await issuer?.close();
  });

  const list = (token?: string, headers: Record<string, string> = {}) => call(api.baseUrl, 'GET', '/api/tasks', token, undefined, headers);

  async function expect401(token: string | undefined, headers: Record<string, string> = {}): Promise<void> {
    const res = await list(token, headers);
    expect(res.status).to.equal(401);
    expect(res.headers.get('www-authenticate')).to.equal('Bearer');
    expect(res.body.error).to.include({ code: 'unauthorized', message: 'a valid bearer token is required' });
  }

  it('accepts a valid Keycloak-shaped token (the control case)', async function () {
    expect((await list(await issuer.token())).status).to.equal(200);
  });

  it('no token → 401', async function () {
    await expect401(undefined);
  });

  it('malformed tokens and headers → 401', async function () {
    await expect401('not.a.jwt');
    await expect401('a.b');
    await expect401(undefined, { authorization: 'Basic dXNlcjpwYXNz' });
    await expect401(undefined, { authorization: `Bearer ${await issuer.token()} extra` });
    const valid = await issuer.token();
    const [h, p] = valid.split('.');
    await expect401(`${h}.${p}.${'A'.repeat(342)}`);
  });

  it('a token whose payload was altered after signing → 401', async function () {
    const [h, , s] = (await issuer.token({ sub: 'alice' })).split('.');
    const forged = Buffer.from(JSON.stringify({ ...payloadFor(issuer, 'mallory') })).toString('base64url');
    await expect401(`${h}.${forged}.${s}`);
  });

  it('alg none → 401', async function () {
    await expect401(issuer.unsigned(payloadFor(issuer)));
  });

  it('HS256 signed with the RSA public key as the HMAC secret → 401', async function () {
    await expect401(issuer.hs256WithPublicKey(payloadFor(issuer)));
  });

  it('expired (beyond the clock skew) → 401; just expired within the skew → accepted', async function () {
    await expect401(await issuer.token({ expIn: -60 }));
    expect((await list(await issuer.token({ expIn: -2 }))).status).to.equal(200);
  });

  it('not yet valid (nbf beyond the skew) → 401; within the skew → accepted', async function () {
    await expect401(await issuer.token({ nbfIn: 120 }));
    expect((await list(await issuer.token({ nbfIn: 2 }))).status).to.equal(200);
  });

  it('wrong issuer → 401, even when signed by the trusted key', async function () {
    await expect401(await issuer.token({ iss: 'http://127.0.0.1:1/realms/evil' }));
    await expect401(await issuer.token({ omit: ['iss'] }));
  });

  it('accepts every issuer of the configured list (ingress host and in-cluster service)', async function () {
    const inCluster = 'http://keycloak.keycloak.svc.cluster.local/realms/gx';
    const multi = await startApi(database.db, issuer, { extraIssuers: [inCluster] });
    try {
      expect((await call(multi.baseUrl, 'GET', '/api/tasks', await issuer.token({ iss: inCluster }))).status).to.equal(200);
      expect((await call(multi.baseUrl, 'GET', '/api/tasks', await issuer.token())).status).to.equal(200);
      expect((await call(multi.baseUrl, 'GET', '/api/tasks', await issuer.token({ iss: 'http://elsewhere/realms/gx' }))).status).to.equal(401);
    } finally {
      await multi.close();
    }
  });

  it('wrong audience → 401', async function () {
    await expect401(await issuer.token({ aud: 'account' }));
    await expect401(await issuer.token({ aud: ['other-client'] }));
    expect((await list(await issuer.token({ aud: CLIENT_ID }))).status).to.equal(200);
  });

  it('unknown kid (a key the issuer never published) → 401', async function () {
    const rogue = await issuer.addKey(false);
    await expect401(await issuer.token({ kid: rogue }));
  });

  it('a token without a subject → 401', async function () {
    await expect401(await issuer.token({ omit: ['sub'] }));
  });

  it('a token without exp (it would never expire) → 401', async function () {
    await expect401(await issuer.token({ omit: ['exp'] }));
  });

  it('every claim RFC 9068 requires of an access token (exp, iat, sub, aud, iss) must be there → 401 without it', async function () {
    for (const claim of ['exp', 'iat', 'sub', 'aud', 'iss']) await expect401(await issuer.token({ omit: [claim] }));
    // present but of the wrong type
    const now = Math.floor(Date.now() / 1000);
    await expect401(await issuer.token({ claims: { exp: String(now + 300) } }));
    await expect401(await issuer.token({ claims: { iat: String(now) } }));
    await expect401(await issuer.token({ claims: { sub: 42 } }));
  });

  it('a token that is not an access token → 401: a Keycloak ID token or refresh token for the same client', async function () {
    await expect401(await issuer.token({ typ: 'ID' }));
    await expect401(await issuer.token({ typ: 'Refresh' }));
    await expect401(await issuer.token({ typ: 'bearer-ish' }));
    await expect401(await issuer.token({ omit: ['typ'] }));
    // an RFC 9068 access token says so in its header instead
    expect((await list(await issuer.token({ omit: ['typ'], headerTyp: 'at+jwt' }))).status).to.equal(200);
    expect((await list(await issuer.token({ omit: ['typ'], headerTyp: 'application/at+jwt' }))).status).to.equal(200);
    // the header cannot turn an ID token into an access token
    await expect401(await issuer.token({ typ: 'ID', headerTyp: 'at+jwt' }));
  });

  it('issued in the future (iat beyond the clock skew) → 401; within the skew → accepted', async function () {
    await expect401(await issuer.token({ iatIn: 120 }));
    expect((await list(await issuer.token({ iatIn: 2 }))).status).to.equal(200);
    await expect401(await issuer.token({ iatIn: 120, nbfIn: -10 }));
  });

  it('missing role → 403; an unknown role grants nothing', async function () {
    const none = await list(await issuer.token({ realmRoles: [] }));
    expect(none.status).to.equal(403);
    expect(none.body.error.code).to.equal('forbidden');
    const unknown = await list(await issuer.token({ realmRoles: ['superuser', 'root', 'Admin'], clientRoles: ['owner'] }));
    expect(unknown.status).to.equal(403);
    // a role of another client does not count for this one
    const otherClient = await issuer.token({ realmRoles: [] });
    const payload = JSON.parse(Buffer.from(otherClient.split('.')[1]!, 'base64url').toString());
    expect(payload.resource_access.account.roles).to.not.include('user');
    expect((await list(otherClient)).status).to.equal(403);
  });

  it('never writes a token into the response', async function () {
    const bad = (await issuer.token({ expIn: -600 })) + '';
    const res = await list(bad);
    expect(JSON.stringify(res.body)).to.not.include(bad.split('.')[2]!);
  });

  describe('key rotation', function () {
    it('fetches the JWKS again for a new kid, then rejects tokens of the removed key', async function () {
      const rotating = await OidcIssuer.start('rotate');
      const rApi = await startApi(database.db, rotating, { refetchIntervalMs: 0 });
      try {
        const oldKid = rotating.currentKid;
        const oldToken = await rotating.token({ kid: oldKid });
        expect((await call(rApi.baseUrl, 'GET', '/api/tasks', oldToken)).status).to.equal(200);
        const fetchesBefore = rotating.jwksFetches;

        const newKid = await rotating.addKey();
        rotating.unpublish(oldKid);
        const newToken = await rotating.token({ kid: newKid });
        expect((await call(rApi.baseUrl, 'GET', '/api/tasks', newToken)).status).to.equal(200);
        expect(rotating.jwksFetches).to.equal(fetchesBefore + 1);
        expect(rApi.keys.kids).to.deep.equal([newKid]);

        const oldAgain = await rotating.token({ kid: oldKid });
        expect((await call(rApi.baseUrl, 'GET', '/api/tasks', oldAgain)).status).to.equal(401);
        // the very token that was accepted (and remembered) before the rotation is refused too
        expect((await call(rApi.baseUrl, 'GET', '/api/tasks', oldToken)).status).to.equal(401);
      } finally {
        await rApi.close();
        await rotating.close();
      }
    });

    it('rate-limits refetches caused by unknown kids', async function () {
      const limited = await OidcIssuer.start('limited');
      const lApi = await startApi(database.db, limited, { refetchIntervalMs: 3_600_000 });
      try {
        expect((await call(lApi.baseUrl, 'GET', '/api/tasks', await limited.token())).status).to.equal(200);
        const fetches = limited.jwksFetches;
        const rogue = await limited.addKey(false);
        for (let i = 0; i < 20; i++) {
          const t = await limited.token(i % 2 ? { kid: rogue } : { headerKid: `forged-${i}` });
          expect((await call(lApi.baseUrl, 'GET', '/api/tasks', t)).status).to.equal(401);
        }
        expect(limited.jwksFetches).to.equal(fetches);
      } finally {
        await lApi.close();
        await limited.close();
      }
    });

    it('finds the JWKS through OIDC discovery when no JWKS URI is configured', async function () {
      const disc = await OidcIssuer.start('discover');
      const dApi = await startApi(database.db, disc, { discover: true });
      try {
        expect((await call(dApi.baseUrl, 'GET', '/api/tasks', await disc.token())).status).to.equal(200);
        expect(disc.discoveryFetches).to.equal(1);
      } finally {
        await dApi.close();
        await disc.close();
      }
    });
  });
});
