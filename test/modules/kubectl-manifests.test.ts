// The kubectl module's pure parts: schema validation of manifests (kubernetes-models' OpenAPI
// validators), multi-document parsing, apply order, and reading `kubectl diff` output.
import { expect } from 'chai';
import { diffFileMatches, parseUnifiedDiff } from '../../modules/lib/k8s/kubectl-diff.js';
import { flattenLists, orderForApply, parseManifestText, resourceName, type K8sObject } from '../../modules/lib/k8s/manifests.js';
import { validateManifestText } from '../../modules/lib/k8s/validate-text.js';
import { fieldPath, validateManifest } from '../../modules/lib/k8s/validate.js';

const deployment = (spec: Record<string, unknown>) => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'api', namespace: 'api' }, spec });
const goodSpec = {
  replicas: 2,
  selector: { matchLabels: { app: 'api' } },
  template: {
    metadata: { labels: { app: 'api', 'app.kubernetes.io/name': 'api' } },
    spec: { containers: [{ name: 'api', image: 'registry.local:5000/api:1', ports: [{ containerPort: 3000 }], resources: { limits: { memory: '256Mi', cpu: 0.5 } } }] },
  },
};

describe('validateManifest (Kubernetes OpenAPI schemas)', () => {
  it('accepts valid built-in objects', () => {
    expect(validateManifest(deployment(goodSpec), 'api.yaml')).to.deep.equal([]);
    expect(validateManifest({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { ports: [{ port: 80, targetPort: 'http' }] } }, 's')).to.deep.equal([]);
    expect(validateManifest({ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'i' }, spec: { ingressClassName: 'nginx', rules: [{ host: 'api.local', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 's', port: { number: 80 } } } }] } }] } }, 'i')).to.deep.equal([]);
  });

  it('names the source, the object and the field for a wrong type', () => {
    expect(validateManifest(deployment({ ...goodSpec, replicas: 'two' }), 'templates/api.yaml.hbs (document 2)')).to.deep.equal([
      'templates/api.yaml.hbs (document 2): Deployment api: spec.replicas: must be integer',
    ]);
  });

  it('reports every problem at once: missing required fields, enums, int-or-string, array indexes', () => {
    const problems = validateManifest(
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'web', labels: { 'app.kubernetes.io/name': 7 } },
        spec: { type: 'Loadbalancer', ports: [{ port: 80 }, { port: 443, targetPort: true }] },
      },
      'svc.yaml',
    );
    expect(problems).to.have.members([
      'svc.yaml: Service web: metadata.labels["app.kubernetes.io/name"]: must be string',
      'svc.yaml: Service web: spec.type: must be one of "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"',
      'svc.yaml: Service web: spec.ports[1].targetPort: must be integer or string',
    ]);
    expect(validateManifest(deployment({ template: goodSpec.template }), 'd')).to.deep.equal(['d: Deployment api: spec.selector: is required']);
  });

  it('a misspelt kind or an unknown version of a built-in group is an error with a suggestion', () => {
    expect(validateManifest({ apiVersion: 'apps/v1', kind: 'Deployement', metadata: { name: 'x' } }, 'f')).to.deep.equal([
      "f: Deployement x: kind: apps/v1 has no kind Deployement (did you mean 'Deployment'?)",
    ]);
    expect(validateManifest({ apiVersion: 'apps/v9', kind: 'Deployment', metadata: { name: 'x' } }, 'f')[0]).to.match(/^f: Deployment x: apiVersion: apps\/v9 is not a Kubernetes API version/);
    // a sub-schema is not a kind
    expect(validateManifest({ apiVersion: 'apps/v1', kind: 'DeploymentSpec', metadata: { name: 'x' } }, 'f')[0]).to.include('has no kind DeploymentSpec');
  });

  it('custom resources (CRDs) need apiVersion, kind and metadata.name only', () => {
    const cluster = { apiVersion: 'postgresql.cnpg.io/v1', kind: 'Cluster', metadata: { name: 'pg' }, spec: { instances: 'any shape: the CRD schema is in the cluster' } };
    expect(validateManifest(cluster, 'pg.yaml')).to.deep.equal([]);
    expect(validateManifest({ ...cluster, metadata: {} }, 'pg.yaml')).to.deep.equal(['pg.yaml: Cluster: metadata.name: is required']);
    expect(validateManifest({ kind: 'Cluster', metadata: { name: 'pg' } }, 'pg.yaml')).to.deep.equal(['pg.yaml: Cluster pg: apiVersion: is required']);
    expect(validateManifest({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { generateName: 'x-' } }, 'c')).to.deep.equal(['c: ConfigMap: metadata.name: is required (generateName cannot be applied)']);
    expect(validateManifest(['not', 'a', 'mapping'], 'c')).to.deep.equal(['c: a Kubernetes object must be a mapping']);
  });

  it('validates whole multi-document texts (for template tests), YAML errors included', () => {
    const text = 'apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n---\napiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: ConfigMap\n    metadata: {name: c}\n    data: {n: 1}\n';
    expect(validateManifestText(text, 'all.yaml')).to.deep.equal(['all.yaml (document 2) items[0]: ConfigMap c: data.n: must be string']);
    expect(validateManifestText('a: [\n', 'broken.yaml')[0]).to.match(/^broken\.yaml:\d+:\d+: invalid YAML/);
    expect(validateManifestText('', 'empty.yaml')).to.deep.equal([]);
  });

  it('field paths read like the manifest', () => {
    expect(fieldPath('/spec/template/spec/containers/0/ports/1/containerPort')).to.equal('spec.template.spec.containers[0].ports[1].containerPort');
    expect(fieldPath('/metadata/annotations/a~1b.c')).to.equal('metadata.annotations["a/b.c"]');
    expect(fieldPath('')).to.equal('');
  });
});

