// `npm run bench:api` — not a test. autocannon against GET /api/tasks (valid RS256 token, real
// PostgreSQL, 20 tasks per page), against a bare Koa handler, and against the bare handler plus the
// API's own list statement through node-postgres (the ceiling of anything that reads PostgreSQL
// once per request), all as child processes on this machine in the same run; prints req/s, p50/p99,
// CPU time per request of the server and of the PostgreSQL backends, and the ratios. Target: the API
// reaches at least 70 % of the bare handler's throughput.
//   BENCH_DURATION (s, default 10), BENCH_CONNECTIONS (32), BENCH_POOL (10), BENCH_API_PATH
//   (e.g. /healthz: the framework without auth and database), BENCH_ROUNDS (interleaved rounds,
//   median kept; a shared machine drifts), BENCH_CPU_PROF=DIR (V8 CPU profile of the API),
//   GX_TEST_PG_URL (a PostgreSQL server to use instead of test/services/postgres.sh).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import knexFactory, { type Knex } from 'knex';
import { createDatabase } from '../../api/src/db/database.js';
import { migrateLatest } from '../../api/src/db/migrations.js';
import { CLIENT_ID, OidcIssuer } from '../api/helpers/oidc-issuer.js';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
// another API path (e.g. /healthz) separates the framework's cost from auth and database
const API_PATH = process.env.BENCH_API_PATH ?? '/api/tasks';
// a shared, busy machine drifts during a run: rounds interleave the targets and the median is kept
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 1));
const logDir = mkdtempSync(join(tmpdir(), 'gx-api-bench-'));
chmodSync(logDir, 0o755);

function pgUrl(): string {
  if (process.env.GX_TEST_PG_URL) return process.env.GX_TEST_PG_URL;
  const out = execFileSync('bash', [join(REPO, 'test', 'services', 'postgres.sh'), 'start'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const m = /^GX_TEST_PG_URL=(.*)$/m.exec(out);
  if (!m) throw new Error('postgres.sh did not print GX_TEST_PG_URL');
  return m[1]!;
}

async function startChild(entry: string, env: Record<string, string>): Promise<{ child: ChildProcess; port: number }> {
  // logs go to a file, as they go to the container runtime in a pod: a pipe read by this process
  // (busy running autocannon) would fill up and stall the server's synchronous log writes
  const logFile = join(logDir, `${entry.replace(/\W+/g, '_')}.log`);
  const fd = openSync(logFile, 'w');
  // BENCH_CPU_PROF=DIR: the API writes a V8 CPU profile there when it exits (open it in Chrome DevTools)
  const prof = process.env.BENCH_CPU_PROF && entry.startsWith('api/') ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  const child = spawn(process.execPath, [...prof, '--import', 'tsx', join(REPO, entry)], {
    cwd: REPO,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: '/tmp', NODE_ENV: 'production', ...env },
    stdio: ['ignore', fd, 'inherit'],
    // the API refuses root, like in its pod
    ...(process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {}),
  });
  closeSync(fd);
  let exited = false;
  child.once('exit', () => (exited = true));
  for (let i = 0; i < 600; i++) {
    const m = /"msg":"listening"[^\n]*"port":(\d+)|"port":(\d+)[^\n]*"msg":"listening"/.exec(readFileSync(logFile, 'utf8'));
    if (m) return { child, port: Number(m[1] ?? m[2]) };
    if (exited) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill('SIGKILL');
  throw new Error(`${entry} did not start; see ${logFile}`);
}

interface Measured {
  name: string;
  rps: number;
  p50: number;
  p99: number;
  total: number;
  /** CPU time (user + system) per request of the server process and of the PostgreSQL backends, µs */
  serverCpuUs: number;
  pgCpuUs: number;
}

const TICK_US = 1e6 / Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim() || 100);

/** utime + stime of a process (all its threads), in µs; 0 when it is gone. */
function cpuUs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) * TICK_US;
  } catch {
    return 0;
  }
}

/**
 * CPU of the PostgreSQL backends serving the bench's database, read through pg_stat_activity's pids
 * (the server runs on this machine): CPU time is less disturbed by a busy machine than req/s.
 */
async function pgBackendsCpuUs(admin: Knex, database: string): Promise<Map<number, number>> {
  const { rows } = (await admin.raw('select pid from pg_stat_activity where datname = ?', [database])) as { rows: { pid: number }[] };
  return new Map(rows.map((r) => [r.pid, cpuUs(r.pid)]));
}

/** CPU the backends used between two readings; a backend that ended in between is not counted. */
function pgDelta(before: Map<number, number>, after: Map<number, number>): number {
  let sum = 0;
  for (const [pid, us] of after) sum += us - (before.get(pid) ?? 0);
  return sum;
}

/** What load() needs to account CPU: the server's pid and a way to read the backends' CPU. */
interface CpuProbe {
  pid: number;
  pg: () => Promise<Map<number, number>>;
}

async function load(name: string, url: string, headers: Record<string, string>, warm: boolean, probe: CpuProbe): Promise<Measured> {
  // warm-up: JIT, pool connections, JWKS
  if (warm) await autocannon({ url, headers, connections: CONNECTIONS, duration: 2 });
  const [server0, pg0] = [cpuUs(probe.pid), await probe.pg()];
  const r = await autocannon({ url, headers, connections: CONNECTIONS, duration: DURATION });
  const [server1, pg1] = [cpuUs(probe.pid), await probe.pg()];
  const non2xx = r.non2xx + r.errors + r.timeouts;
  if (non2xx > 0) throw new Error(`${name}: ${non2xx} non-2xx/errors out of ${r.requests.total}`);
  const per = (us: number) => us / Math.max(1, r.requests.total);
  return { name, rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, total: r.requests.total, serverCpuUs: per(server1 - server0), pgCpuUs: per(pgDelta(pg0, pg1)) };
}

