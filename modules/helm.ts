// helm: a release installed or upgraded from a LOCAL chart (a .tgz or a directory already on the
// host; no repository is ever contacted), with helm run ON THE HOST.
//
// Change detection without the helm-diff plugin: the chart's name and version come from
// `helm show chart CHART` (helm reads Chart.yaml out of the .tgz or directory itself, so the chart
// is read where helm will read it), the deployed release from `helm list --filter ^NAME$ -o json`
// (status and NAME-VERSION of its chart), its values from `helm get values NAME -o json` (the
// user-supplied values only). The desired values are merged here from values_files (read on the
// host), values_template (rendered on the controller) and values, in that order, and sent to helm
// as one JSON document on stdin, so what helm stores is exactly what is compared next time.
// Same chart, same values, status deployed → ok, no helm upgrade.
// Limitation: a chart whose templates changed without a new version is not seen as a change.
//
// Before anything else is asked of helm's releases, the merged values are checked against the
// chart itself (lib/k8s/chart-values.ts): the archive is read from the host through the connection
// (a chart directory is sent as a tar) and unpacked here; a key path the chart does not define, or
// a values.schema.json violation, fails the task, in check mode too, before any helm upgrade.
import { parseAllDocuments, stringify } from 'yaml';
import { argvToShell } from '../engine/connect/connection.js';
import { ModuleError } from '../engine/errors.js';
import { defineModule, type DiffEntry, type ModuleContext } from '../engine/module-contract.js';
import { Unknown } from '../engine/vars/unknown.js';
import { commandFailure, runTool } from './lib/host-tool.js';
import { checkValues, loadChart, readArchive, valuesCheckMessage } from './lib/k8s/chart-values.js';
import { helmWait } from './lib/k8s/pod-watch.js';
import { guardImages, imagesOf } from './lib/k8s/images.js';
import { canonical, findRelease, mergeValues, parseChartYaml, parseValuesJson, parseValuesYaml, type ListedRelease, type Values } from './lib/k8s/helm-release.js';

export interface HelmArgs {
  name: string;
  chart?: string;
  namespace: string;
  create_namespace: boolean;
  state: 'present' | 'absent';
  values?: Values;
  values_files?: string[];
  values_template?: string;
  values_check: boolean;
  values_open?: string[];
  images_registry?: string;
  wait: boolean;
  wait_timeout: number;
  atomic: boolean;
  kubeconfig?: string;
  context?: string;
  timeout: number;
  executable: string;
}

export interface HelmData {
  name: string;
  namespace: string;
  /** NAME-VERSION of the chart deployed (or to be) */
  chart?: string;
  status: string;
  revision?: number | Unknown;
  /** the helm command that ran (or would run) */
  command?: string[];
  /** the user-supplied values of the release */
  values?: Values;
  stdout?: string;
}

const PENDING = /^pending-|^uninstalling$/;

