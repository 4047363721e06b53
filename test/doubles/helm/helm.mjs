// A helm command double: releases kept in $GX_DOUBLE_STATE/helm.json, namespaces shared with the
// kubectl double's cluster ($GX_DOUBLE_STATE/k8s.json), answering with helm 3's documented formats:
//   show chart CHART                 the chart's Chart.yaml (read from the directory or the .tgz)
//   list --namespace=NS --filter=RE [--all] --output=json    [{"name","namespace","revision","updated","status","chart","app_version"}]
//   get values NAME --namespace=NS --output=json             the user-supplied values, `null` when none
//   upgrade --install NAME CHART --namespace=NS [--create-namespace] [--wait] [--atomic] [--timeout=T] [--values=-]
//                                    "Release "NAME" does not exist. Installing it now." / "…has been upgraded. Happy Helming!"
//                                    then NAME:, LAST DEPLOYED:, NAMESPACE:, STATUS:, REVISION:, TEST SUITE:
//   uninstall NAME --namespace=NS    release "NAME" uninstalled
//   template NAME CHART --namespace=NS [--values=-]
//                                    the chart's templates/*.yaml, each as helm prints a rendered file:
//                                    "---\n# Source: CHARTNAME/templates/FILE\n" then its text. The double
//                                    renders NO Go template: a test chart's templates are plain YAML that
//                                    stand for what the real chart renders with the play's values.
// $GX_DOUBLE_STATE/helm-stuck/NAME makes --wait on that release time out at once (failed, or rolled back with --atomic).
// Otherwise --wait (or --atomic) really waits, up to --timeout, while pods of the release in the
// kubectl double's pods.json (label app.kubernetes.io/instance=NAME, namespace NS; ../kubectl/pods.mjs)
// are not Ready — the smallest faithful model of helm's wait, which waits until the release's
// resources are ready or the timeout passes. Meanwhile the release is pending-install/pending-upgrade,
// as helm stores it before it creates anything. SIGTERM during the wait does what helm's handler does
// (cmd/helm/upgrade.go: prints `Release NAME has been cancelled.` and cancels the context): the
// release is marked failed (rolled back or uninstalled with --atomic) and helm exits 1 with
// `Error: UPGRADE FAILED: context canceled` (INSTALLATION FAILED on a first install).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { die, maybeFail, start } from '../kubectl/record.mjs';
import { controllerObjects, podReady, seconds, waitUntil } from '../kubectl/pods.mjs';

const { state, argv, stdin } = start('helm');
const words = [];
const flags = new Map();
for (const a of argv) {
  if (a.startsWith('--')) {
    const eq = a.indexOf('=');
    flags.set(eq < 0 ? a.slice(2) : a.slice(2, eq), eq < 0 ? 'true' : a.slice(eq + 1));
  } else words.push(a);
}
const kubeconfig = flags.get('kubeconfig');
if (kubeconfig && !existsSync(kubeconfig)) die(`Error: Kubernetes cluster unreachable: stat ${kubeconfig}: no such file or directory`);
const sub = words[0] === 'show' || words[0] === 'get' ? `${words[0]}-${words[1]}` : words[0];
if (maybeFail(state, 'helm', sub)) await new Promise(() => {});
const ns = flags.get('namespace') ?? 'default';

const dbFile = join(state, 'helm.json');
const db = existsSync(dbFile) ? JSON.parse(readFileSync(dbFile, 'utf8')) : { releases: {} };
const save = () => writeFileSync(dbFile, JSON.stringify(db, null, 1));
const k8sFile = join(state, 'k8s.json');
const k8s = existsSync(k8sFile) ? JSON.parse(readFileSync(k8sFile, 'utf8')) : { rv: 100, objects: {} };
const namespaceExists = (n) => ['default', 'kube-system', 'kube-public', 'kube-node-lease'].includes(n) || Boolean(k8s.objects[`/Namespace//${n}`]);

function chartYaml(path) {
  if (!existsSync(path)) die(`Error: path "${path}" not found`);
  if (statSync(path).isDirectory()) {
    const f = join(path, 'Chart.yaml');
    if (!existsSync(f)) die(`Error: Chart.yaml file is missing`);
    return readFileSync(f, 'utf8');
  }
  const r = spawnSync('tar', ['-xzOf', path, '--wildcards', '--no-wildcards-match-slash', '*/Chart.yaml'], { encoding: 'utf8' });
  if (r.status !== 0 || !r.stdout) die(`Error: Chart.yaml file is missing`);
  return r.stdout;
}

/** templates/*.yaml of a chart directory or .tgz, in name order, as [file, text]. */
function chartTemplates(path) {
  if (statSync(path).isDirectory()) {
    const dir = join(path, 'templates');
    if (!existsSync(dir)) return [];
    return readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => [f, readFileSync(join(dir, f), 'utf8')]);
  }
  const list = spawnSync('tar', ['-tzf', path], { encoding: 'utf8' });
  const files = list.stdout.split('\n').filter((f) => /^[^/]+\/templates\/[^/]+\.ya?ml$/.test(f)).sort();
  return files.map((f) => [f.split('/').pop(), spawnSync('tar', ['-xzOf', path, f], { encoding: 'utf8' }).stdout]);
}

