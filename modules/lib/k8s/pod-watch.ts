// Waits that fail fast and say why (issue 12, part 3). A wait (`kubectl rollout status`, `kubectl
// wait`, `helm upgrade --wait`) runs as a background job ON THE HOST (its output in a temp
// directory there), because a host's commands share one shell and run one at a time. While it
// runs, gx polls the pods it waits for every `podWatchSettings.pollMs` and stops it as soon as one
// of them cannot become ready by itself:
//   - a container waiting with ImagePullBackOff, ErrImagePull, InvalidImageName or ErrImageNeverPull;
//   - a container in CrashLoopBackOff after at least one restart;
//   - a pod Pending with no node (PodScheduled=False or a FailedScheduling event) on two polls in a row
//     (one poll could be a moment the scheduler gets past, e.g. a node not yet Ready).
// The task then fails naming namespace, pod, container, image, reason, the pod's last events
// (`kubectl get events --field-selector involvedObject.name=POD -o json`) and the last log lines
// (`kubectl logs --tail`, `--previous` for a crash loop). A wait that ends non-zero (its own
// timeout) is followed by one more look at the pods, and says what was not ready in the same form.
//
// Which pods: one `kubectl get deployments,replicasets,statefulsets,daemonsets,jobs,pods -o json`
// per namespace, and the pods whose ownerReferences lead to a root: the object waited for (kubectl:
// a Deployment, StatefulSet, DaemonSet, Job or custom resource, by kind and name), or for a helm
// release every workload helm annotates with meta.helm.sh/release-name/-namespace, plus pods
// labelled app.kubernetes.io/instance=RELEASE. Ownership rather than the workload's label selector:
// a selector also matches the pods of a Deployment's previous ReplicaSet, and a pod of the broken
// revision being replaced must not fail the fixed rollout; so only the current revision's pods
// count (ReplicaSet revision = Deployment revision; a StatefulSet pod's controller-revision-hash =
// status.updateRevision). A release's objects in other namespaces are not watched.
//
// Stopping: the wait gets SIGTERM (helm then marks the release failed, or rolls it back with
// --atomic, as its own signal handler does: cmd/helm/upgrade.go, install.go), and SIGKILL on its
// whole session only if it has not ended after the grace period.
import { shellQuote, type RunResult } from '../../../engine/connect/connection.js';
import { ModuleError } from '../../../engine/errors.js';
import type { ModuleContext } from '../../../engine/module-contract.js';
import { commandFailure, toolShell } from '../host-tool.js';
import { kubectlArgv, type KubectlTarget } from './kubectl-cli.js';
import {
  adviceFor, describeProblem, eventLines, hasFailedScheduling, podProblems, unscheduled,
  type K8sEvent, type KObject, type OwnerRef, type Pod, type PodProblem,
} from './pod-diagnosis.js';

/** Internal knobs (tests make them short); not module arguments. */
export const podWatchSettings = {
  /** how often the pods are read while a wait runs */
  pollMs: 5000,
  /** how often the host checks whether the wait has ended */
  tickMs: 200,
  /** log lines shown per container */
  logTail: 20,
  /** pods described in one message */
  maxPods: 5,
};

/** The pods one wait is about, in one namespace. */
export interface PodScope {
  namespace: string;
  /** objects waited for (kubectl): their pods count */
  roots?: { kind: string; name: string }[];
  /** a helm release: the workloads helm annotates with it, and pods labelled app.kubernetes.io/instance */
  helmRelease?: string;
}

export interface WatchedWait {
  /** the wait's argv (kubectl rollout status …, helm upgrade --wait …) */
  argv: string[];
  stdin?: string;
  /** the wait's own --timeout, seconds (named in the message) */
  waitSec: number;
  /** seconds after which gx stops the wait itself (its own --timeout plus a margin) */
  limitSec: number;
  /** what is waited for, for the message: `deployment.apps/web in namespace api`, `helm release web` */
  what: string;
  scopes: PodScope[];
  /** how gx reaches the cluster for the pod reads */
  kubectl: KubectlTarget;
  /** ms the wait gets to end after SIGTERM (helm records the failure or rolls back) */
  graceMs: number;
  /** named when the wait's program is missing */
  providedBy: string;
}

