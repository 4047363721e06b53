// Puts the command doubles of test/doubles/bin first on PATH for every command a module runs, keeps
// their state in a fresh temp directory, and reads back the calls they recorded.
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Connection, RunOptions, RunResult } from '../../engine/connect/connection.js';
import { LocalConnection } from '../../engine/connect/local.js';
import { tempDir } from '../modules/harness.js';

export const DOUBLES_BIN = join(dirname(fileURLToPath(import.meta.url)), 'bin');

/** A connection to this machine whose commands see extra environment variables. */
export class EnvConnection implements Connection {
  readonly host: string;
  constructor(private readonly inner: Connection, private readonly env: Record<string, string>) {
    this.host = inner.host;
  }
  connect() { return this.inner.connect(); }
  close() { return this.inner.close(); }
  run(opts: RunOptions): Promise<RunResult> { return this.inner.run({ ...opts, env: { ...this.env, ...(opts.env ?? {}) } }); }
  put(...a: Parameters<Connection['put']>) { return this.inner.put(...a); }
  get(...a: Parameters<Connection['get']>) { return this.inner.get(...a); }
  stat(...a: Parameters<Connection['stat']>) { return this.inner.stat(...a); }
}

export interface Doubles {
  /** the state directory the doubles read and write */
  state: string;
  conn: Connection;
  /** every recorded call since the last clearCalls(), as argv arrays */
  calls(): Promise<string[][]>;
  clearCalls(): Promise<void>;
  /** writes a state file (path relative to the state directory) */
  set(path: string, content: string): Promise<void>;
  read(path: string): Promise<string | null>;
  /** makes `TOOL SUBCOMMAND` fail with this stderr and exit code */
  fail(tool: string, sub: string, stderr: string, rc?: number): Promise<void>;
}

/**
 * What every family of command doubles shares: a fresh state directory with its call log, a
 * connection to this machine whose commands find `bins` first on PATH (then `path`, by default
 * this process's PATH), and access to the state files the doubles read. `C` is one logged call.
 */
export interface DoubleBase<C> {
  state: string;
  conn: Connection;
  calls(): Promise<C[]>;
  clearCalls(): Promise<void>;
  set(path: string, content: string): Promise<void>;
  read(path: string): Promise<string | null>;
  fail(tool: string, sub: string, stderr: string, rc?: number): Promise<void>;
}

export async function doubleBase<C>(prefix: string, bins: string[], path?: string): Promise<DoubleBase<C>> {
  const state = await tempDir(prefix);
  const log = join(state, 'calls.log');
  await writeFile(log, '');
  const conn = new EnvConnection(new LocalConnection('localhost'), {
    PATH: [...bins, path ?? process.env.PATH ?? '/usr/bin:/bin'].join(':'),
    GX_DOUBLE_STATE: state,
    GX_DOUBLE_LOG: log,
  });
  const set = async (file: string, content: string): Promise<void> => {
    await mkdir(dirname(join(state, file)), { recursive: true });
    await writeFile(join(state, file), content);
  };
  return {
    state,
    conn,
    async calls() {
      const text = await readFile(log, 'utf8');
      return text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as C);
    },
    async clearCalls() {
      await writeFile(log, '');
    },
    set,
    async read(file) {
      try {
        return await readFile(join(state, file), 'utf8');
      } catch {
        return null;
      }
    },
    async fail(tool, sub, stderr, rc = 1) {
      await set(`fail/${tool}.${sub}`, stderr);
      await set(`fail/${tool}.${sub}.rc`, String(rc));
    },
  };
}

/** Fresh doubles; `path` replaces the rest of PATH (default: this process's PATH). */
export function makeDoubles(o: { path?: string } = {}): Promise<Doubles> {
  return doubleBase<string[]>('gx-doubles-', [DOUBLES_BIN], o.path);
}

/** Removes a state file, e.g. to lift an injected failure. */
export async function unset(d: Doubles, path: string): Promise<void> {
  await rm(join(d.state, path), { force: true });
}
