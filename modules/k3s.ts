// k3s: an OFFLINE install of K3s on the host (server or agent) from files the playbook provides on
// the controller: the k3s binary, the install script (get.k3s.io's install.sh) and optionally the
// airgap images tarball. The install script runs with INSTALL_K3S_SKIP_DOWNLOAD=true, so nothing is
// ever fetched from the internet.
//
// The role and the flags reach the script as its positional arguments, not in INSTALL_K3S_EXEC.
// install.sh (k3s-io/k3s; read for v1.32.3+k3s1 in the stored copies, see the comment in the install
// script double test/doubles/k3s/bin/k3s-install.sh) builds the command with
//   eval set -- $(escape "${INSTALL_K3S_EXEC}") $(quote "$@")
// escape() only backslashes most punctuation, so in INSTALL_K3S_EXEC a ' or " is shell quoting to
// eval: `--node-label=team=it's` is an unterminated quote, a pair of quotes changes the words, and
// inside '...' the backslashes escape() added stay in the value. quote() wraps each positional
// argument in single quotes, which eval removes again: the argument arrives as given. The one loss:
// both substitutions are unquoted, so their output is split on IFS before eval joins the pieces with
// single spaces: a tab, a newline or a run of spaces inside an argument comes out as one space.
// checkArgs refuses exactly those (and control characters, which a unit file line cannot hold);
// quotes, $, backslashes, ; and the rest pass through to the unit's ExecStart unchanged, where
// parseExecStart reads them back. INSTALL_K3S_EXEC is set empty so nothing inherited is prepended.
//
// How a re-run knows what is there (no gx-private state file): the binary by sha256 against the
// controller's file (and `k3s --version` against `version`), the flags k3s runs with from the
// ExecStart the install script wrote into SYSTEMD_DIR/k3s.service (k3s-agent.service), K3S_URL and
// K3S_TOKEN from its EnvironmentFile (k3s.service.env), registries.yaml by content. Same binary,
// flags, env and registries = ok, the install script does not run.
//
// Who restarts k3s:
// - first install: the install script starts it (as it does by default);
// - a new binary (version change): the script runs with INSTALL_K3S_FORCE_RESTART=true, because it
//   compares the binary's hash before/after itself and the binary is already in place by then;
// - only flags, env, registries.yaml or the airgap images changed: the script (when flags/env
//   changed) runs with INSTALL_K3S_SKIP_START=true, and the result says config_changed: true, so the
//   play's `restart k3s` handler restarts it once, at the end, like any other config change.
// Then the module waits for the node to be Ready (and to run `version`) and fetches the kubeconfig.
import { createReadStream } from 'node:fs';
import { posix } from 'node:path';
import { stringify } from 'yaml';
import { argvToShell } from '../engine/connect/connection.js';
import { ModuleArgsError, ModuleError } from '../engine/errors.js';
import { sleep } from '../engine/sleep.js';
import type { DiffEntry, ModuleContext, ModuleDefinition, Plan } from '../engine/module-contract.js';
import { Unknown } from '../engine/vars/unknown.js';
import { applyOrFail, commandFailure, mustRunTool, planOrFail, runTool, toolShell } from './lib/host-tool.js';
import { rewriteKubeconfig } from './lib/k3s/kubeconfig.js';
import { findNode, nodeNames } from './lib/k3s/nodes.js';
import { formatExecStart, parseEnvFile, parseExecStart } from './lib/k3s/unit.js';

export interface K3sArgs {
  version: string;
  role: 'server' | 'agent';
  binary_src: string;
  install_script_src: string;
  airgap_images_src?: string;
  server_url?: string;
  token?: string;
  disable?: string[];
  tls_san?: string[];
  node_ip?: string;
  write_kubeconfig_mode: string;
  exec_flags?: string[];
  default_registry_endpoint: boolean;
  registries?: Record<string, unknown>;
  wait_timeout: number;
  kubeconfig_dest?: string;
  kubeconfig_server?: string;
  bin_dir: string;
  config_dir: string;
  data_dir: string;
  systemd_dir: string;
}

export interface K3sData {
  version: string;
  node_name: string;
  ready: boolean | Unknown;
  token?: string | Unknown;
  kubeconfig_path?: string;
  config_changed: boolean;
  /** what the task did (or would do) */
  actions: string[];
}

const DEFAULT_CONFIG_DIR = '/etc/rancher/k3s';
const DEFAULT_DATA_DIR = '/var/lib/rancher/k3s';

