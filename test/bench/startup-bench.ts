// `npm run bench:startup`: the installed command's start-up (`node dist/engine/cli/main.js`, what
// `npm link` puts on PATH), timed on a trivial local play (test/bench/startup-play.yaml: one debug
// task on the implicit localhost). Prints the median wall time over N runs, next to a bare `node -e 0`
// and, when GX_STARTUP_BASELINE names another build's dist folder (e.g. the previous commit's, built
// with `npx tsc --outDir <dir>`), that build in the same run; and gx without its V8 code cache
// (engine/cli/bin.ts). It is not a test. Issue 16's target: ≤ 150 ms.
// Knobs: GX_STARTUP_RUNS (default 20), GX_STARTUP_BASELINE=<dist dir>, GX_STARTUP_NO_BUILD=1.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const play = join(repo, 'test', 'bench', 'startup-play.yaml');
const runs = Number(process.env.GX_STARTUP_RUNS ?? 20);

if (!process.env.GX_STARTUP_NO_BUILD) execFileSync('npm', ['run', 'build'], { cwd: repo, stdio: ['ignore', 'ignore', 'inherit'] });

// CPU time (user + system) is printed too: on a shared machine it moves less than wall time
const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

function once(args: string[], env: NodeJS.ProcessEnv = {}): { ms: number; cpu?: number } {
  const t0 = process.hrtime.bigint();
  const [cmd, argv] = TIME ? [TIME, ['-f', 'gx-cpu %U %S', process.execPath, ...args]] : [process.execPath, args];
  const r = spawnSync(cmd, argv, { cwd: repo, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, NO_COLOR: '1', ...env } });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited ${r.status}: ${r.stderr.toString()}`);
  const m = /gx-cpu ([\d.]+) ([\d.]+)/.exec(r.stderr.toString());
  return { ms, cpu: m ? (Number(m[1]) + Number(m[2])) * 1000 : undefined };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

const subjects: [string, string[], NodeJS.ProcessEnv?][] = [['node -e 0', ['-e', '0']]];
const baseline = process.env.GX_STARTUP_BASELINE;
if (baseline) {
  const main = join(resolve(baseline), 'engine', 'cli', 'main.js');
  if (!existsSync(main)) throw new Error(`GX_STARTUP_BASELINE: no ${main}`);
  subjects.push([`baseline (${baseline})`, [main, 'play', play]]);
}
const gx = [join(repo, 'dist', 'engine', 'cli', 'main.js'), 'play', play];
subjects.push(['gx without its code cache (GX_NO_COMPILE_CACHE=1)', gx, { GX_NO_COMPILE_CACHE: '1' }]);
subjects.push(['gx (dist/engine/cli/main.js)', gx]);

const times = new Map<string, number[]>(subjects.map(([name]) => [name, []]));
const cpus = new Map<string, number[]>(subjects.map(([name]) => [name, []]));
for (const [, args, env] of subjects) once(args, env); // warm the file cache (and gx's code cache)
// interleaved, so load changes hit every subject alike
for (let i = 0; i < runs; i++) {
  for (const [name, args, env] of subjects) {
    const r = once(args, env);
    times.get(name)!.push(r.ms);
    if (r.cpu !== undefined) cpus.get(name)!.push(r.cpu);
  }
}

console.log(`start-up of a trivial local play, median of ${runs} runs (load average ${loadavg().map((l) => l.toFixed(2)).join(' ')})`);
for (const [name] of subjects) {
  const xs = times.get(name)!;
  const cpu = cpus.get(name)!;
  const cpuText = cpu.length ? `   CPU ${median(cpu).toFixed(0).padStart(4)} ms` : '';
  console.log(`  ${name.padEnd(50)} ${median(xs).toFixed(1).padStart(7)} ms   (min ${Math.min(...xs).toFixed(1)}, max ${Math.max(...xs).toFixed(1)})${cpuText}`);
}
console.log('  target (issue 16): <= 150 ms');