function chartOf(path) {
  const c = parse(chartYaml(path));
  return { name: c.name, version: String(c.version), appVersion: c.appVersion === undefined ? '' : String(c.appVersion) };
}

const key = (name) => `${ns}/${name}`;
const UPDATED = '2024-05-01 10:00:00.000000 +0000 UTC';

function report(r) {
  return `NAME: ${r.name}\nLAST DEPLOYED: Wed May  1 10:00:00 2024\nNAMESPACE: ${r.namespace}\nSTATUS: ${r.status}\nREVISION: ${r.revision}\nTEST SUITE: None\n`;
}

switch (sub) {
  case 'show-chart': {
    const sorted = (o) => Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k]]));
    process.stdout.write(stringify(sorted(parse(chartYaml(words[2])))));
    process.exit(0);
  }
  case 'list': {
    if (flags.get('output') !== 'json') die('Error: this double prints --output=json only');
    const re = new RegExp(flags.get('filter') ?? '.*');
    const all = flags.get('all') === 'true';
    const out = Object.values(db.releases)
      .filter((r) => r.namespace === ns && re.test(r.name) && (all || r.status === 'deployed' || r.status === 'failed'))
      .map((r) => ({ name: r.name, namespace: r.namespace, revision: String(r.revision), updated: UPDATED, status: r.status, chart: `${r.chart.name}-${r.chart.version}`, app_version: r.chart.appVersion }));
    process.stdout.write(JSON.stringify(out) + '\n');
    process.exit(0);
  }
  case 'get-values': {
    const r = db.releases[key(words[2])];
    if (!r) die('Error: release: not found');
    process.stdout.write(Object.keys(r.values).length === 0 ? 'null\n' : JSON.stringify(r.values) + '\n');
    process.exit(0);
  }
  case 'upgrade': {
    if (flags.get('install') !== 'true') die('Error: this double only knows upgrade --install');
    const [, name, chartPath] = words;
    if (!name || !chartPath) die('Error: "helm upgrade" requires 2 arguments');
    const chart = chartOf(chartPath);
    const values = flags.get('values') === '-' ? (parse(stdin) ?? {}) : {};
    const prev = db.releases[key(name)];
    const installing = !prev;
    if (!namespaceExists(ns)) {
      if (flags.get('create-namespace') !== 'true') die(`Error: ${installing ? 'INSTALLATION' : 'UPGRADE'} FAILED: create: failed to create: namespaces "${ns}" not found`);
      k8s.objects[`/Namespace//${ns}`] = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, resourceVersion: String(++k8s.rv) } };
      writeFileSync(k8sFile, JSON.stringify(k8s, null, 1));
    }
    const next = { name, namespace: ns, revision: (prev?.revision ?? 0) + 1, status: 'deployed', chart, values };
    const waits = flags.get('wait') === 'true' || flags.get('atomic') === 'true';
    const failWith = (why) => {
      const what = installing ? 'INSTALLATION' : 'UPGRADE';
      if (flags.get('atomic') === 'true') {
        if (installing) delete db.releases[key(name)];
        else db.releases[key(name)] = { ...prev, revision: prev.revision + 2, status: 'deployed' };
        save();
        die(`Error: ${what} FAILED: release ${name} failed, and has been ${installing ? 'uninstalled' : 'rolled back'} due to atomic being set: ${why}`);
      }
      db.releases[key(name)] = { ...next, status: 'failed' };
      save();
      die(`Error: ${what} FAILED: ${why}`);
    };
    if (waits && existsSync(join(state, 'helm-stuck', name))) failWith('context deadline exceeded');
    if (waits) {
      const pods = () => controllerObjects(state).filter((o) => o.kind === 'Pod' && (o.metadata.namespace ?? 'default') === ns && o.metadata.labels?.['app.kubernetes.io/instance'] === name);
      if (!pods().every(podReady)) {
        db.releases[key(name)] = { ...next, status: installing ? 'pending-install' : 'pending-upgrade' };
        save();
        process.on('SIGTERM', () => {
          process.stdout.write(`Release ${name} has been cancelled.\n`);
          failWith('context canceled');
        });
        if (!(await waitUntil(() => pods().every(podReady), seconds(flags.get('timeout'), 300)))) failWith('context deadline exceeded');
      }
    }
    db.releases[key(name)] = next;
    save();
    process.stdout.write(installing ? `Release "${name}" does not exist. Installing it now.\n` : `Release "${name}" has been upgraded. Happy Helming!\n`);
    process.stdout.write(report(next));
    process.exit(0);
  }
  case 'template': {
    const [, name, chartPath] = words;
    if (!name || !chartPath) die('Error: "helm template" requires at least 1 argument');
    const chart = chartOf(chartPath);
    if (flags.get('values') === '-') parse(stdin);
    for (const [file, text] of chartTemplates(chartPath)) process.stdout.write(`---\n# Source: ${chart.name}/templates/${file}\n${text.trimEnd()}\n`);
    process.exit(0);
  }
  case 'uninstall': {
    const name = words[1];
    if (!db.releases[key(name)]) die(`Error: uninstall: Release not loaded: ${name}: release: not found`);
    delete db.releases[key(name)];
    save();
    process.stdout.write(`release "${name}" uninstalled\n`);
    process.exit(0);
  }
  default:
    die(`Error: unknown command "${words[0]}" for "helm"`);
}
