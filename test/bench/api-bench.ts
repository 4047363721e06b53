// `npm run bench:api` — not a test. autocannon against GET /api/tasks (valid RS256 token, real
// PostgreSQL, 20 tasks per page) and against bare Koa handlers, all as child processes on this
// machine in the same run, interleaved in rounds (median kept). Prints req/s, p50/p99, CPU time per
// request of the server and of the PostgreSQL backends, and the ratios. The targets:
//   bare Koa, same bytes      a bare handler sent the same request (path, bearer token) and answering
//                             the API's very page (same status, type and bytes): the baseline of
//                             issue 17's target, API ≥ 60 % of it; it checks nothing
//   bare Koa, empty list      no token, the smallest answer: what moving the bytes costs by itself
//   same bytes + log, metrics the same-bytes handler behind the API's own request log line and
//                             Prometheus middleware, which every API request must pass: the floor
//                             of any handler meeting the issue's logging and metrics requirements
//   bare Koa + the same read  the bare handler plus the API's list statement through node-postgres:
//                             the ceiling of anything that reads PostgreSQL once per request
//   API                       GET /api/tasks as deployed: JWT, role check, list cache, log, metrics
//   API, list cache off       the same with TASK_LIST_CACHE_BYTES=0: one PostgreSQL read per request
//   BENCH_DURATION (s, default 10), BENCH_CONNECTIONS (32), BENCH_POOL (10), BENCH_API_PATH
//   (e.g. /healthz: the framework without auth and database), BENCH_ROUNDS (3), BENCH_CPU_PROF=DIR
//   (V8 CPU profile of the API), BENCH_NODE_FLAGS (for every server), BENCH_TARGETS (e.g. same,api: only those), GX_TEST_PG_URL (a PostgreSQL server to use instead of
//   test/services/postgres.sh).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3));
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
  const logFile = join(logDir, `${entry.replace(/\W+/g, '_')}_${randomBytes(3).toString('hex')}.log`);
  const fd = openSync(logFile, 'w');
  // BENCH_CPU_PROF=DIR: the API writes a V8 CPU profile there when it exits (open it in Chrome DevTools)
  const prof = process.env.BENCH_CPU_PROF && entry.startsWith('api/') ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  // e.g. BENCH_NODE_FLAGS=--perf-basic-prof, for `perf record -a` with JavaScript names
  prof.push(...(process.env.BENCH_NODE_FLAGS?.split(' ').filter(Boolean) ?? []));
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

    const apiEnv = {
      DATABASE_URL: url.toString(),
      OIDC_ISSUERS: issuer.url,
      OIDC_AUDIENCE: CLIENT_ID,
      OIDC_JWKS_URI: issuer.jwksUri,
      DB_POOL_MAX: process.env.BENCH_POOL ?? '10',
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'info',
    };
    const api = await startChild('api/src/main.ts', apiEnv);
    children.push(api.child);
    const token = await issuer.token({ sub: 'bench', expIn: 3600 });
    const auth = { authorization: `Bearer ${token}` };
    const check = await fetch(`http://127.0.0.1:${api.port}${API_PATH}`, { headers: auth });
    const bytes = Buffer.from(await check.arrayBuffer());
    if (check.status !== 200) throw new Error(`GET ${API_PATH} answered ${check.status}`);
    if (API_PATH === '/api/tasks' && (JSON.parse(bytes.toString('utf8')) as { items: unknown[] }).items.length !== 20) throw new Error('GET /api/tasks did not answer 20 items');
    const bodyFile = join(logDir, 'page.json');
    writeFileSync(bodyFile, bytes);
    chmodSync(bodyFile, 0o644);

    const sameBytes = await startChild('test/bench/api-bare-koa.ts', { BARE_BODY_FILE: bodyFile, BARE_BODY_TYPE: check.headers.get('content-type') ?? 'application/json' });
    children.push(sameBytes.child);
    const observed = await startChild('test/bench/api-bare-koa.ts', { BARE_BODY_FILE: bodyFile, BARE_BODY_TYPE: check.headers.get('content-type') ?? 'application/json', BARE_OBSERVED: '1' });
    children.push(observed.child);
    const empty = await startChild('test/bench/api-bare-koa.ts', {});
    children.push(empty.child);
    const onList = API_PATH === '/api/tasks';
    const barePg = onList ? await startChild('test/bench/api-bare-koa.ts', { BARE_DATABASE_URL: url.toString(), BARE_POOL: process.env.BENCH_POOL ?? '10' }) : undefined;
    if (barePg) children.push(barePg.child);
    const uncached = onList ? await startChild('api/src/main.ts', { ...apiEnv, TASK_LIST_CACHE_BYTES: '0' }) : undefined;
    if (uncached) children.push(uncached.child);

    interface Target {
      key: 'same' | 'empty' | 'observed' | 'read' | 'api' | 'nocache';
      name: string;
      url: string;
      headers: Record<string, string>;
      child: ChildProcess;
    }
    const targets: Target[] = [
      // the same request bytes too (the bearer token is ~0.8 kB each way through the load generator)
      { key: 'same', name: 'bare Koa, same bytes', url: `http://127.0.0.1:${sameBytes.port}${API_PATH}`, headers: auth, child: sameBytes.child },
      { key: 'observed', name: 'same bytes + log line, metrics', url: `http://127.0.0.1:${observed.port}${API_PATH}`, headers: auth, child: observed.child },
      { key: 'empty', name: 'bare Koa, empty list', url: `http://127.0.0.1:${empty.port}/`, headers: {}, child: empty.child },
      ...(barePg ? [{ key: 'read' as const, name: 'bare Koa + the same PostgreSQL read', url: `http://127.0.0.1:${barePg.port}/`, headers: {}, child: barePg.child }] : []),
      { key: 'api', name: onList ? 'API GET /api/tasks (JWT, cache on)' : `API GET ${API_PATH}`, url: `http://127.0.0.1:${api.port}${API_PATH}`, headers: auth, child: api.child },
      ...(uncached ? [{ key: 'nocache' as const, name: 'API GET /api/tasks, list cache off', url: `http://127.0.0.1:${uncached.port}${API_PATH}`, headers: auth, child: uncached.child }] : []),
    ];
    // BENCH_TARGETS=same,api (say) measures only those, for quick iterations on one path
    const only = process.env.BENCH_TARGETS?.split(',');
    if (only) targets.splice(0, targets.length, ...targets.filter((t) => only.includes(t.key)));
    const runs = new Map<Target['key'], Measured[]>(targets.map((t) => [t.key, []]));
    for (let round = 0; round < ROUNDS; round++) {
      for (const t of targets) runs.get(t.key)!.push(await load(t.name, t.url, t.headers, round === 0, { pid: t.child.pid!, pg: () => pgBackendsCpuUs(admin, name) }));
    }
    const m = new Map([...runs].map(([k, v]) => [k, median(v)]));
    console.log(`\n${CONNECTIONS} connections, ${DURATION}s each, ${ROUNDS} round(s) (median shown), ${(await import('node:os')).cpus().length} CPUs, response ${bytes.length} bytes\n`);
    for (const r of m.values()) {
      console.log(
        `${r.name.padEnd(36)} ${r.rps.toFixed(0).padStart(7)} req/s   p50 ${String(r.p50).padStart(4)} ms   p99 ${String(r.p99).padStart(4)} ms   ` +
          `CPU/request: server ${r.serverCpuUs.toFixed(0).padStart(4)} µs, PostgreSQL ${r.pgCpuUs.toFixed(0).padStart(4)} µs   (${r.total} requests)`,
      );
    }
    // the API's own count of how its list requests were served: a benchmark of the cache must be one
    const metricsText = await (await fetch(`http://127.0.0.1:${api.port}/metrics`)).text();
    const served = [...metricsText.matchAll(/^api_task_list_cache_requests_total\{result="(\w+)"\} (\d+)/gm)].map((x) => `${x[1]} ${x[2]}`);
    if (onList) console.log(`\nAPI list cache (cache-on server, whole run): ${served.join(', ')}`);
    const pct = (a: Measured, b: Measured): string => `${((a.rps / b.rps) * 100).toFixed(1)} %`;
    const [same, emptyM, observedM, read, apiM, nocache] = (['same', 'empty', 'observed', 'read', 'api', 'nocache'] as const).map((k) => m.get(k));
    console.log('');
    if (apiM && same) console.log(`ratio API / bare Koa (same bytes): ${pct(apiM, same)}  (target ≥ 60 %: ${apiM.rps / same.rps >= 0.6 ? 'met' : 'NOT met'})`);
    if (apiM && emptyM) console.log(`ratio API / bare Koa (empty list): ${pct(apiM, emptyM)}`);
    if (observedM && same) console.log(`floor set by the per-request log line and metrics alone: ${pct(observedM, same)} of bare (same bytes)${apiM ? `; API / that floor: ${pct(apiM, observedM)}` : ''}`);
    if (read && nocache && same) {
      console.log(`list cache off: ${pct(nocache, same!)} of bare (same bytes); ${pct(nocache, read)} of the bare handler doing the same read`);
      console.log(`ceiling with one PostgreSQL read per request: ${pct(read, same!)} of bare (same bytes)`);
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