interface Paths {
  bin: string;
  script: string;
  service: string;
  unit: string;
  envFile: string;
  images?: string;
  registries: string;
  kubeconfig: string;
  token: string;
}

function pathsOf(a: K3sArgs): Paths {
  const service = a.role === 'server' ? 'k3s' : 'k3s-agent';
  const unit = posix.join(a.systemd_dir, `${service}.service`);
  return {
    bin: posix.join(a.bin_dir, 'k3s'),
    script: posix.join(a.bin_dir, 'k3s-install.sh'),
    service,
    unit,
    envFile: `${unit}.env`,
    images: a.airgap_images_src ? posix.join(a.data_dir, 'agent', 'images', posix.basename(a.airgap_images_src)) : undefined,
    registries: posix.join(a.config_dir, 'registries.yaml'),
    kubeconfig: posix.join(a.config_dir, 'k3s.yaml'),
    token: posix.join(a.data_dir, 'server', 'node-token'),
  };
}

/** The install script's arguments: the role, then the flags, as `--flag=value`. */
export function execArgs(a: K3sArgs): string[] {
  const server = a.role === 'server';
  const words = [
    a.role,
    ...(server ? (a.disable ?? []).map((d) => `--disable=${d}`) : []),
    ...(server ? (a.tls_san ?? []).map((s) => `--tls-san=${s}`) : []),
    ...(a.node_ip ? [`--node-ip=${a.node_ip}`] : []),
    ...(server ? [`--write-kubeconfig-mode=${a.write_kubeconfig_mode}`] : []),
    // k3s's own flags for non-default places, so the paths given here are the ones k3s uses
    ...(a.data_dir !== DEFAULT_DATA_DIR ? [`--data-dir=${a.data_dir}`] : []),
    ...(a.config_dir !== DEFAULT_CONFIG_DIR ? [`--private-registry=${posix.join(a.config_dir, 'registries.yaml')}`] : []),
    ...(server && a.config_dir !== DEFAULT_CONFIG_DIR ? [`--write-kubeconfig=${posix.join(a.config_dir, 'k3s.yaml')}`] : []),
    // an agent flag (server and agent both take it): containerd's hosts.toml for a mirrored registry
    // then has no upstream `server`, so a miss on every mirror fails instead of going to the internet
    ...(a.default_registry_endpoint === false ? ['--disable-default-registry-endpoint'] : []),
    ...(a.exec_flags ?? []),
  ];
  return words;
}

/** K3S_* variables the install script keeps in the service's EnvironmentFile. */
function serviceEnv(a: K3sArgs): Record<string, string> {
  const env: Record<string, string> = {};
  if (a.role === 'agent') env.K3S_URL = a.server_url!;
  if (a.token !== undefined) env.K3S_TOKEN = a.token;
  return env;
}

function nodeNameFlag(flags: string[]): string | undefined {
  for (let i = 0; i < flags.length; i++) {
    const f = flags[i]!;
    if (f.startsWith('--node-name=')) return f.slice('--node-name='.length);
    if (f === '--node-name') return flags[i + 1];
  }
  return undefined;
}

function checkArgs(ctx: ModuleContext, a: K3sArgs): void {
  const bad = (msg: string) => new ModuleArgsError(msg, { loc: ctx.loc });
  if (a.role === 'agent') {
    if (!a.server_url) throw bad('an agent needs server_url (https://SERVER:6443) to join');
    if (!a.token) throw bad("an agent needs the server's token to join");
    for (const k of ['disable', 'tls_san', 'kubeconfig_dest'] as const) {
      if (a[k] !== undefined) throw bad(`${k} applies to a server only (role is agent)`);
    }
  }
  // it reaches the install script as one line on stdin
  if (a.token !== undefined && /\s/.test(a.token)) throw bad('token cannot contain whitespace');
  if (a.default_registry_endpoint === false && !hasDisableDefaultRegistryEndpoint(a.version)) {
    throw bad(`default_registry_endpoint: false needs K3s v1.26.13+k3s1, v1.27.10+k3s1, v1.28.6+k3s1, v1.29.1+k3s1 or later (--disable-default-registry-endpoint); ${a.version} does not have the flag and k3s would not start`);
  }
  for (const w of execArgs(a)) {
    const why = flagLoss(w);
    if (why) throw bad(`the k3s flag ${flagName(w)} cannot reach k3s intact (${JSON.stringify(w)}): ${why}`);
  }
}

