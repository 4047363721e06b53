// helm against a command double (test/doubles/helm): no cluster runs here, the double replays helm
// 3's documented output formats (`helm show chart`, `helm list -o json`, `helm get values -o json`,
// the upgrade/uninstall text) and error messages, and records every invocation with its stdin.
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import helm from '../../modules/helm.js';
import { makeK8sDoubles, type Call, type K8sDoubles } from '../doubles/kubectl/doubles.js';
import { rhythm, runModule, tempDir } from './harness.js';

const READS = new Set(['show', 'list', 'get']);
const mutating = (calls: Call[]) => calls.filter((c) => c.argv[0] === 'helm' && !READS.has(c.argv[1]!));

describe('helm (command double)', () => {
  let d: K8sDoubles;
  let charts: string;
  const snapshot = async () => [await d.read('helm.json'), await d.cluster()];

  async function chart(version: string): Promise<{ dir: string; tgz: string }> {
    const dir = join(charts, version, 'web');
    await mkdir(join(dir, 'templates'), { recursive: true });
    await writeFile(join(dir, 'Chart.yaml'), `apiVersion: v2\nname: web\ndescription: A web app\nversion: ${version}\nappVersion: "1.25"\n`);
    // the keys the tests' values use: the module checks values against the chart (helm-values-check.test.ts)
    await writeFile(join(dir, 'values.yaml'), 'replicas: 1\nimage:\n  tag: "1.0"\ningress:\n  enabled: false\n  host: ""\n  tls: false\n');
    await mkdir(join(dir, 'charts', 'sub'), { recursive: true });
    await writeFile(join(dir, 'charts', 'sub', 'Chart.yaml'), 'apiVersion: v2\nname: sub\nversion: 9.9.9\n');
    const tgz = join(charts, `web-${version}.tgz`);
    execFileSync('tar', ['-czf', tgz, '-C', join(charts, version), 'web']);
    return { dir, tgz };
  }

  beforeEach(async () => {
    d = await makeK8sDoubles();
    charts = await tempDir('gx-charts-');
  });

  it('installs from a .tgz: exact commands, values on stdin, check → install → no change → check', async () => {
    const { tgz } = await chart('1.2.0');
    const args = { name: 'web', chart: tgz, namespace: 'web', create_namespace: true, values: { replicas: 2, ingress: { host: 'web.local' } }, wait: true };
    const r = await rhythm(helm, args, { conn: d.conn, snapshot });
    const calls = await d.calls();
    const show = ['helm', 'show', 'chart', tgz];
    const list = ['helm', 'list', '--namespace=web', '--filter=^web$', '--all', '--output=json'];
    const get = ['helm', 'get', 'values', 'web', '--namespace=web', '--output=json'];
    const upgrade = ['helm', 'upgrade', '--install', 'web', tgz, '--namespace=web', '--create-namespace', '--wait', '--timeout=300s', '--values=-'];
    expect(calls.map((c) => c.argv)).to.deep.equal([show, list, show, list, upgrade, show, list, get, show, list, get]);
    expect(JSON.parse(calls[4]!.stdin)).to.deep.equal({ replicas: 2, ingress: { host: 'web.local' } });
    expect(r.check.msg).to.equal(`install web-1.2.0: helm upgrade --install web ${tgz} --namespace=web --create-namespace --wait --timeout=300s --values=-`);
    expect(r.check.data.command).to.deep.equal(upgrade);
    expect(r.apply.data).to.deep.include({ chart: 'web-1.2.0', status: 'deployed', revision: 1 });
    expect(r.again.data).to.deep.include({ chart: 'web-1.2.0', status: 'deployed', revision: 1 });
    // --create-namespace reached the cluster
    expect(Object.keys(await d.cluster())).to.deep.equal(['/Namespace//web']);
  });

  it('a chart directory; values merged from values_files (host, YAML 1.1), values_template and values, later wins', async () => {
    const { dir } = await chart('1.2.0');
    const pb = await tempDir();
    await mkdir(join(pb, 'templates'));
    await writeFile(join(pb, 'templates', 'web-values.yaml.hbs'), 'ingress:\n  host: {{ host }}\n  tls: on\nreplicas: 3\n');
    const base = join(charts, 'base-values.yaml');
    await writeFile(base, 'replicas: 1\ningress:\n  enabled: yes\n  host: default.local\nimage: {tag: "1.0"}\n');
    const args = { name: 'web', chart: dir, values_files: [base], values_template: 'web-values.yaml.hbs', values: { image: { tag: '1.1' } } };
    await rhythm(helm, args, { conn: d.conn, snapshot, playbookDir: pb, vars: { host: 'web.example' } });
    const up = mutating(await d.calls());
    expect(up.map((c) => c.argv)).to.deep.equal([['helm', 'upgrade', '--install', 'web', dir, '--namespace=default', '--timeout=300s', '--values=-']]);
    expect(JSON.parse(up[0]!.stdin)).to.deep.equal({ replicas: 3, ingress: { enabled: true, host: 'web.example', tls: true }, image: { tag: '1.1' } });
  });

  it('a new chart version or new values upgrade; --diff shows chart and values before and after; check mode only reads', async () => {
    const v1 = await chart('1.2.0');
    const v2 = await chart('1.3.0');
    await runModule(helm, { name: 'web', chart: v1.tgz, values: { replicas: 1 } }, { conn: d.conn });
    await d.clearCalls();
    const check = await runModule(helm, { name: 'web', chart: v2.tgz, values: { replicas: 2 } }, { conn: d.conn, check: true, diff: true });
    expect(check.changed).to.equal(true);
    expect(check.msg).to.match(/^chart web-1\.2\.0 → web-1\.3\.0, values differ: helm upgrade --install web /);
    expect(check.diff).to.deep.equal([
      { label: 'helm release default/web chart', before: 'web-1.2.0\n', after: 'web-1.3.0\n' },
      { label: 'helm release default/web values', before: 'replicas: 1\n', after: 'replicas: 2\n' },
    ]);
    expect(mutating(await d.calls())).to.deep.equal([]);
    const up = await runModule(helm, { name: 'web', chart: v2.tgz, values: { replicas: 1 } }, { conn: d.conn, diff: true });
    expect(up.changed).to.equal(true);
    expect(up.msg).to.equal('chart web-1.2.0 → web-1.3.0');
    expect(up.data).to.deep.include({ chart: 'web-1.3.0', revision: 2 });
    expect(up.diff).to.deep.equal([{ label: 'helm release default/web chart', before: 'web-1.2.0\n', after: 'web-1.3.0\n' }]);
    expect(mutating(await d.calls())).to.have.length(1);
  });

  it('a failed release is upgraded again; a pending one fails the task and nothing runs', async () => {
    const { tgz } = await chart('1.2.0');
    await d.set('helm-stuck/web', '');
    const first = await runModule(helm, { name: 'web', chart: tgz, wait: true, wait_timeout: 5 }, { conn: d.conn });
    expect(first.failed).to.equal(true);
    expect(first.msg).to.equal(
      `helm upgrade --install web ${tgz} --namespace=default --wait --timeout=5s --values=- exited 1: Error: INSTALLATION FAILED: context deadline exceeded\n` +
        "no pods of helm release web in namespace default were found (kubectl get pods; the workload's events say why none were created)",
    );
    await d.unset('helm-stuck/web');
    const again = await runModule(helm, { name: 'web', chart: tgz, wait: true }, { conn: d.conn });
    expect(again.changed).to.equal(true);
    expect(again.msg).to.equal('release is failed');
    expect(again.data).to.deep.include({ status: 'deployed', revision: 2 });
    const db = JSON.parse((await d.read('helm.json'))!) as { releases: Record<string, { status: string }> };
    db.releases['default/web']!.status = 'pending-upgrade';
    await d.set('helm.json', JSON.stringify(db));
    await d.clearCalls();
    const pending = await runModule(helm, { name: 'web', chart: tgz }, { conn: d.conn });
    expect(pending.failed).to.equal(true);
    expect(pending.msg).to.include('release web in namespace default is pending-upgrade');
    expect(mutating(await d.calls())).to.deep.equal([]);
  });

  it('atomic: a failed upgrade is rolled back by helm, and the task fails with helm\'s message', async () => {
    const v1 = await chart('1.2.0');
    const v2 = await chart('1.3.0');
    await runModule(helm, { name: 'web', chart: v1.tgz }, { conn: d.conn });
    await d.set('helm-stuck/web', '');
    const r = await runModule(helm, { name: 'web', chart: v2.tgz, atomic: true }, { conn: d.conn });
    expect(r.failed).to.equal(true);
    expect(r.msg).to.include('Error: UPGRADE FAILED: release web failed, and has been rolled back due to atomic being set: context deadline exceeded');
    expect(r.msg).to.include('--atomic');
  });

  it('state=absent uninstalls, then is ok; check mode does not uninstall', async () => {
    const { tgz } = await chart('1.2.0');
    await runModule(helm, { name: 'web', chart: tgz, namespace: 'default' }, { conn: d.conn });
    await d.clearCalls();
    const r = await rhythm(helm, { name: 'web', state: 'absent', wait: true }, { conn: d.conn, snapshot });
    const calls = await d.calls();
    expect(mutating(calls).map((c) => c.argv)).to.deep.equal([['helm', 'uninstall', 'web', '--namespace=default', '--wait', '--timeout=300s']]);
    expect(r.apply.data.stdout).to.equal('release "web" uninstalled\n');
    expect(r.again.data).to.deep.include({ status: 'absent' });
  });

  describe('error paths', () => {
    it('helm missing on the host', async () => {
      const none = await makeK8sDoubles({ withDoubles: false, path: '/nonexistent' });
      const r = await runModule(helm, { name: 'web', chart: '/opt/charts/web.tgz' }, { conn: none.conn });
      expect(r.failed).to.equal(true);
      expect(r.msg).to.equal('helm is not installed on localhost (install the helm package)');
    });

    it('a chart that is not on the host', async () => {
      const r = await runModule(helm, { name: 'web', chart: '/opt/charts/none.tgz' }, { conn: d.conn });
      expect(r.failed).to.equal(true);
      expect(r.msg).to.equal('the chart /opt/charts/none.tgz cannot be read on localhost: helm show chart /opt/charts/none.tgz exited 1: Error: path "/opt/charts/none.tgz" not found');
    });

    it('a non-zero exit of the upgrade (namespace missing without create_namespace) fails with helm\'s message', async () => {
      const { tgz } = await chart('1.2.0');
      const r = await runModule(helm, { name: 'web', chart: tgz, namespace: 'nowhere' }, { conn: d.conn });
      expect(r.failed).to.equal(true);
      expect(r.msg).to.equal(`helm upgrade --install web ${tgz} --namespace=nowhere --timeout=300s --values=- exited 1: Error: INSTALLATION FAILED: create: failed to create: namespaces "nowhere" not found`);
    });

    it('a hanging helm is killed after timeout seconds', async () => {
      const { tgz } = await chart('1.2.0');
      await d.hang('helm', 'list');
      const r = await runModule(helm, { name: 'web', chart: tgz, timeout: 1 }, { conn: d.conn });
      expect(r.failed).to.equal(true);
      expect(r.msg).to.match(/^helm list --namespace=default '--filter=\^web\$' --all --output=json timed out/);
    });

    it('kubeconfig and context reach every helm call', async () => {
      const { tgz } = await chart('1.2.0');
      const kc = join(d.state, 'k3s.yaml');
      await writeFile(kc, 'apiVersion: v1\nkind: Config\n');
      await runModule(helm, { name: 'web', chart: tgz, kubeconfig: kc, context: 'default' }, { conn: d.conn });
      const calls = await d.calls();
      expect(calls).to.have.length(3);
      for (const c of calls) expect(c.argv.slice(-2)).to.deep.equal([`--kubeconfig=${kc}`, '--kube-context=default']);
      const missing = await runModule(helm, { name: 'web', chart: tgz, kubeconfig: '/etc/rancher/k3s/none.yaml' }, { conn: d.conn });
      expect(missing.msg).to.include('Error: Kubernetes cluster unreachable: stat /etc/rancher/k3s/none.yaml: no such file or directory');
    });
  });
});
