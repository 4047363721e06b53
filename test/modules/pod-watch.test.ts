// Waits that fail fast and say why (issue 12 part 3), for the kubectl module (rollout status, wait
// for a condition) and the helm module (wait: true), against the kubectl and helm COMMAND DOUBLES:
// no cluster runs here. The doubles replay kubectl's `get -o json` Lists, events and logs from state
// files (test/doubles/kubectl/pods.mjs), and their waits really wait while the pods are not Ready;
// the tests rewrite the pods while the wait runs, as the kubelet would.
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import helm from '../../modules/helm.js';
import kubectl from '../../modules/kubectl.js';
import type { KObject } from '../../modules/lib/k8s/pod-diagnosis.js';
import { podWatchSettings, scopePods } from '../../modules/lib/k8s/pod-watch.js';
import { makeK8sDoubles, type K8sDoubles } from '../doubles/kubectl/doubles.js';
import { runModule, tempDir } from './harness.js';

const IMAGE = 'registry.local:5000/web:1.0';

/** A pod as `kubectl get -o json` prints it, with one container `web` in the given state. */
function pod(name: string, ns: string, o: { labels?: Record<string, string>; owner?: { kind: string; name: string }; container?: Record<string, unknown>; phase?: string; conditions?: unknown[]; node?: string | null }) {
  const ready = o.conditions === undefined && o.container === undefined;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: ns,
      uid: `uid-${name}`,
      labels: o.labels ?? {},
      creationTimestamp: '2024-05-01T10:00:00Z',
      ...(o.owner ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: o.owner.kind, name: o.owner.name, uid: `uid-${o.owner.name}`, controller: true }] } : {}),
    },
    spec: { ...(o.node === null ? {} : { nodeName: o.node ?? 'gauntlet' }), containers: [{ name: 'web', image: IMAGE }] },
    status: {
      phase: o.phase ?? (ready ? 'Running' : 'Pending'),
      conditions: o.conditions ?? (ready ? [{ type: 'Ready', status: 'True' }] : [{ type: 'Ready', status: 'False', reason: 'ContainersNotReady' }]),
      ...(o.node === null ? {} : { containerStatuses: [{ name: 'web', image: IMAGE, ready, restartCount: 0, state: ready ? { running: { startedAt: '2024-05-01T10:00:05Z' } } : {}, ...o.container }] }),
    },
  };
}

const waiting = (reason: string, message: string, extra: Record<string, unknown> = {}) => ({ state: { waiting: { reason, message } }, ...extra });
const event = (podName: string, ns: string, type: string, reason: string, message: string, at: string, count = 1) => ({
  apiVersion: 'v1',
  kind: 'Event',
  metadata: { name: `${podName}.${reason}`, namespace: ns },
  involvedObject: { kind: 'Pod', name: podName, namespace: ns },
  type,
  reason,
  message,
  count,
  firstTimestamp: at,
  lastTimestamp: at,
});

interface Case {
  name: string;
  container?: Record<string, unknown>;
  phase?: string;
  conditions?: unknown[];
  node?: null;
  events: (p: string, ns: string) => unknown[];
  log?: string;
  expect: RegExp[];
}

const CASES: Case[] = [
  {
    name: 'ImagePullBackOff',
    container: waiting('ImagePullBackOff', `Back-off pulling image "${IMAGE}"`),
    events: (p, ns) => [
      event(p, ns, 'Normal', 'Pulling', `Pulling image "${IMAGE}"`, '2024-05-01T10:00:01Z'),
      event(p, ns, 'Warning', 'Failed', `Failed to pull image "${IMAGE}": rpc error: code = NotFound desc = ${IMAGE}: not found`, '2024-05-01T10:00:02Z', 2),
      event(p, ns, 'Normal', 'BackOff', `Back-off pulling image "${IMAGE}"`, '2024-05-01T10:00:03Z', 3),
    ],
    expect: [/container web \(image registry\.local:5000\/web:1\.0\): ImagePullBackOff: Back-off pulling image/, /Warning Failed \(x2\): Failed to pull image .*not found/, /the image cannot be pulled/],
  },
  {
    name: 'ErrImagePull',
    container: waiting('ErrImagePull', 'failed to pull and unpack image: not found'),
    events: (p, ns) => [event(p, ns, 'Warning', 'Failed', 'Error: ErrImagePull', '2024-05-01T10:00:02Z')],
    expect: [/container web \(image registry\.local:5000\/web:1\.0\): ErrImagePull: failed to pull and unpack image: not found/, /Warning Failed: Error: ErrImagePull/],
  },
  {
    name: 'CrashLoopBackOff after a restart',
    container: waiting('CrashLoopBackOff', 'back-off 10s restarting failed container=web', { restartCount: 1, lastState: { terminated: { exitCode: 1, reason: 'Error' } } }),
    events: (p, ns) => [event(p, ns, 'Warning', 'BackOff', 'Back-off restarting failed container web in pod', '2024-05-01T10:00:20Z', 2)],
    log: 'listening on :8080\nerror: DATABASE_URL is not set\n',
    expect: [/CrashLoopBackOff: last exit 1 \(Error\), 1 restart/, /last log lines \(the crashed container, --previous\):\n {6}\| listening on :8080\n {6}\| error: DATABASE_URL is not set/, /Warning BackOff \(x2\)/],
  },
  {
    name: 'Pending with FailedScheduling',
    node: null,
    conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/1 nodes are available: 1 Insufficient memory. preemption: 0/1 nodes are available.' }],
    events: (p, ns) => [event(p, ns, 'Warning', 'FailedScheduling', '0/1 nodes are available: 1 Insufficient memory.', '2024-05-01T10:00:01Z')],
    expect: [/: Unschedulable: 0\/1 nodes are available: 1 Insufficient memory/, /Warning FailedScheduling: 0\/1 nodes/, /no node can run the pod/],
  },
];

