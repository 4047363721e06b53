// kubectl against a command double (test/doubles/kubectl): no cluster runs here, the double replays
// kubectl's documented output formats and exit codes (apply result lines, `kubectl diff` with
// KUBECTL_EXTERNAL_DIFF and exit 0/1/>1, `get -o json`, `rollout status`, `wait`) over a small
// in-file cluster, and records every invocation with its stdin.
import { expect } from 'chai';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import kubectl, { type ObjectResult } from '../../modules/kubectl.js';
import { makeK8sDoubles, type Call, type K8sDoubles } from '../doubles/kubectl/doubles.js';
import { rhythm, runModule, tempDir } from './harness.js';

const SSA = ['--server-side', '--field-manager=gx'];
const DIFF = ['kubectl', 'diff', ...SSA, '-f', '-'];
const APPLY = ['kubectl', 'apply', ...SSA, '-f', '-'];
const DRY_RUN = ['kubectl', 'apply', ...SSA, '--dry-run=server', '-f', '-'];

const ns = (name: string) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
const cm = (name: string, data: Record<string, string>, namespace = 'api') => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace }, data });
const deployment = (replicas: number, namespace = 'api') => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace },
  spec: {
    replicas,
    selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'registry.local:5000/web:1.0', ports: [{ containerPort: 8080 }] }] } },
  },
});
const crd = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'clusters.postgresql.cnpg.io' },
  spec: {
    group: 'postgresql.cnpg.io',
    names: { kind: 'Cluster', plural: 'clusters', singular: 'cluster', listKind: 'ClusterList' },
    scope: 'Namespaced',
    versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }],
  },
};
const pgCluster = { apiVersion: 'postgresql.cnpg.io/v1', kind: 'Cluster', metadata: { name: 'pg', namespace: 'db' }, spec: { instances: 1, storage: { size: '1Gi' } } };

const objects = (data: Record<string, unknown>): ObjectResult[] => data.objects as ObjectResult[];

/** Calls that change the cluster: apply without a dry run, delete. */
function mutating(calls: Call[]): Call[] {
  return calls.filter((c) => c.argv[0] === 'kubectl' && ((c.argv.includes('apply') && !c.argv.some((w) => w.startsWith('--dry-run'))) || c.argv.includes('delete')));
}

/** The objects a call sent on stdin, as kind/name. */
function sent(c: Call): string[] {
  return parseAllDocuments(c.stdin).map((d) => {
    const o = d.toJS() as { kind: string; metadata: { name: string } };
    return `${o.kind}/${o.metadata.name}`;
  });
}

