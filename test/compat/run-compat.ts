// `npm run compat -- [--content DIR] [--only id,id] [--refresh-reference] [--json FILE]`
//
// Runs real public Ansible content (test/compat/items.yaml, exported outside the repo: see
// test/compat/README.md) with ansible-playbook (the reference) and with gx, side by side on this
// machine (connection local), each run in its own throwaway copy of the content, and prints one line
// per item and the share of the items ansible-playbook finishes that gx finishes the same way.
//
// "Finishes" means: exit status 0 and no host with failed or unreachable tasks in the recap, which
// is what a clean ansible-playbook run looks like. gx "finishes the same way" when it finishes on an
// item that ansible-playbook finishes. "Same recap" is the stricter count: the same hosts with the
// same ok/changed/unreachable/failed/skipped/rescued/ignored numbers.
//
// ansible-playbook's results do not depend on gx, so they are kept in <content>/.reference/ and
// reused (--refresh-reference runs it again); gx's output of the last run is in <content>/.logs/. It is not a test: it needs ansible-playbook
// (apt-get install ansible-core) and root (some targets create users and files as Ansible's CI does).
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import YAML from 'yaml';
import { classify, label } from './classify.js';
import { finished, firstError, loadErrors, parseRecap, sameRecap, type RunOutcome } from './outcome.js';

interface Item {
  id: string;
  dir: string;
  role?: string;
  playbook?: string;
  inventory?: string;
  args?: string[];
  roles?: string;
}

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

