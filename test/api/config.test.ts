import { expect } from 'chai';
import { ConfigError, loadConfig, loadDatabaseConfig } from '../../api/src/config.js';

const valid = {
  DATABASE_URL: 'postgres://app:secret@db:5432/tasks',
  OIDC_ISSUERS: 'https://keycloak.local/realms/gx, http://keycloak.keycloak.svc/realms/gx',
  OIDC_AUDIENCE: 'gx-api',
};

describe('api: configuration from the environment', function () {
  it('reads a minimal environment with defaults', function () {
    const c = loadConfig(valid);
    expect(c.issuers).to.deep.equal(['https://keycloak.local/realms/gx', 'http://keycloak.keycloak.svc/realms/gx']);
    expect(c).to.include({ port: 3000, dbPoolMin: 0, dbPoolMax: 10, clientId: 'gx-api', clockToleranceSec: 30, logLevel: 'info' });
    expect(c.jwksUri).to.equal(undefined);
  });

  it('reads the pool size and the other numbers', function () {
    const c = loadConfig({ ...valid, DB_POOL_MIN: '2', DB_POOL_MAX: '25', PORT: '8080', OIDC_CLIENT_ID: 'tasks' });
    expect(c).to.include({ dbPoolMin: 2, dbPoolMax: 25, port: 8080, clientId: 'tasks' });
  });

  it('lists every problem in one error', function () {
    let err: unknown;
    try {
      loadConfig({ DATABASE_URL: 'mysql://x', OIDC_ISSUERS: 'not a url', DB_POOL_MAX: 'ten', PORT: '70000', LOG_LEVEL: 'loud' });
    } catch (e) {
      err = e;
    }
    expect(err).to.be.instanceOf(ConfigError);
    const problems = (err as ConfigError).problems;
    expect(problems).to.have.length(6);
    expect(problems.join('\n')).to.include('DATABASE_URL must use postgres:')
      .and.to.include('OIDC_ISSUERS is not a valid URL')
      .and.to.include('OIDC_AUDIENCE is required')
      .and.to.include('DB_POOL_MAX must be an integer between 1 and 100 (got "ten")')
      .and.to.include('PORT must be an integer between 0 and 65535')
      .and.to.include('LOG_LEVEL must be one of');
    expect((err as Error).message).to.match(/^invalid API configuration \(6 problems\):\n  - /);
  });

  it('reads the cache and log buffer sizes, and refuses a log chunk the log writer could not take', function () {
    expect(loadConfig(valid)).to.include({ listCacheBytes: 32 * 1024 * 1024, logBufferBytes: 4096 });
    expect(loadConfig({ ...valid, TASK_LIST_CACHE_BYTES: '0', LOG_BUFFER_BYTES: '0' })).to.include({ listCacheBytes: 0, logBufferBytes: 0 });
    // sonic-boom throws at start for a minimum chunk of 16 KiB or more: the check says so first
    expect(() => loadConfig({ ...valid, LOG_BUFFER_BYTES: '16384' }))
      .to.throw(ConfigError)
      .with.property('problems')
      .that.deep.equals(['LOG_BUFFER_BYTES must be an integer between 0 and 16383 (got "16384")']);
  });

  it('rejects a pool minimum above the maximum and an empty issuer list', function () {
    expect(() => loadConfig({ ...valid, DB_POOL_MIN: '5', DB_POOL_MAX: '2', OIDC_ISSUERS: ' , ' }))
      .to.throw(ConfigError)
      .with.property('problems')
      .that.deep.equals(['DB_POOL_MIN (5) must not exceed DB_POOL_MAX (2)', 'OIDC_ISSUERS must list at least one comma-separated value']);
  });

  it('the migration command needs only the database settings', function () {
    expect(loadDatabaseConfig({ DATABASE_URL: valid.DATABASE_URL })).to.deep.equal({ databaseUrl: valid.DATABASE_URL, dbPoolMin: 0, dbPoolMax: 10 });
    expect(() => loadDatabaseConfig({})).to.throw(ConfigError, 'DATABASE_URL is required');
  });
});
