// kubectl: Kubernetes objects applied ON THE HOST with kubectl (in the gauntlet, the K3s VM), never
// from the controller.
//
// How it decides, per object, from kubectl's own documented behaviour:
// - Server-side apply prints `KIND.GROUP/NAME serverside-applied` for every object, changed or not,
//   so its result lines cannot tell a change. `kubectl diff --server-side` can: it diffs each live
//   object against the server's dry run of the very same apply (same field manager), and exits 0
//   when nothing differs, 1 when something does, >1 on an error. So the plan is `kubectl diff`
//   (a server dry run that never writes), an object that differs is applied,
//   one absent from the live side is created, the rest is unchanged: a second run sends no apply.
// - Check mode also sends the apply of what differs with --dry-run=server, because kubectl diff does
//   not ask for strict field validation and the real apply does: unknown fields, admission webhooks
//   and field-manager conflicts fail check mode as they would fail the run.
// - Namespaces and CustomResourceDefinitions go first, and CRDs must be Established before their
//   custom resources are sent. An object whose namespace or CRD this same task creates cannot be
//   dry-run yet (the server does not know the namespace or kind): it is predicted as created.
// - state=absent reads what exists with `kubectl get --ignore-not-found -o json` (a kind the cluster
//   does not know has no objects) and deletes only that, in reverse order.
// Every manifest is validated against the Kubernetes OpenAPI schemas before kubectl sees it, strictly
// by default: a field a built-in kind does not have fails the task (lib/k8s/strict.ts).
import { guardImages, imagesOf } from './lib/k8s/images.js';
import { relative, isAbsolute } from 'node:path';
import { stringify } from 'yaml';
import { ModuleError } from '../engine/errors.js';
import { defineModule, type DiffEntry, type ModuleContext } from '../engine/module-contract.js';
import { commandFailure } from './lib/host-tool.js';
import { diffFileMatches, EXTERNAL_DIFF, parseUnifiedDiff, type ObjectDiff } from './lib/k8s/kubectl-diff.js';
import { missingKinds, mustKubectl, parseGetJson, resultLines, runKubectl, type KubectlTarget } from './lib/k8s/kubectl-cli.js';
import {
  crdGroup, crdKind, flattenLists, groupOf, isCrd, isNamespace, knownNamespace, namespaceOf, orderForApply, parseManifestText,
  resourceName, toYamlStream, type K8sObject, type Manifest, type RawManifest,
} from './lib/k8s/manifests.js';
import { kubectlWait } from './lib/k8s/pod-watch.js';
import { manifestProblems, type ManifestValidation } from './lib/k8s/validate.js';

export interface KubectlArgs {
  state: 'present' | 'absent';
  definition?: unknown;
  src?: string | string[];
  template?: string | string[];
  namespace?: string;
  kubeconfig?: string;
  context?: string;
  field_manager: string;
  force_conflicts: boolean;
  wait: boolean;
  wait_timeout: number;
  wait_condition: string;
  /** true is strict */
  validate: ManifestValidation | boolean;
  images_registry?: string;
  timeout: number;
  executable: string;
}

export type ObjectAction = 'created' | 'configured' | 'unchanged' | 'deleted' | 'absent';

export interface ObjectResult {
  apiVersion: string;
  kind: string;
  name: string;
  /** '' for cluster-scoped objects */
  namespace: string;
  action: ObjectAction;
}

export interface KubectlData {
  objects: ObjectResult[];
  /** kubectl's result lines of the apply or delete */
  result: string[];
  /** what the waits printed */
  waited: string[];
}

/** Kinds whose readiness is a rollout, watched with `kubectl rollout status`. */
const ROLLOUT_KINDS = new Set(['apps/Deployment', 'apps/StatefulSet', 'apps/DaemonSet']);