/** Why this word would not arrive in the unit's ExecStart as given, or undefined when it would. */
export function flagLoss(w: string): string | undefined {
  if (w === '') return 'an empty word is not a k3s flag';
  if (/[\t\n]| {2}/.test(w)) return "the install script splits its arguments on whitespace before its eval joins them with single spaces, so a tab, a newline or a run of spaces would become one space";
  if (/[\x00-\x1f\x7f]/.test(w)) return 'a control character cannot be written into the one line per word of the unit\'s ExecStart';
  return undefined;
}

const flagName = (w: string) => (w.startsWith('-') ? w.replace(/=[\s\S]*$/, '') : `'${w.split(/\s/)[0]}'`);

/**
 * --disable-default-registry-endpoint came with the January 2024 releases v1.26.13+k3s1,
 * v1.27.10+k3s1, v1.28.6+k3s1 and v1.29.1+k3s1 (K3s docs, private registry, "Version Gate"); every
 * later minor has it (pkg/cli/cmds/agent.go, in both the agent's and the server's flags).
 */
export function hasDisableDefaultRegistryEndpoint(version: string): boolean {
  const m = /^v1\.(\d+)\.(\d+)/.exec(version);
  if (!m) return false;
  const minor = Number(m[1]);
  const patch = Number(m[2]);
  const first: Record<number, number> = { 26: 13, 27: 10, 28: 6, 29: 1 };
  if (minor >= 30) return true;
  return first[minor] !== undefined && patch >= first[minor]!;
}

interface LocalFile {
  path: string;
  sha256: string;
  size: number;
}

async function controllerFile(ctx: ModuleContext, arg: string, name: string): Promise<LocalFile> {
  let path: string;
  try {
    path = await ctx.findFile(name, 'files');
  } catch {
    throw new ModuleError(`${arg}: ${name} does not exist on the controller (is the offline bundle collected?)`);
  }
  const st = await ctx.local.stat(path, { followLinks: true, checksum: true });
  if (!st || st.type !== 'file' || !st.sha256) throw new ModuleError(`${arg}: ${path} is not a regular file on the controller`);
  return { path, sha256: st.sha256, size: st.size };
}

async function hostSha(ctx: ModuleContext, path: string): Promise<string | undefined> {
  const st = await ctx.conn.stat(path, { followLinks: true, checksum: true });
  return st?.type === 'file' ? st.sha256 : undefined;
}

async function hostText(ctx: ModuleContext, path: string): Promise<string | null> {
  const b = await ctx.conn.get(path);
  return b === null ? null : b.toString('utf8');
}

export function parseVersion(out: string): string | undefined {
  return /^k3s version (\S+)/m.exec(out)?.[1];
}

async function installedVersion(ctx: ModuleContext, bin: string): Promise<string> {
  const res = await mustRunTool(ctx, [bin, '--version'], { timeoutMs: 30_000 });
  const v = parseVersion(res.stdout);
  if (!v) throw new ModuleError(`${bin} --version printed no k3s version: ${res.stdout.trim().slice(0, 200)}`);
  return v;
}

interface Action {
  what: string;
  run: () => Promise<void>;
}

/** One look at the node: ready, or why not. */
async function nodeReady(ctx: ModuleContext, a: K3sArgs, p: Paths, nodeName: string): Promise<{ ready: boolean; why: string }> {
  if (a.role === 'agent') {
    // an agent has no kubeconfig: its Ready condition is visible on the server only
    const r = await runTool(ctx, ['systemctl', 'is-active', p.service], { providedBy: 'systemd', env: { LANG: 'C' } });
    const state = r.stdout.trim();
    return { ready: state === 'active', why: `${p.service} is ${state || 'not active'}` };
  }
  const argv = [p.bin, 'kubectl', `--kubeconfig=${p.kubeconfig}`, 'get', 'nodes', '-o', 'json'];
  const r = await runTool(ctx, argv, { timeoutMs: 30_000 });
  if (r.rc !== 0 || r.timedOut) return { ready: false, why: commandFailure(argv, r) };
  let node;
  try {
    node = findNode(r.stdout, nodeName);
  } catch (err) {
    return { ready: false, why: (err as Error).message };
  }
  if (!node) return { ready: false, why: `node ${nodeName} is not registered yet (nodes: ${nodeNames(r.stdout).join(', ') || 'none'})` };
  if (!node.ready) return { ready: false, why: `node ${nodeName} is not Ready: ${node.why}` };
  if (node.kubeletVersion && node.kubeletVersion !== a.version) return { ready: false, why: `node ${nodeName} still runs ${node.kubeletVersion}, not ${a.version}` };
  return { ready: true, why: '' };
}

