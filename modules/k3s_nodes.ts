// k3s_nodes: the cluster's nodes as the K3s server sees them. It runs on the server (delegate_to it
// from the agents' play): it hands out the join token an agent needs, waits until the named nodes
// have joined, are Ready and run the server's K3s version, and removes nodes (drain, then delete).
// Nothing here installs k3s: the k3s module does that on each node.
import { defineModule, type ModuleContext, type Plan } from '../engine/module-contract.js';
import { ModuleError } from '../engine/errors.js';
import { sleep } from '../engine/sleep.js';
import { Unknown } from '../engine/vars/unknown.js';
import { DEFAULT_CONFIG_DIR, DEFAULT_DATA_DIR } from './lib/k3s/args.js';
import { clusterPaths, notReady, otherMismatches, readJoinToken, readNodes, removeNode, type ClusterNode, type ClusterPaths } from './lib/k3s/cluster.js';

export interface K3sNodesArgs {
  nodes: Array<string | { name: string }>;
  state: 'ready' | 'absent';
  version?: string;
  wait: boolean;
  wait_timeout: number;
  drain_timeout: number;
  bin_dir: string;
  config_dir: string;
  data_dir: string;
}

export interface K3sNodesData {
  token: string | Unknown | undefined;
  nodes: ClusterNode[] | Unknown;
  removed: string[];
  warnings: string[];
}

const names = (a: K3sNodesArgs) => a.nodes.map((n) => (typeof n === 'string' ? n : n.name));

export const k3s_nodes = defineModule<K3sNodesArgs, K3sNodesData>({
  name: 'k3s_nodes',
  summary: "On a K3s server: the join token for agents, wait until nodes are Ready on the server's version, or drain and delete nodes.",
  description:
    'Runs on the K3s server (on the server host, or delegate_to it). Reads the node list with `k3s kubectl get nodes -o json` and the join token ' +
    '(DATA_DIR/server/node-token, masked in all output; `token` in the result, for the k3s module of an agent).\n\n' +
    'state: ready waits (wait_timeout) until every node of `nodes` has joined and is Ready, and, with `version`, runs that K3s version: ' +
    "a node on another version is reported by name and fails the task, so a mismatch is never run silently, and so does a server (control-plane node) on another version than `version`; agents not named that run another version are warnings. Never changes anything. " +
    '`wait: false` only reads (the token, the nodes as they are).\n\n' +
    'state: absent drains every named node that is in the cluster (`kubectl drain --ignore-daemonsets --delete-emptydir-data --force --timeout`), ' +
    'then deletes it (`kubectl delete node`); a node not in the cluster is left alone (no change). Check mode reads and predicts.',
  schema: {
    type: 'object',
    properties: {
      nodes: {
        type: 'array',
        items: { anyOf: [{ type: 'string', minLength: 1 }, { type: 'object', properties: { name: { type: 'string', minLength: 1 } }, required: ['name'] }] },
        description: 'Node names, or mappings with a `name` (an inventory list such as vm_agents can be given as it is; other keys are ignored).',
      },
      state: { type: 'string', enum: ['ready', 'absent'], default: 'ready', description: 'ready: wait until the nodes are Ready; absent: drain and delete them.' },
      version: { type: 'string', pattern: '^v\\d+\\.\\d+\\.\\d+(-rc\\d+)?\\+k3s\\d+$', description: "The K3s version every node must run (the server's), e.g. v1.31.7+k3s1." },
      wait: { type: 'boolean', default: true, description: 'state ready: false only reads the token and the nodes, without waiting or failing.' },
      wait_timeout: { type: 'integer', minimum: 1, default: 300, description: 'Seconds to wait for the nodes to be Ready.' },
      drain_timeout: { type: 'integer', minimum: 1, default: 120, description: "Seconds kubectl drain waits for a node's pods to leave (--timeout)." },
      bin_dir: { type: 'string', default: '/usr/local/bin', description: 'Where the k3s binary is on the server.' },
      config_dir: { type: 'string', default: DEFAULT_CONFIG_DIR, description: "Where the server's kubeconfig k3s.yaml is." },
      data_dir: { type: 'string', default: DEFAULT_DATA_DIR, description: "K3s's data directory on the server (server/node-token)." },
    },
    required: ['nodes'],
    additionalProperties: false,
  },
  examples: [
    `- name: the join token, read on the server
  k3s_nodes:
    nodes: []
    wait: false
  delegate_to: gauntlet
  register: cluster`,
    `- name: this agent Ready on the server's version
  k3s_nodes:
    nodes: ["{{ inventory_hostname }}"]
    version: v1.31.7+k3s1
  delegate_to: gauntlet`,
    `- name: an agent removed from the cluster
  k3s_nodes:
    nodes: [gauntlet-a2]
    state: absent`,
  ],
  returns: {
    token: { type: 'str', description: "The server's join token (a secret); unknown in check mode before the server exists.", returned: 'always' },
    nodes: { type: 'list', description: 'Every node: name, ready, version (kubelet), unschedulable.', returned: 'always' },
    removed: { type: 'list', description: 'state absent: the nodes drained and deleted (or that would be).', returned: 'always' },
    warnings: { type: 'list', description: 'Nodes not named that run another K3s version than `version`.', returned: 'always' },
  },
  checkMode: true,
  plan: planNodes,
});