describe('kubectl manifests: parsing and order', () => {
  it('splits multi-document YAML, drops empty documents, numbers the documents in the source', () => {
    const docs = parseManifestText('---\napiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n---\n# nothing\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: b}\n', 'ns.yaml');
    expect(docs.map((d) => d.source)).to.deep.equal(['ns.yaml (document 1)', 'ns.yaml (document 3)']);
    expect(parseManifestText('apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n', 'one.yaml')[0]!.source).to.equal('one.yaml');
  });

  it('a YAML error names the file, line and column', () => {
    expect(() => parseManifestText('apiVersion: v1\nmetadata:\n  name: a\n   bad: indent\n', 'bad.yaml')).to.throw(/^bad\.yaml:3:9: invalid YAML/);
  });

  it('expands kind: List into its items', () => {
    const list = { apiVersion: 'v1', kind: 'List', items: [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a' } }] };
    expect(flattenLists([{ obj: list, source: 'l.yaml' }])).to.deep.equal([{ obj: list.items[0], source: 'l.yaml items[0]' }]);
  });

  it('orders Namespaces, then CRDs, then the rest in the given order', () => {
    const o = (kind: string, name: string, apiVersion = 'v1') => ({ obj: { apiVersion, kind, metadata: { name } } as K8sObject, source: name });
    const m = [o('ConfigMap', 'c'), o('CustomResourceDefinition', 'crd', 'apiextensions.k8s.io/v1'), o('Secret', 's'), o('Namespace', 'n')];
    const { prerequisites, rest } = orderForApply(m);
    expect(prerequisites.map((x) => x.source)).to.deep.equal(['n', 'crd']);
    expect(rest.map((x) => x.source)).to.deep.equal(['c', 's']);
    expect(resourceName(m[1]!.obj)).to.equal('customresourcedefinition.apiextensions.k8s.io/crd');
    expect(resourceName(m[0]!.obj)).to.equal('configmap/c');
  });
});

describe('kubectl diff output', () => {
  // what `diff -N -U999999 LIVE MERGED` prints for kubectl (file names GROUP.VERSION.KIND.NAMESPACE.NAME)
  const out = [
    'diff -N -U999999 /tmp/LIVE-1/apps.v1.Deployment.api.web /tmp/MERGED-1/apps.v1.Deployment.api.web',
    '--- /tmp/LIVE-1/apps.v1.Deployment.api.web\t2024-05-01 10:00:00.000000000 +0000',
    '+++ /tmp/MERGED-1/apps.v1.Deployment.api.web\t2024-05-01 10:00:00.000000000 +0000',
    '@@ -1,6 +1,6 @@',
    ' apiVersion: apps/v1',
    ' kind: Deployment',
    ' metadata:',
    '-  generation: 1',
    '+  generation: 2',
    ' script: |',
    '--- a line of a block scalar that looks like a header',
    '+++ and its replacement',
    'diff -N -U999999 /tmp/LIVE-1/v1.Namespace..db /tmp/MERGED-1/v1.Namespace..db',
    '--- /tmp/LIVE-1/v1.Namespace..db\t1970-01-01 00:00:00.000000000 +0000',
    '+++ /tmp/MERGED-1/v1.Namespace..db\t2024-05-01 10:00:00.000000000 +0000',
    '@@ -0,0 +1 @@',
    '+kind: Namespace',
    '',
  ].join('\n');

  it('rebuilds each object before and after, counting hunk lines rather than trusting line prefixes', () => {
    const diffs = parseUnifiedDiff(out);
    expect(diffs.map((d) => [d.file, d.created])).to.deep.equal([
      ['apps.v1.Deployment.api.web', false],
      ['v1.Namespace..db', true],
    ]);
    expect(diffs[0]!.before).to.equal('apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  generation: 1\nscript: |\n-- a line of a block scalar that looks like a header\n');
    expect(diffs[0]!.after).to.equal('apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  generation: 2\nscript: |\n++ and its replacement\n');
    expect(diffs[1]).to.deep.include({ before: '', after: 'kind: Namespace\n' });
    expect(parseUnifiedDiff('')).to.deep.equal([]);
  });

  it('matches kubectl file names to objects, with or without a known namespace', () => {
    const web = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' } } as K8sObject;
    expect(diffFileMatches('apps.v1.Deployment.api.web', web)).to.equal(true);
    expect(diffFileMatches('apps.v1.Deployment.api.web', web, 'api')).to.equal(true);
    expect(diffFileMatches('apps.v1.Deployment.other.web', web, 'api')).to.equal(false);
    expect(diffFileMatches('apps.v1.Deployment.api.web2', web)).to.equal(false);
    expect(diffFileMatches('v1.Namespace..db', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'db' } } as K8sObject, '')).to.equal(true);
  });
});
