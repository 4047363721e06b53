// Every template of the gauntlet (templates/**, except templates/api which the API role's tests
// cover) rendered with the default inventory's variables: Kubernetes manifests must validate
// against the schemas, strictly (no unknown fields), values files and configs must be the YAML their
// consumer expects.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { renderTemplateFile } from '../../engine/vars/template.js';
import { validateManifestText } from '../../modules/lib/k8s/validate-text.js';
import { defaultScope, filesUnder, NOT_MANIFESTS, RUNTIME_VARS, TEMPLATES } from './helpers.js';

const ALL = filesUnder(TEMPLATES).filter((f) => !f.startsWith('api/'));

async function render(file: string, extra: Record<string, unknown> = {}): Promise<string> {
  return renderTemplateFile(readFileSync(join(TEMPLATES, file), 'utf8'), await defaultScope(extra), { path: file });
}

function objects(text: string): Array<Record<string, any>> {
  return parseAllDocuments(text).map((d) => d.toJS()).filter((o) => o !== null);
}

describe('gauntlet templates rendered with the default inventory', () => {
  it('covers one folder per component, every file a .hbs template', () => {
    expect(ALL.every((f) => f.endsWith('.hbs')), ALL.join(', ')).to.equal(true);
    const folders = new Set(ALL.map((f) => f.split('/')[0]));
    for (const c of ['vm', 'registry', 'ingress', 'db', 'auth', 'gitops', 'mesh']) expect(folders, c).to.include(c);
  });

  for (const file of ALL.filter((f) => !NOT_MANIFESTS.has(f))) {
    it(`${file}: every object valid against the Kubernetes schemas`, async () => {
      const text = await render(file);
      expect(validateManifestText(text, file)).to.deep.equal([]);
      expect(objects(text).length).to.be.greaterThan(0);
    });
  }

  for (const file of NOT_MANIFESTS) {
    it(`${file}: one YAML document`, async () => {
      const docs = parseAllDocuments(await render(file));
      expect(docs.length).to.equal(1);
      expect(docs[0]!.errors.map(String)).to.deep.equal([]);
      expect(docs[0]!.toJS()).to.be.an('object');
    });
  }

  it('namespaces: auth is annotated for injection, gitea and db are not (the API role owns namespace api)', async () => {
    const ns = Object.fromEntries(objects(await render('namespaces/namespaces.yaml.hbs')).map((o) => [o.metadata.name, o]));
    expect(Object.keys(ns).sort()).to.deep.equal(['auth', 'db', 'gitea']);
    expect(ns.auth.metadata.annotations).to.deep.equal({ 'linkerd.io/inject': 'enabled' });
    expect(ns.gitea.metadata.annotations).to.equal(undefined);
    expect(ns.db.metadata.annotations).to.equal(undefined);
  });

  it('db: one Cluster per service in its namespace, out of the mesh, on the bundled postgres image', async () => {
    const clusters = objects(await render('db/clusters.yaml.hbs'));
    expect(clusters.map((c) => `${c.metadata.namespace}/${c.metadata.name}`)).to.deep.equal(['auth/keycloak', 'gitea/gitea', 'db/api']);
    for (const c of clusters) {
      expect(c.kind).to.equal('Cluster');
      expect(c.spec.imageName).to.equal('ghcr.io/cloudnative-pg/postgresql:17.4');
      expect(c.spec.bootstrap.initdb.database).to.equal(c.metadata.name);
      expect(c.spec.inheritedMetadata.annotations['linkerd.io/inject']).to.equal('disabled');
    }
  });

  it('auth: the realm import has the confidential client, roles user and admin, the test user, and KC_HOSTNAME is keycloak.local', async () => {
    const objs = objects(await render('auth/keycloak.yaml.hbs'));
    const cm = objs.find((o) => o.kind === 'ConfigMap')!;
    const realm = JSON.parse(cm.data['realm.json']);
    expect(realm.realm).to.equal('gauntlet');
    expect(realm.roles.realm.map((r: { name: string }) => r.name)).to.deep.equal(['user', 'admin']);
    const client = realm.clients[0];
    expect(client).to.include({ clientId: 'gauntlet-api', publicClient: false, secret: 'gauntlet-api-secret', directAccessGrantsEnabled: true });
    expect(client.protocolMappers[0].config['included.client.audience']).to.equal('gauntlet-api');
    const alice = realm.users.find((u: { username: string }) => u.username === 'alice');
    expect(alice.realmRoles).to.deep.equal(['user']);
    expect(alice.credentials).to.deep.equal([{ type: 'password', value: 'alice-password', temporary: false }]);
    expect(realm.users.find((u: { username: string }) => u.username === 'gauntlet-admin').realmRoles).to.deep.equal(['user', 'admin']);
    const env = objs.find((o) => o.kind === 'Deployment')!.spec.template.spec.containers[0].env;
    expect(env.find((e: { name: string }) => e.name === 'KC_HOSTNAME').value).to.equal('http://keycloak.local');
    expect(env.find((e: { name: string }) => e.name === 'KC_DB_PASSWORD').valueFrom.secretKeyRef).to.deep.equal({ name: 'keycloak-app', key: 'password' });
    expect(objs.find((o) => o.kind === 'Ingress')!.spec.rules[0].host).to.equal('keycloak.local');
  });

  it('auth: odd characters in passwords stay valid JSON and YAML', async () => {
    const text = await render('auth/keycloak.yaml.hbs', { keycloak_test_password: 'a"b\\c: d\n#e', keycloak_client_secret: "it's" });
    expect(validateManifestText(text, 'keycloak')).to.deep.equal([]);
    const realm = JSON.parse(objects(text).find((o) => o.kind === 'ConfigMap')!.data['realm.json']);
    expect(realm.users[0].credentials[0].value).to.equal('a"b\\c: d\n#e');
    expect(realm.clients[0].secret).to.equal("it's");
  });

  it('gitops: the root Application and its child point at the in-cluster Gitea repository, synced automatically', async () => {
    const [root] = objects(await render('gitops/app-of-apps.yaml.hbs'));
    const [child] = objects(await render('gitops/repo/apps/platform.yaml.hbs'));
    for (const app of [root!, child!]) {
      expect(app.kind).to.equal('Application');
      expect(app.spec.source.repoURL).to.equal('http://gitea-http.gitea.svc:3000/gauntlet/gauntlet-gitops.git');
      expect(app.spec.syncPolicy.automated).to.deep.equal({ prune: true, selfHeal: true });
    }
    expect(child!.spec.syncPolicy.retry.limit).to.equal(-1);
    expect(root!.spec.source.path).to.equal('apps');
    expect(child!.spec.source.path).to.equal('platform');
  });

  it('gitops: every stack namespace is isolated, the API reachable from the ingress controller', async () => {
    const policies = objects(await render('gitops/repo/platform/network-policies.yaml.hbs'));
    expect(policies.map((p) => p.metadata.namespace)).to.deep.equal(['api', 'auth', 'gitea', 'db']);
    const from = policies[0]!.spec.ingress[0].from.map((f: any) => f.namespaceSelector?.matchLabels['kubernetes.io/metadata.name'] ?? 'same namespace');
    expect(from).to.deep.equal(['same namespace', 'ingress-nginx', 'cnpg-system', 'linkerd', 'linkerd-viz']);
  });

  it('cloud-init: a #cloud-config putting the public key in place, no network updates', async () => {
    const text = await render('vm/cloud-init.yaml.hbs');
    expect(text.split('\n')[0]).to.equal('#cloud-config');
    const ci = parse(text);
    expect(ci.ssh_authorized_keys).to.deep.equal([RUNTIME_VARS.ssh_public_key]);
    expect(ci).to.include({ hostname: 'gauntlet', package_update: false, package_upgrade: false });
  });

  it('registry: plain HTTP on :5000 with the persistent storage directory', async () => {
    const cfg = parse(await render('registry/config.yml.hbs'));
    expect(cfg.http.addr).to.equal(':5000');
    expect(cfg.storage.filesystem.rootdirectory).to.equal('/var/lib/registry');
  });

  it('ingress values: the pinned controller and certgen tags, digests cleared for the re-pushed images', async () => {
    const v = parse(await render('ingress/values.yaml.hbs'));
    expect(v.controller.image).to.deep.equal({ tag: 'v1.12.1', digest: '', digestChroot: '' });
    expect(v.controller.admissionWebhooks.patch.image).to.deep.equal({ tag: 'v1.5.2', digest: '' });
    expect(v.controller.ingressClassResource.default).to.equal(true);
  });

  it('keycloak: sized from upstream\'s guide (~1250 MB base per pod; the heap is 70 % of the limit), not below it', async () => {
    const objs = objects(await render('auth/keycloak.yaml.hbs'));
    const res = objs.find((o) => o.kind === 'Deployment')!.spec.template.spec.containers[0].resources;
    const mi = (q: string) => Number(/^(\d+)Mi$/.exec(q)?.[1] ?? (/^(\d+)Gi$/.exec(q) ? Number(/^(\d+)Gi$/.exec(q)![1]) * 1024 : NaN));
    expect(mi(res.requests.memory)).to.be.at.least(1250);
    expect(mi(res.limits.memory)).to.be.at.least(mi(res.requests.memory));
    // the VM has room for it: the arithmetic in inventory.yaml
    expect(String((await defaultScope()).vm_memory)).to.equal('8G');
  });

  it('mesh values: no heartbeat (it calls versioncheck.linkerd.io daily; offline it leaves failed pods)', async () => {
    expect(parse(await render('mesh/control-plane-values.yaml.hbs')).disableHeartBeat).to.equal(true);
  });

  it('mesh values: the generated PEMs arrive intact as block scalars', async () => {
    const v = parse(await render('mesh/control-plane-values.yaml.hbs'));
    expect(v.identityTrustAnchorsPEM.trim()).to.equal(RUNTIME_VARS.linkerd_trust_anchor_pem);
    expect(v.identity.issuer.tls.crtPEM.trim()).to.equal(RUNTIME_VARS.linkerd_issuer_crt_pem);
    expect(v.identity.issuer.tls.keyPEM.trim()).to.equal(RUNTIME_VARS.linkerd_issuer_key_pem);
  });

  it('gitea values: external PostgreSQL from the CloudNativePG secret, no bundled subcharts, admin from the inventory', async () => {
    const v = parse(await render('gitops/gitea-values.yaml.hbs'));
    expect(v.gitea.admin).to.include({ username: 'gauntlet', password: 'gauntlet-gitea' });
    expect(v.gitea.config.database).to.include({ DB_TYPE: 'postgres', HOST: 'gitea-rw.gitea.svc:5432' });
    expect(v.gitea.additionalConfigFromEnvs[0].valueFrom.secretKeyRef).to.deep.equal({ name: 'gitea-app', key: 'password' });
    // chart 11.x's Bitnami subcharts (valkey only exists from chart 12; chart-values-keys.test.ts checks every key)
    for (const sub of ['postgresql', 'postgresql-ha', 'redis', 'redis-cluster']) expect(v[sub].enabled, sub).to.equal(false);
    expect(v.gitea.config['cron.update_checker']).to.deep.equal({ ENABLED: false });
    expect(v.image).to.include({ tag: '1.23.6', rootless: true });
  });

  it('argocd values: pinned images that the bundle carries, no Dex', async () => {
    const v = parse(await render('gitops/argocd-values.yaml.hbs'));
    expect(v.global.image).to.deep.equal({ repository: 'quay.io/argoproj/argocd', tag: 'v2.14.9' });
    expect(v.redis.image).to.deep.equal({ repository: 'public.ecr.aws/docker/library/redis', tag: '7.4.2-alpine' });
    expect(v.dex.enabled).to.equal(false);
  });
});
