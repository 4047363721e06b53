// Puts the kubectl and helm command doubles first on PATH for every command a module runs, keeps
// their cluster state in a fresh temp directory, and reads back every call with its stdin.
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Connection } from '../../../engine/connect/connection.js';
import { LocalConnection } from '../../../engine/connect/local.js';
import { tempDir } from '../../modules/harness.js';
import { EnvConnection } from '../doubles.js';

const here = dirname(fileURLToPath(import.meta.url));
export const KUBECTL_BIN = join(here, 'bin');
export const HELM_BIN = join(here, '..', 'helm', 'bin');

export interface Call {
  argv: string[];
  stdin: string;
}

export interface K8sDoubles {
  state: string;
  conn: Connection;
  calls(): Promise<Call[]>;
  clearCalls(): Promise<void>;
  set(path: string, content: string): Promise<void>;
  /** a state file's content, null when it does not exist */
  read(path: string): Promise<string | null>;
  unset(path: string): Promise<void>;
  /** makes `TOOL SUB` fail with this stderr and exit code (SUB: apply, diff, rollout-status, upgrade…) */
  fail(tool: 'kubectl' | 'helm', sub: string, stderr: string, rc?: number): Promise<void>;
  /** makes `TOOL SUB` hang until killed */
  hang(tool: 'kubectl' | 'helm', sub: string): Promise<void>;
  /** the double's cluster: every stored object by GROUP/KIND/NAMESPACE/NAME */
  cluster(): Promise<Record<string, Record<string, any>>>;
}

/** Fresh doubles; `path` replaces the rest of PATH (e.g. without the doubles, to test a missing tool). */
export async function makeK8sDoubles(o: { path?: string; withDoubles?: boolean } = {}): Promise<K8sDoubles> {
  const state = await tempDir('gx-k8s-doubles-');
  const log = join(state, 'calls.log');
  await writeFile(log, '');
  const bins = o.withDoubles === false ? [] : [KUBECTL_BIN, HELM_BIN];
  const conn = new EnvConnection(new LocalConnection('localhost'), {
    PATH: [...bins, o.path ?? process.env.PATH ?? '/usr/bin:/bin'].join(':'),
    GX_DOUBLE_STATE: state,
    GX_DOUBLE_LOG: log,
  });
  const set = async (path: string, content: string) => {
    await mkdir(dirname(join(state, path)), { recursive: true });
    await writeFile(join(state, path), content);
  };
  return {
    state,
    conn,
    async calls() {
      const text = await readFile(log, 'utf8');
      return text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Call);
    },
    async clearCalls() {
      await writeFile(log, '');
    },
    set,
    async read(path) {
      try {
        return await readFile(join(state, path), 'utf8');
      } catch {
        return null;
      }
    },
    async unset(path) {
      await rm(join(state, path), { force: true, recursive: true });
    },
    async fail(tool, sub, stderr, rc = 1) {
      await set(`fail/${tool}.${sub}`, stderr);
      await set(`fail/${tool}.${sub}.rc`, String(rc));
    },
    async hang(tool, sub) {
      await set(`hang/${tool}.${sub}`, '');
    },
    async cluster() {
      try {
        return (JSON.parse(await readFile(join(state, 'k8s.json'), 'utf8')) as { objects: Record<string, Record<string, any>> }).objects;
      } catch {
        return {};
      }
    },
  };
}
