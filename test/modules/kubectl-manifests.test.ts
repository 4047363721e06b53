// The kubectl module's pure parts: schema validation of manifests (kubernetes-models' OpenAPI
// validators), multi-document parsing, apply order, and reading `kubectl diff` output.
import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { diffFileMatches, parseUnifiedDiff } from '../../modules/lib/k8s/kubectl-diff.js';
import { flattenLists, orderForApply, parseManifestText, resourceName, type K8sObject } from '../../modules/lib/k8s/manifests.js';
import { validateManifestText } from '../../modules/lib/k8s/validate-text.js';
import { propertiesRead, UNREAD_PROPERTIES } from '../../modules/lib/k8s/strict.js';
import { fieldPath, fieldPathOf, validateManifest } from '../../modules/lib/k8s/validate.js';

const require = createRequire(import.meta.url);

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

describe('validateManifest strictly: unknown fields of built-in kinds', () => {
  const container = (extra: Record<string, unknown>) => ({ ...deployment(goodSpec), spec: { ...goodSpec, template: { ...goodSpec.template, spec: { containers: [{ ...goodSpec.template.spec.containers[0], ...extra }] } } } });

  it('a misspelt container field is refused with its path and the closest real field; lenient lets it through', () => {
    const typo = container({ portz: [{ containerPort: 3000 }] });
    expect(validateManifest(typo, 'api.yaml')).to.deep.equal(["api.yaml: Deployment api: spec.template.spec.containers[0].portz: unknown field (did you mean 'ports'?)"]);
    expect(validateManifest(typo, 'api.yaml', 'lenient')).to.deep.equal([]);
  });

  it('a Service with typos under spec, all at once, with type errors of the same object; no suggestion when nothing is close', () => {
    const svc = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { selectr: { app: 'web' }, ports: [{ port: 80, targetPort: 'http', protocl: 'TCP' }], sessionAffinity: 'None', zzz: 1, type: 'Nope' } };
    expect(validateManifest(svc, 's')).to.deep.equal([
      's: Service web: spec.type: must be one of "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"',
      "s: Service web: spec.selectr: unknown field (did you mean 'selector'?)",
      's: Service web: spec.zzz: unknown field',
      "s: Service web: spec.ports[0].protocl: unknown field (did you mean 'protocol'?)",
    ]);
    // at the top level and in metadata too
    expect(validateManifest({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', lables: { a: 'b' } }, specs: {} }, 's')).to.deep.equal([
      "s: Service web: specs: unknown field (did you mean 'spec'?)",
      "s: Service web: metadata.lables: unknown field (did you mean 'labels'?)",
    ]);
  });

  it('maps take any key: labels, annotations, ConfigMap and Secret data, resources, nodeSelector', () => {
    const meta = { name: 'c', labels: { 'app.kubernetes.io/name': 'x', portz: 'y' }, annotations: { 'linkerd.io/inject': 'enabled', 'x-anything': 'z' } };
    expect(validateManifest({ apiVersion: 'v1', kind: 'ConfigMap', metadata: meta, data: { 'realm.json': '{}', spec: 'x', portz: 'y' }, binaryData: { 'a.bin': 'AA==' } }, 'c')).to.deep.equal([]);
    expect(validateManifest({ apiVersion: 'v1', kind: 'Secret', metadata: meta, type: 'Opaque', data: { DATABASE_URL: 'eA==' }, stringData: { anything: 'x' } }, 's')).to.deep.equal([]);
    const pod = container({ resources: { limits: { cpu: '1', memory: '256Mi', 'nvidia.com/gpu': 1 }, requests: { 'ephemeral-storage': '1Gi' } } });
    (pod.spec.template.spec as Record<string, unknown>).nodeSelector = { 'kubernetes.io/arch': 'amd64', 'any-key': 'v' };
    expect(validateManifest(pod, 'd')).to.deep.equal([]);
  });

  it('int-or-string fields take both, and still refuse other types', () => {
    const svc = (targetPort: unknown) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { ports: [{ port: 80, targetPort }] } });
    expect(validateManifest(svc(8080), 's')).to.deep.equal([]);
    expect(validateManifest(svc('http'), 's')).to.deep.equal([]);
    expect(validateManifest(svc({ port: 1 }), 's')).to.deep.equal(['s: Service s: spec.ports[0].targetPort: must be integer or string']);
    const rolling = (v: unknown) => ({ ...deployment(goodSpec), spec: { ...goodSpec, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: v, maxUnavailable: 0 } } } });
    expect(validateManifest(rolling('25%'), 'd')).to.deep.equal([]);
    expect(validateManifest(rolling(1), 'd')).to.deep.equal([]);
    const probe = container({ livenessProbe: { httpGet: { path: '/healthz', port: 'http' } }, readinessProbe: { tcpSocket: { port: 3000 } } });
    expect(validateManifest(probe, 'd')).to.deep.equal([]);
  });

  it('custom resources pass untouched, whatever their fields (their schema is in the cluster)', () => {
    const app = { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: 'root', namespace: 'argocd', lables: {} }, spec: { sourcez: { anything: [1, { deep: true }] } }, whatever: 1 };
    expect(validateManifest(app, 'app.yaml')).to.deep.equal([]);
    expect(validateManifest({ apiVersion: 'postgresql.cnpg.io/v1', kind: 'Cluster', metadata: { name: 'pg' }, spec: { instancez: 1 } }, 'pg')).to.deep.equal([]);
  });

  it('a CustomResourceDefinition: the schema it carries may say anything where OpenAPI allows it, typos in its own fields are caught', () => {
    const crd = (props: Record<string, unknown>) => ({
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'widgets.example.com' },
      spec: {
        group: 'example.com',
        names: { kind: 'Widget', plural: 'widgets' },
        scope: 'Namespaced',
        versions: [
          {
            name: 'v1',
            served: true,
            storage: true,
            additionalPrinterColumns: [{ name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp', description: 'how old' }],
            schema: {
              openAPIV3Schema: {
                type: 'object',
                description: 'A widget.',
                externalDocs: { description: 'docs', url: 'https://example.com' },
                properties: { spec: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: props } },
              },
            },
          },
        ],
      },
    });
    const ok = { port: { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] }, list: { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'string' } }, default: { type: 'object', default: { any: 'value' } } };
    expect(validateManifest(crd(ok), 'crd')).to.deep.equal([]);
    expect(validateManifest(crd({ size: { type: 'string', descripton: 'typo', 'x-kubernetes-preserve-unknwon-fields': true } }), 'crd')).to.deep.equal([
      "crd: CustomResourceDefinition widgets.example.com: spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.size.descripton: unknown field (did you mean 'description'?)",
      "crd: CustomResourceDefinition widgets.example.com: spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.size.x-kubernetes-preserve-unknwon-fields: unknown field (did you mean 'x-kubernetes-preserve-unknown-fields'?)",
    ]);
  });

  it('free-form objects (RawExtension, FieldsV1) are not looked into', () => {
    const rev = { apiVersion: 'apps/v1', kind: 'ControllerRevision', metadata: { name: 'r', managedFields: [{ manager: 'gx', fieldsV1: { 'f:spec': { 'f:x': {} } } }] }, revision: 1, data: { anything: { goes: true } } };
    expect(validateManifest(rev, 'r')).to.deep.equal([]);
  });

  it('kind: List items are checked strictly too, with their index', () => {
    const text = 'apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: ConfigMap\n    metadata: {name: c}\n    dato: {n: "1"}\n';
    expect(validateManifestText(text, 'l.yaml')).to.deep.equal(["l.yaml items[0]: ConfigMap c: dato: unknown field (did you mean 'data'?)"]);
    expect(validateManifestText(text, 'l.yaml', 'lenient')).to.deep.equal([]);
  });

  it("what strictness rests on: every model's validator reads exactly the properties its type declares, but for the known gaps", () => {
    // the declared properties come from each model's .d.ts (generated from the same OpenAPI
    // definitions); the validator is the _schemas/ file its .js hands to setValidateFunc
    const models = dirname(require.resolve('kubernetes-models'));
    const machinery = dirname(require.resolve('@kubernetes-models/apimachinery', { paths: [models] }));
    const gaps: Record<string, string[]> = {};
    let types = 0;
    for (const root of [models, machinery]) {
      const walk = (d: string): string[] =>
        readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? (['_schemas', 'node_modules'].includes(e.name) ? [] : walk(join(d, e.name))) : [join(d, e.name)]));
      for (const dts of walk(root).filter((f) => f.endsWith('.d.ts') && !f.endsWith('index.d.ts'))) {
        const body = /export interface \w+ \{([\s\S]*?)\n\}/.exec(readFileSync(dts, 'utf8'))?.[1];
        const js = readFileSync(dts.replace(/\.d\.ts$/, '.js'), 'utf8');
        const schema = [...js.matchAll(/require\("([^"]*_schemas\/(\w+))(?:\.js)?"\)/g)].pop();
        if (body === undefined || !schema) continue;
        const declared = [...body.matchAll(/^ {4}"([^"]+)"\??:/gm)].map((x) => x[1]!).sort();
        const file = schema[1]!.startsWith('.') ? join(dirname(dts), schema[1]!) : require.resolve(schema[1]!, { paths: [root] });
        const read = propertiesRead((require(file) as { validate: (d: unknown) => boolean }).validate);
        types++;
        expect(read.filter((p) => !declared.includes(p)), `${relative(root, dts)} reads undeclared properties`).to.deep.equal([]);
        const unread = declared.filter((p) => !read.includes(p));
        if (unread.length > 0) gaps[schema[2]!] = unread;
      }
    }
    expect(types).to.be.greaterThan(600);
    expect(gaps).to.deep.equal(UNREAD_PROPERTIES);
  });

  it('field paths from key lists: indexes and keys that are not names', () => {
    expect(fieldPathOf(['spec', 'ports', 0, 'port'])).to.equal('spec.ports[0].port');
    expect(fieldPathOf(['metadata', 'labels', 'a/b', '0'])).to.equal('metadata.labels["a/b"]["0"]');
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
