// container_images: the images rendered manifests run, and an image list held to them.
import { expect } from 'chai';
import { runModule } from './harness.js';

const deployment = (name: string, images: string[]) => `---
# Source: ${name}/templates/deployment.yaml
apiVersion: apps/v1
kind: Deployment
metadata: { name: ${name} }
spec:
  template:
    spec:
      containers:
${images.map((i, k) => `        - { name: c${k}, image: "${i}" }`).join('\n')}
`;

describe('container_images module', () => {
  const manifests = [
    { source: 'chart web 1.0.0', text: deployment('web', ['prom/prometheus:v2.55.1', 'ghcr.io/acme/app:1.2']) },
    { source: 'templates/db/clusters.yaml.hbs', text: 'apiVersion: postgresql.cnpg.io/v1\nkind: Cluster\nmetadata: { name: db }\nspec: { imageName: "ghcr.io/cloudnative-pg/postgresql:17.4" }\n' },
  ];

  it('lists every image with what rendered it, Docker Hub names compared as a registry names them; in check mode too', async () => {
    const expected = [
      { registry: 'docker.io', repository: 'prom/prometheus', version: 'v2.55.1' },
      'ghcr.io/acme/app:1.2',
      { registry: 'ghcr.io', repository: 'cloudnative-pg/postgresql', version: '17.4' },
      'docker.io/library/node:20',
    ];
    for (const check of [false, true]) {
      const r = await runModule('container_images', { manifests, expected, unrendered: ['node:20'] }, { check });
      expect(r, r.msg).to.include({ failed: false, changed: false });
      expect((r.data.images as { image: string; source: string }[]).map((i) => [i.image, i.source])).to.deep.equal([
        ['prom/prometheus:v2.55.1', 'chart web 1.0.0'],
        ['ghcr.io/acme/app:1.2', 'chart web 1.0.0'],
        ['ghcr.io/cloudnative-pg/postgresql:17.4', 'templates/db/clusters.yaml.hbs'],
      ]);
    }
  });

  it('fails on a rendered image the list lacks and on a listed image nothing renders, naming each', async () => {
    const r = await runModule('container_images', { manifests, expected: ['docker.io/prom/prometheus:v2.48.1', 'ghcr.io/acme/app:1.2', 'ghcr.io/cloudnative-pg/postgresql:17.4'] });
    expect(r.failed).to.equal(true);
    expect(r.msg).to.equal(
      [
        'the image list does not match what the manifests run:',
        '  missing: prom/prometheus:v2.55.1 — chart web 1.0.0: Deployment web, container c0',
        '  unused:  docker.io/prom/prometheus:v2.48.1 — rendered by nothing (a wrong version, or name it in unrendered if nothing renders it on purpose)',
        'add what is missing (inventory.yaml `images` and playbooks/bundle/artifacts.yaml), remove or correct what is unused',
      ].join('\n'),
    );
  });

  it('without expected it only lists; text that is not YAML is refused naming its source', async () => {
    const r = await runModule('container_images', { manifests });
    expect(r.failed).to.equal(false);
    expect((r.data.images as unknown[]).length).to.equal(3);
    const bad = await runModule('container_images', { manifests: [{ source: 'chart broken 0.1.0', text: 'a: [' }] });
    expect(bad.failed).to.equal(true);
    expect(bad.msg).to.match(/^chart broken 0\.1\.0: not YAML/);
  });

  it('takes a looped register of `helm template` as it is (results named by item.name), lists of them flattened', async () => {
    const results = [
      { item: { name: 'web', version: '1.0.0' }, stdout: deployment('web', ['ghcr.io/acme/app:1.2']), rc: 0 },
      { item: 'other', stdout: deployment('other', ['quay.io/acme/other:3']), rc: 0 },
    ];
    const r = await runModule('container_images', { manifests: [results, [{ source: 'own', text: deployment('own', ['ghcr.io/acme/own:1']) }]], expected: ['ghcr.io/acme/app:1.2', 'quay.io/acme/other:3'] });
    expect(r.failed).to.equal(true);
    expect(r.msg).to.contain('missing: ghcr.io/acme/own:1 — own: Deployment own, container c0');
    expect((r.data.images as { source: string }[]).map((i) => i.source)).to.deep.equal(['web', 'other', 'own']);
  });
});