describe('kubectl (command double)', () => {
  let d: K8sDoubles;
  const snapshot = () => d.cluster();
  beforeEach(async () => {
    d = await makeK8sDoubles();
  });

  it('applies a namespace and a deployment: exact commands, stdin, check → apply → no change → check', async () => {
    const r = await rhythm(kubectl, { definition: [ns('api'), deployment(2)], wait: true }, { conn: d.conn, snapshot, diff: true });
    const calls = await d.calls();
    expect(calls.map((c) => c.argv)).to.deep.equal([
      // check: the namespace would be created, so the deployment in it cannot be dry-run yet
      DIFF,
      DRY_RUN,
      // apply
      DIFF,
      APPLY,
      APPLY,
      ['kubectl', '--namespace=api', 'rollout', 'status', 'deployment.apps/web', '--timeout=120s'],
      // again: both exist and are the same, nothing is sent; wait still confirms the rollout
      DIFF,
      DIFF,
      ['kubectl', '--namespace=api', 'rollout', 'status', 'deployment.apps/web', '--timeout=120s'],
      // check again
      DIFF,
      DIFF,
    ]);
    expect(sent(calls[0]!)).to.deep.equal(['Namespace/api']);
    expect(sent(calls[1]!)).to.deep.equal(['Namespace/api']);
    expect(sent(calls[3]!)).to.deep.equal(['Namespace/api']);
    expect(sent(calls[4]!)).to.deep.equal(['Deployment/web']);
    expect(sent(calls[6]!)).to.deep.equal(['Namespace/api']);
    expect(sent(calls[7]!)).to.deep.equal(['Deployment/web']);
    expect(objects(r.check.data).map((o) => o.action)).to.deep.equal(['created', 'created']);
    expect(r.apply.data.result).to.deep.equal(['namespace/api serverside-applied', 'deployment.apps/web serverside-applied']);
    expect(r.apply.data.waited).to.deep.equal(['deployment "web" successfully rolled out']);
    expect(r.again.data.objects).to.deep.equal([
      { apiVersion: 'v1', kind: 'Namespace', name: 'api', namespace: '', action: 'unchanged' },
      { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', namespace: 'api', action: 'unchanged' },
    ]);
    const cluster = await d.cluster();
    expect(cluster['apps/Deployment/api/web']?.spec.replicas).to.equal(2);
    // KUBECTL_EXTERNAL_DIFF reached kubectl: the double ran it, so the diff has the whole object as context
    expect(r.check.diff?.[0]?.after).to.include('name: api');
  });

  it('decides per object: only the object that differs is applied, and --diff shows it before and after', async () => {
    await runModule(kubectl, { definition: [cm('a', { k: '1' }, 'default'), cm('b', { k: '1' }, 'default')] }, { conn: d.conn });
    await d.clearCalls();
    const r = await runModule(kubectl, { definition: [cm('a', { k: '1' }, 'default'), cm('b', { k: '2' }, 'default')] }, { conn: d.conn, diff: true });
    expect(r.changed).to.equal(true);
    expect(r.msg).to.equal('configure configmap/b');
    expect(objects(r.data).map((o) => `${o.name}:${o.action}`)).to.deep.equal(['a:unchanged', 'b:configured']);
    const calls = await d.calls();
    expect(calls.map((c) => c.argv)).to.deep.equal([DIFF, APPLY]);
    expect(sent(calls[1]!)).to.deep.equal(['ConfigMap/b']);
    expect(r.diff).to.have.length(1);
    expect(r.diff![0]!.label).to.equal('configmap/b (namespace default)');
    expect(r.diff![0]!.before).to.include("  k: \"1\"\n");
    expect(r.diff![0]!.after).to.include("  k: \"2\"\n");
    // the whole object on both sides, not three lines of context
    expect(r.diff![0]!.before).to.match(/^apiVersion: v1\n[\s\S]*name: b\n/);
  });

  it('check mode runs no mutating command, present or absent', async () => {
    const check1 = await runModule(kubectl, { definition: [ns('api'), deployment(1)] }, { conn: d.conn, check: true, diff: true });
    expect(check1.changed).to.equal(true);
    expect(check1.diff!.map((e) => e.label)).to.deep.equal(['namespace/api', 'deployment.apps/web (namespace api)']);
    await runModule(kubectl, { definition: [ns('api'), deployment(1)] }, { conn: d.conn });
    await d.clearCalls();
    const before = await d.cluster();
    const check2 = await runModule(kubectl, { definition: [ns('api'), deployment(3)], wait: true }, { conn: d.conn, check: true });
    const check3 = await runModule(kubectl, { definition: [deployment(1)], state: 'absent', wait: true }, { conn: d.conn, check: true, diff: true });
    expect(check2.changed).to.equal(true);
    expect(check3.changed).to.equal(true);
    expect(check3.diff![0]!.before).to.include('replicas: 1');
    expect(check3.diff![0]!.after).to.equal('');
    const calls = await d.calls();
    expect(mutating(calls)).to.deep.equal([]);
    // and no wait either: nothing was changed, so there is nothing to wait for
    expect(calls.map((c) => c.argv)).to.deep.equal([DIFF, DIFF, DRY_RUN, ['kubectl', 'get', '--ignore-not-found', '-o', 'json', '-f', '-']]);
    expect(sent(calls[2]!)).to.deep.equal(['Deployment/web']);
    expect(await d.cluster()).to.deep.equal(before);
  });

  it('CRDs and namespaces go first (whatever the file order), CRDs are Established before the custom resource, which is waited for', async () => {
    const dir = await tempDir();
    await mkdir(join(dir, 'files'));
    const text = [pgCluster, crd, ns('db')].map((o) => JSON.stringify(o)).join('\n---\n');
    await writeFile(join(dir, 'files', 'cnpg.yaml'), text);
    const args = { src: 'cnpg.yaml', wait: true, wait_timeout: 600 };
    const r = await rhythm(kubectl, args, { conn: d.conn, snapshot, playbookDir: dir });
    expect(objects(r.check.data).map((o) => `${o.kind}:${o.action}`)).to.deep.equal(['Namespace:created', 'CustomResourceDefinition:created', 'Cluster:created']);
    const calls = await d.calls();
    expect(calls[1]!.argv).to.deep.equal(DRY_RUN);
    expect(sent(calls[1]!)).to.deep.equal(['Namespace/db', 'CustomResourceDefinition/clusters.postgresql.cnpg.io']);
    const applyRun = calls.slice(2, 7);
    expect(applyRun.map((c) => c.argv)).to.deep.equal([
      DIFF,
      APPLY,
      ['kubectl', 'wait', '--for=condition=Established', '--timeout=600s', 'customresourcedefinition.apiextensions.k8s.io/clusters.postgresql.cnpg.io'],
      APPLY,
      ['kubectl', '--namespace=db', 'wait', '--for=condition=Ready', '--timeout=600s', 'cluster.postgresql.cnpg.io/pg'],
    ]);
    expect(sent(applyRun[0]!)).to.deep.equal(['Namespace/db', 'CustomResourceDefinition/clusters.postgresql.cnpg.io']);
    expect(sent(applyRun[1]!)).to.deep.equal(['Namespace/db', 'CustomResourceDefinition/clusters.postgresql.cnpg.io']);
    expect(sent(applyRun[3]!)).to.deep.equal(['Cluster/pg']);
    expect(r.apply.data.waited).to.deep.equal([
      'customresourcedefinition.apiextensions.k8s.io/clusters.postgresql.cnpg.io condition met',
      'cluster.postgresql.cnpg.io/pg condition met',
    ]);
    expect(mutating(calls.slice(7))).to.deep.equal([]);
  });

  it('a cluster-scoped custom resource whose CRD only the cluster knows: matched in the diff whatever the task namespace, and found again for absent', async () => {
    const issuerCrd = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'clusterissuers.cert-manager.io' },
      spec: { group: 'cert-manager.io', names: { kind: 'ClusterIssuer', plural: 'clusterissuers' }, scope: 'Cluster', versions: [{ name: 'v1', served: true, storage: true }] },
    };
    await runModule(kubectl, { definition: issuerCrd }, { conn: d.conn });
    const issuer = { apiVersion: 'cert-manager.io/v1', kind: 'ClusterIssuer', metadata: { name: 'local-ca' }, spec: { ca: { secretName: 'ca' } } };
    const r = await rhythm(kubectl, { definition: issuer, namespace: 'api' }, { conn: d.conn, snapshot });
    expect(r.apply.data.result).to.deep.equal(['clusterissuer.cert-manager.io/local-ca serverside-applied']);
    const gone = await rhythm(kubectl, { definition: issuer, namespace: 'api', state: 'absent' }, { conn: d.conn, snapshot });
    expect(gone.apply.data.result).to.deep.equal(['clusterissuer.cert-manager.io "local-ca" deleted']);
  });

  it('connection flags, a custom wait condition and a Job come out as kubectl flags', async () => {
    const kubeconfig = join(d.state, 'k3s.yaml');
    await writeFile(kubeconfig, 'apiVersion: v1\nkind: Config\n');
    await runModule(kubectl, { definition: [crd] }, { conn: d.conn });
    await runModule(kubectl, { definition: [ns('db')] }, { conn: d.conn });
    await d.clearCalls();
    const job = { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'migrate' }, spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'm', image: 'migrate:1' }] } } } };
    const pg = { ...pgCluster, metadata: { name: 'pg' } };
    const r = await runModule(
      kubectl,
      { definition: [pg, job], namespace: 'db', kubeconfig, context: 'default', wait: true, wait_condition: 'jsonpath={.status.phase}=Cluster in healthy state', field_manager: 'gauntlet', force_conflicts: true },
      { conn: d.conn },
    );
    expect(r.failed, r.msg).to.equal(false);
    const g = [`--kubeconfig=${kubeconfig}`, '--context=default', '--namespace=db'];
    expect((await d.calls()).map((c) => c.argv)).to.deep.equal([
      ['kubectl', ...g, 'diff', '--server-side', '--field-manager=gauntlet', '--force-conflicts', '-f', '-'],
      ['kubectl', ...g, 'apply', '--server-side', '--field-manager=gauntlet', '--force-conflicts', '-f', '-'],
      ['kubectl', ...g, 'wait', '--for=condition=Complete', '--timeout=120s', 'job.batch/migrate'],
      ['kubectl', ...g, 'wait', '--for=jsonpath={.status.phase}=Cluster in healthy state', '--timeout=120s', 'cluster.postgresql.cnpg.io/pg'],
    ]);
  });

  it('renders a template with the task variables and applies what it rendered', async () => {
    const dir = await tempDir();
    await mkdir(join(dir, 'templates'));
    await writeFile(join(dir, 'templates', 'cm.yaml.hbs'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ app }}\n  namespace: default\ndata:\n  greeting: "{{ greeting }}"\n');
    const r = await rhythm(kubectl, { template: 'cm.yaml.hbs' }, { conn: d.conn, snapshot, playbookDir: dir, vars: { app: 'hello', greeting: 'hi there' } });
    expect(r.apply.data.result).to.deep.equal(['configmap/hello serverside-applied']);
    expect((await d.cluster())['/ConfigMap/default/hello']?.data).to.deep.equal({ greeting: 'hi there' });
  });

  it('an invalid manifest fails before any kubectl call, naming the template or file, line:col, the object and the field', async () => {
    const dir = await tempDir();
    await mkdir(join(dir, 'templates'));
    await mkdir(join(dir, 'files'));
    const text = [
      'apiVersion: v1',
      'kind: Namespace',
      'metadata:',
      '  name: api',
      '---',
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata:',
      '  name: web',
      'spec:',
      '  replicas: {{ replicas }}',
      '  template:',
      '    spec:',
      '      containers:',
      '        - name: web',
      '          ports:',
      '            - containerPort: "{{ port }}"',
      '',
    ].join('\n');
    await writeFile(join(dir, 'templates', 'api.yaml.hbs'), text);
    const r = await runModule(kubectl, { template: 'api.yaml.hbs' }, { conn: d.conn, playbookDir: dir, vars: { replicas: 'two', port: 8080 } });
    expect(r.failed).to.equal(true);
    expect(r.msg).to.equal(
      'invalid Kubernetes manifests:\n' +
        'templates/api.yaml.hbs:11:3 (rendered): Deployment web: spec.selector: is required\n' +
        'templates/api.yaml.hbs:11:13 (rendered): Deployment web: spec.replicas: must be integer\n' +
        'templates/api.yaml.hbs:17:30 (rendered): Deployment web: spec.template.spec.containers[0].ports[0].containerPort: must be integer',
    );
    // a plain file: the same positions, not marked as rendered
    await writeFile(join(dir, 'files', 'api.yaml'), text.replace('{{ replicas }}', '2').replace('"{{ port }}"', '8080').replace('  template:', '  selector: {matchLabels: {app: web}}\n  template:').replace('name: web\nspec', 'name: web\n  labels: {tier: [1]}\nspec'));
    const file = await runModule(kubectl, { src: 'api.yaml' }, { conn: d.conn, playbookDir: dir });
    expect(file.msg).to.equal('invalid Kubernetes manifest:\nfiles/api.yaml:10:18: Deployment web: metadata.labels.tier: must be string');
    expect(await d.calls()).to.deep.equal([]);
    const typo = await runModule(kubectl, { definition: { ...cm('x', {}), kind: 'ConfigMpa' } }, { conn: d.conn });
    expect(typo.msg).to.include("kind: v1 has no kind ConfigMpa (did you mean 'ConfigMap'?)");
    const bad = await runModule(kubectl, { definition: 'apiVersion: v1\nkind: [\n' }, { conn: d.conn });
    expect(bad.failed).to.equal(true);
    expect(bad.msg).to.match(/^definition:\d+:\d+: invalid YAML/);
  });

  it('strict validation (the default): unknown fields of every object fail the task at once, before any kubectl call, in check mode too', async () => {
    const dir = await tempDir();
    await mkdir(join(dir, 'templates'));
    const text = [
      'apiVersion: v1',
      'kind: Service',
      'metadata:',
      '  name: web',
      '  namespace: default',
      'spec:',
      '  selectr: {app: web}',
      '  ports:',
      '    - port: 80',
      '      targetPort: http',
      '---',
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata:',
      '  name: {{ name }}',
      '  namespace: default',
      'spec:',
      '  selector: {matchLabels: {app: web}}',
      '  template:',
      '    metadata: {labels: {app: web, any-label: x}}',
      '    spec:',
      '      containers:',
      '        - name: web',
      '          image: registry.local:5000/web:1.0',
      '          portz:',
      '            - containerPort: 8080',
      '---',
      'apiVersion: postgresql.cnpg.io/v1',
      'kind: Cluster',
      'metadata: {name: pg, namespace: default}',
      'spec: {instancez: 1}',
      '',
    ].join('\n');
    await writeFile(join(dir, 'templates', 'web.yaml.hbs'), text);
    const expected =
      'invalid Kubernetes manifests:\n' +
      "templates/web.yaml.hbs:7:3 (rendered): Service web: spec.selectr: unknown field (did you mean 'selector'?)\n" +
      "templates/web.yaml.hbs:25:11 (rendered): Deployment web: spec.template.spec.containers[0].portz: unknown field (did you mean 'ports'?)";
    for (const check of [true, false]) {
      for (const validate of [undefined, 'strict', true]) {
        const r = await runModule(kubectl, { template: 'web.yaml.hbs', ...(validate === undefined ? {} : { validate }) }, { conn: d.conn, check, playbookDir: dir, vars: { name: 'web' } });
        expect(r.failed, `check=${check} validate=${validate}`).to.equal(true);
        expect(r.msg).to.equal(expected);
      }
    }
    // not one kubectl call, mutating or not
    expect(await d.calls()).to.deep.equal([]);

    // lenient: the schemas only, so kubectl gets the objects (and the server's strict field validation has the last word)
    const lenient = await runModule(kubectl, { definition: { ...cm('c', { k: 'v' }, 'default'), dato: { x: 'y' } }, validate: 'lenient' }, { conn: d.conn, check: true });
    expect(lenient.failed).to.equal(false);
    expect((await d.calls()).map((c) => c.argv[1])).to.include('diff');
    const wrongType = await runModule(kubectl, { definition: { ...cm('c', { k: 'v' }, 'default'), data: { n: 1 } }, validate: 'lenient' }, { conn: d.conn, check: true });
    expect(wrongType.msg).to.equal('invalid Kubernetes manifest:\ndefinition: ConfigMap c: data.n: must be string');
    // false: only the identity
    const off = await runModule(kubectl, { definition: { ...cm('c', { k: 'v' }, 'default'), data: { n: 1 } }, validate: false }, { conn: d.conn, check: true });
    expect(off.msg ?? '').to.not.include('invalid Kubernetes manifest');
    const bad = await runModule(kubectl, { definition: cm('c', {}), validate: 'strcit' }, { conn: d.conn }).catch((e: Error) => e);
    expect(String(bad)).to.include(`argument 'validate' of module 'kubectl' must be one of 'strict', 'lenient', true, false, got 'strcit'`);
  });

  it('state=absent deletes what exists in reverse order, then is ok; a kind the cluster does not know counts as absent', async () => {
    await runModule(kubectl, { definition: [ns('api'), cm('cfg', { a: 'b' }), deployment(1)] }, { conn: d.conn });
    await d.clearCalls();
    const args = { definition: [ns('api'), cm('cfg', { a: 'b' }), deployment(1), pgCluster], state: 'absent' };
    const r = await rhythm(kubectl, args, { conn: d.conn, snapshot });
    const calls = await d.calls();
    const deletes = mutating(calls);
    expect(deletes.map((c) => c.argv)).to.deep.equal([['kubectl', 'delete', '--ignore-not-found', '--wait=false', '-f', '-']]);
    expect(sent(deletes[0]!)).to.deep.equal(['Deployment/web', 'ConfigMap/cfg', 'Namespace/api']);
    expect(r.apply.data.result).to.deep.equal(['deployment.apps "web" deleted', 'configmap "cfg" deleted', 'namespace "api" deleted']);
    // the first get names the Cluster, whose CRD is missing: kubectl refuses, so gx asks again without it
    expect(sent(calls[0]!)).to.deep.equal(['Cluster/pg', 'Deployment/web', 'ConfigMap/cfg', 'Namespace/api']);
    expect(sent(calls[1]!)).to.deep.equal(['Deployment/web', 'ConfigMap/cfg', 'Namespace/api']);
    expect(objects(r.again.data).map((o) => o.action)).to.deep.equal(['absent', 'absent', 'absent', 'absent']);
    expect(await d.cluster()).to.deep.equal({});
  });

  describe('error paths', () => {
    it('kubectl missing on the host', async () => {
      const none = await makeK8sDoubles({ withDoubles: false, path: '/nonexistent' });
      const r = await runModule(kubectl, { definition: cm('a', {}) }, { conn: none.conn });
      expect(r.failed).to.equal(true);
      expect(r.msg).to.equal('kubectl is not installed on localhost (install the kubectl (k3s installs it) package)');
    });

    it('kubectl diff exiting >1 (a namespace nobody creates) fails with kubectl\'s message, nothing applied', async () => {
      const r = await runModule(kubectl, { definition: deployment(1, 'nowhere') }, { conn: d.conn });
      expect(r.failed).to.equal(true);
      expect(r.msg).to.equal('kubectl diff --server-side --field-manager=gx -f - exited 2: Error from server (NotFound): namespaces "nowhere" not found');
      expect(mutating(await d.calls())).to.deep.equal([]);
    });

    it('check mode fails when the server dry run refuses the apply (strict field validation), and changes nothing', async () => {
      await d.fail('kubectl', 'apply', 'Error from server (BadRequest): error when creating "STDIN": Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.replica"\n');
      const r = await runModule(kubectl, { definition: deployment(1, 'default') }, { conn: d.conn, check: true });
      expect(r.failed).to.equal(true);
      expect(r.msg).to.equal(
        'kubectl apply --server-side --field-manager=gx --dry-run=server -f - exited 1: Error from server (BadRequest): error when creating "STDIN": Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.replica"',
      );
      expect(mutating(await d.calls())).to.deep.equal([]);
      expect(await d.cluster()).to.deep.equal({});
    });

    it('a failing apply (a field conflict) fails the task with its stderr', async () => {
      await d.fail('kubectl', 'apply', 'error: Apply failed with 1 conflict: conflict with "helm" using apps/v1: .spec.replicas\n');
      const r = await runModule(kubectl, { definition: cm('a', {}, 'default') }, { conn: d.conn });
      expect(r.failed).to.equal(true);
      expect(r.msg).to.equal('kubectl apply --server-side --field-manager=gx -f - exited 1: error: Apply failed with 1 conflict: conflict with "helm" using apps/v1: .spec.replicas');
    });

    it('a hanging kubectl is killed after timeout seconds', async () => {
      await d.hang('kubectl', 'diff');
      const r = await runModule(kubectl, { definition: cm('a', {}, 'default'), timeout: 1 }, { conn: d.conn });
      expect(r.failed).to.equal(true);
      expect(r.msg).to.match(/^kubectl diff --server-side --field-manager=gx -f - timed out/);
    });

    it('a rollout that does not finish in wait_timeout fails the task after the apply', async () => {
      await d.set('k8s-stuck/web', '');
      const r = await runModule(kubectl, { definition: deployment(1, 'default'), wait: true, wait_timeout: 5 }, { conn: d.conn });
      expect(r.failed).to.equal(true);
      expect(r.msg).to.equal(
        'kubectl --namespace=default rollout status deployment.apps/web --timeout=5s exited 1: error: timed out waiting for the condition (after 5s)\n' +
          "no pods of deployment.apps/web in namespace default were found (kubectl get pods; the workload's events say why none were created)",
      );
      expect(mutating(await d.calls())).to.have.length(1);
    });

    it('a kubeconfig that is not on the host', async () => {
      const r = await runModule(kubectl, { definition: cm('a', {}), kubeconfig: '/etc/rancher/k3s/none.yaml' }, { conn: d.conn });
      expect(r.failed).to.equal(true);
      expect(r.msg).to.equal('kubectl --kubeconfig=/etc/rancher/k3s/none.yaml diff --server-side --field-manager=gx -f - exited 2: error: stat /etc/rancher/k3s/none.yaml: no such file or directory');
    });
  });
});