/** Polls until Ready: quickly at first (a running node answers at once), then every 2 s. */
async function waitReady(ctx: ModuleContext, a: K3sArgs, p: Paths, nodeName: string): Promise<void> {
  const deadline = Date.now() + a.wait_timeout * 1000;
  let pause = 100;
  for (;;) {
    const r = await nodeReady(ctx, a, p, nodeName);
    if (r.ready) return;
    if (ctx.signal.aborted) throw new ModuleError(`interrupted while waiting for node ${nodeName}: ${r.why}`);
    if (Date.now() + pause > deadline) throw new ModuleError(`node ${nodeName} was not Ready within ${a.wait_timeout}s: ${r.why}`);
    await sleep(pause, ctx.signal);
    pause = Math.min(pause * 2, 2000);
  }
}

async function readToken(ctx: ModuleContext, a: K3sArgs, p: Paths): Promise<string | undefined> {
  if (a.role !== 'server') return undefined;
  const t = (await hostText(ctx, p.token))?.trim();
  if (t) ctx.secret(t);
  return t || undefined;
}

function kubeconfigServer(ctx: ModuleContext, a: K3sArgs): string {
  if (a.kubeconfig_server) return a.kubeconfig_server;
  const host = a.node_ip ?? (typeof ctx.vars.ansible_host === 'string' ? ctx.vars.ansible_host : ctx.host);
  return `https://${host.includes(':') ? `[${host}]` : host}:6443`;
}

/** The controller's copy of the kubeconfig: what it should hold and whether it already does. */
async function kubeconfigCopy(ctx: ModuleContext, a: K3sArgs, p: Paths): Promise<{ text: string; current: boolean } | undefined> {
  if (!a.kubeconfig_dest) return undefined;
  const src = await hostText(ctx, p.kubeconfig);
  if (src === null) return undefined;
  const { text, rewritten } = rewriteKubeconfig(src, kubeconfigServer(ctx, a));
  if (rewritten === 0) throw new ModuleError(`${p.kubeconfig} on ${ctx.host} has no 'server: https://127.0.0.1:6443' line to rewrite`);
  const have = await ctx.local.get(a.kubeconfig_dest);
  return { text, current: have !== null && have.toString('utf8') === text };
}

async function writeKubeconfig(ctx: ModuleContext, dest: string, text: string): Promise<void> {
  const mk = await ctx.local.run({ argv: ['mkdir', '-p', '--', posix.dirname(dest)] });
  if (mk.rc !== 0) throw new ModuleError(`cannot create ${posix.dirname(dest)} on the controller: ${mk.stderr.trim()}`);
  // it holds the cluster admin's client key
  await ctx.local.put(dest, text, { mode: 0o600 });
}

