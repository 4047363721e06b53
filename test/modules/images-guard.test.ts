// The image guard of the helm and kubectl modules (images_registry): what a chart renders with the
// play's values (helm is the command double: its `helm template` prints the test chart's plain-YAML
// templates, standing for what the real chart renders) and what our own manifests name, looked up
// in the REAL test registry (docker-registry on loopback) with curl from the task's host.
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import helm from '../../modules/helm.js';
import kubectl from '../../modules/kubectl.js';
import { dockerArchive } from '../fixtures/images/make.js';
import { makeK8sDoubles, type K8sDoubles } from '../doubles/kubectl/doubles.js';
import { runModule, tempDir } from './harness.js';

const run = Date.now().toString(36);
const deployment = (name: string, images: string[]) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
spec:
  selector:
    matchLabels: { app: ${name} }
  template:
    metadata:
      labels: { app: ${name} }
    spec:
      containers:
${images.map((img, i) => `        - name: c${i}\n          image: ${img}`).join('\n')}
`;

describe('images_registry: every image a chart renders or a manifest names is in the registry before anything is installed (helm/kubectl doubles, the real registry)', function () {
  this.timeout(60_000);
  let d: K8sDoubles;
  let registry: string;
  const present = `ghcr.io/acme/present-${run}:1.0`;
  const absent = `quay.io/acme/absent-${run}:2.0`;

  before(async () => {
    registry = `http://${process.env.GX_TEST_REGISTRY}`;
    const dir = await tempDir('gx-images-guard-');
    const img = await dockerArchive(dir, 'present', [{ 'etc/x': `present ${run}\n` }]);
    const pushed = await runModule('registry_push', { src: img.path, registry, repository: `acme/present-${run}`, tag: '1.0' });
    expect(pushed.failed, pushed.msg).to.equal(false);
  });
  beforeEach(async () => {
    d = await makeK8sDoubles();
  });

  async function chart(images: string[]): Promise<string> {
    const work = await tempDir('gx-images-chart-');
    await mkdir(join(work, 'web', 'templates'), { recursive: true });
    await writeFile(join(work, 'web', 'Chart.yaml'), 'apiVersion: v2\nname: web\nversion: 1.0.0\n');
    await writeFile(join(work, 'web', 'values.yaml'), 'replicas: 1\n');
    await writeFile(join(work, 'web', 'templates', 'deployment.yaml'), deployment('web', images));
    const tgz = join(work, 'web-1.0.0.tgz');
    execFileSync('tar', ['-czf', tgz, '-C', work, 'web']);
    return tgz;
  }

  it('helm: a chart that would run an image the registry lacks fails naming it, before install; check mode warns with the same text (an earlier task may push it); `helm template` got the same values', async () => {
    const tgz = await chart([present, absent]);
    for (const check of [true, false]) {
      const r = await runModule(helm, { name: 'web', chart: tgz, namespace: 'default', values: { replicas: 2 }, images_registry: registry }, { conn: d.conn, check });
      expect(r.failed, `check=${check}`).to.equal(!check);
      if (check) expect(r.msg).to.contain('warning (check mode: an earlier task of a real run may push them)');
      expect(r.msg).to.contain('chart web-1.0.0 (release default/web) would run 1 image that the registry').and.contain(`${absent} (Deployment web, container c1): not in the registry`);
      expect(r.msg).to.not.contain(present);
    }
    const calls = await d.calls();
    const template = calls.find((c) => c.argv[1] === 'template')!;
    expect(template.argv.slice(0, 5)).to.deep.equal(['helm', 'template', 'web', tgz, '--namespace=default']);
    expect(JSON.parse(template.stdin!)).to.deep.equal({ replicas: 2 });
    expect(calls.filter((c) => c.argv[1] === 'upgrade')).to.deep.equal([]);
    expect(await d.read('helm.json')).to.equal(null);
  });

  it('helm: every image present → installs; without images_registry nothing is looked up', async () => {
    const tgz = await chart([present]);
    const r = await runModule(helm, { name: 'web', chart: tgz, namespace: 'default', images_registry: registry }, { conn: d.conn });
    expect(r, r.msg).to.include({ failed: false, changed: true });
    const again = await runModule(helm, { name: 'web', chart: await chart([absent]), namespace: 'default' }, { conn: d.conn });
    expect(again.failed, again.msg).to.equal(false);
  });

  it('kubectl: a manifest (or a CloudNativePG Cluster) naming an image the registry lacks fails before anything is applied; check mode warns', async () => {
    const cluster = { apiVersion: 'postgresql.cnpg.io/v1', kind: 'Cluster', metadata: { name: 'db', namespace: 'default' }, spec: { instances: 1, imageName: `ghcr.io/cloudnative-pg/postgresql-${run}:17.4` } };
    const definition = [
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default' }, spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'app', image: absent }, { name: 'ok', image: present }] } } } },
      cluster,
    ];
    const r = await runModule(kubectl, { definition, images_registry: registry }, { conn: d.conn });
    expect(r.failed).to.equal(true);
    expect(r.msg).to.contain('the manifests would run 2 images').and.contain(`${absent} (Deployment web, container app): not in the registry`).and.contain(`ghcr.io/cloudnative-pg/postgresql-${run}:17.4 (Cluster db): not in the registry`);
    // check mode: planned, with the same text as a warning
    const check = await runModule(kubectl, { definition: definition[0], images_registry: registry }, { conn: d.conn, check: true });
    expect(check.failed, check.msg).to.equal(false);
    expect(check.msg).to.contain('warning (check mode: an earlier task of a real run may push them)').and.contain(`${absent} (Deployment web, container app): not in the registry`);
    // the real run stopped before any mutating kubectl call (check mode only read)
    expect((await d.calls()).filter((c) => c.argv[0] === 'kubectl' && ['apply', 'delete', 'create'].includes(c.argv[1]!) && !c.argv.some((x) => x.startsWith('--dry-run')))).to.deep.equal([]);
  });
});