function asList(v: string | string[] | undefined): string[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

function shown(ctx: ModuleContext, path: string): string {
  const rel = relative(ctx.playbookDir, path);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}

/** Every object the task names, with where it came from. */
async function loadObjects(ctx: ModuleContext, a: KubectlArgs): Promise<RawManifest[]> {
  const raw: RawManifest[] = [];
  const task = ctx.loc ? ` (${ctx.loc.file}:${ctx.loc.line})` : '';
  if (a.definition !== undefined && a.definition !== null) {
    const defs = Array.isArray(a.definition) ? a.definition : [a.definition];
    defs.forEach((d, i) => {
      const source = `definition${Array.isArray(a.definition) ? `[${i}]` : ''}${task}`;
      if (typeof d === 'string') raw.push(...parseManifestText(d, source));
      else raw.push({ obj: d, source });
    });
  }
  for (const src of asList(a.src)) {
    const path = await ctx.findFile(src, 'files');
    const bytes = await ctx.local.get(path);
    if (!bytes) throw new ModuleError(`src: ${path} is not a readable file on the controller`);
    raw.push(...parseManifestText(bytes.toString('utf8'), shown(ctx, path)));
  }
  for (const t of asList(a.template)) {
    const path = await ctx.findFile(t, 'templates');
    const bytes = await ctx.local.get(path);
    if (!bytes) throw new ModuleError(`template: ${path} is not a readable file on the controller`);
    raw.push(...parseManifestText(ctx.renderTemplate(bytes.toString('utf8'), { template_path: path }), shown(ctx, path), { rendered: true }));
  }
  return flattenLists(raw);
}

/** Schema problems of all objects at once, or the objects (state=absent, validate=false: only their identity). */
function checked(items: RawManifest[], mode: ManifestValidation | false): Manifest[] {
  const problems = items.flatMap((m) => {
    if (!mode) return identityProblems(m.obj, m.source);
    const { who, problems: found } = manifestProblems(m.obj, mode);
    return found.map((p) => `${m.at ? m.at(p.path, { key: p.key }) : m.source}: ${who ? `${who}: ` : ''}${p.message}`);
  });
  if (problems.length > 0) throw new ModuleError(`invalid Kubernetes manifest${problems.length > 1 ? 's' : ''}:\n${problems.join('\n')}`);
  return items.map((m) => ({ obj: m.obj as K8sObject, source: m.source }));
}

function identityProblems(obj: unknown, source: string): string[] {
  const o = obj as Record<string, unknown> | null;
  const meta = o?.metadata as Record<string, unknown> | undefined;
  if (o && typeof o === 'object' && typeof o.apiVersion === 'string' && typeof o.kind === 'string' && typeof meta?.name === 'string') return [];
  return [`${source}: apiVersion, kind and metadata.name are required`];
}

function label(obj: K8sObject, ns: string): string {
  return `${resourceName(obj)}${ns ? ` (namespace ${ns})` : ''}`;
}

/** Secret values never reach a diff: kubectl diff masks them the same way. */
function displayed(obj: K8sObject): string {
  if (obj.kind !== 'Secret' || groupOf(obj.apiVersion) !== '') return stringify(obj, { lineWidth: 0 });
  const masked: Record<string, unknown> = { ...obj };
  for (const key of ['data', 'stringData']) {
    const v = obj[key];
    if (v && typeof v === 'object') masked[key] = Object.fromEntries(Object.keys(v).map((k) => [k, '***']));
  }
  return stringify(masked, { lineWidth: 0 });
}

interface Planned {
  m: Manifest;
  ns: string;
  action: ObjectAction;
  diff?: DiffEntry;
}

export const kubectl = defineModule<KubectlArgs, KubectlData>({
  name: 'kubectl',
  aliases: ['k8s'],
  summary: 'Apply or delete Kubernetes objects with kubectl on the host: server-side apply, per-object change detection, waits.',
  description:
    'Runs kubectl **on the target host** (e.g. the K3s server), reading manifests from `definition` (inline objects, a list, or YAML text), ' +
    '`src` (files on the controller) or `template` (templates on the controller, rendered with the task\'s variables: Handlebars for `.hbs` files, Jinja2 for any other name). ' +
    'Multi-document YAML and `kind: List` are accepted.\n\n' +
    'Before any kubectl call, in check mode too, every object is validated against the Kubernetes OpenAPI schemas that kubernetes-models ships, ' +
    'and by default (`validate: strict`) a field that a built-in kind (core v1, apps, batch, networking.k8s.io, rbac, policy, autoscaling, …) does ' +
    'not have is an error too, with the closest real field: `templates/api/deployment.yaml.hbs:39:11 (rendered): Deployment api: ' +
    "spec.template.spec.containers[0].portz: unknown field (did you mean 'ports'?)`. Maps (labels, annotations, ConfigMap and Secret data, " +
    'resources) take any key, int-or-string fields take both. All problems of all objects fail the task at once, naming file:line:col, the object ' +
    'and the field. Custom resources (kinds from CRDs, e.g. a CloudNativePG Cluster or an Argo CD Application) are not checked strictly: gx ' +
    'only requires their apiVersion, kind and metadata.name, since their schema is in the cluster (the server dry run still refuses their ' +
    'unknown fields). `validate: lenient` checks the schemas but lets unknown fields through; `validate: false` only requires apiVersion, kind and metadata.name.\n\n' +
    'Objects are applied with `kubectl apply --server-side --field-manager=FIELD_MANAGER -f -`. Whether an object changes is decided per object by ' +
    '`kubectl diff --server-side` (a server dry run of the same apply): only objects that differ are applied, so a second run sends nothing. ' +
    'Check mode runs only `kubectl diff`, `kubectl get` and `kubectl apply --dry-run=server` (which, unlike diff, validates fields strictly as the real apply does); ' +
    '--diff shows each object before and after as the server would store it. ' +
    'Namespaces and CustomResourceDefinitions are applied before the other objects, and CRDs are waited for until Established. ' +
    'With `wait`, Deployments, StatefulSets and DaemonSets are waited for with `kubectl rollout status`, Jobs until Complete, and custom resources ' +
    '(e.g. a CloudNativePG Cluster) with `kubectl wait --for=condition=WAIT_CONDITION`.\n\n' +
    '**Waits fail fast and say why.** While a wait runs, gx reads the pods of what it waits for every 5 s (the pods owned by the Deployment\'s current ' +
    'ReplicaSet, the StatefulSet\'s update revision, the DaemonSet, the Job, or the custom resource; `kubectl get deployments,replicasets,statefulsets,' +
    'daemonsets,jobs,pods -o json` in its namespace) and stops the wait as soon as one cannot become ready by itself: a container waiting with ' +
    'ImagePullBackOff, ErrImagePull or InvalidImageName, a container in CrashLoopBackOff after a restart, or a pod Pending with no node ' +
    '(PodScheduled=False / a FailedScheduling event) on two reads in a row. The task then fails within seconds instead of at wait_timeout, naming ' +
    'namespace, pod, container, image and reason, the pod\'s last events and, for a crash loop, the last log lines of the crashed container ' +
    '(`kubectl logs --previous --tail=20`). A wait that does time out says what was not ready and why in the same form (a running container that ' +
    'is not ready shows its current log). docs/runbook.md says what to do for each reason.',
  schema: {
    type: 'object',
    properties: {
      state: { type: 'string', enum: ['present', 'absent'], default: 'present', description: 'present: applied (server-side); absent: deleted (objects already gone are ok).' },
      definition: { type: ['object', 'array', 'string'], description: 'Inline objects: one mapping, a list of mappings, or YAML text (multi-document allowed).' },
      src: { type: ['string', 'array'], items: { type: 'string' }, description: "Manifest file(s) on the controller, looked up in the role's or playbook's files/ directory; multi-document YAML." },
      template: { type: ['string', 'array'], items: { type: 'string' }, description: "Template(s) on the controller (role's or playbook's templates/; Handlebars if the name ends in .hbs, else Jinja2), rendered with the task's variables, then read as manifests." },
      namespace: { type: 'string', description: 'Namespace for namespaced objects that do not name one (`kubectl --namespace`).' },
      kubeconfig: { type: 'string', description: 'Path ON THE HOST of the kubeconfig kubectl uses (e.g. /etc/rancher/k3s/k3s.yaml).' },
      context: { type: 'string', description: 'The kubeconfig context to use.' },
      field_manager: { type: 'string', minLength: 1, default: 'gx', description: 'The server-side apply field manager that owns the fields gx sets.' },
      force_conflicts: { type: 'boolean', default: false, description: 'Take over fields owned by another field manager (`--force-conflicts`) instead of failing on the conflict.' },
      wait: { type: 'boolean', default: false, description: 'Wait until the objects are ready: rollout status for Deployments/StatefulSets/DaemonSets, Complete for Jobs, WAIT_CONDITION for custom resources; with state=absent, until they are gone.' },
      wait_timeout: { type: 'integer', minimum: 1, default: 120, description: 'Seconds each wait may take (`--timeout`); CRDs are always waited for until Established within this time.' },
      wait_condition: {
        type: 'string',
        minLength: 1,
        default: 'Ready',
        description: 'The condition custom resources are waited for (`kubectl wait --for=condition=VALUE`); a value starting with `condition=`, `jsonpath=`, `delete` or `create` is passed to --for as it is.',
      },
      validate: {
        type: ['string', 'boolean'],
        enum: ['strict', 'lenient', true, false],
        default: 'strict',
        description:
          'Validate every manifest before anything runs. strict: the Kubernetes OpenAPI schemas, and no unknown fields in built-in kinds; ' +
          'lenient: the schemas only; false: only apiVersion, kind and metadata.name; true is strict.',
      },
      images_registry: {
        type: 'string',
        pattern: '^https?://[^/\\s]+/?$',
        description:
          'A registry (http(s)://host:port, as the HOST reaches it) that must hold every image the manifests run (containers of every workload kind, ' +
          "and CloudNativePG Clusters' imageName): each is looked up there by its upstream repository path and tag (one HEAD with curl) before anything " +
          'is applied; a missing one fails the task naming the image and the object (in check mode: a warning on the planned task, since an earlier ' +
          'task of a real run may push it). Unset: not checked.',
      },
      timeout: { type: 'integer', minimum: 1, default: 60, description: 'Seconds one kubectl call (other than a wait) may take before it is killed and the task fails.' },
      executable: { type: 'string', minLength: 1, default: 'kubectl', description: 'The kubectl command on the host, e.g. `k3s kubectl`.' },
    },
    additionalProperties: false,
  },
  examples: [
    `- name: The API, rendered from a template and rolled out
  kubectl:
    template: api.yaml.hbs
    namespace: api
    kubeconfig: /etc/rancher/k3s/k3s.yaml
    wait: true`,
    `- name: CloudNativePG operator (CRDs first), then a cluster that becomes Ready
  kubectl:
    src: [cnpg-1.24.1.yaml, pg-cluster.yaml]
    kubeconfig: /etc/rancher/k3s/k3s.yaml
    force_conflicts: true
    wait: true
    wait_timeout: 600`,
    `- name: A namespace, inline
  kubectl:
    definition:
      apiVersion: v1
      kind: Namespace
      metadata:
        name: gauntlet`,
    `- name: Gone
  kubectl:
    state: absent
    src: old-app.yaml`,
  ],
  returns: {
    objects: { type: 'list', description: 'One entry per object: apiVersion, kind, name, namespace and action (created, configured, unchanged, deleted, absent).', returned: 'always' },
    result: { type: 'list', description: "kubectl's result lines of the apply or delete (e.g. `deployment.apps/web serverside-applied`).", returned: 'always' },
    waited: { type: 'list', description: 'What the waits printed (e.g. `deployment "web" successfully rolled out`).', returned: 'always' },
  },
  checkMode: true,
  check: (a) => (a.definition === undefined && a.src === undefined && a.template === undefined ? ['give definition, src or template'] : []),
  async plan(ctx, a) {
    const target: KubectlTarget = {
      executable: a.executable.trim().split(/\s+/),
      kubeconfig: a.kubeconfig,
      context: a.context,
      namespace: a.namespace,
      timeout: a.timeout,
    };
    const items = await loadObjects(ctx, a);
    const mode = a.validate === true ? 'strict' : a.validate;
    const objs = checked(items, a.state === 'present' && mode);
    if (a.state === 'absent') return planAbsent(ctx, a, target, objs);
    // in check mode a missing image is a warning: an earlier task of a real run may push it
    const imagesWarning = a.images_registry !== undefined ? await guardImages(ctx, a.images_registry, imagesOf(objs.map((m) => m.obj)), 'the manifests') : undefined;
    const plan = await planPresent(ctx, a, target, objs);
    if (imagesWarning) plan.msg = plan.msg ? `${plan.msg}\n${imagesWarning}` : imagesWarning;
    return plan;
  },
});

async function planPresent(ctx: ModuleContext, a: KubectlArgs, t: KubectlTarget, objs: Manifest[]) {
  const crds = objs.filter((m) => isCrd(m.obj)).map((m) => m.obj);
  const nsOf = (o: K8sObject) => namespaceOf(o, a.namespace, crds);
  const { prerequisites, rest } = orderForApply(objs);
  const applyFlags = ['--server-side', `--field-manager=${a.field_manager}`, ...(a.force_conflicts ? ['--force-conflicts'] : [])];

  const diffPhase = async (ms: Manifest[]): Promise<Planned[]> => {
    if (ms.length === 0) return [];
    const sub = ['diff', ...applyFlags, '-f', '-'];
    const { argv, res } = await runKubectl(ctx, t, sub, { stdin: toYamlStream(ms.map((m) => m.obj)), env: { KUBECTL_EXTERNAL_DIFF: EXTERNAL_DIFF } });
    if (res.timedOut || res.rc > 1) throw new ModuleError(commandFailure(argv, res));
    const diffs: ObjectDiff[] = res.rc === 1 ? parseUnifiedDiff(res.stdout) : [];
    const used = new Set<ObjectDiff>();
    const planned = ms.map((m): Planned => {
      const ns = nsOf(m.obj);
      const known = knownNamespace(m.obj, a.namespace, crds);
      const d = diffs.find((x) => !used.has(x) && diffFileMatches(x.file, m.obj, known));
      if (!d || d.before === d.after) return { m, ns, action: 'unchanged' };
      used.add(d);
      return { m, ns, action: d.created ? 'created' : 'configured', diff: { label: label(m.obj, ns), before: d.before, after: d.after } };
    });
    if (res.rc === 1 && diffs.length === 0) throw new ModuleError(`${commandFailure(argv, res)} (differences reported, but no diff printed)`);
    // a difference gx cannot place would otherwise read as "unchanged" on every run
    const stray = diffs.filter((x) => !used.has(x) && x.before !== x.after);
    if (stray.length > 0) throw new ModuleError(`kubectl diff reported ${stray.map((x) => x.file).join(', ')}, which matches none of the task's objects`);
    return planned;
  };

  const pre = await diffPhase(prerequisites);
  const newNamespaces = new Set(pre.filter((p) => p.action === 'created' && isNamespace(p.m.obj)).map((p) => p.m.obj.metadata.name));
  const newKinds = new Set(pre.filter((p) => p.action === 'created' && isCrd(p.m.obj)).map((p) => `${crdGroup(p.m.obj)}/${crdKind(p.m.obj)}`));
  const blocked = (m: Manifest) => newNamespaces.has(nsOf(m.obj)) || newKinds.has(`${groupOf(m.obj.apiVersion)}/${m.obj.kind}`);
  const main = await diffPhase(rest.filter((m) => !blocked(m)));
  const later: Planned[] = rest.filter(blocked).map((m) => {
    const ns = nsOf(m.obj);
    return { m, ns, action: 'created', diff: { label: label(m.obj, ns), before: '', after: displayed(m.obj) } };
  });
  const all = [...pre, ...main, ...later];
  const byObj = new Map(all.map((p) => [p.m, p]));
  const ordered = [...prerequisites, ...rest].map((m) => byObj.get(m)!);
  const objects = (): ObjectResult[] =>
    ordered.map((p) => ({ apiVersion: p.m.obj.apiVersion, kind: p.m.obj.kind, name: p.m.obj.metadata.name, namespace: p.ns, action: p.action }));
  const changedPre = ordered.filter((p) => p.action !== 'unchanged' && prerequisites.includes(p.m));
  const changedRest = ordered.filter((p) => p.action !== 'unchanged' && rest.includes(p.m));
  const diff = ordered.flatMap((p) => (p.diff ? [p.diff] : []));

  if (changedPre.length === 0 && changedRest.length === 0) {
    // nothing to send; `wait` still means "ready when the task ends" (waits only read)
    const waited = !ctx.check && a.wait ? await waitAll(ctx, a, t, ordered) : [];
    return { changed: false, data: { objects: objects(), result: [], waited } };
  }
  if (ctx.check) {
    // kubectl diff does not ask for strict field validation; the apply would (kubectl's default
    // --validate=strict), so check mode also sends the apply as a server dry run: unknown fields,
    // admission webhooks and field-manager conflicts fail here as they would for real
    const dry = ordered.filter((p) => p.action !== 'unchanged' && !later.includes(p));
    if (dry.length > 0) await mustKubectl(ctx, t, ['apply', ...applyFlags, '--dry-run=server', '-f', '-'], { stdin: toYamlStream(dry.map((p) => p.m.obj)) });
  }
  const verbs = (['created', 'configured'] as const)
    .map((v) => [v, ordered.filter((p) => p.action === v).map((p) => resourceName(p.m.obj))] as const)
    .filter(([, names]) => names.length > 0)
    .map(([v, names]) => `${v === 'created' ? 'create' : 'configure'} ${names.join(', ')}`);
  return {
    changed: true,
    msg: verbs.join('; '),
    diff,
    data: { objects: objects(), result: [], waited: [] },
    apply: async () => {
      const result: string[] = [];
      const waited: string[] = [];
      const sub = ['apply', ...applyFlags, '-f', '-'];
      if (changedPre.length > 0) {
        const r = await mustKubectl(ctx, t, sub, { stdin: toYamlStream(changedPre.map((p) => p.m.obj)) });
        result.push(...resultLines(r.stdout));
        const newCrds = changedPre.filter((p) => isCrd(p.m.obj));
        if (newCrds.length > 0) {
          const r2 = await mustKubectl(ctx, t, ['wait', '--for=condition=Established', `--timeout=${a.wait_timeout}s`, ...newCrds.map((p) => resourceName(p.m.obj))], { timeout: a.wait_timeout + 30 });
          waited.push(...resultLines(r2.stdout));
        }
      }
      if (changedRest.length > 0) {
        const r = await mustKubectl(ctx, t, sub, { stdin: toYamlStream(changedRest.map((p) => p.m.obj)) });
        result.push(...resultLines(r.stdout));
      }
      if (a.wait) waited.push(...(await waitAll(ctx, a, t, ordered)));
      return { changed: true, data: { objects: objects(), result, waited } };
    },
  };
}

/** The --for value of `kubectl wait` for custom resources. */
function forCondition(c: string): string {
  return /^(condition=|jsonpath=|delete$|create$)/.test(c) ? c : `condition=${c}`;
}

async function waitAll(ctx: ModuleContext, a: KubectlArgs, t: KubectlTarget, ps: Planned[]): Promise<string[]> {
  const out: string[] = [];
  // the waits run watching the pods of what they wait for, and fail fast when one cannot start (lib/k8s/pod-watch.ts)
  const watch = (ns: string, list: Planned[]) => ({ namespace: ns, waitTimeout: a.wait_timeout, roots: list.map((p) => ({ kind: p.m.obj.kind, name: p.m.obj.metadata.name, shown: resourceName(p.m.obj) })) });
  const inNs = (ns: string): KubectlTarget => ({ ...t, namespace: ns || undefined });
  const custom = new Map<string, Planned[]>();
  for (const p of ps) {
    const o = p.m.obj;
    const group = groupOf(o.apiVersion);
    if (ROLLOUT_KINDS.has(`${group}/${o.kind}`)) {
      const r = await kubectlWait(ctx, inNs(p.ns), ['rollout', 'status', resourceName(o), `--timeout=${a.wait_timeout}s`], watch(p.ns, [p]));
      out.push(...resultLines(r.stdout).slice(-1));
    } else if (group === 'batch' && o.kind === 'Job') {
      const r = await kubectlWait(ctx, inNs(p.ns), ['wait', '--for=condition=Complete', `--timeout=${a.wait_timeout}s`, resourceName(o)], watch(p.ns, [p]));
      out.push(...resultLines(r.stdout));
    } else if (!isBuiltin(o)) {
      // one `kubectl wait` per namespace: it takes many objects, but one namespace
      const list = custom.get(p.ns) ?? [];
      list.push(p);
      custom.set(p.ns, list);
    }
  }
  for (const [ns, list] of custom) {
    const r = await kubectlWait(ctx, inNs(ns), ['wait', `--for=${forCondition(a.wait_condition)}`, `--timeout=${a.wait_timeout}s`, ...list.map((p) => resourceName(p.m.obj))], watch(ns, list));
    out.push(...resultLines(r.stdout));
  }
  return out;
}

function isBuiltin(o: K8sObject): boolean {
  const g = groupOf(o.apiVersion);
  return g === '' || g.endsWith('.k8s.io') || !g.includes('.');
}

async function planAbsent(ctx: ModuleContext, a: KubectlArgs, t: KubectlTarget, objs: Manifest[]) {
  const crds = objs.filter((m) => isCrd(m.obj)).map((m) => m.obj);
  const { prerequisites, rest } = orderForApply(objs);
  const order = [...[...rest].reverse(), ...[...prerequisites].reverse()];
  // kinds the cluster does not know have no objects; kubectl refuses the whole call for them, so ask again without
  let asked = order;
  let live: K8sObject[] = [];
  for (;;) {
    if (asked.length === 0) break;
    const { argv, res } = await runKubectl(ctx, t, ['get', '--ignore-not-found', '-o', 'json', '-f', '-'], { stdin: toYamlStream(asked.map((m) => m.obj)) });
    if (res.rc === 0 && !res.timedOut) {
      live = parseGetJson(res.stdout);
      break;
    }
    const missing = res.timedOut ? [] : missingKinds(res.stderr);
    const next = asked.filter((m) => !missing.some((k) => k.kind === m.obj.kind && k.apiVersion === m.obj.apiVersion));
    if (missing.length === 0 || next.length === asked.length) throw new ModuleError(commandFailure(argv, res));
    asked = next;
  }
  const planned = order.map((m) => {
    const ns = namespaceOf(m.obj, a.namespace, crds);
    const known = knownNamespace(m.obj, a.namespace, crds);
    const found = live.find(
      (l) =>
        l.kind === m.obj.kind &&
        groupOf(l.apiVersion) === groupOf(m.obj.apiVersion) &&
        l.metadata?.name === m.obj.metadata.name &&
        (known === undefined || (l.metadata.namespace ?? '') === known),
    );
    return { m, ns, found };
  });
  const gone = planned.filter((p) => p.found);
  const objects = (deleted: boolean) =>
    planned.map((p): ObjectResult => ({ apiVersion: p.m.obj.apiVersion, kind: p.m.obj.kind, name: p.m.obj.metadata.name, namespace: p.ns, action: p.found && deleted ? 'deleted' : 'absent' }));
  if (gone.length === 0) return { changed: false, data: { objects: objects(false), result: [], waited: [] } };
  const diff: DiffEntry[] = gone.map((p) => {
    const shownLive = { ...p.found! } as K8sObject;
    const meta = { ...shownLive.metadata };
    delete meta.managedFields;
    shownLive.metadata = meta;
    return { label: label(p.m.obj, p.ns), before: displayed(shownLive), after: '' };
  });
  return {
    changed: true,
    msg: `delete ${gone.map((p) => resourceName(p.m.obj)).join(', ')}`,
    diff,
    data: { objects: objects(true), result: [], waited: [] },
    apply: async () => {
      const sub = ['delete', '--ignore-not-found', `--wait=${a.wait}`, ...(a.wait ? [`--timeout=${a.wait_timeout}s`] : []), '-f', '-'];
      const r = await mustKubectl(ctx, t, sub, { stdin: toYamlStream(gone.map((p) => p.m.obj)), timeout: a.wait ? a.wait_timeout + 30 : a.timeout });
      return { changed: true, data: { objects: objects(true), result: resultLines(r.stdout), waited: [] } };
    },
  };
}

export default kubectl;