function option(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const flag = (name: string) => process.argv.includes(name);

const content = resolve(option('--content') ?? process.env.GX_COMPAT_CONTENT ?? '/work/compat-content');
const only = option('--only')?.split(',');
const gxRoot = resolve(option('--gx-root') ?? process.env.GX_COMPAT_GX_ROOT ?? repo);
const timeoutSeconds = Number(option('--timeout') ?? 600);
const jsonOut = option('--json');
const refresh = flag('--refresh-reference');

if (!existsSync(content)) {
  console.error(`compat: no content directory ${content} (--content DIR or GX_COMPAT_CONTENT; test/compat/README.md says how to export it)`);
  process.exit(2);
}

const allItems = (YAML.parse(readFileSync(join(repo, 'test', 'compat', 'items.yaml'), 'utf8')) as { items: Item[] }).items;
const items = only ? allItems.filter((i) => only.includes(i.id)) : allItems;

// ansible-test's generated inventory for POSIX targets on the controller (ansible_test/_internal/inventory.py)
const INVENTORY = {
  all: {
    children: {
      testgroup: {
        hosts: { testhost: { ansible_connection: 'local', ansible_pipelining: 'yes', ansible_python_interpreter: '/usr/bin/python3' } },
      },
    },
  },
};

function run(cmd: string, args: string[], cwd: string, env: Record<string, string>): Promise<RunOutcome> {
  const started = Date.now();
  return new Promise((done) => {
    const child = spawn(cmd, args, { cwd, env: { ...process.env, ...env }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }, timeoutSeconds * 1000);
    child.on('close', (status) => {
      clearTimeout(timer);
      const outcome: RunOutcome = {
        status,
        timedOut,
        recap: parseRecap(output),
        // a crash (a stack trace, gx that could not start) has no ERROR!/fatal line: its Error line
        firstError: timedOut
          ? `timed out after ${timeoutSeconds} s`
          : firstError(output) || (status !== 0 ? (output.split('\n').find((l) => /\b\w*Error\b|ERR_/.test(l)) ?? '') : ''),
        seconds: Math.round((Date.now() - started) / 100) / 10,
      };
      done(Object.assign(outcome, { output }));
    });
  });
}

/**
 * The directories of the item's tree that a run can reach: its own, the shared setup_* and prepare_*
 * roles, and the targets its `aliases` file names as `needs/target/<name>` (as ansible-test does).
 */
function neededDirs(item: Item): string[] {
  const [top, own] = item.dir.split('/') as [string, string];
  const all = readdirSync(join(content, top));
  const aliases = join(content, item.dir, 'aliases');
  const needs = existsSync(aliases) ? [...readFileSync(aliases, 'utf8').matchAll(/needs\/target\/([\w-]+)/g)].map((m) => m[1]!) : [];
  return [...new Set([own, ...all.filter((d) => /^(setup_|prepare_)/.test(d)), ...needs])];
}

/** A throwaway copy of the item's content tree, with the generated inventory and play beside it. */
function workspace(item: Item, tool: string): { cwd: string; root: string; output: string; inventory: string; playbook: string; roles: string } {
  const top = item.dir.split('/')[0]!;
  const base = mkdtempSync(join(tmpdir(), `gx-compat-${tool}-`));
  for (const dir of neededDirs(item)) cpSync(join(content, top, dir), join(base, top, dir), { recursive: true });
  const cwd = join(base, item.dir);
  const output = join(base, 'output');
  mkdirSync(output);
  const inventory = item.inventory ? join(cwd, item.inventory) : join(base, 'inventory.yml');
  if (!item.inventory) writeFileSync(inventory, YAML.stringify(INVENTORY));
  let playbook: string;
  if (item.role) {
    // ansible-test's play for a role target (commands/integration/__init__.py, command_integration_role)
    playbook = join(base, `${item.role}-play.yml`);
    writeFileSync(playbook, YAML.stringify([{ hosts: 'testhost', gather_facts: true, vars: { output_dir: output }, roles: [item.role] }]));
  } else {
    playbook = join(cwd, item.playbook!);
  }
  const roles = item.roles ? join(base, item.roles) : dirname(cwd);
  return { cwd, root: base, output, inventory, playbook, roles };
}

type Outcome = RunOutcome & { output?: string };

async function reference(item: Item): Promise<Outcome> {
  const cacheDir = join(content, '.reference');
  const cache = join(cacheDir, `${item.id.replace(/\//g, '__')}.json`);
  if (!refresh && existsSync(cache)) return JSON.parse(readFileSync(cache, 'utf8')) as Outcome;
  const ws = workspace(item, 'ansible');
  try {
    const outcome = await run('ansible-playbook', ['-i', ws.inventory, ws.playbook, ...(item.args ?? [])], ws.cwd, {
      ANSIBLE_ROLES_PATH: ws.roles,
      OUTPUT_DIR: ws.output,
      ANSIBLE_NOCOLOR: '1',
      ANSIBLE_FORCE_COLOR: '0',
      ANSIBLE_RETRY_FILES_ENABLED: '0',
      ANSIBLE_LOCAL_TEMP: join(ws.root, 'ansible-local'),
    });
    mkdirSync(cacheDir, { recursive: true });
    writeFileSync(cache, JSON.stringify(outcome, null, 1));
    return outcome;
  } finally {
    rmSync(ws.root, { recursive: true, force: true });
  }
}

async function gx(item: Item): Promise<Outcome> {
  const ws = workspace(item, 'gx');
  try {
    const main = join(gxRoot, 'engine', 'cli', 'main.ts');
    // -v: a failure shows its whole result (an assert's false condition), as ansible-playbook's
    // default output does without -v. tsx from the gx tree: `--import tsx` would look for it in the item's directory
    const tsx = pathToFileURL(join(gxRoot, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
    return await run(
      process.execPath,
      ['--import', tsx, main, 'play', '-i', ws.inventory, ws.playbook, '--roles-path', ws.roles, '--output', 'plain', '-v', ...(item.args ?? [])],
      ws.cwd,
      // ansible-test gives every run OUTPUT_DIR (lookup_pipe reads it)
      { NO_COLOR: '1', OUTPUT_DIR: ws.output },
    );
  } finally {
    rmSync(ws.root, { recursive: true, force: true });
  }
}

function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, ' ⏎ ').slice(0, 220);
}

interface Row {
  id: string;
  ansible: { finished: boolean; status: number | null; firstError: string; seconds: number };
  gx: { finished: boolean; status: number | null; firstError: string; seconds: number; sameRecap: boolean; class: string; loadProblems: string[] };
}

const rows: Row[] = [];
for (const item of items) {
  const a = await reference(item);
  const g = await gx(item);
  mkdirSync(join(content, '.logs'), { recursive: true });
  writeFileSync(join(content, '.logs', `${item.id.replace(/\//g, '__')}.gx.txt`), g.output ?? '');
  const aFinished = finished(a);
  const gFinished = finished(g);
  const same = aFinished && gFinished && sameRecap(a, g);
  const cls = gFinished ? '' : label(classify(g.firstError || (g.status !== 0 ? `exit status ${g.status}` : '')));
  rows.push({
    id: item.id,
    ansible: { finished: aFinished, status: a.status, firstError: a.firstError, seconds: a.seconds },
    gx: {
      finished: gFinished,
      status: g.status,
      firstError: g.firstError,
      seconds: g.seconds,
      sameRecap: same,
      class: cls,
      loadProblems: [...new Set(loadErrors(g.output ?? '').map((e) => label(classify(e))))],
    },
  });
  const verdict = !aFinished ? 'ansible fails' : gFinished ? (same ? 'SAME (recap too)' : 'same (recap differs)') : 'DIFFERS';
  const detail = !aFinished
    ? oneLine(a.firstError)
    : gFinished
      ? same
        ? ''
        : `ansible ${JSON.stringify(a.recap)} gx ${JSON.stringify(g.recap)}`
      : `[${cls}] ${oneLine(g.firstError)}`;
  console.log(`${item.id.padEnd(42)} ${verdict.padEnd(20)} a=${a.seconds}s gx=${g.seconds}s ${detail}`);
}

const reference_ = rows.filter((r) => r.ansible.finished);
const same = reference_.filter((r) => r.gx.finished);
const sameRecapCount = reference_.filter((r) => r.gx.sameRecap).length;
const pct = (n: number) => (reference_.length ? Math.round((100 * n) / reference_.length) : 0);
console.log('');
console.log(`ansible-playbook finished ${reference_.length}/${rows.length} items`);
console.log(`gx finished the same way: ${same.length}/${reference_.length} = ${pct(same.length)} % (same recap: ${sameRecapCount}/${reference_.length} = ${pct(sameRecapCount)} %)`);

const byKind = new Map<string, string[]>();
const byLabel = new Map<string, string[]>();
for (const r of reference_.filter((r) => !r.gx.finished)) {
  const kind = r.gx.class.split(':')[0]!;
  byKind.set(kind, [...(byKind.get(kind) ?? []), r.id]);
  byLabel.set(r.gx.class, [...(byLabel.get(r.gx.class) ?? []), r.id]);
}
const ranked = (m: Map<string, string[]>) => [...m.entries()].sort((x, y) => y[1].length - x[1].length || x[0].localeCompare(y[0]));
console.log('\nwhat stops gx (first error, by kind):');
for (const [k, ids] of ranked(byKind)) console.log(`  ${String(ids.length).padStart(3)}  ${k}  (${ids.join(', ')})`);
console.log('\nby detail:');
for (const [k, ids] of ranked(byLabel)) console.log(`  ${String(ids.length).padStart(3)}  ${k}`);

// fixing the first load problem only shows the next: rank every problem gx found while loading
const everyLoad = new Map<string, string[]>();
for (const r of reference_.filter((r) => !r.gx.finished)) {
  for (const l of r.gx.loadProblems) everyLoad.set(l, [...(everyLoad.get(l) ?? []), r.id]);
}
console.log('\nevery load-time problem (items it appears in; an item can have several):');
for (const [k, ids] of ranked(everyLoad)) console.log(`  ${String(ids.length).padStart(3)}  ${k}`);

if (jsonOut) writeFileSync(jsonOut, JSON.stringify({ content, gxRoot, rows }, null, 1));
