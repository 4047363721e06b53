// The k3s module's arguments and what follows from them alone: the paths on the host, the install
// script's arguments and the service's environment, and the checks that refuse what k3s could not take.
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
import { posix } from 'node:path';
import type { Unknown } from '../../../engine/vars/unknown.js';

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

export const DEFAULT_CONFIG_DIR = '/etc/rancher/k3s';
export const DEFAULT_DATA_DIR = '/var/lib/rancher/k3s';

/** Where things are on the host. */
export interface Paths {
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

export function pathsOf(a: K3sArgs): Paths {
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
export function serviceEnv(a: K3sArgs): Record<string, string> {
  const env: Record<string, string> = {};
  if (a.role === 'agent') env.K3S_URL = a.server_url!;
  if (a.token !== undefined) env.K3S_TOKEN = a.token;
  return env;
}

export function nodeNameFlag(flags: string[]): string | undefined {
  for (let i = 0; i < flags.length; i++) {
    const f = flags[i]!;
    if (f.startsWith('--node-name=')) return f.slice('--node-name='.length);
    if (f === '--node-name') return flags[i + 1];
  }
  return undefined;
}

/** The rules across k3s's arguments (pure): the module's check(), run before any host is touched. */
export function checkArgs(a: K3sArgs): string[] {
  const out: string[] = [];
  if (a.role === 'agent') {
    if (!a.server_url) out.push('an agent needs server_url (https://SERVER:6443) to join');
    if (!a.token) out.push("an agent needs the server's token to join");
    for (const k of ['disable', 'tls_san', 'kubeconfig_dest'] as const) {
      if (a[k] !== undefined) out.push(`${k} applies to a server only (role is agent)`);
    }
  }
  // it reaches the install script as one line on stdin
  if (a.token !== undefined && /\s/.test(a.token)) out.push('token cannot contain whitespace');
  if (a.default_registry_endpoint === false && !hasDisableDefaultRegistryEndpoint(a.version)) {
    out.push(`default_registry_endpoint: false needs K3s v1.26.13+k3s1, v1.27.10+k3s1, v1.28.6+k3s1, v1.29.1+k3s1 or later (--disable-default-registry-endpoint); ${a.version} does not have the flag and k3s would not start`);
  }
  if (out.length > 0) return out;
  for (const w of execArgs(a)) {
    const why = flagLoss(w);
    if (why) return [`the k3s flag ${flagName(w)} cannot reach k3s intact (${JSON.stringify(w)}): ${why}`];
  }
  return [];
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

