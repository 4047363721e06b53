// Puts the kubectl and helm command doubles first on PATH for every command a module runs, keeps
// their cluster state in a fresh temp directory, and reads back every call with its stdin.
import { readFile, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Connection } from '../../../engine/connect/connection.js';
import { doubleBase } from '../doubles.js';

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
  const base = await doubleBase<Call>('gx-k8s-doubles-', o.withDoubles === false ? [] : [KUBECTL_BIN, HELM_BIN], o.path);
  const { state, set } = base;
  return {
    ...base,
    async unset(path) {
      await rm(join(state, path), { force: true, recursive: true });
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