export const helm = defineModule<HelmArgs, HelmData>({
  name: 'helm',
  summary: 'Install, upgrade or uninstall a Helm release from a local chart on the host, idempotently, without the helm-diff plugin.',
  description:
    'Runs helm **on the target host** with a chart that is already there (a packaged .tgz or a chart directory; copy it first): ' +
    '`helm upgrade --install NAME CHART --namespace NS --values -`. Values are merged from `values_files` (on the host), ' +
    '`values_template` (a template on the controller: Handlebars if it ends in `.hbs`, else Jinja2) and `values` (inline), later ones winning, and sent as one document.\n\n' +
    'The release is left alone when its chart name and version (`helm list`, against `helm show chart CHART`) and its user-supplied values ' +
    '(`helm get values`) already match and its status is deployed. Check mode runs only those reads and shows the helm command it would run; ' +
    '--diff shows the values (and the chart) before and after. A release stuck in a pending state fails the task instead of being forced. ' +
    'Note: changing a chart\'s templates without bumping its version is not detected.\n\n' +
    '**`wait` fails fast and says why.** With `wait` (or `atomic`), helm runs in the background on the host while gx reads the release\'s pods every 5 s ' +
    'with kubectl on the same host (pods labelled `app.kubernetes.io/instance=NAME`, and the pods owned by the Deployments, StatefulSets, DaemonSets ' +
    'and Jobs helm annotates with `meta.helm.sh/release-name`, in the release namespace; only their current revision). When one cannot become ' +
    'ready by itself (ImagePullBackOff, ErrImagePull or InvalidImageName; CrashLoopBackOff after a restart; Pending with no node on two reads in ' +
    'a row), gx stops helm with SIGTERM, as Ctrl-C would: helm marks the release failed (with `atomic`, rolls it back or uninstalls a first ' +
    'install), and the task fails within seconds naming namespace, pod, container, image, reason, the last events and, for a crash loop, the last ' +
    'log lines. The next run upgrades the failed release again. A `--wait` that times out says what was not ready in the same form. ' +
    'docs/runbook.md says what to do for each reason.\n\n' +
    '**Values checked against the chart.** helm silently ignores a value the chart does not read, so before anything is installed ' +
    '(and in check mode) the module reads the chart archive on the host (its values.yaml and values.schema.json, subcharts included: ' +
    'a subchart\'s values sit under its name or its alias in Chart.yaml\'s dependencies, `global` is shared, dependency conditions and ' +
    '`tags` count as values) and checks the merged values against it. A key path the chart does not define fails the task, naming the path, ' +
    'the chart and its version and the closest real key: "gitea chart 11.0.1 has no value `valkey.enabled`; did you mean `redis.enabled`?". ' +
    'A map that is empty in values.yaml (annotations, labels, extra env), a key whose default is null and a list accept anything beneath them. ' +
    'A chart that documents a free-form map but fills it with an example in values.yaml (gitea\'s `gitea.config`, argo-cd\'s `configs.cm`) ' +
    'needs it named in `values_open`. Violations of the chart\'s values.schema.json (checked as draft-07 against the chart\'s defaults ' +
    'coalesced with the values, as helm does) are reported the same way, as path and message. `values_check: false` turns the check off.\n\n' +
    '**Images checked against the registry** (with `images_registry`): before an install or upgrade, and in check mode, the chart is rendered with ' +
    'the same values (`helm template` on the host, read-only) and every container image its workloads would run is looked up in that registry; ' +
    'a missing one fails the task naming the image and the workload, before anything is installed. In check mode the same text is a warning ' +
    'on the planned task: an earlier task of a real run (the push of the image) may put it there.',
  schema: {
    type: 'object',
    properties: {
      name: { type: 'string', pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$', maxLength: 53, description: 'The release name.' },
      chart: { type: 'string', description: 'Path ON THE HOST of the chart: a packaged .tgz or a chart directory. Required with state=present.' },
      namespace: { type: 'string', default: 'default', description: 'The namespace of the release.' },
      create_namespace: { type: 'boolean', default: false, description: 'Create the namespace when it does not exist (`--create-namespace`).' },
      state: { type: 'string', enum: ['present', 'absent'], default: 'present', description: 'present: installed/upgraded; absent: uninstalled (already absent is ok).' },
      values: { type: 'object', description: 'Inline values; they win over values_template and values_files.' },
      values_files: { type: 'array', items: { type: 'string' }, description: 'Values files ON THE HOST, merged in order (later wins).' },
      values_template: { type: 'string', description: "A template on the controller (role's or playbook's templates/; Handlebars if the name ends in .hbs, else Jinja2) rendering a values YAML document; merged after values_files." },
      values_check: {
        type: 'boolean',
        default: true,
        description: 'Check the values against the chart before installing (and in check mode): key paths the chart\'s values.yaml files do not define, and its values.schema.json. false turns the check off.',
      },
      values_open: {
        type: 'array',
        items: { type: 'string', minLength: 1 },
        description: 'Value paths the chart reads as free-form maps although values.yaml fills them with an example (e.g. `gitea.config`, `configs.cm`): any key beneath them is accepted. Dotted; quote a key holding a dot (`a."b.c"`); `*` matches any one key.',
      },
      images_registry: {
        type: 'string',
        pattern: '^https?://[^/\\s]+/?$',
        description:
          'A registry (http(s)://host:port, as the HOST reaches it) that must hold every image the chart would run: before an install or upgrade (and in check mode) ' +
          'the chart is rendered with the same values (`helm template`) and each container image of its workloads is looked up there (one HEAD per image with curl, ' +
          'by its upstream repository path and tag, as a local registry mirroring every upstream one holds them). A missing image fails the task naming it and the ' +
          'workload that wants it, instead of a pod in ImagePullBackOff and a wait that runs into its timeout (in check mode: a warning). Unset: not checked.',
      },
      wait: { type: 'boolean', default: false, description: 'Wait until the release\'s resources are ready (`--wait`); with state=absent, until they are deleted.' },
      wait_timeout: { type: 'integer', minimum: 1, default: 300, description: 'Seconds helm may take for the operation and its hooks (`--timeout`).' },
      atomic: { type: 'boolean', default: false, description: 'Roll back (or uninstall a first install) when the upgrade fails (`--atomic`, implies wait).' },
      kubeconfig: { type: 'string', description: 'Path ON THE HOST of the kubeconfig (e.g. /etc/rancher/k3s/k3s.yaml).' },
      context: { type: 'string', description: 'The kubeconfig context (`--kube-context`).' },
      timeout: { type: 'integer', minimum: 1, default: 60, description: 'Seconds one helm read (show, list, get) may take before it is killed and the task fails.' },
      executable: { type: 'string', minLength: 1, default: 'helm', description: 'The helm command on the host.' },
    },
    required: ['name'],
    additionalProperties: false,
  },
  examples: [
    `- name: NGINX ingress from the chart copied to the VM
  helm:
    name: ingress-nginx
    chart: /opt/charts/ingress-nginx-4.11.2.tgz
    namespace: ingress-nginx
    create_namespace: true
    kubeconfig: /etc/rancher/k3s/k3s.yaml
    values:
      controller:
        hostNetwork: true
        service:
          type: ClusterIP
    wait: true
    wait_timeout: 600`,
    `- name: Keycloak with values rendered from a template
  helm:
    name: keycloak
    chart: /opt/charts/keycloak
    namespace: auth
    values_template: keycloak-values.yaml.hbs
    atomic: true`,
    `- name: Gitea; gitea.config is rendered whole into app.ini, so any key beneath it is accepted
  helm:
    name: gitea
    chart: /opt/charts/gitea-11.0.1.tgz
    namespace: gitea
    values_template: gitea-values.yaml.hbs
    values_open: [gitea.config]`,
    `- name: Gone
  helm:
    name: old-release
    namespace: default
    state: absent`,
  ],
  returns: {
    name: { type: 'str', description: 'The release name.', returned: 'always' },
    namespace: { type: 'str', description: 'The release namespace.', returned: 'always' },
    chart: { type: 'str', description: 'NAME-VERSION of the chart deployed (or that would be).', returned: 'with state=present' },
    status: { type: 'str', description: "The release status (deployed, failed, …; 'absent' when there is none).", returned: 'always' },
    revision: { type: 'int', description: 'The release revision (unknown in check mode when a new one would be made).', returned: 'when the release exists' },
    command: { type: 'list', description: 'The helm command that ran, or would run in check mode.', returned: 'when changed' },
    values: { type: 'dict', description: 'The user-supplied values of the release.', returned: 'with state=present' },
    stdout: { type: 'str', description: "helm's output.", returned: 'when helm changed something' },
  },
  checkMode: true,
  check: (a) => (a.state !== 'absent' && !a.chart ? ['chart is required with state=present'] : []),
  async plan(ctx, a) {
    return a.state === 'absent' ? planAbsent(ctx, a) : planPresent(ctx, a);
  },
});

function globals(a: HelmArgs): string[] {
  return [...(a.kubeconfig ? [`--kubeconfig=${a.kubeconfig}`] : []), ...(a.context ? [`--kube-context=${a.context}`] : [])];
}

async function helmRun(ctx: ModuleContext, a: HelmArgs, argv: string[], o: { stdin?: string; timeout?: number } = {}) {
  return runTool(ctx, argv, { stdin: o.stdin, timeoutMs: (o.timeout ?? a.timeout) * 1000, providedBy: 'helm' });
}

async function mustHelm(ctx: ModuleContext, a: HelmArgs, argv: string[], o: { stdin?: string; timeout?: number } = {}) {
  const res = await helmRun(ctx, a, argv, o);
  if (res.rc !== 0 || res.timedOut) throw new ModuleError(commandFailure(argv, res));
  return res;
}

async function deployed(ctx: ModuleContext, a: HelmArgs, exe: string[]): Promise<ListedRelease | undefined> {
  const filter = `^${a.name}$`;
  const res = await mustHelm(ctx, a, [...exe, 'list', `--namespace=${a.namespace}`, `--filter=${filter}`, '--all', '--output=json', ...globals(a)]);
  return findRelease(res.stdout, a.name);
}

async function desiredValues(ctx: ModuleContext, a: HelmArgs): Promise<Values> {
  let values: Values = {};
  for (const f of a.values_files ?? []) {
    const bytes = await ctx.conn.get(f);
    if (!bytes) throw new ModuleError(`values_files: ${f} does not exist on ${ctx.host}`);
    values = mergeValues(values, parseValuesYaml(bytes.toString('utf8'), f));
  }
  if (a.values_template !== undefined) {
    const path = await ctx.findFile(a.values_template, 'templates');
    const bytes = await ctx.local.get(path);
    if (!bytes) throw new ModuleError(`values_template: ${path} is not a readable file on the controller`);
    values = mergeValues(values, parseValuesYaml(ctx.renderTemplate(bytes.toString('utf8'), { template_path: path }), path));
  }
  if (a.values) values = mergeValues(values, a.values);
  return values;
}

/** Fails (a ModuleError) when the values hold a key path the chart does not define or break its values.schema.json. */
async function checkAgainstChart(ctx: ModuleContext, a: HelmArgs, values: Values): Promise<void> {
  const chartPath = a.chart!;
  const st = await ctx.conn.stat(chartPath, { followLinks: true });
  let bytes: Buffer | null;
  if (st?.type === 'directory') {
    const argv = ['tar', '-cf', '-', '-C', chartPath, '.'];
    const res = await runTool(ctx, argv, { timeoutMs: a.timeout * 1000, providedBy: 'tar' });
    if (res.rc !== 0 || res.timedOut) throw new ModuleError(`the chart directory ${chartPath} cannot be read on ${ctx.host} to check its values: ${commandFailure(argv, res)}`);
    bytes = res.stdoutBytes ?? Buffer.from(res.stdout, 'binary');
  } else {
    bytes = await ctx.conn.get(chartPath);
  }
  if (!bytes) throw new ModuleError(`the chart ${chartPath} cannot be read on ${ctx.host} to check its values`);
  const chart = await loadChart(await readArchive(bytes, chartPath), chartPath);
  const msg = valuesCheckMessage(checkValues(chart, values, a.values_open ?? []));
  if (msg) throw new ModuleError(msg);
}

/**
 * Fails (a ModuleError) when the chart, rendered with these values (`helm template`, read-only, on
 * the host), would run an image the registry does not have: offline that is a pod in
 * ImagePullBackOff and a --wait that sits until its timeout.
 */
async function checkImages(ctx: ModuleContext, a: HelmArgs, exe: string[], wantChart: string, values: Values): Promise<string | undefined> {
  const argv = [...exe, 'template', a.name, a.chart!, `--namespace=${a.namespace}`, '--values=-', ...globals(a)];
  const res = await mustHelm(ctx, a, argv, { stdin: JSON.stringify(values) + '\n' });
  const parsed = parseAllDocuments(res.stdout);
  const err = parsed.flatMap((d) => d.errors)[0];
  if (err) throw new ModuleError(`helm template ${wantChart} printed what is not YAML: ${err.message.split('\n')[0]}`);
  const docs = parsed.map((d) => d.toJS() as unknown);
  return guardImages(ctx, a.images_registry!, imagesOf(docs), `chart ${wantChart} (release ${a.namespace}/${a.name})`);
}

const valuesYaml = (v: Values): string => (Object.keys(v).length === 0 ? '{}\n' : stringify(v, { lineWidth: 0, sortMapEntries: true }));

async function planPresent(ctx: ModuleContext, args: HelmArgs) {
  const a = { ...args, chart: args.chart! }; // check() refuses state=present without chart
  const exe = a.executable.trim().split(/\s+/);
  const show = await helmRun(ctx, a, [...exe, 'show', 'chart', a.chart, ...globals(a)]);
  if (show.rc !== 0 || show.timedOut) throw new ModuleError(`the chart ${a.chart} cannot be read on ${ctx.host}: ${commandFailure([...exe, 'show', 'chart', a.chart], show)}`);
  const chart = parseChartYaml(show.stdout, a.chart);
  const wantChart = `${chart.name}-${chart.version}`;
  const want = await desiredValues(ctx, a);
  if (a.values_check) await checkAgainstChart(ctx, a, want);
  const rel = await deployed(ctx, a, exe);
  if (rel && PENDING.test(rel.status)) {
    throw new ModuleError(`release ${a.name} in namespace ${a.namespace} is ${rel.status}: another helm operation is running or was interrupted; roll it back or uninstall it first`);
  }
  let have: Values | undefined;
  if (rel && rel.status !== 'uninstalled') {
    const res = await mustHelm(ctx, a, [...exe, 'get', 'values', a.name, `--namespace=${a.namespace}`, '--output=json', ...globals(a)]);
    have = parseValuesJson(res.stdout);
  }
  const sameChart = rel?.chart === wantChart;
  const sameValues = have !== undefined && canonical(have) === canonical(want);
  const base: HelmData = { name: a.name, namespace: a.namespace, chart: wantChart, status: rel?.status ?? 'absent', values: want };
  if (rel && rel.status === 'deployed' && sameChart && sameValues) {
    return { changed: false, data: { ...base, revision: Number(rel.revision) } };
  }
  const imagesWarning = a.images_registry !== undefined ? await checkImages(ctx, a, exe, wantChart, want) : undefined;

  const upgrade = [
    ...exe, 'upgrade', '--install', a.name, a.chart, `--namespace=${a.namespace}`,
    ...(a.create_namespace ? ['--create-namespace'] : []),
    ...(a.wait ? ['--wait'] : []),
    ...(a.atomic ? ['--atomic'] : []),
    `--timeout=${a.wait_timeout}s`,
    '--values=-',
    ...globals(a),
  ];
  const why = !rel || rel.status === 'uninstalled'
    ? `install ${wantChart}`
    : [
        !sameChart ? `chart ${rel.chart} → ${wantChart}` : '',
        !sameValues ? 'values differ' : '',
        rel.status !== 'deployed' ? `release is ${rel.status}` : '',
      ].filter(Boolean).join(', ');
  const diff: DiffEntry[] = [];
  if (!sameChart) diff.push({ label: `helm release ${a.namespace}/${a.name} chart`, before: rel?.chart ? `${rel.chart}\n` : '', after: `${wantChart}\n` });
  if (!sameValues) diff.push({ label: `helm release ${a.namespace}/${a.name} values`, before: have === undefined ? '' : valuesYaml(have), after: valuesYaml(want) });
  return {
    changed: true,
    msg: `${why}: ${argvToShell(upgrade)}${imagesWarning ? `\n${imagesWarning}` : ''}`,
    diff,
    data: { ...base, command: upgrade, revision: new Unknown('helm would make a new revision') },
    apply: async () => {
      const stdin = JSON.stringify(want) + '\n';
      // a wait watches the release's pods and fails fast when one cannot start (lib/k8s/pod-watch.ts)
      const res = a.wait || a.atomic
        ? await helmWait(ctx, upgrade, { stdin, release: a.name, namespace: a.namespace, kubeconfig: a.kubeconfig, context: a.context, timeout: a.timeout, waitTimeout: a.wait_timeout })
        : await mustHelm(ctx, a, upgrade, { stdin, timeout: a.wait_timeout + 60 });
      const revision = /^REVISION:\s*(\d+)/m.exec(res.stdout)?.[1];
      const status = /^STATUS:\s*(\S+)/m.exec(res.stdout)?.[1] ?? 'deployed';
      return {
        changed: true,
        msg: why,
        data: { ...base, status, command: upgrade, stdout: res.stdout, ...(revision ? { revision: Number(revision) } : {}) },
      };
    },
  };
}

async function planAbsent(ctx: ModuleContext, a: HelmArgs) {
  const exe = a.executable.trim().split(/\s+/);
  const rel = await deployed(ctx, a, exe);
  if (!rel || rel.status === 'uninstalled') return { changed: false, data: { name: a.name, namespace: a.namespace, status: 'absent' } };
  const uninstall = [...exe, 'uninstall', a.name, `--namespace=${a.namespace}`, ...(a.wait ? ['--wait', `--timeout=${a.wait_timeout}s`] : []), ...globals(a)];
  return {
    changed: true,
    msg: `uninstall ${rel.chart}: ${argvToShell(uninstall)}`,
    diff: [{ label: `helm release ${a.namespace}/${a.name} chart`, before: `${rel.chart}\n`, after: '' }],
    data: { name: a.name, namespace: a.namespace, chart: rel.chart, status: 'absent', revision: Number(rel.revision), command: uninstall },
    apply: async () => {
      const res = await mustHelm(ctx, a, uninstall, { timeout: a.wait_timeout + 60 });
      return { changed: true, data: { name: a.name, namespace: a.namespace, chart: rel.chart, status: 'absent', command: uninstall, stdout: res.stdout } };
    },
  };
}

export default helm;
