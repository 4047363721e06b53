// Every manifest template of the API role (templates/api/*.hbs), rendered with the role's defaults
// and the facts the role sets before rendering them (helpers.ts apiRoleVars), must be valid Kubernetes
// (validateManifestText: the OpenAPI schemas of the objects, strictly: no unknown fields) and carry
// what the issue asks for.
import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { renderTemplateFile } from '../../engine/vars/template.js';
import { validateManifestText } from '../../modules/lib/k8s/validate-text.js';
import { loadConfig } from '../../api/src/config.js';
import { apiRoleVars, REPO } from './helpers.js';

const TEMPLATES = join(REPO, 'templates', 'api');
const render = (name: string, vars = apiRoleVars()): string => renderTemplateFile(readFileSync(join(TEMPLATES, name), 'utf8'), vars, { path: name });
const objects = (text: string): any[] => parseAllDocuments(text).map((d) => d.toJS());

describe('API role templates (templates/api) rendered with the role defaults', () => {
  const names = readdirSync(TEMPLATES).filter((f) => f.endsWith('.hbs')).sort();

  it('covers every manifest the role applies', () => {
    expect(names).to.deep.equal(['db-secret.yaml.hbs', 'deployment.yaml.hbs', 'ingress.yaml.hbs', 'migrate-job.yaml.hbs', 'namespace.yaml.hbs', 'service.yaml.hbs']);
  });

  for (const name of names) {
    it(`${name} is valid`, () => {
      expect(validateManifestText(render(name), `templates/api/${name}`)).to.deep.equal([]);
    });
  }

  it('a broken manifest is caught (the validation is not a formality)', () => {
    const broken = render('deployment.yaml.hbs').replace('replicas: 2', 'replicas: two');
    expect(validateManifestText(broken, 'deployment')).to.not.deep.equal([]);
  });

  it('the deployment: 2 replicas, probes, resources, Linkerd, non-root, both issuers', () => {
    const [dep] = objects(render('deployment.yaml.hbs'));
    expect(dep.spec.replicas).to.equal(2);
    const pod = dep.spec.template;
    expect(pod.metadata.annotations['linkerd.io/inject']).to.equal('enabled');
    expect(pod.spec.securityContext).to.include({ runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000 });
    const c = pod.spec.containers[0];
    expect(c.securityContext).to.deep.include({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true });
    expect(c.livenessProbe.httpGet).to.deep.equal({ path: '/healthz', port: 'http' });
    expect(c.readinessProbe.httpGet).to.deep.equal({ path: '/readyz', port: 'http' });
    expect(c.resources).to.deep.equal({ requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '1', memory: '256Mi' } });
    const env = Object.fromEntries(c.env.map((e: any) => [e.name, e.value ?? e.valueFrom]));
    expect(env.OIDC_ISSUERS).to.equal('https://keycloak.local/realms/gx,http://keycloak.keycloak.svc/realms/gx');
    expect(env.OIDC_JWKS_URI).to.equal('http://keycloak.keycloak.svc/realms/gx/protocol/openid-connect/certs');
    expect(env.DB_POOL_MAX).to.equal('10');
    // the grace period outlasts the API's own shutdown timeout
    expect(pod.spec.terminationGracePeriodSeconds * 1000).to.be.greaterThan(Number(env.SHUTDOWN_TIMEOUT_MS));
    // the list cache takes at most an eighth of the memory limit (256Mi)
    expect(Number(env.TASK_LIST_CACHE_BYTES)).to.be.within(1, (256 * 1024 * 1024) / 8);
    // every value the manifest sets is one the API's own configuration check accepts
    const plain = Object.fromEntries(Object.entries(env).filter(([, v]) => typeof v === 'string')) as Record<string, string>;
    const config = loadConfig({ ...plain, DATABASE_URL: 'postgres://u:p@gx-db-rw.db.svc:5432/app' });
    expect(config.listCacheBytes).to.equal(Number(env.TASK_LIST_CACHE_BYTES));
  });

  it('the pods roll when the database credentials change', () => {
    const a = objects(render('deployment.yaml.hbs'))[0].spec.template.metadata.annotations;
    const b = objects(render('deployment.yaml.hbs', apiRoleVars({ api_database_url: 'postgres://app:other@gx-db-rw.db.svc:5432/app' })))[0].spec.template.metadata.annotations;
    expect(a['gx.dev/db-secret-sha256']).to.match(/^[0-9a-f]{64}$/);
    expect(a['gx.dev/db-secret-sha256']).to.not.equal(b['gx.dev/db-secret-sha256']);
  });

  it('values that look like YAML stay strings (everything is rendered as JSON scalars)', () => {
    const [ing] = objects(render('ingress.yaml.hbs', apiRoleVars({ api_host: 'yes', api_name: '123' })));
    expect(ing.spec.rules[0].host).to.equal('yes');
    expect(ing.metadata.name).to.equal('123');
  });

  it('the secret holds DATABASE_URL and the job runs the migrations with it', () => {
    const [secret] = objects(render('db-secret.yaml.hbs'));
    expect(Buffer.from(secret.data.DATABASE_URL, 'base64').toString()).to.equal('postgres://app:pw@gx-db-rw.db.svc:5432/app');
    const [job] = objects(render('migrate-job.yaml.hbs'));
    expect(job.metadata.name).to.equal('api-migrate-ab12ab12ab12');
    const c = job.spec.template.spec.containers[0];
    expect(c.env[0].valueFrom.secretKeyRef).to.deep.equal({ name: secret.metadata.name, key: 'DATABASE_URL' });
    expect(job.spec.template.metadata.annotations['linkerd.io/inject']).to.equal('disabled');
  });
});
