// A kubectl command double: a tiny API server kept in $GX_DOUBLE_STATE/k8s.json, answering the calls
// gx makes with kubectl's documented output formats and exit codes:
//   apply [--server-side --field-manager=M] [--dry-run=server] -f -   `KIND.GROUP/NAME serverside-applied[ (server dry run)]`
//       (client-side apply: created / configured / unchanged)
//   diff --server-side ... -f -    LIVE-*/MERGED-* directories (GROUP.VERSION.KIND.NAMESPACE.NAME files,
//       YAML with sorted keys), handed to $KUBECTL_EXTERNAL_DIFF (its words of [a-zA-Z0-9-=] appended
//       after the two directories) or `diff -u -N`; exit 0 no differences, 1 differences, >1 error
//   get [--ignore-not-found] -o json -f -    a List of what exists; nothing when none is found
//   delete [--ignore-not-found] [--wait=B] [--timeout=T] -f -    `KIND.GROUP "NAME" deleted`
//   rollout status KIND.GROUP/NAME [--timeout=T]    `deployment "web" successfully rolled out`
//   wait --for=condition=C [--timeout=T] KIND.GROUP/NAME...    `KIND.GROUP/NAME condition met`
//   get TYPE[,TYPE…] -o json       (no -f) a v1 List of the namespace's objects of those types, from the
//       applied objects and what the controllers made (pods.json, see ./pods.mjs)
//   get events --field-selector involvedObject.name=POD -o json    the pod's events (events.json)
//   logs POD -c CONTAINER --tail=N [--previous]     the container's log (logs/NS/POD/CONTAINER[.previous])
// Custom kinds exist once a CRD naming them was applied; namespaced objects need their namespace.
// $GX_DOUBLE_STATE/k8s-stuck/NAME makes waits and rollouts on objects named NAME time out at once.
// Otherwise rollout status and wait wait (really, up to --timeout) while the object's pods in
// pods.json are not Ready, and print kubectl's timeout error when they stay so.
// Apply replaces the fields it is given (the double keeps no field ownership).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import { die, maybeFail, start } from './record.mjs';
import { controllerObjects, events, podReady, podsOf, seconds, waitUntil } from './pods.mjs';

const { state, argv, stdin } = start('kubectl');

const BUILTIN = {
  Namespace: ['v1', false], ConfigMap: ['v1', true], Secret: ['v1', true], Service: ['v1', true], ServiceAccount: ['v1', true],
  Pod: ['v1', true], PersistentVolumeClaim: ['v1', true], PersistentVolume: ['v1', false],
  Deployment: ['apps/v1', true], StatefulSet: ['apps/v1', true], DaemonSet: ['apps/v1', true],
  Job: ['batch/v1', true], CronJob: ['batch/v1', true],
  Ingress: ['networking.k8s.io/v1', true], IngressClass: ['networking.k8s.io/v1', false], NetworkPolicy: ['networking.k8s.io/v1', true],
  Role: ['rbac.authorization.k8s.io/v1', true], RoleBinding: ['rbac.authorization.k8s.io/v1', true],
  ClusterRole: ['rbac.authorization.k8s.io/v1', false], ClusterRoleBinding: ['rbac.authorization.k8s.io/v1', false],
  StorageClass: ['storage.k8s.io/v1', false], CustomResourceDefinition: ['apiextensions.k8s.io/v1', false],
};
const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

const dbFile = join(state, 'k8s.json');
const db = existsSync(dbFile) ? JSON.parse(readFileSync(dbFile, 'utf8')) : { rv: 100, objects: {} };
const save = () => writeFileSync(dbFile, JSON.stringify(db, null, 1));

// global flags, anywhere on the line
let namespaceFlag;
let kubeconfig;
const words = [];
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  if (a.startsWith('--namespace=')) namespaceFlag = a.slice(12);
  else if (a === '-n' || a === '--namespace') namespaceFlag = argv[++i];
  else if (a.startsWith('--kubeconfig=')) kubeconfig = a.slice(13);
  else if (a.startsWith('--context=')) {
    // accepted, one cluster only
  } else words.push(a);
}
const sub = words[0] === 'rollout' ? `rollout-${words[1]}` : words[0];
// kubectl diff reports its own errors with an exit status above 1 (1 means "differences")
if (kubeconfig && !existsSync(kubeconfig)) die(`error: stat ${kubeconfig}: no such file or directory`, sub === 'diff' ? 2 : 1);
if (maybeFail(state, 'kubectl', sub)) await new Promise(() => {});
const flags = new Map();
const positional = [];
for (const w of words.slice(sub.startsWith('rollout') ? 2 : 1)) {
  if (w.startsWith('--')) {
    const eq = w.indexOf('=');
    flags.set(eq < 0 ? w.slice(2) : w.slice(2, eq), eq < 0 ? 'true' : w.slice(eq + 1));
  } else if (w === '-f' || w === '-o') flags.set(w, '');
  else if (flags.has('-o') && flags.get('-o') === '') flags.set('-o', w);
  else if (flags.has('-f') && flags.get('-f') === '') flags.set('-f', w);
  else positional.push(w);
}

