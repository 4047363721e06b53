// `npm run bench`: the reference play (../shared/bench/play.yml) with ansible-playbook and the
// same play for gx (playbooks/bench/play.yaml) on the same loopback sshd hosts, 3 and 10 hosts,
// first run and no-op re-run, times and ratio from the same run; gx's peak RSS; then gx alone on
// 50 hosts x 100 tasks (no-op), against one command round trip on an open connection.
// Not a test: it prints figures. Hosts come from test/services/sshd-hosts.sh start-bench.
//
// gx runs as the installed command does: `npm run build`, then node dist/engine/cli/main.js (the
// package's bin), so its time is not tsx compiling TypeScript at start-up. Ansible is Debian's
// ansible-core (`apt-get install ansible-core`; the bench stops with that hint when it is missing). Ansible gets its best settings:
// pipelining, forks = hosts, no fact gathering, a fixed interpreter (no discovery round trip),
// ControlPersist (its default).
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConnectionPool } from '../../engine/connect/pool.js';
import { SshConnection, type ConnectTiming } from '../../engine/connect/ssh/connection.js';
import { runServiceScript } from '../setup/services.js';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const script = join(repo, 'test', 'services', 'sshd-hosts.sh');
// beside the main checkout (../shared) or beside a worktree under wt/ (../../shared)
const ansiblePlay = [resolve(repo, '..', 'shared', 'bench', 'play.yml'), resolve(repo, '..', '..', 'shared', 'bench', 'play.yml')].find((f) => existsSync(f)) ?? resolve(repo, '..', 'shared', 'bench', 'play.yml');
const gxPlay = join(repo, 'playbooks', 'bench', 'play.yaml');
const bundle = join(repo, 'dist', 'engine', 'cli', 'main.js');
const work = mkdtempSync(join(tmpdir(), 'gx-bench-'));
const SIZES = (process.env.GX_BENCH_SIZES ?? '3,10').split(',').map(Number);
const SCALE_HOSTS = Number(process.env.GX_BENCH_SCALE_HOSTS ?? 50);
const SCALE_TASKS = Number(process.env.GX_BENCH_SCALE_TASKS ?? 100);
/** GX_BENCH_GX_ONLY=1: gx alone (no Ansible runs, no ratios), for quick rounds while working */
const GX_ONLY = process.env.GX_BENCH_GX_ONLY === '1';
/**
 * gx's first run and no-op re-run are each timed RUNS times (the hosts cleaned before each first
 * run) and the median is shown: one gx run is ~0.4 s and moves ±40 ms on this machine from run
 * to run, so a single sample decided the ratio. Ansible's runs (~30 s, a few % apart) once each.
 */
const RUNS = Math.max(1, Number(process.env.GX_BENCH_RUNS ?? 5));
const NO_RUN: Timed = { ms: NaN, rc: 0, out: '' };
const RSS_PROBE =
  'data:text/javascript,import{writeFileSync}from"node:fs";process.on("exit",()=>{const u=process.resourceUsage();writeFileSync(process.env.GX_BENCH_RSS_FILE,`${u.maxRSS} ${(u.userCPUTime+u.systemCPUTime)/1000}`)})';

interface Env {
  hosts: string[];
  knownHosts: string;
  user: string;
  key: string;
  port: number;
}

function startHosts(n: number): Env {
  const v = runServiceScript(script, ['start-bench', String(n)]);
  return { hosts: v.GX_BENCH_SSH_HOSTS!.split(','), knownHosts: v.GX_BENCH_SSH_KNOWN_HOSTS!, user: v.GX_TEST_SSH_USER!, key: v.GX_TEST_SSH_KEY!, port: Number(v.GX_TEST_SSH_PORT) };
}

function buildGx(): void {
  if (process.env.GX_BENCH_NO_BUILD !== '1') execFileSync('npm', ['run', 'build'], { cwd: repo, stdio: ['ignore', 'ignore', 'inherit'] });
}

function needAnsible(): void {
  try {
    execFileSync('ansible-playbook', ['--version'], { stdio: 'ignore' });
  } catch {
    throw new Error('ansible-playbook not found: install it with `apt-get install ansible-core` (Debian 12: ansible-core 2.14)');
  }
}

interface Timed {
  ms: number;
  rc: number;
  out: string;
  rssKb?: number;
  /** the process's own CPU time (user + system), ms: on a shared machine it moves less than wall time */
  cpuMs?: number;
  /** for a median of several runs: the fastest and slowest */
  spread?: string;
}