const k3s: ModuleDefinition<K3sArgs, K3sData> = {
  name: 'k3s',
  summary: 'Install K3s offline (server or agent) from a binary, install script and airgap images on the controller; wait for the node to be Ready and fetch the kubeconfig.',
  description:
    'Uploads the k3s binary to BIN_DIR/k3s (skipped when its sha256 matches), the airgap images tarball to DATA_DIR/agent/images/ and the install script, ' +
    'then runs the script with INSTALL_K3S_SKIP_DOWNLOAD=true and INSTALL_K3S_VERSION, the role and its flags as the script\'s arguments ' +
    '(not INSTALL_K3S_EXEC, where the script\'s eval would take a quote in a value for shell quoting), and K3S_URL and K3S_TOKEN for agents. Nothing is downloaded. ' +
    'A flag value may hold quotes, $, backslashes and other punctuation; a tab, a newline or a run of spaces is refused (the script\'s eval would fold it into one space).\n\n' +
    'Idempotent: the flags are compared with the ExecStart the install script wrote into the systemd unit (and K3S_URL/K3S_TOKEN with its .env file), ' +
    'the binary by checksum and `k3s --version`, registries.yaml by content. Nothing differs: the script does not run.\n\n' +
    'Restarts: a first install is started by the script; a new binary restarts k3s at once (INSTALL_K3S_FORCE_RESTART). ' +
    'When only the flags, registries.yaml or the airgap images change, the unit is rewritten without a restart and `config_changed` is true: ' +
    'restart k3s then, e.g. from a task with `changed_when: result.config_changed` that notifies a `restart k3s` handler ' +
    '(notifying it from this task also works, at the cost of one more restart after a first install or an upgrade).\n\n' +
    'A server then waits for its node to be Ready (`k3s kubectl get nodes -o json`) running `version`; an agent waits for k3s-agent to be active ' +
    '(its node is seen from the server). The server\'s kubeconfig is copied to `kubeconfig_dest` on the controller with the server address rewritten. ' +
    'Check mode uploads, installs and restarts nothing and predicts the result; --diff shows the flags and registries.yaml before and after.',
  schema: {
    type: 'object',
    properties: {
      version: { type: 'string', pattern: '^v\\d+\\.\\d+\\.\\d+(-rc\\d+)?\\+k3s\\d+$', description: 'The pinned K3s version, e.g. v1.30.4+k3s1; the binary must report it (`k3s --version`).' },
      role: { type: 'string', enum: ['server', 'agent'], default: 'server', description: 'server: a control-plane node; agent: a worker joining server_url with token.' },
      binary_src: { type: 'string', minLength: 1, description: 'The k3s binary on the controller (e.g. {{ bundle_dir }}/bin/k3s), uploaded to BIN_DIR/k3s with mode 0755.' },
      install_script_src: { type: 'string', minLength: 1, description: 'The K3s install script (install.sh from get.k3s.io) on the controller, uploaded to BIN_DIR/k3s-install.sh and run offline.' },
      airgap_images_src: { type: 'string', minLength: 1, description: 'The airgap images tarball on the controller (k3s-airgap-images-amd64.tar.zst or .tar), uploaded to DATA_DIR/agent/images/; k3s imports it when it starts.' },
      server_url: { type: 'string', pattern: '^https://', description: 'The server an agent joins, e.g. https://10.0.0.5:6443 (K3S_URL). Required for agents.' },
      token: { type: 'string', minLength: 1, description: "The cluster token (K3S_TOKEN): for an agent the server's node-token (required); for a server an optional pre-shared token. Masked in all output." },
      disable: { type: 'array', items: { type: 'string', minLength: 1 }, description: 'Packaged components not to deploy (--disable), e.g. [traefik] when NGINX ingress is used. Server only.' },
      tls_san: { type: 'array', items: { type: 'string', minLength: 1 }, description: 'Extra names and addresses in the API server certificate (--tls-san), e.g. the VM address the kubeconfig uses. Server only.' },
      node_ip: { type: 'string', minLength: 1, description: 'The address the node advertises (--node-ip).' },
      write_kubeconfig_mode: { type: 'string', pattern: '^0?[0-7]{3}$', default: '0644', description: 'Mode of the kubeconfig k3s writes (--write-kubeconfig-mode). Server only.' },
      exec_flags: { type: 'array', items: { type: 'string' }, description: 'More k3s flags, one word each, e.g. ["--node-name=vm1", "--cluster-cidr=10.42.0.0/16"]; passed after the others as the install script\'s arguments, which it keeps intact (quotes, $, backslashes included); a tab, a newline or a run of spaces in a word is refused.' },
      default_registry_endpoint: { type: 'boolean', default: true, description: 'false: start k3s (server or agent) with --disable-default-registry-endpoint, so containerd does not fall back to the upstream registry (e.g. https://index.docker.io/v2) after every mirror of a registry in registries.yaml missed: offline, a missing image fails at once instead of retrying an unreachable internet. Registries without a mirror in registries.yaml are not affected. The flag came with K3s v1.26.13+k3s1, v1.27.10+k3s1, v1.28.6+k3s1 and v1.29.1+k3s1 (January 2024); an older version is refused.' },
      registries: { type: 'object', description: 'The content of registries.yaml (e.g. {mirrors: {"registry.local:5000": {endpoint: ["http://registry.local:5000"]}}}), compared by content; absent leaves the file alone.' },
      wait_timeout: { type: 'integer', minimum: 1, default: 300, description: 'Seconds to wait for the node to be Ready (also bounds the install script).' },
      kubeconfig_dest: { type: 'string', minLength: 1, description: 'Where on the controller to write the kubeconfig (mode 0600), with its server address rewritten to kubeconfig_server. Server only.' },
      kubeconfig_server: { type: 'string', pattern: '^https://', description: 'The API server address in the fetched kubeconfig; default https://NODE_IP (or ansible_host, or the host name):6443.' },
      bin_dir: { type: 'string', default: '/usr/local/bin', description: 'Where the binary and scripts go (INSTALL_K3S_BIN_DIR).' },
      config_dir: { type: 'string', default: DEFAULT_CONFIG_DIR, description: 'Where registries.yaml and the kubeconfig k3s.yaml live (passed to k3s as --private-registry/--write-kubeconfig when not the default).' },
      data_dir: { type: 'string', default: DEFAULT_DATA_DIR, description: "K3s's data directory (--data-dir when not the default): airgap images, server/node-token." },
      systemd_dir: { type: 'string', default: '/etc/systemd/system', description: 'Where the install script writes the unit (INSTALL_K3S_SYSTEMD_DIR).' },
    },
    required: ['version', 'binary_src', 'install_script_src'],
    additionalProperties: false,
  },
  examples: [
    `- name: K3s server, offline, without traefik, pulling through the local registry
  k3s:
    version: v1.32.3+k3s1
    binary_src: "{{ bundle_dir }}/bin/k3s"
    install_script_src: "{{ bundle_dir }}/bin/k3s-install.sh"
    airgap_images_src: "{{ bundle_dir }}/images/k3s-airgap-images-amd64.tar.zst"
    disable: [traefik]
    tls_san: ["{{ ansible_host }}"]
    registries:
      mirrors:
        "registry.local:5000":
          endpoint: ["http://registry.local:5000"]
    kubeconfig_dest: "{{ playbook_dir }}/../.kube/gauntlet.yaml"
  register: k3s_server`,
    `- name: An agent joins the server
  k3s:
    role: agent
    version: v1.32.3+k3s1
    binary_src: "{{ bundle_dir }}/bin/k3s"
    install_script_src: "{{ bundle_dir }}/bin/k3s-install.sh"
    server_url: "https://{{ hostvars.vm.ansible_host }}:6443"
    token: "{{ hostvars.vm.k3s_server.token }}"`,
  ],
  returns: {
    version: { type: 'str', description: 'The K3s version installed (or that would be).', returned: 'always' },
    node_name: { type: 'str', description: "The node's name (--node-name, else the host name in lower case).", returned: 'always' },
    ready: { type: 'bool', description: 'Whether the node is Ready (unknown in check mode when k3s would be installed or restarted).', returned: 'always' },
    token: { type: 'str', description: "The server's node-token (DATA_DIR/server/node-token), for agents to join; a secret.", returned: 'server' },
    kubeconfig_path: { type: 'str', description: 'kubeconfig_dest on the controller when given, else the kubeconfig on the host.', returned: 'server' },
    config_changed: { type: 'bool', description: 'Flags, registries.yaml or airgap images changed on a running install and k3s was NOT restarted: a handler should restart it.', returned: 'always' },
    actions: { type: 'list', description: 'What the task did, or would do in check mode.', returned: 'always' },
  },
  checkMode: true,
  async plan(ctx, a) {
    checkArgs(ctx, a);
    if (a.token !== undefined) ctx.secret(a.token);
    return planOrFail(() => planK3s(ctx, a));
  },
};