async function planNodes(ctx: ModuleContext, a: K3sNodesArgs): Promise<Plan<K3sNodesData>> {
  const p = clusterPaths(a);
  const want = names(a);
  const token = await readJoinToken(ctx, p);
  const look = await readNodes(ctx, p);
  if (!look.nodes) {
    // the server is not up: in check mode (k3s would be installed by an earlier task) that is the plan
    if (ctx.check) return { changed: false, msg: `the server does not answer yet: ${look.why}`, data: { token: token ?? new Unknown('the server would write its token when k3s starts'), nodes: new Unknown('the server does not answer yet'), removed: [], warnings: [] } };
    if (a.state === 'ready' && a.wait) return waitFor(ctx, a, p, want, token);
    throw new ModuleError(`the K3s server on ${ctx.host} does not answer: ${look.why}`);
  }
  const nodes = look.nodes;
  if (a.state === 'absent') {
    const present = want.filter((n) => nodes.some((x) => x.name === n));
    const data = (removed: string[], left: ClusterNode[]): K3sNodesData => ({ token, nodes: left, removed, warnings: [] });
    if (present.length === 0) return { changed: false, data: data([], nodes) };
    const msg = present.map((n) => `drain and delete node ${n}`).join('; ');
    return {
      changed: true,
      msg,
      data: data(present, nodes.filter((x) => !present.includes(x.name))),
      apply: async () => {
        for (const n of present) await removeNode(ctx, p, n, a.drain_timeout);
        const after = await readNodes(ctx, p);
        return { msg, data: data(present, after.nodes ?? []) };
      },
    };
  }
  if (!a.wait || ctx.check) {
    const why = notReady(nodes, want, a.version);
    return { changed: false, msg: why.length > 0 && a.wait ? `would wait: ${why.join('; ')}` : undefined, data: { token, nodes, removed: [], warnings: otherMismatches(nodes, want, a.version) } };
  }
  return waitFor(ctx, a, p, want, token, look);
}

/**
 * Polls the node list until every wanted node is Ready on `version`: quickly at first, then every
 * 2 s. `first`: the list just read, looked at before asking again.
 */
async function waitFor(ctx: ModuleContext, a: K3sNodesArgs, p: ClusterPaths, want: string[], token: string | undefined, first?: Awaited<ReturnType<typeof readNodes>>): Promise<Plan<K3sNodesData>> {
  const deadline = Date.now() + a.wait_timeout * 1000;
  let pause = 100;
  let next = first;
  for (;;) {
    const look = next ?? (await readNodes(ctx, p));
    next = undefined;
    const why = look.nodes ? notReady(look.nodes, want, a.version) : [look.why];
    if (look.nodes && why.length === 0) {
      const warnings = otherMismatches(look.nodes, want, a.version);
      return { changed: false, msg: warnings.length > 0 ? warnings.join('; ') : undefined, data: { token: token ?? (await readJoinToken(ctx, p)), nodes: look.nodes, removed: [], warnings } };
    }
    if (ctx.signal.aborted) throw new ModuleError(`interrupted while waiting for the nodes: ${why.join('; ')}`);
    if (Date.now() + pause > deadline) throw new ModuleError(`not every node was Ready within ${a.wait_timeout}s: ${why.join('; ')}`);
    await sleep(pause, ctx.signal);
    pause = Math.min(pause * 2, 2000);
  }
}

export default k3s_nodes;
