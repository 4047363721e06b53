// What the k3s_nodes module reads and does on a K3s server: the node list (`k3s kubectl get nodes
// -o json`), the join token (DATA_DIR/server/node-token) and the removal of a node (drain, then
// delete). Pure parts (what to wait for, what a mismatch says) are separate so they are tested as tables.
import { posix } from 'node:path';
import { ModuleError } from '../../../engine/errors.js';
import type { ModuleContext } from '../../../engine/module-contract.js';
import { commandFailure, runTool } from '../host-tool.js';

export interface ClusterNode {
  name: string;
  ready: boolean;
  version?: string;
  unschedulable: boolean;
  /** a K3s server (control-plane label) */
  server: boolean;
  /** the Ready condition's reason when it is not True */
  why?: string;
}

export interface ClusterPaths {
  bin: string;
  kubeconfig: string;
  token: string;
}

export function clusterPaths(a: { bin_dir: string; config_dir: string; data_dir: string }): ClusterPaths {
  return { bin: posix.join(a.bin_dir, 'k3s'), kubeconfig: posix.join(a.config_dir, 'k3s.yaml'), token: posix.join(a.data_dir, 'server', 'node-token') };
}

/** Every node of a `get nodes -o json` List. Throws on text that is not one. */
export function parseNodes(json: string): ClusterNode[] {
  let doc: any;
  try {
    doc = JSON.parse(json);
  } catch {
    throw new Error(`k3s kubectl get nodes -o json did not print JSON: ${json.slice(0, 200)}`);
  }
  if (!Array.isArray(doc?.items)) throw new Error(`k3s kubectl get nodes -o json printed no List of nodes: ${json.slice(0, 200)}`);
  return doc.items.map((n: any): ClusterNode => {
    const conds: any[] = Array.isArray(n?.status?.conditions) ? n.status.conditions : [];
    const ready = conds.find((c) => c?.type === 'Ready');
    const labels = n?.metadata?.labels ?? {};
    const server = labels['node-role.kubernetes.io/control-plane'] === 'true' || labels['node-role.kubernetes.io/master'] === 'true';
    const out: ClusterNode = { name: String(n?.metadata?.name), ready: ready?.status === 'True', unschedulable: n?.spec?.unschedulable === true, server };
    if (typeof n?.status?.nodeInfo?.kubeletVersion === 'string') out.version = n.status.nodeInfo.kubeletVersion;
    if (!out.ready) out.why = ready ? `Ready=${ready.status}${ready.reason ? ` (${ready.reason})` : ''}` : 'no Ready condition yet';
    return out;
  });
}

/** Why the wanted nodes are not all there, Ready and on `version` (the servers' too); empty when they are. */
export function notReady(nodes: ClusterNode[], want: string[], version: string | undefined): string[] {
  const out: string[] = [];
  // an agent on `version` next to a server on another one is a mismatch as well
  if (version && want.length > 0) {
    for (const s of nodes.filter((n) => n.server && n.version && n.version !== version && !want.includes(n.name))) {
      out.push(`the server's node ${s.name} runs K3s ${s.version}, not ${version}: run the k3s play on the server first (gx play site.yaml --tags k3s, without --limit)`);
    }
  }
  for (const name of want) {
    const n = nodes.find((x) => x.name === name);
    if (!n) out.push(`node ${name} has not joined (nodes: ${nodes.map((x) => x.name).join(', ') || 'none'})`);
    else if (!n.ready) out.push(`node ${name} is not Ready: ${n.why}`);
    else if (version && n.version && n.version !== version) out.push(mismatch(n, version));
  }
  return out;
}

export function mismatch(n: ClusterNode, version: string): string {
  return `node ${n.name} runs K3s ${n.version}, not ${version} like the server: run the k3s play on it again (gx play site.yaml --tags k3s --limit localhost,${n.name}) so it gets the same binary`;
}

/** Nodes of the cluster not on `version` that were not asked for: reported, not waited on. */
export function otherMismatches(nodes: ClusterNode[], want: string[], version: string | undefined): string[] {
  if (!version) return [];
  return nodes.filter((n) => !want.includes(n.name) && !n.server && n.version && n.version !== version).map((n) => mismatch(n, version));
}

/** One look at the cluster: the node list, or why the server did not answer. */
export async function readNodes(ctx: ModuleContext, p: ClusterPaths): Promise<{ nodes?: ClusterNode[]; why: string }> {
  const argv = [p.bin, 'kubectl', `--kubeconfig=${p.kubeconfig}`, 'get', 'nodes', '-o', 'json'];
  let r;
  try {
    r = await runTool(ctx, argv, { timeoutMs: 30_000 });
  } catch (err) {
    // k3s is not installed (yet): no cluster to read
    if (err instanceof ModuleError) return { why: err.message };
    throw err;
  }
  if (r.rc !== 0 || r.timedOut) return { why: commandFailure(argv, r) };
  try {
    return { nodes: parseNodes(r.stdout), why: '' };
  } catch (err) {
    return { why: (err as Error).message };
  }
}

/** The server's join token, masked from now on; undefined when the server has not written it yet. */
export async function readJoinToken(ctx: ModuleContext, p: ClusterPaths): Promise<string | undefined> {
  const b = await ctx.conn.get(p.token);
  const t = b?.toString('utf8').trim();
  if (t) ctx.secret(t);
  return t || undefined;
}

/** kubectl drain, then kubectl delete node: the pods move to the other nodes first. */
export async function removeNode(ctx: ModuleContext, p: ClusterPaths, name: string, drainTimeout: number): Promise<void> {
  const kubectl = [p.bin, 'kubectl', `--kubeconfig=${p.kubeconfig}`];
  const drain = [...kubectl, 'drain', name, '--ignore-daemonsets', '--delete-emptydir-data', '--force', `--timeout=${drainTimeout}s`];
  const d = await runTool(ctx, drain, { timeoutMs: (drainTimeout + 30) * 1000 });
  if (d.rc !== 0 || d.timedOut) throw new ModuleError(`cannot drain node ${name}: ${commandFailure(drain, d)}`);
  const del = [...kubectl, 'delete', 'node', name];
  const r = await runTool(ctx, del, { timeoutMs: 60_000 });
  if (r.rc !== 0 || r.timedOut) throw new ModuleError(`cannot delete node ${name}: ${commandFailure(del, r)}`);
}