const KINDS = 'deployments.apps,replicasets.apps,statefulsets.apps,daemonsets.apps,jobs.batch,pods';

/** Starts the wait in the background on the host; returns its directory there. */
async function start(ctx: ModuleContext, w: WatchedWait): Promise<string> {
  const inner = 'd=$1; shift; "$@" <"$d/in" >"$d/out" 2>"$d/err" & echo $! >"$d/pid"; wait $!; echo $? >"$d/rc.tmp"; mv "$d/rc.tmp" "$d/rc"';
  const script = [
    `command -v ${shellQuote(w.argv[0]!)} >/dev/null 2>&1 || exit 127`,
    'd=$(mktemp -d "${TMPDIR:-/tmp}/gx-wait.XXXXXX") || exit 1',
    'cat >"$d/in"',
    's=; command -v setsid >/dev/null 2>&1 && s=setsid',
    `$s /bin/sh -c ${shellQuote(inner)} gx-wait "$d" ${w.argv.map(shellQuote).join(' ')} </dev/null >/dev/null 2>&1 &`,
    'echo $! >"$d/job"',
    'echo "$d"',
  ].join('\n');
  const res = await ctx.conn.run({ shell: toolShell(['/bin/sh', '-c', script]), stdin: w.stdin ?? '', timeoutMs: 30_000 });
  if (res.rc === 127) throw new ModuleError(`${w.argv[0]} is not installed on ${ctx.host} (install the ${w.providedBy} package)`);
  const dir = res.stdout.trim().split('\n').pop() ?? '';
  if (res.rc !== 0 || !dir.startsWith('/')) throw new ModuleError(`cannot start ${w.argv.join(' ')} on ${ctx.host}: ${(res.stderr || res.stdout).trim()}`);
  return dir;
}

/** Blocks up to ms on the host until the wait has ended; its exit status, or undefined. */
async function ended(ctx: ModuleContext, dir: string, ms: number): Promise<number | undefined> {
  const n = Math.max(1, Math.ceil(ms / podWatchSettings.tickMs));
  const tick = (podWatchSettings.tickMs / 1000).toFixed(3);
  const d = shellQuote(dir);
  const res = await ctx.conn.run({ shell: `i=0; while [ ! -f ${d}/rc ] && [ $i -lt ${n} ]; do sleep ${tick}; i=$((i+1)); done; cat ${d}/rc 2>/dev/null; exit 0`, timeoutMs: ms + 30_000 });
  const t = res.stdout.trim();
  return t === '' ? undefined : Number(t);
}

/** The wait's output, and its directory removed. */
async function collect(ctx: ModuleContext, dir: string, rc: number): Promise<RunResult> {
  const d = shellQuote(dir);
  const res = await ctx.conn.run({ shell: `cat ${d}/out 2>/dev/null; cat ${d}/err >&2 2>/dev/null; rm -rf ${d}`, timeoutMs: 30_000 });
  return { rc, stdout: res.stdout, stderr: res.stderr };
}

/** SIGTERM to the wait, SIGKILL to its session after the grace period; its output. */
async function stop(ctx: ModuleContext, dir: string, graceMs: number): Promise<RunResult> {
  const d = shellQuote(dir);
  await ctx.conn.run({ shell: `kill -TERM "$(cat ${d}/pid 2>/dev/null)" 2>/dev/null; exit 0`, timeoutMs: 30_000 });
  let rc = await ended(ctx, dir, graceMs);
  if (rc === undefined) {
    await ctx.conn.run({
      shell: `j=$(cat ${d}/job 2>/dev/null); p=$(cat ${d}/pid 2>/dev/null); kill -KILL -- "-$j" 2>/dev/null; kill -KILL "$p" "$j" 2>/dev/null; exit 0`,
      timeoutMs: 30_000,
    });
    rc = 137;
  }
  return collect(ctx, dir, rc);
}

