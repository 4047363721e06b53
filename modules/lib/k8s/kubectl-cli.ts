// Running kubectl on the host: the connection flags every call shares, and kubectl's answers read
// back (result lines, `get -o json`, the "no matches for kind" error of a kind the cluster lacks).
import type { RunResult } from '../../../engine/connect/connection.js';
import { ModuleError } from '../../../engine/errors.js';
import type { ModuleContext } from '../../../engine/module-contract.js';
import { commandFailure, runTool } from '../host-tool.js';
import type { K8sObject } from './manifests.js';

export interface KubectlTarget {
  /** the kubectl binary (`kubectl`, or `k3s kubectl` split into words) */
  executable: string[];
  kubeconfig?: string;
  context?: string;
  namespace?: string;
  /** seconds for one kubectl call that does not wait */
  timeout: number;
}

/** The argv of one kubectl call; the connection flags come first, as kubectl's usage shows them. */
export function kubectlArgv(t: KubectlTarget, sub: string[]): string[] {
  return [
    ...t.executable,
    ...(t.kubeconfig ? [`--kubeconfig=${t.kubeconfig}`] : []),
    ...(t.context ? [`--context=${t.context}`] : []),
    ...(t.namespace ? [`--namespace=${t.namespace}`] : []),
    ...sub,
  ];
}

export interface CallOptions {
  stdin?: string;
  env?: Record<string, string>;
  /** seconds; defaults to the target's timeout */
  timeout?: number;
}

/** Runs kubectl; a missing kubectl is an error, any exit status is returned. */
export async function runKubectl(ctx: ModuleContext, t: KubectlTarget, sub: string[], o: CallOptions = {}): Promise<{ argv: string[]; res: RunResult }> {
  const argv = kubectlArgv(t, sub);
  const res = await runTool(ctx, argv, { stdin: o.stdin, env: o.env, timeoutMs: Math.round((o.timeout ?? t.timeout) * 1000), providedBy: 'kubectl (k3s installs it)' });
  return { argv, res };
}

/** Runs kubectl and fails the task when it exits non-zero (or times out). */
export async function mustKubectl(ctx: ModuleContext, t: KubectlTarget, sub: string[], o: CallOptions = {}): Promise<RunResult> {
  const { argv, res } = await runKubectl(ctx, t, sub, o);
  if (res.rc !== 0 || res.timedOut) throw new ModuleError(commandFailure(argv, res));
  return res;
}

/** The objects in `kubectl get -o json` output: one object, a List, or nothing (--ignore-not-found). */
export function parseGetJson(stdout: string): K8sObject[] {
  const text = stdout.trim();
  if (text === '') return [];
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new ModuleError(`kubectl get printed something that is not JSON: ${text.slice(0, 200)}`);
  }
  const o = doc as Record<string, unknown>;
  if (o && o.kind === 'List' && Array.isArray(o.items)) return o.items as K8sObject[];
  return o && typeof o.kind === 'string' ? [o as K8sObject] : [];
}

/** Result lines of apply/delete (`deployment.apps/web serverside-applied`), as printed. */
export function resultLines(stdout: string): string[] {
  return stdout.split('\n').map((l) => l.trim()).filter(Boolean);
}

/** `no matches for kind "Cluster" in version "postgresql.cnpg.io/v1"`: the kinds the cluster does not know. */
export function missingKinds(stderr: string): { kind: string; apiVersion: string }[] {
  return [...stderr.matchAll(/no matches for kind "([^"]+)" in version "([^"]+)"/g)].map((m) => ({ kind: m[1]!, apiVersion: m[2]! }));
}