const groupOf = (apiVersion) => (apiVersion.includes('/') ? apiVersion.split('/')[0] : '');
const versionOf = (apiVersion) => (apiVersion.includes('/') ? apiVersion.split('/')[1] : apiVersion);

/** kind → { namespaced, plural } as the API server maps it, or an error text. */
function mapping(obj) {
  const b = BUILTIN[obj.kind];
  if (b && b[0] === obj.apiVersion) return { namespaced: b[1], plural: `${obj.kind.toLowerCase()}s` };
  const group = groupOf(obj.apiVersion);
  for (const o of Object.values(db.objects)) {
    if (o.kind !== 'CustomResourceDefinition' || o.spec?.group !== group || o.spec?.names?.kind !== obj.kind) continue;
    if (!(o.spec.versions ?? []).some((v) => v.name === versionOf(obj.apiVersion))) continue;
    return { namespaced: o.spec.scope !== 'Cluster', plural: o.spec.names.plural };
  }
  return { error: `resource mapping not found for name: "${obj.metadata?.name}" namespace: "${obj.metadata?.namespace ?? ''}" from "STDIN": no matches for kind "${obj.kind}" in version "${obj.apiVersion}"\nensure CRDs are installed first` };
}

function readObjects() {
  if (flags.get('-f') !== '-') die('error: must specify one of -f and -k');
  const out = [];
  for (const doc of parseAllDocuments(stdin)) {
    if (doc.errors.length) die(`error: error parsing STDIN: ${doc.errors[0].message}`);
    const v = doc.toJS();
    if (v) out.push(v);
  }
  return out;
}

/** The object with its namespace resolved, or an error text. */
function resolve(obj) {
  const m = mapping(obj);
  if (m.error) return { error: `error: ${m.error}` };
  let ns = '';
  if (m.namespaced) {
    ns = obj.metadata.namespace ?? namespaceFlag ?? 'default';
    if (namespaceFlag && obj.metadata.namespace && obj.metadata.namespace !== namespaceFlag) {
      return { error: `error: the namespace from the provided object "${obj.metadata.namespace}" does not match the namespace "${namespaceFlag}". You must pass '--namespace=${obj.metadata.namespace}' to perform this operation.` };
    }
  }
  const group = groupOf(obj.apiVersion);
  return {
    ns,
    m,
    key: `${group}/${obj.kind}/${ns}/${obj.metadata.name}`,
    resource: `${obj.kind.toLowerCase()}${group ? `.${group}` : ''}`,
    file: `${group ? `${group}.` : ''}${versionOf(obj.apiVersion)}.${obj.kind}.${ns}.${obj.metadata.name}`,
  };
}

const namespaceExists = (ns) => SYSTEM_NAMESPACES.includes(ns) || Object.values(db.objects).some((o) => o.kind === 'Namespace' && o.metadata.name === ns);

function content(o) {
  const c = structuredClone(o);
  for (const k of ['uid', 'resourceVersion', 'creationTimestamp', 'generation', 'managedFields']) delete c.metadata[k];
  delete c.status;
  return JSON.stringify(sortKeys(c));
}

function sortKeys(v) {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys(v[k])]));
  return v;
}

/** What the server would store for an apply of obj. */
function merged(obj, r) {
  const live = db.objects[r.key];
  const out = structuredClone(obj);
  out.metadata = { ...out.metadata };
  if (r.ns) out.metadata.namespace = r.ns;
  if (live) {
    out.metadata.uid = live.metadata.uid;
    out.metadata.creationTimestamp = live.metadata.creationTimestamp;
    out.metadata.resourceVersion = live.metadata.resourceVersion;
    out.metadata.generation = live.metadata.generation;
    if (live.status) out.status = live.status;
    if (content(out) !== content(live)) out.metadata.generation = live.metadata.generation + 1;
  } else {
    out.metadata.uid = `00000000-0000-4000-8000-${String(db.rv + 1).padStart(12, '0')}`;
    out.metadata.creationTimestamp = '2024-05-01T10:00:00Z';
    out.metadata.generation = 1;
  }
  return out;
}

const yaml = (o) => stringify(sortKeys(o), { lineWidth: 0 });

