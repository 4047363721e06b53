// Reading the node's state from `k3s kubectl get nodes -o json` (a v1 List of Nodes).

export interface NodeState {
  name: string;
  ready: boolean;
  /** status.nodeInfo.kubeletVersion: for k3s the k3s version, e.g. v1.30.4+k3s1 */
  kubeletVersion?: string;
  /** the Ready condition's reason and message when it is not True */
  why?: string;
}

/** The named node, or undefined when the list does not hold it. Throws on text that is not a node list. */
export function findNode(json: string, name: string): NodeState | undefined {
  let doc: any;
  try {
    doc = JSON.parse(json);
  } catch {
    throw new Error(`k3s kubectl get nodes -o json did not print JSON: ${json.slice(0, 200)}`);
  }
  const items: any[] = Array.isArray(doc?.items) ? doc.items : doc?.kind === 'Node' ? [doc] : [];
  const node = items.find((n) => n?.metadata?.name === name);
  if (!node) return undefined;
  const conds: any[] = Array.isArray(node.status?.conditions) ? node.status.conditions : [];
  const ready = conds.find((c) => c?.type === 'Ready');
  const out: NodeState = { name, ready: ready?.status === 'True' };
  const kv = node.status?.nodeInfo?.kubeletVersion;
  if (typeof kv === 'string') out.kubeletVersion = kv;
  if (!out.ready) out.why = ready ? `Ready=${ready.status}${ready.reason ? ` (${ready.reason}${ready.message ? `: ${ready.message}` : ''})` : ''}` : 'no Ready condition yet';
  return out;
}

/** Node names in the list, for an error message. */
export function nodeNames(json: string): string[] {
  try {
    const doc = JSON.parse(json);
    return Array.isArray(doc?.items) ? doc.items.map((n: any) => String(n?.metadata?.name)) : [];
  } catch {
    return [];
  }
}
