// The bad-input corpus (test/fixtures/bad/cases.yaml): every broken file is run through the real CLI,
// which must exit with the right code, name the right problem at the right file:line, and — for
// everything that can be found before running — run nothing at all (the marker file stays absent).
import { expect } from 'chai';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '../../engine/cli/main.js';
import { parseYamlFile } from '../../engine/load/yaml.js';

interface Case {
  name: string;
  args: string[];
  class: 'PlaybookError' | 'TemplateError' | 'ModuleArgsError' | 'UsageError';
  file: string | null;
  line?: number;
  col?: number;
  /** run-time errors may name the line of the value inside the task instead of the task's */
  value_line?: number;
  expect_exit: number;
  message?: string;
  task_ran_before?: boolean;
  no_marker?: boolean;
  why: string;
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  markerExists: boolean;
}

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const corpus = join(repo, 'test', 'fixtures', 'bad');
const cases = parseYamlFile(join(corpus, 'cases.yaml')) as Case[];
/**
 * The CLI's own entry point, main(argv), runs in this process: the same parsing, loading,
 * validation, reporters and exit codes as the `gx` binary, without paying Node and TypeScript
 * start-up 74 times (test/e2e/ runs the real binary as a process). Runs are serialised: each one
 * changes the working directory and captures process.stdout/stderr while it runs.
 */
const PARALLEL = 1;
let queue: Promise<unknown> = Promise.resolve();

function runCli(c: Case, scratch: string): Promise<Run> {
  const job = queue.then(() => runInProcess(c, scratch));
  queue = job.catch(() => undefined);
  return job;
}

