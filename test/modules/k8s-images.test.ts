// The images rendered objects run, and which of them a REAL registry (the test docker-registry on
// loopback) lacks, checked with curl from the task's host as the helm and kubectl modules do.
import { expect } from 'chai';
import { parseAllDocuments } from 'yaml';
import { canonical, imagesOf, missingFrom, missingImagesMessage } from '../../modules/lib/k8s/images.js';
import { dockerArchive } from '../fixtures/images/make.js';
import { makeContext, runModule, tempDir } from './harness.js';

const docs = (text: string) => parseAllDocuments(text).map((d) => d.toJS());

const RENDERED = `
apiVersion: apps/v1
kind: Deployment
metadata: { name: web }
spec:
  template:
    spec:
      initContainers: [{ name: init, image: "busybox:1.36" }]
      containers:
        - { name: app, image: "ghcr.io/acme/app:1.2" }
        - { name: proxy, image: "cr.l5d.io/linkerd/proxy:edge-25.4.4" }
---
apiVersion: batch/v1
kind: CronJob
metadata: { name: nightly }
spec:
  jobTemplate:
    spec:
      template:
        spec:
          containers: [{ name: job, image: "ghcr.io/acme/app:1.2" }]
---
apiVersion: v1
kind: ConfigMap
metadata: { name: not-a-workload }
data: { image: "nginx:ignored" }
---
apiVersion: postgresql.cnpg.io/v1
kind: Cluster
metadata: { name: db }
spec: { imageName: "ghcr.io/cloudnative-pg/postgresql:17.4" }
`;

describe('k8s images: what rendered objects run', () => {
  it('collects the images of every workload kind (init, main containers; CronJob nesting) and a CloudNativePG Cluster\'s imageName, once each, with where', () => {
    expect(imagesOf(docs(RENDERED))).to.deep.equal([
      { image: 'busybox:1.36', where: 'Deployment web, container init' },
      { image: 'ghcr.io/acme/app:1.2', where: 'Deployment web, container app' },
      { image: 'cr.l5d.io/linkerd/proxy:edge-25.4.4', where: 'Deployment web, container proxy' },
      { image: 'ghcr.io/cloudnative-pg/postgresql:17.4', where: 'Cluster db' },
    ]);
  });

  it('names images as a registry does: Docker Hub defaults, digests', () => {
    expect(canonical('busybox:1.36')).to.deep.equal({ registry: 'docker.io', repository: 'library/busybox', ref: '1.36' });
    expect(canonical('prom/prometheus:v2.55.1')).to.deep.equal({ registry: 'docker.io', repository: 'prom/prometheus', ref: 'v2.55.1' });
    expect(canonical(`registry.k8s.io/ingress-nginx/controller:v1.12.1@sha256:${'a'.repeat(64)}`)).to.deep.equal({ registry: 'registry.k8s.io', repository: 'ingress-nginx/controller', ref: `sha256:${'a'.repeat(64)}` });
    expect(canonical('quay.io/keycloak/keycloak')).to.deep.equal({ registry: 'quay.io', repository: 'keycloak/keycloak', ref: 'latest' });
  });

  it('against a real docker-registry: present images pass, missing ones are named with who wants them; an unreachable registry says so', async function () {
    this.timeout(60_000);
    const registry = `http://${process.env.GX_TEST_REGISTRY}`;
    const run = Date.now().toString(36);
    const dir = await tempDir('gx-k8s-images-');
    const img = await dockerArchive(dir, 'present', [{ 'etc/x': `present ${run}\n` }]);
    const pushed = await runModule('registry_push', { src: img.path, registry, repository: `acme/app-${run}`, tag: '1.2' });
    expect(pushed.failed, pushed.msg).to.equal(false);
    const ctx = makeContext();
    const wanted = [
      { image: `ghcr.io/acme/app-${run}:1.2`, where: 'Deployment web, container app' },
      { image: `ghcr.io/acme/app-${run}:9.9`, where: 'Deployment web, container app' },
      { image: `cr.l5d.io/linkerd/nothing-${run}:edge`, where: 'Deployment web, container proxy' },
    ];
    const missing = await missingFrom(ctx, registry, wanted);
    expect(missing.map((m) => [m.image, m.why])).to.deep.equal([
      [`ghcr.io/acme/app-${run}:9.9`, 'not in the registry'],
      [`cr.l5d.io/linkerd/nothing-${run}:edge`, 'not in the registry'],
    ]);
    const msg = missingImagesMessage('chart web 1.0.0', missing, registry);
    expect(msg).to.contain(`ghcr.io/acme/app-${run}:9.9 (Deployment web, container app): not in the registry`).and.contain('ImagePullBackOff').and.contain('--tags images');
    let err: Error | undefined;
    await missingFrom(ctx, 'http://127.0.0.1:9', wanted).catch((e: Error) => (err = e));
    expect(err?.message).to.contain('cannot reach the image registry http://127.0.0.1:9');
  });
});