describe('waits that fail fast and say why (kubectl and helm command doubles)', function () {
  this.timeout(60_000);
  let d: K8sDoubles;
  const saved = { ...podWatchSettings };
  before(() => {
    podWatchSettings.pollMs = 300;
    podWatchSettings.tickMs = 50;
  });
  after(() => Object.assign(podWatchSettings, saved));
  beforeEach(async () => {
    d = await makeK8sDoubles();
  });

  /** Replaces what the controllers made (pods.json) at once, as the API server would show it. */
  async function controllers(objs: unknown[]): Promise<void> {
    const f = join(d.state, 'pods.json');
    await writeFile(`${f}.tmp`, JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objs }));
    await rename(`${f}.tmp`, f);
  }
  async function state(objs: unknown[], events: unknown[] = [], logs: Record<string, string> = {}): Promise<void> {
    await d.set('events.json', JSON.stringify({ apiVersion: 'v1', kind: 'List', items: events }));
    for (const [path, text] of Object.entries(logs)) await d.set(`logs/${path}`, text);
    await controllers(objs);
  }

  const ns = (name: string) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  const deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'api' },
    spec: { replicas: 1, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: IMAGE }] } } },
  };
  const rs = (namespace: string, owner: string, annotations: Record<string, string> = {}) => ({
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name: `${owner}-7d9c`, namespace, uid: `uid-${owner}-7d9c`, annotations, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: owner, uid: `uid-${owner}`, controller: true }] },
  });
  const kpod = (c: Partial<Case>) => pod('web-7d9c-x2x4q', 'api', { labels: { app: 'web' }, owner: { kind: 'ReplicaSet', name: 'web-7d9c' }, ...c });

  async function chart(): Promise<string> {
    const charts = await tempDir('gx-charts-');
    const dir = join(charts, 'web');
    await mkdir(join(dir, 'templates'), { recursive: true });
    await writeFile(join(dir, 'Chart.yaml'), 'apiVersion: v2\nname: web\nversion: 1.2.0\nappVersion: "1.0"\n');
    await writeFile(join(dir, 'values.yaml'), 'replicas: 1\n');
    const tgz = join(charts, 'web-1.2.0.tgz');
    execFileSync('tar', ['-czf', tgz, '-C', charts, 'web']);
    return tgz;
  }

  describe('kubectl (rollout status)', () => {
    for (const c of CASES) {
      it(`${c.name}: fails the rollout in seconds, naming namespace, pod, container, image, reason and the events`, async () => {
        await runModule(kubectl, { definition: ns('api') }, { conn: d.conn });
        const p = 'web-7d9c-x2x4q';
        await state([rs('api', 'web'), kpod(c)], c.events(p, 'api'), c.log ? { [`api/${p}/web.previous`]: c.log } : {});
        const t0 = Date.now();
        const r = await runModule(kubectl, { definition: deployment, wait: true, wait_timeout: 120 }, { conn: d.conn });
        const took = Date.now() - t0;
        expect(r.failed, r.msg).to.equal(true);
        expect(r.msg).to.match(/^deployment\.apps\/web in namespace api cannot become ready; gx stopped the wait after [\d.]+s instead of waiting up to 120s:\n- pod api\/web-7d9c-x2x4q/);
        for (const re of c.expect) expect(r.msg).to.match(re);
        expect(r.msg).to.include('kubectl was stopped');
        expect(took).to.be.below(10_000);
      });
    }

    it('a healthy rollout passes, and a pod of another workload in ImagePullBackOff does not matter', async () => {
      await runModule(kubectl, { definition: ns('api') }, { conn: d.conn });
      const other = pod('other-1', 'api', { labels: { app: 'other' }, owner: { kind: 'ReplicaSet', name: 'other-5f5f' }, container: waiting('ImagePullBackOff', 'Back-off') });
      await state([rs('api', 'web'), kpod({}), rs('api', 'other'), other]);
      const r = await runModule(kubectl, { definition: deployment, wait: true }, { conn: d.conn });
      expect(r.failed, r.msg).to.equal(false);
      expect(r.data?.waited).to.deep.equal(['deployment "web" successfully rolled out']);
    });

    it('a rollout that becomes healthy while it is watched passes', async () => {
      await runModule(kubectl, { definition: ns('api') }, { conn: d.conn });
      await state([rs('api', 'web'), kpod({ container: waiting('ContainerCreating', '') })]);
      const done = runModule(kubectl, { definition: deployment, wait: true, wait_timeout: 30 }, { conn: d.conn });
      await new Promise((res) => setTimeout(res, 1500));
      await controllers([rs('api', 'web'), kpod({})]);
      const r = await done;
      expect(r.failed, r.msg).to.equal(false);
      expect(r.data?.waited).to.deep.equal(['deployment "web" successfully rolled out']);
    });

    it('a timeout names what was not ready and why, in the same form', async () => {
      await runModule(kubectl, { definition: ns('api') }, { conn: d.conn });
      const p = kpod({ container: { ready: false, state: { running: { startedAt: '2024-05-01T10:00:05Z' } } } });
      await state([rs('api', 'web'), p], [event('web-7d9c-x2x4q', 'api', 'Warning', 'Unhealthy', 'Readiness probe failed: HTTP probe failed with statuscode: 503', '2024-05-01T10:00:09Z', 4)], {
        'api/web-7d9c-x2x4q/web': 'starting\nwaiting for the database\n',
      });
      const r = await runModule(kubectl, { definition: deployment, wait: true, wait_timeout: 2 }, { conn: d.conn });
      expect(r.failed).to.equal(true);
      expect(r.msg).to.equal(
        'kubectl --namespace=api rollout status deployment.apps/web --timeout=2s exited 1: error: timed out waiting for the condition (after 2s)\n' +
          'not ready:\n' +
          '- pod api/web-7d9c-x2x4q, container web (image registry.local:5000/web:1.0): NotReady: running but not ready (its readiness probe fails or it has not passed yet)\n' +
          '    events:\n' +
          '      Warning Unhealthy (x4): Readiness probe failed: HTTP probe failed with statuscode: 503\n' +
          '    last log lines:\n' +
          '      | starting\n' +
          '      | waiting for the database',
      );
    });

    it('a custom resource waited for with wait_condition: a pod it owns in ImagePullBackOff fails the wait', async () => {
      const crd = {
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'CustomResourceDefinition',
        metadata: { name: 'clusters.postgresql.cnpg.io' },
        spec: { group: 'postgresql.cnpg.io', names: { kind: 'Cluster', plural: 'clusters' }, scope: 'Namespaced', versions: [{ name: 'v1', served: true, storage: true }] },
      };
      await runModule(kubectl, { definition: [ns('db'), crd] }, { conn: d.conn });
      const p = pod('pg-1', 'db', { owner: { kind: 'Cluster', name: 'pg' }, container: waiting('ImagePullBackOff', 'Back-off pulling image "ghcr.io/cloudnative-pg/postgresql:16.4"') });
      await state([p], [event('pg-1', 'db', 'Warning', 'Failed', 'Failed to pull image: not found', '2024-05-01T10:00:02Z')]);
      const r = await runModule(kubectl, { definition: { apiVersion: 'postgresql.cnpg.io/v1', kind: 'Cluster', metadata: { name: 'pg', namespace: 'db' }, spec: { instances: 1 } }, wait: true }, { conn: d.conn });
      expect(r.failed).to.equal(true);
      expect(r.msg).to.match(/^cluster\.postgresql\.cnpg\.io\/pg in namespace db cannot become ready; gx stopped the wait/);
      expect(r.msg).to.include('- pod db/pg-1, container web (image registry.local:5000/web:1.0): ImagePullBackOff');
      const calls = (await d.calls()).map((c) => c.argv.join(' '));
      expect(calls).to.include('kubectl --namespace=db wait --for=condition=Ready --timeout=120s cluster.postgresql.cnpg.io/pg');
      expect(calls).to.include('kubectl --namespace=db get deployments.apps,replicasets.apps,statefulsets.apps,daemonsets.apps,jobs.batch,pods -o json');
      expect(calls).to.include('kubectl --namespace=db get events --field-selector involvedObject.name=pg-1 -o json');
    });

    it('time to fail after an ImagePullBackOff appears, at the default poll interval (5 s)', async () => {
      Object.assign(podWatchSettings, saved);
      try {
        await runModule(kubectl, { definition: ns('api') }, { conn: d.conn });
        await state([rs('api', 'web'), kpod({ container: waiting('ContainerCreating', '') })]);
        const done = runModule(kubectl, { definition: deployment, wait: true, wait_timeout: 600 }, { conn: d.conn });
        await new Promise((res) => setTimeout(res, 2000));
        await d.set('events.json', JSON.stringify({ items: CASES[0]!.events('web-7d9c-x2x4q', 'api') }));
        await controllers([rs('api', 'web'), kpod({ container: CASES[0]!.container })]);
        const appeared = Date.now();
        const r = await done;
        const took = Date.now() - appeared;
        console.log(`      time to fail after ImagePullBackOff appeared: ${(took / 1000).toFixed(1)} s (poll interval ${podWatchSettings.pollMs} ms)`);
        expect(r.failed).to.equal(true);
        expect(r.msg).to.include('ImagePullBackOff');
        expect(took).to.be.below(20_000);
      } finally {
        podWatchSettings.pollMs = 300;
        podWatchSettings.tickMs = 50;
      }
    });
  });

  describe('helm (wait: true)', () => {
    const hpod = (c: Partial<Case>) => pod('web-5c7b-abcde', 'web', { labels: { 'app.kubernetes.io/instance': 'web' }, ...c });
    for (const c of CASES) {
      it(`${c.name}: fails helm --wait in seconds; helm is stopped and records the release as failed`, async () => {
        const tgz = await chart();
        const p = 'web-5c7b-abcde';
        await state([hpod(c)], c.events(p, 'web'), c.log ? { [`web/${p}/web.previous`]: c.log } : {});
        const t0 = Date.now();
        const r = await runModule(helm, { name: 'web', chart: tgz, namespace: 'web', create_namespace: true, wait: true, wait_timeout: 300 }, { conn: d.conn });
        const took = Date.now() - t0;
        expect(r.failed, r.msg).to.equal(true);
        expect(r.msg).to.match(/^helm release web in namespace web cannot become ready; gx stopped the wait after [\d.]+s instead of waiting up to 300s:\n- pod web\/web-5c7b-abcde/);
        for (const re of c.expect) expect(r.msg).to.match(re);
        expect(r.msg).to.include('helm was stopped and said: Error: INSTALLATION FAILED: context canceled');
        expect(took).to.be.below(10_000);
        const db = JSON.parse((await d.read('helm.json'))!) as { releases: Record<string, { status: string }> };
        expect(db.releases['web/web']?.status).to.equal('failed');
      });
    }

    it('finds the pods of the release\'s workloads without the instance label (meta.helm.sh annotations, ownerReferences)', async () => {
      const tgz = await chart();
      const dep = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web-api', namespace: 'web', uid: 'uid-web-api', annotations: { 'meta.helm.sh/release-name': 'web', 'meta.helm.sh/release-namespace': 'web' } } };
      const bad = pod('web-api-7d9c-q', 'web', { labels: { app: 'api' }, owner: { kind: 'ReplicaSet', name: 'web-api-7d9c' }, container: waiting('ErrImagePull', 'not found') });
      // helm's own wait sees it too: the double waits on the instance label, so one labelled pod keeps it waiting
      await state([dep, rs('web', 'web-api'), bad, hpod({ container: waiting('ContainerCreating', '') })]);
      const r = await runModule(helm, { name: 'web', chart: tgz, namespace: 'web', create_namespace: true, wait: true }, { conn: d.conn });
      expect(r.failed).to.equal(true);
      expect(r.msg).to.include('- pod web/web-api-7d9c-q, container web (image registry.local:5000/web:1.0): ErrImagePull: not found');
      expect(r.msg).not.to.include('web-5c7b-abcde');
    });

    it('atomic: helm rolls back the first install when stopped', async () => {
      const tgz = await chart();
      await state([hpod(CASES[0]!)], CASES[0]!.events('web-5c7b-abcde', 'web'));
      const r = await runModule(helm, { name: 'web', chart: tgz, namespace: 'web', create_namespace: true, atomic: true }, { conn: d.conn });
      expect(r.failed).to.equal(true);
      expect(r.msg).to.include('ImagePullBackOff');
      expect(r.msg).to.include('helm was stopped and said: Error: INSTALLATION FAILED: release web failed, and has been uninstalled due to atomic being set: context canceled');
      const db = JSON.parse((await d.read('helm.json'))!) as { releases: Record<string, unknown> };
      expect(db.releases).to.deep.equal({});
    });

    it('a healthy release passes', async () => {
      const tgz = await chart();
      await state([hpod({})]);
      const r = await runModule(helm, { name: 'web', chart: tgz, namespace: 'web', create_namespace: true, wait: true }, { conn: d.conn });
      expect(r.failed, r.msg).to.equal(false);
      expect(r.data).to.deep.include({ status: 'deployed', revision: 1 });
    });

    it('a timeout names what was not ready and why', async () => {
      const tgz = await chart();
      await state([hpod({ container: waiting('CreateContainerConfigError', 'secret "web-db" not found') })], [
        event('web-5c7b-abcde', 'web', 'Warning', 'Failed', 'Error: secret "web-db" not found', '2024-05-01T10:00:04Z', 5),
      ]);
      const r = await runModule(helm, { name: 'web', chart: tgz, namespace: 'web', create_namespace: true, wait: true, wait_timeout: 2 }, { conn: d.conn });
      expect(r.failed).to.equal(true);
      expect(r.msg).to.equal(
        `helm upgrade --install web ${tgz} --namespace=web --create-namespace --wait --timeout=2s --values=- exited 1: Error: INSTALLATION FAILED: context deadline exceeded\n` +
          'not ready:\n' +
          '- pod web/web-5c7b-abcde, container web (image registry.local:5000/web:1.0): CreateContainerConfigError: secret "web-db" not found\n' +
          '    events:\n' +
          '      Warning Failed (x5): Error: secret "web-db" not found',
      );
    });
  });

  describe('which pods count (scopePods)', () => {
    const meta = (kind: string, name: string, extra: Partial<KObject['metadata']> = {}): KObject => ({ kind, metadata: { name, namespace: 'api', uid: `uid-${name}`, ...extra } });
    const owned = (kind: string, name: string) => ({ ownerReferences: [{ kind, name, uid: `uid-${name}` }] });

    it("only the Deployment's current ReplicaSet: a pod of the revision being replaced does not count", () => {
      const objs: KObject[] = [
        meta('Deployment', 'web', { annotations: { 'deployment.kubernetes.io/revision': '2' } }),
        meta('ReplicaSet', 'web-old', { annotations: { 'deployment.kubernetes.io/revision': '1' }, ...owned('Deployment', 'web') }),
        meta('ReplicaSet', 'web-new', { annotations: { 'deployment.kubernetes.io/revision': '2' }, ...owned('Deployment', 'web') }),
        meta('Pod', 'web-old-a', owned('ReplicaSet', 'web-old')),
        meta('Pod', 'web-new-a', owned('ReplicaSet', 'web-new')),
        meta('Pod', 'other', owned('ReplicaSet', 'other')),
      ];
      expect(scopePods(objs, { namespace: 'api', roots: [{ kind: 'Deployment', name: 'web' }] }).map((p) => p.metadata.name)).to.deep.equal(['web-new-a']);
    });

    it("a StatefulSet's pods of its update revision; a helm release's annotated workloads and labelled pods", () => {
      const objs: KObject[] = [
        { ...meta('StatefulSet', 'pg', { annotations: { 'meta.helm.sh/release-name': 'db', 'meta.helm.sh/release-namespace': 'api' } }), status: { updateRevision: 'pg-2' } },
        meta('Pod', 'pg-0', { labels: { 'controller-revision-hash': 'pg-1' }, ...owned('StatefulSet', 'pg') }),
        meta('Pod', 'pg-1', { labels: { 'controller-revision-hash': 'pg-2' }, ...owned('StatefulSet', 'pg') }),
        meta('Pod', 'migrate', { labels: { 'app.kubernetes.io/instance': 'db' } }),
        meta('Pod', 'other', { labels: { 'app.kubernetes.io/instance': 'other' } }),
      ];
      expect(scopePods(objs, { namespace: 'api', helmRelease: 'db' }).map((p) => p.metadata.name)).to.deep.equal(['pg-1', 'migrate']);
    });
  });
});