function timed(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<Timed> {
  return new Promise((resolvePromise, reject) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, { cwd: work, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ ms: performance.now() - t0, rc: code ?? -1, out }));
  });
}

/**
 * The no-op re-run with the opt-in connection holder (GX_SSH_PERSIST; engine/connect/ssh/holder.ts),
 * apart from the rows above, which run without it: one run to start the holder, then RUNS timed
 * runs that reach the hosts through it, then the holder is stopped. Its own cache directory, so
 * the user's holder (if any) is left alone.
 */
async function withHolder(inventory: string, n: number, ansibleNoop: Timed): Promise<string> {
  const xdg = mkdtempSync(join(work, 'xdg-'));
  const env = { GX_SSH_PERSIST: '60', XDG_CACHE_HOME: xdg };
  try {
    check('gx holder warm-up', await gx(gxPlay, inventory, n, env), true);
    const runs: Timed[] = [];
    for (let r = 0; r < RUNS; r++) {
      const t = await gx(gxPlay, inventory, n, env);
      check(`gx ${n} no-op (holder)`, t, true);
      runs.push(t);
    }
    const m = medianRun(runs);
    return `${String(n).padStart(5)}  no-op    ${s(ansibleNoop.ms).padStart(9)}  ${s(m.ms).padStart(8)}  ${(ansibleNoop.ms / m.ms).toFixed(1).padStart(6)}x  ${mb(m.rssKb).padStart(7)}  ${s(m.cpuMs!).padStart(7)}  ${m.spread}  <- opt-in holder (GX_SSH_PERSIST), connections kept from the run before`;
  } finally {
    try {
      execFileSync('pkill', ['-f', `__ssh-holder ${join(xdg, 'gx')}`]);
    } catch {
      // already gone
    }
  }
}

/** the run with the median wall time (its own RSS and CPU kept with it), and the spread for the table */
function medianRun(runs: Timed[]): Timed {
  const sorted = [...runs].sort((a, b) => a.ms - b.ms);
  const mid = sorted[sorted.length >> 1]!;
  return { ...mid, spread: runs.length > 1 ? `${(sorted[0]!.ms / 1000).toFixed(2)}-${(sorted[sorted.length - 1]!.ms / 1000).toFixed(2)} s` : '' };
}

function changedCount(out: string): number {
  return [...out.matchAll(/changed=(\d+)/g)].reduce((n, m) => n + Number(m[1]), 0);
}

function check(what: string, r: Timed, noop: boolean): void {
  const changed = changedCount(r.out);
  if (r.rc !== 0 || !/PLAY RECAP/.test(r.out) || (noop ? changed !== 0 : changed === 0)) {
    const why = r.out.split('\n').filter((l) => /unreachable!|fatal|failed!|error/i.test(l));
    process.stderr.write(`${why.slice(0, 20).join('\n')}\n...\n${r.out.slice(-2000)}`);
    throw new Error(`${what}: exit ${r.rc}, changed=${changed} (expected ${noop ? 'none' : 'some'})`);
  }
}

function inventories(env: Env, n: number, prefix: string): { ini: string; yaml: string } {
  const hosts = env.hosts.slice(0, n);
  const common = { ansible_port: env.port, ansible_user: env.user, ansible_ssh_private_key_file: env.key };
  const ini = [
    '[bench]',
    ...hosts.map((h, i) => `${prefix}${i + 1} ansible_host=${h}`),
    '[bench:vars]',
    ...Object.entries(common).map(([k, v]) => `${k}=${v}`),
    'ansible_python_interpreter=/usr/bin/python3',
    '',
  ].join('\n');
  const yaml = [
    'bench:',
    '  hosts:',
    ...hosts.map((h, i) => `    ${prefix}${i + 1}: { ansible_host: "${h}" }`),
    '  vars:',
    ...Object.entries(common).map(([k, v]) => `    ${k}: ${JSON.stringify(v)}`),
    `    gx_known_hosts: ${JSON.stringify(env.knownHosts)}`,
    '',
  ].join('\n');
  return { ini, yaml };
}

