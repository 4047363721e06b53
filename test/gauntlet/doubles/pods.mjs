// `kubectl get pods --namespace NS --selector K=V --output jsonpath={.items[*].spec.containers[*].name}`
// answered from the kubectl double's cluster ($GX_DOUBLE_STATE/k8s.json): one pod per replica of
// each Deployment whose pod labels match, with the containers of its template, plus the
// linkerd-proxy container when the pod template or the namespace has linkerd.io/inject: enabled —
// what Linkerd's proxy injector documents doing when it admits the pod. Only that jsonpath is
// replayed. The call is recorded in $GX_DOUBLE_LOG like the other kubectl calls.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { start } from '../../doubles/kubectl/record.mjs';

const { state, argv } = start('kubectl');
const opt = (name) => {
  const i = argv.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (i < 0) return undefined;
  return argv[i].includes('=') ? argv[i].slice(name.length + 3) : argv[i + 1];
};
const jsonpath = opt('output');
if (jsonpath !== 'jsonpath={.items[*].spec.containers[*].name}') {
  process.stderr.write(`kubectl double (pods): --output ${jsonpath} is not replayed\n`);
  process.exit(1);
}
const ns = opt('namespace') ?? 'default';
const [key, value] = (opt('selector') ?? '').split('=');
const file = join(state, 'k8s.json');
const objects = existsSync(file) ? Object.values(JSON.parse(readFileSync(file, 'utf8')).objects) : [];
const nsObj = objects.find((o) => o.kind === 'Namespace' && o.metadata.name === ns);
const injectNs = nsObj?.metadata?.annotations?.['linkerd.io/inject'] === 'enabled';
const names = [];
for (const d of objects) {
  if (d.kind !== 'Deployment' || d.metadata.namespace !== ns) continue;
  const tpl = d.spec.template;
  if (tpl.metadata?.labels?.[key] !== value) continue;
  const inject = tpl.metadata?.annotations?.['linkerd.io/inject'];
  const meshed = inject === 'enabled' || (injectNs && inject !== 'disabled');
  for (let i = 0; i < (d.spec.replicas ?? 1); i++) {
    names.push(...tpl.spec.containers.map((c) => c.name));
    if (meshed) names.push('linkerd-proxy');
  }
}
process.stdout.write(names.join(' '));
