// Configuration comes only from environment variables and is validated as a whole at start, so an
// operator sees every problem in one message instead of fixing them one restart at a time.

import { DEFAULT_LIST_CACHE_BYTES } from './http/task-list-cache.js';

export interface ApiConfig {
  port: number;
  host: string;
  databaseUrl: string;
  dbPoolMin: number;
  dbPoolMax: number;
  /** Every issuer a token may carry: the ingress host and the in-cluster service name differ. */
  issuers: string[];
  audience: string[];
  /** Keycloak client whose `resource_access.<client>.roles` count as roles. */
  clientId: string;
  /** When empty, discovered from the first issuer's /.well-known/openid-configuration. */
  jwksUri: string | undefined;
  clockToleranceSec: number;
  /** Smallest interval between two JWKS fetches caused by unknown kids. */
  jwksRefetchIntervalMs: number;
  /** The whole key set is refreshed at least this often, so a removed key stops validating. */
  jwksMaxAgeMs: number;
  /** Verified tokens remembered to skip repeated RS256 checks; 0 turns the cache off. */
  tokenCacheSize: number;
  /** Bytes of GET /api/tasks pages kept per replica (kept honest by LISTEN/NOTIFY); 0 turns it off. */
  listCacheBytes: number;
  shutdownTimeoutMs: number;
  logLevel: string;
  /** Log lines are written in chunks of this many bytes (flushed every 250 ms and at exit); 0 writes each line at once. */
  logBufferBytes: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid API configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` + problems.map((p) => `  - ${p}`).join('\n'));
    this.name = 'ConfigError';
  }
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

type Env = Record<string, string | undefined>;

export interface DatabaseConfig {
  databaseUrl: string;
  dbPoolMin: number;
  dbPoolMax: number;
}

/** Only what the migration Job needs: it must not demand OIDC settings it never uses. */
export function loadDatabaseConfig(env: Env = process.env): DatabaseConfig {
  const problems: string[] = [];
  const db = readDatabase(reader(env, problems));
  if (problems.length > 0) throw new ConfigError(problems);
  return db;
}

export function loadConfig(env: Env = process.env): ApiConfig {
  const problems: string[] = [];
  const r = reader(env, problems);
  const { str, int, url, list } = r;
  const db = readDatabase(r);
  const issuers = list('OIDC_ISSUERS');
  for (const iss of issuers) url('OIDC_ISSUERS', iss, ['http:', 'https:']);
  const audience = list('OIDC_AUDIENCE');
  const clientId = str('OIDC_CLIENT_ID', audience[0] ?? '');
  const jwksUri = env.OIDC_JWKS_URI?.trim() || undefined;
  if (jwksUri) url('OIDC_JWKS_URI', jwksUri, ['http:', 'https:']);
  const logLevel = str('LOG_LEVEL', 'info');
  if (!LOG_LEVELS.includes(logLevel)) problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')} (got "${logLevel}")`);

  const config: ApiConfig = {
    port: int('PORT', 3000, 0, 65535),
    host: str('HOST', '0.0.0.0'),
    ...db,
    issuers,
    audience,
    clientId,
    jwksUri,
    clockToleranceSec: int('OIDC_CLOCK_TOLERANCE_SEC', 30, 0, 300),
    jwksRefetchIntervalMs: int('OIDC_JWKS_REFETCH_INTERVAL_MS', 10_000, 0, 3_600_000),
    jwksMaxAgeMs: int('OIDC_JWKS_MAX_AGE_MS', 600_000, 1_000, 86_400_000),
    tokenCacheSize: int('OIDC_TOKEN_CACHE_SIZE', 10_000, 0, 1_000_000),
    listCacheBytes: int('TASK_LIST_CACHE_BYTES', DEFAULT_LIST_CACHE_BYTES, 0, 4 * 1024 * 1024 * 1024),
    shutdownTimeoutMs: int('SHUTDOWN_TIMEOUT_MS', 20_000, 0, 600_000),
    logLevel,
    // sonic-boom refuses a minimum chunk of its maximum write (16 KiB) or more
    logBufferBytes: int('LOG_BUFFER_BYTES', 4096, 0, 16_383),
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

function readDatabase(r: Reader): DatabaseConfig {
  const databaseUrl = r.str('DATABASE_URL');
  r.url('DATABASE_URL', databaseUrl, ['postgres:', 'postgresql:']);
  const dbPoolMin = r.int('DB_POOL_MIN', 0, 0, 100);
  const dbPoolMax = r.int('DB_POOL_MAX', 10, 1, 100);
  if (dbPoolMin > dbPoolMax) r.problems.push(`DB_POOL_MIN (${dbPoolMin}) must not exceed DB_POOL_MAX (${dbPoolMax})`);
  return { databaseUrl, dbPoolMin, dbPoolMax };
}

type Reader = ReturnType<typeof reader>;

function reader(env: Env, problems: string[]) {
  const str = (name: string, fallback?: string): string => {
    const v = env[name]?.trim();
    if (v) return v;
    if (fallback !== undefined) return fallback;
    problems.push(`${name} is required`);
    return '';
  };
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name]?.trim();
    if (!raw) return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) {
      problems.push(`${name} must be an integer between ${min} and ${max} (got "${raw}")`);
      return fallback;
    }
    return n;
  };
  const url = (name: string, value: string, protocols: string[]): void => {
    if (!value) return;
    try {
      const u = new URL(value);
      if (!protocols.includes(u.protocol)) problems.push(`${name} must use ${protocols.join(' or ')} (got "${u.protocol}")`);
    } catch {
      problems.push(`${name} is not a valid URL: "${value}"`);
    }
  };
  const list = (name: string): string[] => {
    const raw = str(name);
    const items = raw
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s.length > 0);
    if (raw && items.length === 0) problems.push(`${name} must list at least one comma-separated value`);
    return items;
  };
  return { problems, str, int, url, list };
}