/** One kubectl read for the watcher; undefined (and a -vvv line) when it fails: a read error never fails the wait. */
async function read(ctx: ModuleContext, t: KubectlTarget, sub: string[]): Promise<string | undefined> {
  const argv = kubectlArgv(t, sub);
  const res = await ctx.conn.run({ shell: toolShell(argv), timeoutMs: t.timeout * 1000 });
  if (res.rc !== 0 || res.timedOut) {
    ctx.log(`pod watch: ${commandFailure(argv, res)}`);
    return undefined;
  }
  return res.stdout;
}

function items(text: string | undefined): KObject[] {
  if (!text) return [];
  try {
    const doc = JSON.parse(text) as { items?: KObject[] };
    return Array.isArray(doc.items) ? doc.items : [];
  } catch {
    return [];
  }
}

const refKey = (kind: string, name: string) => `${kind}/${name}`;

/** The pods of a scope among a namespace's workloads and pods (see the header). */
export function scopePods(objs: KObject[], scope: PodScope): Pod[] {
  const byUid = new Map(objs.filter((o) => o.metadata.uid).map((o) => [o.metadata.uid!, o]));
  const byName = new Map(objs.map((o) => [refKey(o.kind ?? '', o.metadata.name), o]));
  const roots = new Set((scope.roots ?? []).map((r) => refKey(r.kind, r.name)));
  const isRoot = (o: KObject): boolean => {
    if (roots.has(refKey(o.kind ?? '', o.metadata.name))) return true;
    const a = o.metadata.annotations ?? {};
    return scope.helmRelease !== undefined && a['meta.helm.sh/release-name'] === scope.helmRelease && (a['meta.helm.sh/release-namespace'] ?? scope.namespace) === scope.namespace;
  };
  const ownerOf = (ref: OwnerRef): KObject | undefined => (ref.uid ? byUid.get(ref.uid) : undefined) ?? byName.get(refKey(ref.kind, ref.name));
  /** the object belongs to the scope, and (for a workload's pods) to its current revision */
  const memo = new Map<KObject, boolean>();
  const inScope = (o: KObject, depth = 0): boolean => {
    if (memo.has(o)) return memo.get(o)!;
    let v = isRoot(o);
    if (!v && depth < 5) {
      for (const ref of o.metadata.ownerReferences ?? []) {
        const owner = ownerOf(ref);
        // a root waited for may own the object without being listed itself (a custom resource)
        if (owner ? inScope(owner, depth + 1) && current(o, owner) : roots.has(refKey(ref.kind, ref.name))) v = true;
        if (v) break;
      }
    }
    memo.set(o, v);
    return v;
  };
  const pods = objs.filter((o) => o.kind === 'Pod') as Pod[];
  return pods.filter((p) => inScope(p) || (scope.helmRelease !== undefined && p.metadata.labels?.['app.kubernetes.io/instance'] === scope.helmRelease));
}

/** A ReplicaSet of an older Deployment revision, or a StatefulSet pod of an older revision, is not current. */
function current(o: KObject, owner: KObject): boolean {
  if (o.kind === 'ReplicaSet' && owner.kind === 'Deployment') {
    const want = owner.metadata.annotations?.['deployment.kubernetes.io/revision'];
    const have = o.metadata.annotations?.['deployment.kubernetes.io/revision'];
    return !want || !have || want === have;
  }
  if (o.kind === 'Pod' && owner.kind === 'StatefulSet') {
    const want = owner.status?.updateRevision as string | undefined;
    const have = o.metadata.labels?.['controller-revision-hash'];
    return !want || !have || want === have;
  }
  return true;
}

/** Reads the pods of the scopes and says what keeps them from being ready. */
class Watcher {
  /** pod uid/name → unschedulable on the previous poll */
  private unschedulableBefore = new Set<string>();
  private disabled = false;
  constructor(private readonly ctx: ModuleContext, private readonly w: WatchedWait) {}