function ansibleCfg(env: Env, forks: number): string {
  const file = join(work, `ansible-${forks}.cfg`);
  writeFileSync(
    file,
    [
      '[defaults]',
      `forks = ${forks}`,
      'gathering = explicit',
      'retry_files_enabled = False',
      // a loaded 2-core machine can take more than the default 10 s to set up a connection
      'timeout = 60',
      'host_key_checking = True',
      `local_tmp = ${join(work, 'ansible-local')}`,
      '[ssh_connection]',
      'pipelining = True',
      `control_path_dir = ${join(work, 'cp')}`,
      `ssh_args = -C -o ControlMaster=auto -o ControlPersist=60s -o UserKnownHostsFile=${env.knownHosts} -o StrictHostKeyChecking=yes`,
      '',
    ].join('\n'),
  );
  return file;
}

/** ends Ansible's ControlPersist masters (each by its own control socket) */
function stopAnsibleMasters(): void {
  const dir = join(work, 'cp');
  if (!existsSync(dir)) return;
  for (const sock of readdirSync(dir)) {
    try {
      execFileSync('ssh', ['-O', 'exit', '-o', `ControlPath=${join(dir, sock)}`, 'ignored'], { stdio: 'ignore', timeout: 5000 });
    } catch {
      // already gone
    }
  }
}

async function withPool<T>(env: Env, hosts: string[], fn: (pool: ConnectionPool, vars: (h: string) => Record<string, unknown>) => Promise<T>): Promise<T> {
  const pool = new ConnectionPool();
  const vars = (h: string): Record<string, unknown> => ({ ansible_host: h, ansible_port: env.port, ansible_user: env.user, ansible_ssh_private_key_file: env.key, gx_known_hosts: env.knownHosts, gx_ssh_config: 'none' });
  try {
    return await fn(pool, vars);
  } finally {
    await pool.closeAll();
  }
}

async function clean(env: Env, hosts: string[]): Promise<void> {
  await withPool(env, hosts, (pool, vars) => Promise.all(hosts.map(async (h) => (await pool.get(h, vars(h))).run({ shell: 'rm -rf /tmp/gxbench /tmp/gxscale' }))));
}

/** one command round trip on an open connection: a subshell only (no exec), and `true` (one exec) */
async function roundTrip(env: Env): Promise<{ subshell: number; exec: number }> {
  return withPool(env, [env.hosts[0]!], async (pool, vars) => {
    const conn = await pool.get(env.hosts[0]!, vars(env.hosts[0]!));
    const median = async (opts: { shell?: string; argv?: string[] }): Promise<number> => {
      const times: number[] = [];
      for (let i = 0; i < 300; i++) {
        const t0 = performance.now();
        await conn.run(opts);
        times.push(performance.now() - t0);
      }
      return times.sort((a, b) => a - b)[times.length >> 1]!;
    };
    return { subshell: await median({ shell: ':' }), exec: await median({ argv: ['true'] }) };
  });
}

async function gx(playbook: string, inventory: string, forks: number, env: NodeJS.ProcessEnv = {}): Promise<Timed> {
  const rssFile = join(work, 'rss');
  const r = await timed(process.execPath, ['--import', RSS_PROBE, bundle, 'play', '-i', inventory, playbook, '--output', 'plain', '-f', String(forks)], { GX_BENCH_RSS_FILE: rssFile, ...env });
  const [rss, cpu] = readFileSync(rssFile, 'utf8').split(' ');
  r.rssKb = Number(rss);
  r.cpuMs = Number(cpu);
  return r;
}

function ansible(playbook: string, inventory: string, cfg: string): Promise<Timed> {
  return timed('ansible-playbook', ['-i', inventory, playbook], { ANSIBLE_CONFIG: cfg, ANSIBLE_PIPELINING: 'True', ANSIBLE_NOCOLOR: '1' });
}

