// What the cluster's controllers made, for the kubectl and helm doubles: the objects a test puts in
// $GX_DOUBLE_STATE/pods.json (a v1 List of Pods and the ReplicaSets/Jobs between them and what was
// applied), the events in $GX_DOUBLE_STATE/events.json (a v1 List of core/v1 Events) and container
// logs in $GX_DOUBLE_STATE/logs/NAMESPACE/POD/CONTAINER (CONTAINER.previous: the last terminated one).
// Tests rewrite these files while a wait runs (temp file + rename), as the kubelet would change a
// pod's status.
//
// The shapes are kubectl's: `kubectl get TYPE,TYPE -o json` prints a v1 List
// ({apiVersion: v1, kind: List, items, metadata: {resourceVersion: ""}}) of objects that keep their
// apiVersion and kind, empty when nothing matches; a Pod's status is core/v1 PodStatus (phase,
// conditions[] {type, status, reason, message}, containerStatuses[] {name, image, ready,
// restartCount, state.{waiting{reason,message},running,terminated}, lastState}); an Event is
// core/v1 Event (type, reason, message, count, involvedObject{kind,name,namespace}, lastTimestamp)
// — read from kubernetes/kubernetes staging/src/k8s.io/api/core/v1/types.go, the kubelet's waiting
// reasons from pkg/kubelet/images/types.go (ImagePullBackOff, ErrImagePull, InvalidImageName).
// `kubectl logs POD -c C --tail=N [--previous]` prints the log's last N lines; a container that never
// ran answers `Error from server (BadRequest): container "C" in pod "POD" is waiting to start: …`,
// --previous without a terminated container `previous terminated container "C" in pod "POD" not found`.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

function list(state, file) {
  const f = join(state, file);
  if (!existsSync(f)) return [];
  try {
    const doc = JSON.parse(readFileSync(f, 'utf8'));
    return Array.isArray(doc) ? doc : (doc.items ?? []);
  } catch {
    return []; // being rewritten
  }
}

export const controllerObjects = (state) => list(state, 'pods.json');
export const events = (state) => list(state, 'events.json');

export function podReady(p) {
  if (p.status?.phase === 'Succeeded') return true;
  return (p.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

export const labelsMatch = (labels, want) => Object.entries(want ?? {}).every(([k, v]) => labels?.[k] === v);

/** The pods in pods.json that the object (as stored by the double) waits for. */
export function podsOf(state, obj) {
  const ns = obj.metadata.namespace ?? 'default';
  const pods = controllerObjects(state).filter((o) => o.kind === 'Pod' && (o.metadata.namespace ?? 'default') === ns);
  if (['Deployment', 'StatefulSet', 'DaemonSet'].includes(obj.kind)) return pods.filter((p) => labelsMatch(p.metadata.labels, obj.spec?.selector?.matchLabels ?? { '\u0000': '' }));
  if (obj.kind === 'Job') return pods.filter((p) => p.metadata.labels?.['job-name'] === obj.metadata.name);
  return pods.filter((p) => (p.metadata.ownerReferences ?? []).some((r) => r.kind === obj.kind && r.name === obj.metadata.name));
}

/** Seconds of a kubectl/helm duration flag (`120s`, `5m`, `300`). */
export function seconds(v, dflt) {
  if (v === undefined) return dflt;
  const m = /^(\d+)(s|m|h)?$/.exec(v);
  if (!m) return dflt;
  return Number(m[1]) * ({ s: 1, m: 60, h: 3600 }[m[2] ?? 's']);
}

/** Resolves true when ready() holds, false when `secs` pass first; checks every 100 ms. */
export async function waitUntil(ready, secs) {
  const end = Date.now() + secs * 1000;
  for (;;) {
    if (ready()) return true;
    if (Date.now() >= end) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
}