  private inNs(ns: string): KubectlTarget {
    return { ...this.w.kubectl, namespace: ns };
  }

  async problems(final: boolean): Promise<{ problems: PodProblem[]; pods: number }> {
    if (this.disabled) return { problems: [], pods: 0 };
    const byNs = new Map<string, PodScope[]>();
    for (const s of this.w.scopes) byNs.set(s.namespace, [...(byNs.get(s.namespace) ?? []), s]);
    const out: PodProblem[] = [];
    let count = 0;
    const seenUnschedulable = new Set<string>();
    for (const [ns, scopes] of byNs) {
      const text = await read(this.ctx, this.inNs(ns), ['get', KINDS, '-o', 'json']);
      if (text === undefined && !final) continue;
      const objs = items(text);
      const pods = new Map<string, Pod>();
      for (const s of scopes) for (const p of scopePods(objs, s)) pods.set(p.metadata.name, p);
      count += pods.size;
      for (const pod of pods.values()) {
        const id = pod.metadata.uid ?? pod.metadata.name;
        let events: K8sEvent[] | undefined;
        let unschedulable = false;
        if (!pod.spec?.nodeName && (pod.status?.phase ?? 'Pending') === 'Pending') {
          events = await this.events(ns, pod.metadata.name);
          if (unscheduled(pod) || hasFailedScheduling(events)) {
            seenUnschedulable.add(id);
            unschedulable = this.unschedulableBefore.has(id) || final;
          }
        }
        const found = podProblems(pod, { unschedulable });
        if (final || found.some((p) => p.fatal)) {
          for (const p of found) if (events) p.events = eventLines(events);
        }
        out.push(...found);
      }
    }
    this.unschedulableBefore = seenUnschedulable;
    return { problems: out, pods: count };
  }

  private async events(ns: string, pod: string): Promise<K8sEvent[]> {
    return items(await read(this.ctx, this.inNs(ns), ['get', 'events', '--field-selector', `involvedObject.name=${pod}`, '-o', 'json'])) as unknown as K8sEvent[];
  }

  /** Events and log lines for the problems that will be shown. */
  async detail(ps: PodProblem[]): Promise<void> {
    const eventsOf = new Map<string, string[]>();
    for (const p of ps) {
      const key = `${p.namespace}/${p.pod}`;
      if (!p.events) {
        if (!eventsOf.has(key)) eventsOf.set(key, eventLines(await this.events(p.namespace, p.pod)));
        p.events = eventsOf.get(key);
      }
      if (p.logs !== 'none' && p.container) {
        const sub = ['logs', p.pod, '-c', p.container, `--tail=${podWatchSettings.logTail}`, ...(p.logs === 'previous' ? ['--previous'] : [])];
        const text = await read(this.ctx, this.inNs(p.namespace), sub);
        if (text !== undefined) p.logLines = text.split('\n').filter((l) => l.trim() !== '').slice(-podWatchSettings.logTail);
      }
    }
  }
}

function report(ps: PodProblem[]): string {
  const shown = ps.slice(0, podWatchSettings.maxPods);
  const more = ps.length - shown.length;
  const advice = adviceFor(ps.map((p) => p.reason));
  return [
    ...shown.map(describeProblem),
    ...(more > 0 ? [`- and ${more} more`] : []),
    ...(advice.length ? ['what to do:', ...advice.map((a) => `- ${a}`)] : []),
  ].join('\n');
}

const secs = (ms: number) => `${Math.round(ms / 100) / 10}s`;

/**
 * Runs the wait, watching its pods; its result when it succeeds. Fails with the cause when a pod
 * cannot become ready (the wait is stopped) and, when the wait itself fails, says what was not ready.
 */
