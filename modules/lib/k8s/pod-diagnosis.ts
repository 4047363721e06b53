// Why the pods a wait waits for are not ready, read from `kubectl get -o json` (core/v1 Pod status),
// events (core/v1 Event) and container logs. Pure functions: the polling is in pod-watch.ts.
//
// The shapes are kubernetes/kubernetes staging/src/k8s.io/api/core/v1/types.go (Pod.status:
// phase, conditions[] {type, status, reason, message}, containerStatuses[] / initContainerStatuses[]
// {name, image, ready, restartCount, state, lastState} with state.waiting {reason, message},
// state.terminated {exitCode, reason}; Event: type, reason, message, count, lastTimestamp,
// eventTime, involvedObject). The waiting reasons are the kubelet's: pkg/kubelet/images/types.go
// (ImagePullBackOff, ErrImagePull, InvalidImageName, ErrImageNeverPull) and CrashLoopBackOff
// (pkg/kubelet/kuberuntime); FailedScheduling and the PodScheduled=False/Unschedulable condition
// are the scheduler's.

export interface ContainerState {
  waiting?: { reason?: string; message?: string };
  running?: { startedAt?: string };
  terminated?: { exitCode?: number; reason?: string; message?: string; finishedAt?: string };
}

export interface ContainerStatus {
  name: string;
  image?: string;
  ready?: boolean;
  restartCount?: number;
  state?: ContainerState;
  lastState?: ContainerState;
}

export interface OwnerRef {
  apiVersion?: string;
  kind: string;
  name: string;
  uid?: string;
  controller?: boolean;
}

export interface KObject {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: OwnerRef[];
    creationTimestamp?: string;
    deletionTimestamp?: string;
  };
  spec?: Record<string, any>;
  status?: Record<string, any>;
}

export interface Pod extends KObject {
  spec?: { nodeName?: string; containers?: { name: string; image?: string }[]; initContainers?: { name: string; image?: string }[] };
  status?: {
    phase?: string;
    conditions?: { type: string; status: string; reason?: string; message?: string }[];
    containerStatuses?: ContainerStatus[];
    initContainerStatuses?: ContainerStatus[];
  };
}

export interface K8sEvent {
  type?: string;
  reason?: string;
  message?: string;
  count?: number;
  lastTimestamp?: string | null;
  eventTime?: string | null;
  firstTimestamp?: string | null;
  metadata?: { creationTimestamp?: string };
  series?: { count?: number; lastObservedTime?: string };
}

/** Waiting reasons after which the container will not start by itself: the image cannot be pulled. */
export const IMAGE_REASONS = new Set(['ImagePullBackOff', 'ErrImagePull', 'InvalidImageName', 'ErrImageNeverPull']);

export interface PodProblem {
  namespace: string;
  pod: string;
  /** '' when the problem is the pod's (unschedulable, pending) */
  container: string;
  image?: string;
  /** ImagePullBackOff, CrashLoopBackOff, Unschedulable, ContainerCreating, NotReady, … */
  reason: string;
  message?: string;
  /** the pod cannot become ready without a change: stop the wait */
  fatal: boolean;
  /** which log to show: the crashed container's (--previous), the running one's, or none */
  logs: 'previous' | 'current' | 'none';
  /** filled in by the watcher */
  events?: string[];
  logLines?: string[];
}

const one = (s: string | undefined): string => (s ?? '').replace(/\s+/g, ' ').trim();

function imageOf(pod: Pod, name: string, status?: ContainerStatus): string | undefined {
  const spec = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].find((c) => c.name === name);
  return spec?.image ?? status?.image;
}

function scheduledFalse(pod: Pod) {
  return pod.status?.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'False');
}

/** A Pending pod that no node was picked for (the scheduler's condition says why, or its events will). */
export function unscheduled(pod: Pod): boolean {
  return (pod.status?.phase ?? 'Pending') === 'Pending' && !pod.spec?.nodeName && scheduledFalse(pod) !== undefined;
}