/** The round with the median req/s. */
function median(runs: Measured[]): Measured {
  return [...runs].sort((x, y) => x.rps - y.rps)[Math.floor(runs.length / 2)]!;
}

async function main(): Promise<void> {
  const server = pgUrl();
  const name = `gx_api_bench_${randomBytes(4).toString('hex')}`;
  const admin = knexFactory({ client: 'pg', connection: server, pool: { min: 0, max: 1 } });
  await admin.raw(`CREATE DATABASE ${name}`);
  const url = new URL(server);
  url.pathname = `/${name}`;
  const db = createDatabase({ databaseUrl: url.toString(), dbPoolMin: 0, dbPoolMax: 2 });
  const issuer = await OidcIssuer.start();
  const children: ChildProcess[] = [];
  try {
    await migrateLatest(db);
    // the bench user has 50 tasks; other users' rows make the index matter
    const rows = [];
    for (let i = 0; i < 50; i++) rows.push({ owner_sub: 'bench', title: `task ${i}`, description: 'x'.repeat(80) });
    for (let u = 0; u < 200; u++) for (let i = 0; i < 10; i++) rows.push({ owner_sub: `other-${u}`, title: `t${i}`, description: '' });
    await db.batchInsert('tasks', rows, 500);

    const bare = await startChild('test/bench/api-bare-koa.ts', {});
    children.push(bare.child);
    // the ceiling: the bare handler plus the API's one PostgreSQL read per request
    const barePg = await startChild('test/bench/api-bare-koa.ts', { BARE_DATABASE_URL: url.toString(), BARE_POOL: process.env.BENCH_POOL ?? '10' });
    children.push(barePg.child);
    const api = await startChild('api/src/main.ts', {
      DATABASE_URL: url.toString(),
      OIDC_ISSUERS: issuer.url,
      OIDC_AUDIENCE: CLIENT_ID,
      OIDC_JWKS_URI: issuer.jwksUri,
      DB_POOL_MAX: process.env.BENCH_POOL ?? '10',
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'info',
    });
    children.push(api.child);
    const token = await issuer.token({ sub: 'bench', expIn: 3600 });

    const check = await fetch(`http://127.0.0.1:${api.port}/api/tasks`, { headers: { authorization: `Bearer ${token}` } });
    const page = (await check.json()) as { items: unknown[] };
    if (check.status !== 200 || page.items.length !== 20) throw new Error(`GET /api/tasks answered ${check.status} with ${page.items.length} items`);

    const runs: { b: Measured[]; c: Measured[]; a: Measured[] } = { b: [], c: [], a: [] };
    for (let round = 0; round < ROUNDS; round++) {
      const warm = round === 0;
      const probe = (child: ChildProcess): CpuProbe => ({ pid: child.pid!, pg: () => pgBackendsCpuUs(admin, name) });
      runs.b.push(await load('bare Koa handler', `http://127.0.0.1:${bare.port}/`, {}, warm, probe(bare.child)));
      if (API_PATH === '/api/tasks') runs.c.push(await load('bare Koa + the same PostgreSQL read', `http://127.0.0.1:${barePg.port}/`, {}, warm, probe(barePg.child)));
      runs.a.push(await load(API_PATH === '/api/tasks' ? 'GET /api/tasks (JWT + PostgreSQL)' : `GET ${API_PATH}`, `http://127.0.0.1:${api.port}${API_PATH}`, { authorization: `Bearer ${token}` }, warm, probe(api.child)));
    }
    const b = median(runs.b);
    const c = runs.c.length ? median(runs.c) : undefined;
    const a = median(runs.a);
    const ratio = a.rps / b.rps;
    console.log(`\n${CONNECTIONS} connections, ${DURATION}s each, ${ROUNDS} round(s) (median shown), ${(await import('node:os')).cpus().length} CPUs\n`);
    for (const r of [b, ...(c ? [c] : []), a]) {
      console.log(
        `${r.name.padEnd(36)} ${r.rps.toFixed(0).padStart(7)} req/s   p50 ${String(r.p50).padStart(4)} ms   p99 ${String(r.p99).padStart(4)} ms   ` +
          `CPU/request: server ${r.serverCpuUs.toFixed(0).padStart(4)} µs, PostgreSQL ${r.pgCpuUs.toFixed(0).padStart(4)} µs   (${r.total} requests)`,
      );
    }
    console.log(`\nratio API / bare: ${(ratio * 100).toFixed(1)} %  (target ≥ 70 %: ${ratio >= 0.7 ? 'met' : 'NOT met'})`);
    if (c) {
      console.log(`ceiling with one PostgreSQL read per request: ${((c.rps / b.rps) * 100).toFixed(1)} % of bare`);
      console.log(`ratio API / that ceiling: ${((a.rps / c.rps) * 100).toFixed(1)} %`);
    }
  } finally {
    // wait for the exits: a CPU profile is written while the process exits
    await Promise.all(
      children.map(
        (c) =>
          new Promise((r) => {
            if (c.exitCode !== null || c.signalCode !== null) return r(null);
            const hard = setTimeout(() => c.kill('SIGKILL'), 15_000);
            c.once('exit', () => (clearTimeout(hard), r(null)));
            c.kill('SIGTERM');
          }),
      ),
    );
    await db.destroy();
    await admin.raw(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
    await admin.destroy();
    await issuer.close();
    rmSync(logDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