export async function watchedWait(ctx: ModuleContext, w: WatchedWait): Promise<RunResult> {
  const began = Date.now();
  const dir = await start(ctx, w);
  const watcher = new Watcher(ctx, w);
  let rc: number | undefined;
  for (;;) {
    rc = await ended(ctx, dir, podWatchSettings.pollMs);
    if (rc !== undefined) break;
    if (ctx.signal.aborted || Date.now() - began > w.limitSec * 1000) {
      const res = await stop(ctx, dir, w.graceMs);
      if (ctx.signal.aborted) throw new ModuleError(`interrupted while waiting for ${w.what}`);
      return fail(ctx, w, watcher, { ...res, rc: 124, timedOut: true });
    }
    const { problems } = await watcher.problems(false);
    const fatal = problems.filter((p) => p.fatal);
    if (fatal.length > 0) {
      const noticed = Date.now() - began;
      await watcher.detail(fatal);
      const res = await stop(ctx, dir, w.graceMs);
      const said = (res.stderr.trim() || res.stdout.trim()).split('\n').slice(-3).join('\n');
      throw new ModuleError(
        `${w.what} cannot become ready; gx stopped the wait after ${secs(noticed)} instead of waiting up to ${w.waitSec}s:\n${report(fatal)}` +
          `\n${w.argv[0]} was stopped${said ? ` and said: ${said}` : ''}`,
      );
    }
  }
  const res = await collect(ctx, dir, rc);
  if (rc === 0) return res;
  return fail(ctx, w, watcher, res);
}

async function fail(ctx: ModuleContext, w: WatchedWait, watcher: Watcher, res: RunResult): Promise<never> {
  const { problems, pods } = await watcher.problems(true);
  const shown = problems.slice(0, podWatchSettings.maxPods);
  await watcher.detail(shown);
  const why =
    problems.length > 0
      ? `\nnot ready:\n${report(problems)}`
      : pods === 0
        ? `\nno pods of ${w.what} were found (kubectl get pods; the workload's events say why none were created)`
        : `\nall ${pods} pod${pods === 1 ? ' is' : 's are'} ready now`;
  throw new ModuleError(`${commandFailure(w.argv, res)}${w.scopes.length ? why : ''}`);
}

/** `kubectl rollout status` / `kubectl wait` on objects of one namespace, watching their pods. */
export function kubectlWait(
  ctx: ModuleContext,
  t: KubectlTarget,
  sub: string[],
  o: { namespace: string; roots: { kind: string; name: string; shown: string }[]; waitTimeout: number },
): Promise<RunResult> {
  return watchedWait(ctx, {
    argv: kubectlArgv(t, sub),
    waitSec: o.waitTimeout,
    limitSec: o.waitTimeout + 30,
    what: `${o.roots.map((r) => r.shown).join(', ')}${o.namespace ? ` in namespace ${o.namespace}` : ''}`,
    // cluster-scoped objects (a custom resource without a namespace) have no pods to watch here
    scopes: o.namespace ? [{ namespace: o.namespace, roots: o.roots.map(({ kind, name }) => ({ kind, name })) }] : [],
    kubectl: t,
    graceMs: 5000,
    providedBy: 'kubectl (k3s installs it)',
  });
}

/** `helm upgrade --install --wait`, watching the release's pods (read with kubectl on the same host). */
export function helmWait(
  ctx: ModuleContext,
  argv: string[],
  o: { stdin: string; release: string; namespace: string; kubeconfig?: string; context?: string; timeout: number; waitTimeout: number },
): Promise<RunResult> {
  return watchedWait(ctx, {
    argv,
    stdin: o.stdin,
    waitSec: o.waitTimeout,
    limitSec: o.waitTimeout + 60,
    what: `helm release ${o.release} in namespace ${o.namespace}`,
    scopes: [{ namespace: o.namespace, helmRelease: o.release }],
    kubectl: { executable: ['kubectl'], kubeconfig: o.kubeconfig, context: o.context, timeout: o.timeout },
    // helm marks the release failed (or rolls back with --atomic) when it gets SIGTERM
    graceMs: 120_000,
    providedBy: 'helm',
  });
}
