// Reading, before anything is decided: the controller's files (by sha256) and what is on the host
// (binary, install script, airgap images by sha256; the unit's ExecStart; its EnvironmentFile;
// registries.yaml; the node name), plus the looks the module takes later (is the node Ready, the
// server's token, the controller's kubeconfig copy). Nothing here changes anything.
//
// How a re-run knows what is there (no gx-private state file): the binary by sha256 against the
// controller's file (and `k3s --version` against `version`), the flags k3s runs with from the
// ExecStart the install script wrote into SYSTEMD_DIR/k3s.service (k3s-agent.service), K3S_URL and
// K3S_TOKEN from its EnvironmentFile (k3s.service.env), registries.yaml by content. Same binary,
// flags, env and registries = ok, the install script does not run.
import { posix } from 'node:path';
import { ModuleError } from '../../../engine/errors.js';
import type { ModuleContext } from '../../../engine/module-contract.js';
import { commandFailure, mustRunTool, runTool } from '../host-tool.js';
import { nodeNameFlag, type K3sArgs, type Paths } from './args.js';
import { rewriteKubeconfig } from './kubeconfig.js';
import { findNode, nodeNames } from './nodes.js';

export interface LocalFile {
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

export async function hostText(ctx: ModuleContext, path: string): Promise<string | null> {
  const b = await ctx.conn.get(path);
  return b === null ? null : b.toString('utf8');
}

export function parseVersion(out: string): string | undefined {
  return /^k3s version (\S+)/m.exec(out)?.[1];
}

export async function installedVersion(ctx: ModuleContext, bin: string): Promise<string> {
  const res = await mustRunTool(ctx, [bin, '--version'], { timeoutMs: 30_000 });
  const v = parseVersion(res.stdout);
  if (!v) throw new ModuleError(`${bin} --version printed no k3s version: ${res.stdout.trim().slice(0, 200)}`);
  return v;
}

/** What is there, on the controller and on the host, before the module decides anything. */
export interface K3sSeen {
  binary: LocalFile;
  script: LocalFile;
  images?: LocalFile;
  /** sha256 of BIN_DIR/k3s, the install script and the airgap images on the host (undefined: absent) */
  hostBinary?: string;
  hostScript?: string;
  hostImages?: string;
  /** the systemd unit the install script wrote, null when k3s is not installed */
  unitText: string | null;
  /** its EnvironmentFile, null when absent */
  envText: string | null;
  /** registries.yaml on the host; null when absent or when `registries` is not given (not read then) */
  registriesText: string | null;
  /** --node-name, else the host's name in lower case */
  nodeName: string;
}

export async function readK3s(ctx: ModuleContext, a: K3sArgs, p: Paths, wantRegistries: boolean): Promise<K3sSeen> {
  const binary = await controllerFile(ctx, 'binary_src', a.binary_src);
  const script = await controllerFile(ctx, 'install_script_src', a.install_script_src);
  const images = a.airgap_images_src ? await controllerFile(ctx, 'airgap_images_src', a.airgap_images_src) : undefined;

  const hostBinary = await hostSha(ctx, p.bin);
  const hostScript = await hostSha(ctx, p.script);
  const hostImages = images !== undefined ? await hostSha(ctx, p.images!) : undefined;
  if (hostBinary === binary.sha256) {
    // the host already has binary_src: a version it does not report is a wrong bundle, refused now
    const have = await installedVersion(ctx, p.bin);
    if (have !== a.version) throw new ModuleError(`binary_src ${binary.path} is k3s ${have}, but version asks for ${a.version}`);
  }
  const unitText = await hostText(ctx, p.unit);
  const envText = await hostText(ctx, p.envFile);
  const registriesText = wantRegistries ? await hostText(ctx, p.registries) : null;
  const nodeName = nodeNameFlag(a.exec_flags ?? []) ?? (await mustRunTool(ctx, ['hostname'])).stdout.trim().toLowerCase();
  return { binary, script, images, hostBinary, hostScript, hostImages, unitText, envText, registriesText, nodeName };
}

/** One look at the node: ready, or why not. */
export async function nodeReady(ctx: ModuleContext, a: K3sArgs, p: Paths, nodeName: string): Promise<{ ready: boolean; why: string }> {
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

export async function readToken(ctx: ModuleContext, a: K3sArgs, p: Paths): Promise<string | undefined> {
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
export async function kubeconfigCopy(ctx: ModuleContext, a: K3sArgs, p: Paths): Promise<{ text: string; current: boolean } | undefined> {
  if (!a.kubeconfig_dest) return undefined;
  const src = await hostText(ctx, p.kubeconfig);
  if (src === null) return undefined;
  const { text, rewritten } = rewriteKubeconfig(src, kubeconfigServer(ctx, a));
  if (rewritten === 0) throw new ModuleError(`${p.kubeconfig} on ${ctx.host} has no 'server: https://127.0.0.1:6443' line to rewrite`);
  const have = await ctx.local.get(a.kubeconfig_dest);
  return { text, current: have !== null && have.toString('utf8') === text };
}