async function runInProcess(c: Case, scratch: string): Promise<Run> {
  const marker = join(scratch, `${c.name}.marker`);
  const args = [...c.args, '--output', 'json', '-e', `marker=${marker}`];
  let stdout = '';
  let stderr = '';
  const capture = (sink: (s: string) => void) =>
    ((chunk: unknown, ...rest: unknown[]) => {
      sink(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
      const cb = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
      cb?.();
      return true;
    }) as typeof process.stdout.write;
  const saved = { out: process.stdout.write, err: process.stderr.write, cwd: process.cwd(), noColor: process.env.NO_COLOR };
  process.stdout.write = capture((s) => (stdout += s));
  process.stderr.write = capture((s) => (stderr += s));
  process.env.NO_COLOR = '1';
  process.chdir(corpus);
  let code: number | null;
  try {
    code = await main(args);
  } catch (err) {
    code = null;
    stderr += String(err instanceof Error ? err.stack : err);
  } finally {
    process.stdout.write = saved.out;
    process.stderr.write = saved.err;
    process.chdir(saved.cwd);
    if (saved.noColor === undefined) delete process.env.NO_COLOR;
    else process.env.NO_COLOR = saved.noColor;
  }
  return { code, stdout, stderr, markerExists: existsSync(marker) };
}

function jsonLines(stdout: string): Record<string, any>[] {
  const out: Record<string, any>[] = [];
  for (const line of stdout.split('\n')) {
    if (!line.trim().startsWith('{')) continue;
    try {
      out.push(JSON.parse(line) as Record<string, any>);
    } catch {
      // a line that merely starts with '{' is not an event
    }
  }
  return out;
}

const sameFile = (reported: unknown, expected: string): boolean =>
  typeof reported === 'string' && resolve(corpus, reported) === resolve(corpus, expected);

function explain(c: Case, r: Run): string {
  return `${c.name} (${c.why})\n--- exit ${r.code}\n--- stdout\n${r.stdout.slice(-3000)}\n--- stderr\n${r.stderr.slice(-3000)}`;
}

describe('bad-input corpus: the cases themselves', () => {
  it('has at least 40 cases with unique names and the fields the runner needs', () => {
    expect(cases.length).to.be.at.least(40);
    expect(new Set(cases.map((c) => c.name)).size).to.equal(cases.length);
    for (const c of cases) {
      expect(c.args, c.name).to.be.an('array').that.is.not.empty;
      expect(c.class, c.name).to.be.oneOf(['PlaybookError', 'TemplateError', 'ModuleArgsError', 'UsageError']);
      expect(c.expect_exit, c.name).to.be.oneOf([2, 3, 5]);
      expect(c.why, c.name).to.be.a('string');
      if (c.class === 'UsageError') expect(c.expect_exit, c.name).to.equal(5);
      if (c.task_ran_before) expect(c.expect_exit, c.name).to.equal(2);
      if (c.file !== null) expect(c.line, c.name).to.be.a('number');
    }
  });

  it('points at lines that exist in files that exist', () => {
    for (const c of cases) {
      if (c.file === null) continue;
      const path = join(corpus, c.file);
      expect(existsSync(path), `${c.name}: ${c.file}`).to.equal(true);
      const lines = readFileSync(path, 'utf8').split('\n');
      expect(c.line!, `${c.name}: line`).to.be.within(1, lines.length);
      if (c.col !== undefined) expect(c.col, `${c.name}: col`).to.be.within(1, lines[c.line! - 1]!.length + 1);
    }
  });

  it('starts each playbook with the marker task, where it can', () => {
    for (const c of cases) {
      if (c.no_marker) continue;
      const playbook = c.args[1]!;
      const text = readFileSync(join(corpus, playbook), 'utf8');
      expect(text, `${c.name}: ${playbook}`).to.include('command: touch {{ marker }}');
      // the marker is the first task that would run
      const firstNamed = text.split('\n').find((l) => /^\s*- name: /.test(l));
      expect(firstNamed?.trim(), `${c.name}: the first task`).to.equal('- name: marker');
    }
  });

  it('uses every playbook in the corpus', () => {
    const used = new Set(cases.flatMap((c) => c.args.filter((a) => a.startsWith('playbooks/') || a.startsWith('inventories/'))));
    const all = (dir: string): string[] =>
      readdirSync(join(corpus, dir))
        .filter((f) => statSync(join(corpus, dir, f)).isFile())
        .map((f) => `${dir}/${f}`);
    for (const f of [...all('playbooks'), ...all('inventories')]) expect(used.has(f), `${f} is used by no case`).to.equal(true);
  });
});

describe('bad-input corpus: through the CLI main() (--output json)', function () {
  this.timeout(300_000);
  let scratch = '';
  const runs = new Map<string, Promise<Run>>();
  const start = (c: Case): Promise<Run> => {
    if (!runs.has(c.name)) runs.set(c.name, runCli(c, scratch));
    return runs.get(c.name)!;
  };

  before(() => {
    scratch = mkdtempSync(join(tmpdir(), 'gx-bad-corpus-'));
  });

  after(async () => {
    // let runs started ahead finish before their scratch directory goes
    await Promise.all(runs.values());
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  cases.forEach((c, i) => {
    const where = c.file === null ? 'no location' : `${c.file}:${c.line}${c.col !== undefined ? `:${c.col}` : ''}`;
    it(`${c.name}: ${c.class} at ${where}, exit ${c.expect_exit}${c.task_ran_before ? ' (after the marker ran)' : ', nothing ran'}`, async () => {
      // the next runs start while this one is awaited (PARALLEL at a time), and a --grep
      // that picks a few cases runs only those (and at most PARALLEL-1 neighbours)
      for (const next of cases.slice(i + 1, i + PARALLEL)) void start(next);
      const r = await start(c);
      const why = explain(c, r);
      expect(r.code, why).to.equal(c.expect_exit);
      const events = jsonLines(r.stdout);

      if (c.task_ran_before) {
        // found on the host at run time: a failed result that names the variable and the place
        const failed = events.filter((e) => e.type === 'host.result' && e.result?.status === 'failed').map((e) => String(e.result.msg ?? ''));
        const places = [c.line, c.value_line].filter((l) => l !== undefined).map((l) => `${basename(c.file!)}:${l}:`);
        expect(
          failed.some((m) => m.includes(c.message!) && places.some((p) => m.includes(p)) && !/internal error/i.test(m)),
          `a failed result naming '${c.message}' at ${places.join(' or ')}\n${why}`,
        ).to.equal(true);
      } else {
        const errors = events.filter((e) => e.type === 'error');
        const match = errors.find(
          (e) =>
            e.class === c.class &&
            (c.file === null || (sameFile(e.file, c.file) && e.line === c.line && (c.col === undefined || e.col === c.col))) &&
            (c.message === undefined || String(e.message).includes(c.message)),
        );
        expect(match, `an error ${c.class} at ${where}${c.message ? ` mentioning '${c.message}'` : ''}\n${why}`).not.to.equal(undefined);
        // the human text names the same place
        if (c.file !== null) expect(r.stderr, why).to.include(`:${c.line}:`);
      }
      expect(r.markerExists, `the marker task ${c.task_ran_before ? 'should have' : 'must not have'} run\n${why}`).to.equal(Boolean(c.task_ran_before));
    });
  });
});