export function isReady(pod: Pod): boolean {
  if (pod.status?.phase === 'Succeeded') return true;
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/**
 * What keeps one pod from being ready. `unschedulable`: the watcher's verdict that the pod has been
 * unschedulable long enough (seen on two polls, with the condition or a FailedScheduling event).
 */
export function podProblems(pod: Pod, o: { unschedulable?: boolean } = {}): PodProblem[] {
  if (pod.metadata.deletionTimestamp || isReady(pod)) return [];
  const base = { namespace: pod.metadata.namespace ?? '', pod: pod.metadata.name };
  if (unscheduled(pod) || (o.unschedulable && !pod.spec?.nodeName)) {
    const c = scheduledFalse(pod);
    return [{ ...base, container: '', reason: c?.reason ?? 'Unschedulable', message: one(c?.message), fatal: o.unschedulable === true, logs: 'none' }];
  }
  const out: PodProblem[] = [];
  const statuses = [...(pod.status?.initContainerStatuses ?? []).map((s) => ({ s, init: true })), ...(pod.status?.containerStatuses ?? []).map((s) => ({ s, init: false }))];
  for (const { s, init } of statuses) {
    if (s.ready || (init && s.state?.terminated?.exitCode === 0)) continue;
    const c = { ...base, container: s.name, image: imageOf(pod, s.name, s) };
    const w = s.state?.waiting;
    const restarts = s.restartCount ?? 0;
    if (w?.reason && IMAGE_REASONS.has(w.reason)) {
      out.push({ ...c, reason: w.reason, message: one(w.message), fatal: true, logs: 'none' });
    } else if (w?.reason === 'CrashLoopBackOff' && restarts >= 1) {
      const last = s.lastState?.terminated;
      const exit = last ? `last exit ${last.exitCode ?? '?'}${last.reason ? ` (${last.reason})` : ''}, ` : '';
      out.push({ ...c, reason: 'CrashLoopBackOff', message: `${exit}${restarts} restart${restarts === 1 ? '' : 's'}${w.message ? `: ${one(w.message)}` : ''}`, fatal: true, logs: 'previous' });
    } else if (w) {
      out.push({ ...c, reason: w.reason ?? 'Waiting', message: one(w.message), fatal: false, logs: restarts > 0 ? 'previous' : 'none' });
    } else if (s.state?.running) {
      out.push({ ...c, reason: 'NotReady', message: `running${restarts ? ` (${restarts} restarts)` : ''} but not ready (its readiness probe fails or it has not passed yet)`, fatal: false, logs: 'current' });
    } else if (s.state?.terminated) {
      const t = s.state.terminated;
      out.push({ ...c, reason: t.reason ?? 'Terminated', message: `exit ${t.exitCode ?? '?'}${t.message ? `: ${one(t.message)}` : ''}`, fatal: false, logs: 'current' });
    }
  }
  if (out.length === 0) {
    // no container statuses yet: the pod is scheduled but nothing was reported
    const phase = pod.status?.phase ?? 'Pending';
    const c = pod.status?.conditions?.find((x) => x.status === 'False' && x.message);
    out.push({ ...base, container: '', reason: phase, message: one(c?.message) || (phase === 'Pending' ? 'no container has started yet' : ''), fatal: false, logs: 'none' });
  }
  return out;
}

function eventTime(e: K8sEvent): string {
  return e.series?.lastObservedTime ?? e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? e.metadata?.creationTimestamp ?? '';
}

/** The last `n` events, oldest first, one line each: `Warning Failed (x3): message`. */
export function eventLines(events: K8sEvent[], n = 5): string[] {
  return [...events]
    .sort((a, b) => eventTime(a).localeCompare(eventTime(b)))
    .slice(-n)
    .map((e) => {
      const count = e.series?.count ?? e.count ?? 1;
      return `${e.type ?? 'Normal'} ${e.reason ?? ''}${count > 1 ? ` (x${count})` : ''}: ${one(e.message)}`.slice(0, 400);
    });
}

export const hasFailedScheduling = (events: K8sEvent[]): boolean => events.some((e) => e.reason === 'FailedScheduling');

/** One problem as the task shows it: the pod line, then its events and its last log lines, indented. */
export function describeProblem(p: PodProblem): string {
  const who = `pod ${p.namespace}/${p.pod}${p.container ? `, container ${p.container}` : ''}${p.image ? ` (image ${p.image})` : ''}`;
  const lines = [`- ${who}: ${p.reason}${p.message ? `: ${p.message}` : ''}`];
  if (p.events && p.events.length > 0) lines.push('    events:', ...p.events.map((e) => `      ${e}`));
  else if (p.events) lines.push('    events: none');
  if (p.logLines && p.logLines.length > 0) {
    lines.push(`    last log lines${p.logs === 'previous' ? ' (the crashed container, --previous)' : ''}:`, ...p.logLines.map((l) => `      | ${l.slice(0, 300)}`));
  }
  return lines.join('\n');
}

/** What the user can do about a reason, one line. */
export function adviceFor(reasons: string[]): string[] {
  const out: string[] = [];
  const has = (r: (x: string) => boolean) => reasons.some(r);
  if (has((r) => IMAGE_REASONS.has(r))) out.push('the image cannot be pulled: check that it is in the registry the node pulls from (name, tag, architecture) and the registries configuration');
  if (has((r) => r === 'CrashLoopBackOff')) out.push('the container starts and exits: its log above says why (configuration, a missing secret or database, a wrong command)');
  if (has((r) => r === 'Unschedulable')) out.push('no node can run the pod: the scheduler message says why (not enough CPU or memory, taints, node selectors, unbound volumes)');
  return out;
}