function checkNamespace(r) {
  if (r.ns && !namespaceExists(r.ns)) return `Error from server (NotFound): namespaces "${r.ns}" not found`;
  return undefined;
}

switch (sub) {
  case 'apply': {
    const ssa = flags.get('server-side') === 'true';
    const dry = flags.get('dry-run') === 'server';
    if (ssa && !flags.get('field-manager')) die('error: --field-manager is required with --server-side in this double');
    let rc = 0;
    for (const obj of readObjects()) {
      const r = resolve(obj);
      const err = r.error ?? checkNamespace(r);
      if (err) {
        process.stderr.write(`${err}\n`);
        rc = 1;
        continue;
      }
      const live = db.objects[r.key];
      const next = merged(obj, r);
      const changed = !live || content(next) !== content(live);
      if (!dry && changed) {
        db.rv += 1;
        next.metadata.resourceVersion = String(db.rv);
        db.objects[r.key] = next;
      }
      const what = ssa ? 'serverside-applied' : !live ? 'created' : changed ? 'configured' : 'unchanged';
      process.stdout.write(`${r.resource}/${obj.metadata.name} ${what}${dry ? ' (server dry run)' : ''}\n`);
    }
    if (!dry) save();
    process.exit(rc);
  }
  case 'diff': {
    const objs = readObjects();
    const base = mkdtempSync(join(tmpdir(), 'kubectl-double-'));
    const live = join(base, `LIVE-${process.pid}`);
    const merge = join(base, `MERGED-${process.pid}`);
    mkdirSync(live);
    mkdirSync(merge);
    for (const obj of objs) {
      const r = resolve(obj);
      const err = r.error ?? checkNamespace(r);
      if (err) {
        rmSync(base, { recursive: true, force: true });
        die(err, 2);
      }
      const now = db.objects[r.key];
      if (now) writeFileSync(join(live, r.file), yaml(now));
      writeFileSync(join(merge, r.file), yaml(merged(obj, r)));
    }
    let cmd = 'diff';
    let args = ['-u', '-N', live, merge];
    const ext = process.env.KUBECTL_EXTERNAL_DIFF;
    if (ext) {
      const parts = ext.split(' ');
      cmd = parts[0];
      args = [live, merge, ...parts.slice(1).filter((p) => /^[a-zA-Z0-9-=]+$/.test(p))];
    }
    const res = spawnSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'] });
    rmSync(base, { recursive: true, force: true });
    if (res.error) die(`error: failed to run "${cmd}": ${res.error.message}`, 2);
    process.exit(res.status ?? 2);
  }
  case 'get': {
    if (!flags.has('-f')) {
      // TYPE[,TYPE…] in the namespace, or a pod's events
      if (flags.get('-o') !== 'json') die('error: this double prints -o json only');
      const ns = namespaceFlag ?? 'default';
      const types = (positional[0] ?? '').split(',').filter(Boolean);
      if (types.length === 0) die('error: you must specify the type of resource to get');
      const KIND = { deployments: 'Deployment', replicasets: 'ReplicaSet', statefulsets: 'StatefulSet', daemonsets: 'DaemonSet', jobs: 'Job', pods: 'Pod', events: 'Event' };
      const kinds = types.map((t) => KIND[t.split('.')[0]] ?? die(`error: the server doesn't have a resource type "${t}"`));
      const fieldSelector = flags.get('field-selector') === 'true' ? positional[1] : flags.get('field-selector');
      const want = /^involvedObject\.name=(.+)$/.exec(fieldSelector ?? '')?.[1];
      const found = [...Object.values(db.objects), ...controllerObjects(state), ...events(state).map((e) => ({ apiVersion: 'v1', kind: 'Event', ...e }))]
        .filter((o) => kinds.includes(o.kind) && (o.metadata?.namespace ?? 'default') === ns)
        .filter((o) => !want || o.involvedObject?.name === want);
      process.stdout.write(JSON.stringify({ apiVersion: 'v1', items: found, kind: 'List', metadata: { resourceVersion: '' } }, null, 4) + '\n');
      process.exit(0);
    }
    const objs = readObjects();
    const resolved = objs.map((o) => ({ o, r: resolve(o) }));
    const bad = resolved.filter((x) => x.r.error);
    if (bad.length) die(bad.map((x) => x.r.error).join('\n'));
    const found = [];
    for (const { o, r } of resolved) {
      const live = db.objects[r.key];
      if (live) found.push(live);
      else if (flags.get('ignore-not-found') !== 'true') die(`Error from server (NotFound): ${r.m.plural}${groupOf(o.apiVersion) ? `.${groupOf(o.apiVersion)}` : ''} "${o.metadata.name}" not found`);
    }
    if (flags.get('-o') !== 'json') die('error: this double prints -o json only');
    // objects read from -f come back as a List even when there is one (checked against kubectl 1.32)
    if (found.length > 0) process.stdout.write(JSON.stringify({ apiVersion: 'v1', items: found, kind: 'List', metadata: { resourceVersion: '' } }, null, 4) + '\n');
    process.exit(0);
  }
  case 'delete': {
    const objs = readObjects();
    const resolved = objs.map((o) => ({ o, r: resolve(o) }));
    const bad = resolved.filter((x) => x.r.error);
    if (bad.length) die(bad.map((x) => x.r.error).join('\n'));
    let rc = 0;
    for (const { o, r } of resolved) {
      if (!db.objects[r.key]) {
        if (flags.get('ignore-not-found') !== 'true') {
          process.stderr.write(`Error from server (NotFound): error when deleting "STDIN": ${r.m.plural} "${o.metadata.name}" not found\n`);
          rc = 1;
        }
        continue;
      }
      delete db.objects[r.key];
      // what goes with it: the namespace's objects, the CRD's custom resources
      for (const [k, v] of Object.entries(db.objects)) {
        if (o.kind === 'Namespace' && v.metadata.namespace === o.metadata.name) delete db.objects[k];
        if (o.kind === 'CustomResourceDefinition' && groupOf(v.apiVersion) === o.spec?.group && v.kind === o.spec?.names?.kind) delete db.objects[k];
      }
      process.stdout.write(`${r.resource} "${o.metadata.name}" deleted\n`);
    }
    save();
    process.exit(rc);
  }
  case 'rollout-status':
  case 'wait': {
    const targets = positional.map((p) => {
      const [type, name] = p.split('/');
      const dot = type.indexOf('.');
      const kind = dot < 0 ? type : type.slice(0, dot);
      const group = dot < 0 ? '' : type.slice(dot + 1);
      const hit = Object.values(db.objects).find(
        (o) => o.kind.toLowerCase() === kind && groupOf(o.apiVersion) === group && o.metadata.name === name && (!o.metadata.namespace || o.metadata.namespace === (namespaceFlag ?? 'default')),
      );
      if (!hit) die(`Error from server (NotFound): ${kind}s${group ? `.${group}` : ''} "${name}" not found`);
      return { type, kind, name, obj: hit };
    });
    const timeout = flags.get('timeout') ?? '30s';
    if (sub === 'wait' && !flags.get('for')) die('error: --for must be specified');
    const end = Date.now() + seconds(timeout, 30) * 1000;
    for (const t of targets) {
      const stuck = existsSync(join(state, 'k8s-stuck', t.name)) || !(await waitUntil(() => podsOf(state, t.obj).every(podReady), Math.max(0, (end - Date.now()) / 1000)));
      if (sub === 'wait') {
        if (stuck) die(`error: timed out waiting for the condition on ${t.obj.kind.toLowerCase()}s/${t.name}`);
        process.stdout.write(`${t.type}/${t.name} condition met\n`);
      } else {
        const label = t.obj.kind === 'DaemonSet' ? 'daemon set' : t.obj.kind.toLowerCase();
        if (stuck) {
          process.stdout.write(`Waiting for ${label} "${t.name}" rollout to finish: 0 of 1 updated replicas are available...\n`);
          die(`error: timed out waiting for the condition (after ${timeout})`);
        }
        process.stdout.write(`${label} "${t.name}" successfully rolled out\n`);
      }
    }
    process.exit(0);
  }
  case 'logs': {
    const pod = positional[0];
    const c = positional[positional.indexOf('-c') + 1];
    if (!pod || positional.indexOf('-c') < 0 || !c) die('error: this double needs logs POD -c CONTAINER');
    const ns = namespaceFlag ?? 'default';
    const previous = flags.get('previous') === 'true';
    const file = join(state, 'logs', ns, pod, `${c}${previous ? '.previous' : ''}`);
    if (!existsSync(file)) {
      die(previous ? `Error from server (BadRequest): previous terminated container "${c}" in pod "${pod}" not found` : `Error from server (BadRequest): container "${c}" in pod "${pod}" is waiting to start: trying and failing to pull image`);
    }
    const lines = readFileSync(file, 'utf8').split('\n');
    if (lines.at(-1) === '') lines.pop();
    const tail = flags.has('tail') ? Number(flags.get('tail')) : -1;
    process.stdout.write((tail >= 0 ? lines.slice(-tail) : lines).map((l) => `${l}\n`).join(''));
    process.exit(0);
  }
  default:
    die(`error: unknown command "${sub}" for "kubectl"`);
}
