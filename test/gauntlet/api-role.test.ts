// The API role (playbooks/roles/api) run by the real engine: the image is packaged for real and
// pushed to the REAL registry of the test setup (test/services/registry.sh) on top of a small fake
// Node base image; kubectl is the command double (test/doubles/kubectl), which replays kubectl's
// documented behaviour over an in-file cluster, since no cluster runs here.
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { makeK8sDoubles, HELM_BIN, KUBECTL_BIN, type K8sDoubles } from '../doubles/kubectl/doubles.js';
import { dockerArchive } from '../fixtures/images/make.js';
import { tempDir } from '../modules/harness.js';
import { playIn, type PlayRun } from '../run/play-helper.js';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const MANIFEST_TYPES = ['application/vnd.oci.image.manifest.v1+json', 'application/vnd.docker.distribution.manifest.v2+json'].join(', ');

function service(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run through mocha (global setup starts test/services/registry.sh)`);
  return v;
}

/** Sums of the recap of every host. */
function totals(r: PlayRun): Record<string, number> {
  const recap = [...r.events].reverse().find((e) => e.type === 'recap');
  const out: Record<string, number> = {};
  if (recap?.type !== 'recap') return out;
  for (const counts of Object.values(recap.hosts)) for (const [k, v] of Object.entries(counts as unknown as Record<string, number>)) out[k] = (out[k] ?? 0) + v;
  return out;
}

function failures(r: PlayRun): string {
  return r.events
    .filter((e) => e.type === 'host.result' && (e.result as { status?: string }).status === 'failed')
    .map((e) => JSON.stringify(e))
    .join('\n');
}

describe('API role (real registry, kubectl command double)', function () {
  // the role packages the API for real (tsc + production node_modules) on every run
  this.timeout(240_000);

  let registry: string;
  let repository: string;
  let dir: string;
  let d: K8sDoubles;
  let baseConfigDigest: string;

  const registryJson = async (path: string, accept = MANIFEST_TYPES): Promise<{ status: number; body: any; digest: string | null }> => {
    const res = await fetch(`http://${registry}/v2/${repository}/${path}`, { headers: { accept } });
    return { status: res.status, body: res.status === 200 ? await res.json() : null, digest: res.headers.get('docker-content-digest') };
  };
  const objectsOf = async (kind: string) => Object.values(await d.cluster()).filter((o) => o.kind === kind);
  const run = (check: boolean) => playIn(dir, { check, inventory: [join(dir, 'inventory.yaml')] }, 'playbooks/api.yaml');

  before(async () => {
    registry = service('GX_TEST_REGISTRY');
    repository = `gx-test/api-role-${randomBytes(4).toString('hex')}`;
    dir = await tempDir('gx-api-role-');
    d = await makeK8sDoubles();

    // the layout of the repository: playbooks/ with the role, templates/ beside it
    mkdirSync(join(dir, 'playbooks'));
    symlinkSync(join(REPO, 'playbooks', 'roles'), join(dir, 'playbooks', 'roles'));
    symlinkSync(join(REPO, 'templates'), join(dir, 'templates'));
    mkdirSync(join(dir, 'bundle', 'images'), { recursive: true });
    const base = await dockerArchive(join(dir, 'bundle', 'images'), 'node-20', [{ 'usr/local/bin/node': '#!/bin/sh\necho fake node\n' }], {
      repoTag: 'node:20',
      config: { config: { Env: ['PATH=/usr/local/bin:/usr/bin:/bin', 'NODE_VERSION=20.0.0'], Cmd: ['node'] } },
    });
    baseConfigDigest = base.configDigest;
    writeFileSync(join(dir, 'kubeconfig'), 'apiVersion: v1\nkind: Config\n');

    writeFileSync(
      join(dir, 'inventory.yaml'),
      stringify({
        all: {
          hosts: { localhost: { ansible_connection: 'local' } },
          vars: {
            bundle_dir: join(dir, 'bundle'),
            api_source_dir: REPO,
            api_layer_file: join(dir, 'build', 'api-layer.tar.gz'),
            api_registry_push: `http://${registry}`,
            // the image guard looks the API image up where the cluster would pull it: here the test registry
            api_images_registry: `http://${registry}`,
            api_repository: repository,
            api_kubeconfig: join(dir, 'kubeconfig'),
          },
        },
      }),
    );
    writeFileSync(
      join(dir, 'playbooks', 'api.yaml'),
      stringify([
        {
          name: 'api',
          hosts: 'localhost',
          gather_facts: false,
          environment: { PATH: [KUBECTL_BIN, HELM_BIN, process.env.PATH ?? '/usr/bin:/bin'].join(':'), GX_DOUBLE_STATE: d.state, GX_DOUBLE_LOG: join(d.state, 'calls.log') },
          roles: ['api'],
        },
      ]),
    );

    // what the db play leaves behind: CloudNativePG's app secret for the cluster gx-db in db
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    const stdin = [
      stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'db' } }),
      stringify({
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'gx-db-app', namespace: 'db' },
        type: 'kubernetes.io/basic-auth',
        data: { username: b64('app'), password: b64('s3cretPassw0rd'), dbname: b64('app'), host: b64('gx-db-rw'), port: b64('5432') },
      }),
    ].join('---\n');
    const r = await d.conn.run({ argv: ['kubectl', 'apply', '--server-side', '--field-manager=cnpg', '-f', '-'], stdin });
    expect(r.rc, r.stderr).to.equal(0);
  });

  it('in check mode on a fresh cluster and registry predicts changes and writes nothing', async () => {
    const r = await run(true);
    expect(r.code, failures(r) || r.text).to.equal(0);
    expect(totals(r).changed ?? 0).to.be.greaterThan(0);
    expect((await registryJson('manifests/1.0.0')).status).to.equal(404);
    expect(await objectsOf('Deployment')).to.deep.equal([]);
    expect(await objectsOf('Job')).to.deep.equal([]);
    expect((await objectsOf('Secret')).map((s) => s.metadata.name)).to.deep.equal(['gx-db-app']);
  });

  it('a first run pushes the image and creates secret, migration job, deployment, service and ingress', async () => {
    const r = await run(false);
    expect(r.code, failures(r) || r.text).to.equal(0);
    expect(totals(r).changed ?? 0).to.be.greaterThan(0);

    // the image: the bundle's base with the API layer on top and the config the API needs
    const manifest = await registryJson('manifests/1.0.0');
    expect(manifest.status).to.equal(200);
    const digest = manifest.digest!;
    expect(manifest.body.layers).to.have.length(2);
    const config = (await registryJson(`blobs/${manifest.body.config.digest}`, '*/*')).body;
    expect(config.config.User).to.equal('1000:1000');
    expect(config.config.WorkingDir).to.equal('/app');
    expect(config.config.Cmd).to.deep.equal(['node', 'dist/api/src/main.js']);
    expect(config.config.Env).to.include('NODE_ENV=production');
    expect(config.config.Env).to.include('NODE_VERSION=20.0.0');
    expect(manifest.body.config.digest).to.not.equal(baseConfigDigest);

    const image = `registry.local:5000/${repository}@${digest}`;
    const [secret] = (await objectsOf('Secret')).filter((s) => s.metadata.namespace === 'api');
    expect(secret.metadata.name).to.equal('api-db');
    expect(Buffer.from(secret.data.DATABASE_URL, 'base64').toString()).to.equal('postgres://app:s3cretPassw0rd@gx-db-rw.db.svc:5432/app');

    const jobs = await objectsOf('Job');
    expect(jobs.map((j) => j.metadata.name)).to.deep.equal([`api-migrate-${digest.slice(7, 19)}`]);
    expect(jobs[0].spec.template.spec.containers[0].image).to.equal(image);
    expect(jobs[0].spec.template.spec.containers[0].command).to.deep.equal(['node', 'dist/api/src/migrate.js', 'latest']);

    const [dep] = await objectsOf('Deployment');
    expect(dep.spec.replicas).to.equal(2);
    const pod = dep.spec.template;
    expect(pod.metadata.annotations['linkerd.io/inject']).to.equal('enabled');
    expect(pod.spec.securityContext).to.include({ runAsNonRoot: true, runAsUser: 1000 });
    const c = pod.spec.containers[0];
    expect(c.image).to.equal(image);
    expect(c.livenessProbe.httpGet.path).to.equal('/healthz');
    expect(c.readinessProbe.httpGet.path).to.equal('/readyz');
    expect(c.resources.limits).to.have.keys('cpu', 'memory');
    const env = Object.fromEntries(c.env.map((e: { name: string; value?: string; valueFrom?: unknown }) => [e.name, e.value ?? e.valueFrom]));
    expect(env.OIDC_ISSUERS).to.equal('https://keycloak.local/realms/gx,http://keycloak.keycloak.svc/realms/gx');
    expect(env.OIDC_AUDIENCE).to.equal('gx-api');
    expect(env.DATABASE_URL).to.deep.equal({ secretKeyRef: { name: 'api-db', key: 'DATABASE_URL' } });

    const [svc] = await objectsOf('Service');
    expect(svc.spec.selector).to.deep.equal(dep.spec.selector.matchLabels);
    const [ing] = await objectsOf('Ingress');
    expect(ing.spec.rules[0].host).to.equal('api.local');
    expect(ing.spec.rules[0].http.paths[0].backend.service.name).to.equal(svc.metadata.name);

    // the job and the deployment were waited for
    const calls = (await d.calls()).map((x) => x.argv.join(' '));
    expect(calls.some((x) => / wait --for=condition=Complete .*job/i.test(x))).to.equal(true, calls.join('\n'));
    expect(calls.some((x) => / rollout status deployment/i.test(x))).to.equal(true, calls.join('\n'));
  });

  it('a second run changes nothing', async () => {
    const before = await d.cluster();
    const digest = (await registryJson('manifests/1.0.0')).digest;
    const r = await run(false);
    expect(r.code, failures(r) || r.text).to.equal(0);
    expect(totals(r).changed ?? 0).to.equal(0, r.text);
    expect((await registryJson('manifests/1.0.0')).digest).to.equal(digest);
    expect(await d.cluster()).to.deep.equal(before);
  });

  it('check mode after a run reports no change and writes nothing', async () => {
    const before = await d.cluster();
    const r = await run(true);
    expect(r.code, failures(r) || r.text).to.equal(0);
    expect(totals(r).changed ?? 0).to.equal(0, r.text);
    expect(await d.cluster()).to.deep.equal(before);
  });

  it('fails with a clear message when CloudNativePG has not created its secret', async () => {
    const fresh = await makeK8sDoubles();
    const pb = join(dir, 'playbooks', 'api-no-db.yaml');
    writeFileSync(
      pb,
      stringify([
        {
          name: 'api',
          hosts: 'localhost',
          gather_facts: false,
          environment: { PATH: [KUBECTL_BIN, HELM_BIN, process.env.PATH ?? '/usr/bin:/bin'].join(':'), GX_DOUBLE_STATE: fresh.state, GX_DOUBLE_LOG: join(fresh.state, 'calls.log') },
          roles: ['api'],
        },
      ]),
    );
    const r = await playIn(dir, { check: false, inventory: [join(dir, 'inventory.yaml')] }, 'playbooks/api-no-db.yaml');
    expect(r.code).to.not.equal(0);
    expect(r.text).to.match(/secret gx-db-app not found in namespace db/);
    expect(Object.values(await fresh.cluster()).filter((o) => o.kind === 'Deployment')).to.deep.equal([]);
  });
});