function scalePlay(tasks: number): string {
  const lines = ['- hosts: bench', '  gather_facts: false', '  vars:', '    base: "/tmp/gxscale/{{ inventory_hostname }}"', '  tasks:', '    - name: base', '      file: { path: "{{ base }}", state: directory }'];
  for (let i = 1; i < tasks; i++) {
    const kind = i % 4;
    if (kind === 0) lines.push(`    - name: dir ${i}`, `      file: { path: "{{ base }}/d${i}", state: directory, mode: "0755" }`);
    else if (kind === 1) lines.push(`    - name: file ${i}`, `      copy: { dest: "{{ base }}/f${i}.conf", content: "value=${i}\\n" }`);
    else if (kind === 2) lines.push(`    - name: line ${i}`, `      lineinfile: { path: "{{ base }}/lines.conf", line: "l${i}=1", create: true }`);
    else lines.push(`    - name: cmd ${i}`, `      command: touch {{ base }}/m${i}`, `      args: { creates: "{{ base }}/m${i}" }`);
  }
  const file = join(work, 'scale.yaml');
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

/**
 * The cost of connecting, measured in this process with gx's own connection code: the hosts opened
 * all at once (start -> every session open: shell and SFTP), and each host's steps on the client
 * side (TCP, key exchange with the host key check, auth, the shell; the SFTP session opens beside
 * the shell), medians over the hosts; then the same one host at a time (no contention).
 */
async function connectCost(env: Env, n: number): Promise<string[]> {
  const hosts = env.hosts.slice(0, n);
  const phases = (t: ConnectTiming): Record<string, number> => ({
    tcp: t.tcp! - t.start!,
    'key exchange': t.kex! - t.tcp!,
    auth: t.auth! - t.kex!,
    shell: t.shell! - t.auth!,
    sftp: t.sftp! - t.auth!,
    total: Math.max(t.shell!, t.sftp!) - t.start!,
  });
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
  const summary = (ts: ConnectTiming[]): string =>
    Object.entries(ts.map(phases).reduce<Record<string, number[]>>((acc, p) => {
      for (const [k, v] of Object.entries(p)) (acc[k] ??= []).push(v);
      return acc;
    }, {}))
      .map(([k, xs]) => `${k} ${median(xs).toFixed(1)}`)
      .join(', ');
  const open = async (pool: ConnectionPool, vars: (h: string) => Record<string, unknown>, h: string): Promise<ConnectTiming> => {
    const conn = (await pool.get(h, vars(h))) as SshConnection;
    // connected = authenticated; the shell and the SFTP session open beside each other after
    // that: wait for both (a command goes through the shell, a stat over SFTP)
    await Promise.all([conn.run({ shell: ':' }), conn.stat('/')]);
    return conn.timing;
  };
  const all = await withPool(env, hosts, async (pool, vars) => {
    const t0 = performance.now();
    const ts = await Promise.all(hosts.map((h) => open(pool, vars, h)));
    return { ms: performance.now() - t0, ts };
  });
  const one: ConnectTiming[] = [];
  for (const h of hosts) one.push(await withPool(env, [h], (pool, vars) => open(pool, vars, h)));
  return [
    `connecting (gx's connection code in the bench process, ${n} hosts): all at once, start -> all sessions open (shell and SFTP): ${all.ms.toFixed(0)} ms`,
    `  each host, ms (median; all at once):   ${summary(all.ts)}`,
    `  each host, ms (median; one at a time): ${summary(one)}`,
  ];
}

const s = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
const mb = (kb?: number): string => (kb === undefined ? '-' : `${(kb / 1024).toFixed(0)} MB`);

async function main(): Promise<void> {
  if (!GX_ONLY && !existsSync(ansiblePlay)) throw new Error(`${ansiblePlay} not found (the shared bench play sits at ../shared/bench beside the repo)`);
  if (!GX_ONLY) needAnsible();
  const env = startHosts(Math.max(SCALE_HOSTS, ...SIZES));
  buildGx();
  const rt = await roundTrip(env);
  const connecting = await connectCost(env, Math.max(...SIZES));
  const rows: string[] = [];
  let holderRow = '';
  for (const n of SIZES) {
    const hosts = env.hosts.slice(0, n);
    await clean(env, hosts);
    const ansibleInv = join(work, `ansible-${n}.ini`);
    const gxInv = join(work, `gx-${n}.yaml`);
    writeFileSync(ansibleInv, inventories(env, n, 'a').ini);
    writeFileSync(gxInv, inventories(env, n, 'g').yaml);
    const cfg = ansibleCfg(env, n);
    let aFirst = NO_RUN;
    let aNoop = NO_RUN;
    if (!GX_ONLY) {
      process.stderr.write(`bench: ${n} hosts: ansible first run...\n`);
      aFirst = await ansible(ansiblePlay, ansibleInv, cfg);
      check(`ansible ${n} first`, aFirst, false);
      process.stderr.write(`bench: ${n} hosts: ansible no-op re-run...\n`);
      aNoop = await ansible(ansiblePlay, ansibleInv, cfg);
      check(`ansible ${n} no-op`, aNoop, true);
      stopAnsibleMasters();
    }
    process.stderr.write(`bench: ${n} hosts: gx first run and no-op re-run, ${RUNS} times...\n`);
    const firsts: Timed[] = [];
    const noops: Timed[] = [];
    for (let r = 0; r < RUNS; r++) {
      await clean(env, hosts);
      const first = await gx(gxPlay, gxInv, n);
      check(`gx ${n} first`, first, false);
      firsts.push(first);
      const noop = await gx(gxPlay, gxInv, n);
      check(`gx ${n} no-op`, noop, true);
      noops.push(noop);
    }
    const gFirst = medianRun(firsts);
    const gNoop = medianRun(noops);
    if (n === Math.max(...SIZES)) holderRow = await withHolder(gxInv, n, aNoop);
    rows.push(`${String(n).padStart(5)}  first    ${s(aFirst.ms).padStart(9)}  ${s(gFirst.ms).padStart(8)}  ${(aFirst.ms / gFirst.ms).toFixed(1).padStart(6)}x  ${mb(gFirst.rssKb).padStart(7)}  ${s(gFirst.cpuMs!).padStart(7)}  ${gFirst.spread}`);
    rows.push(`${String(n).padStart(5)}  no-op    ${s(aNoop.ms).padStart(9)}  ${s(gNoop.ms).padStart(8)}  ${(aNoop.ms / gNoop.ms).toFixed(1).padStart(6)}x  ${mb(gNoop.rssKb).padStart(7)}  ${s(gNoop.cpuMs!).padStart(7)}  ${gNoop.spread}`);
  }

  process.stderr.write(`bench: scale: ${SCALE_HOSTS} hosts x ${SCALE_TASKS} tasks...\n`);
  const scaleHosts = env.hosts.slice(0, SCALE_HOSTS);
  await clean(env, scaleHosts);
  const scaleInv = join(work, 'gx-scale.yaml');
  writeFileSync(scaleInv, inventories(env, SCALE_HOSTS, 's').yaml);
  const play = scalePlay(SCALE_TASKS);
  const sFirst = await gx(play, scaleInv, SCALE_HOSTS);
  check('gx scale first', sFirst, false);
  const sNoop = await gx(play, scaleInv, SCALE_HOSTS);
  check('gx scale no-op', sNoop, true);
  // the same play on one host: how long one task takes on a host when nothing else competes
  const oneInv = join(work, 'gx-one.yaml');
  writeFileSync(oneInv, inventories(env, 1, 's').yaml);
  const oneNoop = await gx(play, oneInv, 1);
  check('gx one-host no-op', oneNoop, true);
  await clean(env, scaleHosts);

  const perTask = sNoop.ms / SCALE_TASKS;
  const perTaskHost = sNoop.ms / (SCALE_TASKS * SCALE_HOSTS);
  const out = [
    `gx vs Ansible (${GX_ONLY ? 'not run' : execFileSync('ansible-playbook', ['--version'], { encoding: 'utf8' }).split('\n')[0]}, pipelining, forks = hosts, no facts), same loopback sshd hosts, same run (load average at the end ${loadavg().map((l) => l.toFixed(1)).join(' ')}):`,
    `hosts  run        ansible        gx   ratio  gx RSS   gx CPU  gx range (gx: median of ${RUNS} runs; Ansible: one run)`,
    ...rows,
    holderRow,
    '',
    `scale, gx alone: ${SCALE_HOSTS} hosts x ${SCALE_TASKS} tasks, no-op: ${s(sNoop.ms)}, peak RSS ${mb(sNoop.rssKb)}, CPU ${s(sNoop.cpuMs!)} (first run ${s(sFirst.ms)}, ${mb(sFirst.rssKb)})`,
    `  per task (all ${SCALE_HOSTS} hosts at once): ${perTask.toFixed(1)} ms; per task per host: ${perTaskHost.toFixed(2)} ms of wall time`,
    `  the same ${SCALE_TASKS} tasks on 1 host, no-op: ${s(oneNoop.ms)}, ${(oneNoop.ms / SCALE_TASKS).toFixed(1)} ms per task (process start-up included)`,
    `  one round trip on an open connection: ${rt.subshell.toFixed(2)} ms (subshell), ${rt.exec.toFixed(2)} ms (one exec: true)`,
    '',
    ...connecting,
  ];
  process.stdout.write(`${out.join('\n')}\n`);
}

main()
  .catch((err: unknown) => {
    process.stderr.write(`bench failed: ${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = 1;
  })
  .finally(() => {
    stopAnsibleMasters();
    if (process.env.GX_BENCH_KEEP_HOSTS !== '1') execFileSync('bash', [script, 'stop-bench'], { stdio: 'inherit' });
    rmSync(work, { recursive: true, force: true });
  });