async function planK3s(ctx: ModuleContext, a: K3sArgs): Promise<Plan<K3sData>> {
  const p = pathsOf(a);
  const binary = await controllerFile(ctx, 'binary_src', a.binary_src);
  const script = await controllerFile(ctx, 'install_script_src', a.install_script_src);
  const images = a.airgap_images_src ? await controllerFile(ctx, 'airgap_images_src', a.airgap_images_src) : undefined;

  const binChanged = (await hostSha(ctx, p.bin)) !== binary.sha256;
  const scriptChanged = (await hostSha(ctx, p.script)) !== script.sha256;
  const imagesChanged = images !== undefined && (await hostSha(ctx, p.images!)) !== images.sha256;
  if (!binChanged) {
    const have = await installedVersion(ctx, p.bin);
    if (have !== a.version) throw new ModuleError(`binary_src ${binary.path} is k3s ${have}, but version asks for ${a.version}`);
  }

  const wantArgs = execArgs(a);
  const wantEnv = serviceEnv(a);
  const unitText = await hostText(ctx, p.unit);
  const installed = unitText !== null;
  const exec = unitText === null ? undefined : parseExecStart(unitText);
  const flagsDiffer = installed && (exec === undefined || exec.binary !== p.bin || exec.args.join('\0') !== wantArgs.join('\0'));
  const haveEnv = parseEnvFile((await hostText(ctx, p.envFile)) ?? '');
  const envKeys = ['K3S_URL', 'K3S_TOKEN'].filter((k) => k in wantEnv || k in haveEnv);
  const envDiffer = installed && envKeys.some((k) => haveEnv[k] !== wantEnv[k]);

  const wantRegistries = a.registries === undefined ? undefined : stringify(a.registries, { lineWidth: 0 });
  const haveRegistries = wantRegistries === undefined ? null : await hostText(ctx, p.registries);
  const registriesChanged = wantRegistries !== undefined && haveRegistries !== wantRegistries;

  const needInstall = !installed || binChanged || flagsDiffer || envDiffer;
  const restartNow = !installed || binChanged;
  const configChanged = installed && !binChanged && (flagsDiffer || envDiffer || registriesChanged || imagesChanged);

  const hostname = nodeNameFlag(a.exec_flags ?? []) ?? (await mustRunTool(ctx, ['hostname'])).stdout.trim().toLowerCase();
  const kubeconfigPath = a.role === 'server' ? (a.kubeconfig_dest ?? p.kubeconfig) : undefined;

  const installEnv: Record<string, string> = {
    INSTALL_K3S_SKIP_DOWNLOAD: 'true',
    INSTALL_K3S_VERSION: a.version,
    // empty: the role and flags are the script's arguments (see the top of this file); an inherited
    // INSTALL_K3S_EXEC would be put in front of them
    INSTALL_K3S_EXEC: '',
    INSTALL_K3S_BIN_DIR: a.bin_dir,
    INSTALL_K3S_SYSTEMD_DIR: a.systemd_dir,
    ...(installed && binChanged ? { INSTALL_K3S_FORCE_RESTART: 'true' } : {}),
    ...(installed && !binChanged ? { INSTALL_K3S_SKIP_START: 'true' } : {}),
    ...wantEnv,
  };

  const actions: Action[] = [];
  const mkdir = async (dir: string) => { await mustRunTool(ctx, ['mkdir', '-p', '--', dir]); };
  const upload = (what: string, f: LocalFile, dest: string, mode: number): Action => ({
    what: `upload ${what} to ${dest}`,
    run: async () => {
      await mkdir(posix.dirname(dest));
      // the controller is this machine: stream the file rather than hold a large tarball in memory
      await ctx.conn.put(dest, createReadStream(f.path), { mode });
    },
  });
  if (binChanged) {
    // staged next to its place and checked there: a wrong binary_src never replaces a working k3s
    const staged = `${p.bin}.gx-new`;
    const up = upload('k3s binary', binary, staged, 0o755);
    actions.push({
      what: `upload k3s binary to ${p.bin}`,
      run: async () => {
        await up.run();
        const have = await installedVersion(ctx, staged).catch(async (err: unknown) => {
          await runTool(ctx, ['rm', '-f', '--', staged]);
          throw err;
        });
        if (have !== a.version) {
          await runTool(ctx, ['rm', '-f', '--', staged]);
          throw new ModuleError(`binary_src ${binary.path} is k3s ${have}, but version asks for ${a.version}`);
        }
        await mustRunTool(ctx, ['mv', '-f', '--', staged, p.bin]);
      },
    });
  }
  if (imagesChanged) actions.push(upload('airgap images', images!, p.images!, 0o644));
  if (scriptChanged) actions.push(upload('install script', script, p.script, 0o755));
  if (registriesChanged) {
    actions.push({
      what: `write ${p.registries}`,
      run: async () => {
        await mkdir(a.config_dir);
        await ctx.conn.put(p.registries, wantRegistries!, { mode: 0o600 });
      },
    });
  }
  if (needInstall) {
    const how = !installed ? 'install and start' : binChanged ? 'reinstall and restart' : 'rewrite the unit of';
    actions.push({
      what: `${how} k3s ${a.version} (${a.role}): ${argvToShell([p.script, ...wantArgs])}`,
      run: async () => {
        const argv = [p.script, ...wantArgs];
        // the token reaches the script on stdin, not in the command line (`ps` on the host would show it)
        const { K3S_TOKEN: token, ...env } = installEnv;
        const shell = token === undefined ? toolShell(argv) : `IFS= read -r K3S_TOKEN; export K3S_TOKEN; ${toolShell(argv)}`;
        const res = await ctx.conn.run({ shell, env, stdin: token === undefined ? undefined : `${token}\n`, timeoutMs: Math.max(a.wait_timeout, 300) * 1000 });
        if (res.rc !== 0 || res.timedOut) throw new ModuleError(`the k3s install script failed: ${commandFailure(argv, res)}`);
      },
    });
  }

  const diff: DiffEntry[] = [];
  if (ctx.diff) {
    if (registriesChanged) diff.push({ label: p.registries, before: haveRegistries ?? '', after: wantRegistries! });
    if (flagsDiffer) diff.push({ label: `${p.unit} ExecStart`, before: exec ? formatExecStart(exec.binary, exec.args) : unitText ?? '', after: formatExecStart(p.bin, wantArgs) });
    if (envDiffer) {
      const show = (env: Record<string, string>) => envKeys.filter((k) => k in env).map((k) => `${k}=${k === 'K3S_TOKEN' ? '(secret)' : env[k]}\n`).join('');
      const tokenNote = haveEnv.K3S_TOKEN !== wantEnv.K3S_TOKEN && 'K3S_TOKEN' in haveEnv && 'K3S_TOKEN' in wantEnv ? '# K3S_TOKEN differs\n' : '';
      diff.push({ label: p.envFile, before: show(haveEnv), after: tokenNote + show(wantEnv) });
    }
  }

  const finish = async (): Promise<{ token?: string; kubeconfigWritten: boolean }> => {
    await waitReady(ctx, a, p, hostname);
    const token = await readToken(ctx, a, p);
    const copy = await kubeconfigCopy(ctx, a, p);
    if (a.kubeconfig_dest && !copy) throw new ModuleError(`${p.kubeconfig} does not exist on ${ctx.host}: k3s did not write its kubeconfig`);
    if (copy && !copy.current) await writeKubeconfig(ctx, a.kubeconfig_dest!, copy.text);
    return { token, kubeconfigWritten: copy !== undefined && !copy.current };
  };
  const dataOf = (ready: boolean | Unknown, token: string | Unknown | undefined, actionsDone: string[]): K3sData => ({
    version: a.version,
    node_name: hostname,
    ready,
    ...(a.role === 'server' ? { token } : {}),
    ...(kubeconfigPath ? { kubeconfig_path: kubeconfigPath } : {}),
    config_changed: configChanged,
    actions: actionsDone,
  });

  if (actions.length === 0) {
    // nothing to install: the node should be Ready; only the controller's kubeconfig copy may be stale
    if (ctx.check) {
      const look = await nodeReady(ctx, a, p, hostname);
      const token = await readToken(ctx, a, p);
      const copy = await kubeconfigCopy(ctx, a, p);
      const stale = copy !== undefined && !copy.current;
      const what = stale ? [`write the kubeconfig to ${a.kubeconfig_dest} on the controller`] : [];
      return { changed: stale, msg: stale ? what[0] : look.ready ? undefined : look.why, data: dataOf(look.ready, token, what) };
    }
    const copy = await kubeconfigCopy(ctx, a, p);
    if (copy && !copy.current) {
      const what = `write the kubeconfig to ${a.kubeconfig_dest} on the controller`;
      return {
        changed: true,
        msg: what,
        data: dataOf(new Unknown('not checked yet'), undefined, [what]),
        apply: applyOrFail(async () => {
          const done = await finish();
          return { data: dataOf(true, done.token, [what]) };
        }),
      };
    }
    const done = await finish();
    return { changed: false, data: dataOf(true, done.token, []) };
  }

  const planned = actions.map((x) => x.what);
  if (a.kubeconfig_dest) planned.push(`write the kubeconfig to ${a.kubeconfig_dest} on the controller (when it differs)`);
  const knownToken = installed && !restartNow ? await readToken(ctx, a, p) : undefined;
  const msg = [...actions.map((x) => x.what), ...(configChanged ? ['k3s needs a restart (config_changed)'] : [])].join('; ');
  return {
    changed: true,
    msg,
    diff: diff.length > 0 ? diff : undefined,
    data: dataOf(new Unknown(restartNow ? 'k3s would be (re)started' : 'k3s would be reconfigured'), knownToken ?? new Unknown('k3s would write its token when it starts'), planned),
    apply: applyOrFail(async () => {
      for (const x of actions) await x.run();
      const done = await finish();
      const did = actions.map((x) => x.what);
      if (done.kubeconfigWritten) did.push(`write the kubeconfig to ${a.kubeconfig_dest} on the controller`);
      return { msg: did.join('; ') + (configChanged ? '; k3s needs a restart (config_changed)' : ''), data: dataOf(true, done.token, did) };
    }),
  };
}

export { k3s };
export default k3s;
