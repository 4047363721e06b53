// Building the apply: the actions a decision calls for (uploads staged and checked, registries.yaml,
// the install script's run with the token on stdin), and what follows every apply: wait for the node
// to be Ready and write the controller's kubeconfig copy.
import { createReadStream } from 'node:fs';
import { posix } from 'node:path';
import { argvToShell } from '../../../engine/connect/connection.js';
import { ModuleError } from '../../../engine/errors.js';
import type { ModuleContext } from '../../../engine/module-contract.js';
import { sleep } from '../../../engine/sleep.js';
import { commandFailure, mustRunTool, runTool, toolShell } from '../host-tool.js';
import type { K3sArgs, Paths } from './args.js';
import type { K3sDecision } from './decide.js';
import { installedVersion, kubeconfigCopy, nodeReady, readToken, type K3sSeen, type LocalFile } from './read.js';

/** One step of the apply, with the words the plan shows for it. */
export interface Action {
  what: string;
  run: () => Promise<void>;
}

/** The steps, in order: binary, airgap images, install script, registries.yaml, then the install script's run. */
export function buildActions(ctx: ModuleContext, a: K3sArgs, p: Paths, seen: K3sSeen, d: K3sDecision): Action[] {
  const { binary, script, images } = seen;
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
  if (d.binChanged) {
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
  if (d.imagesChanged) actions.push(upload('airgap images', images!, p.images!, 0o644));
  if (d.scriptChanged) actions.push(upload('install script', script, p.script, 0o755));
  if (d.registriesChanged) {
    actions.push({
      what: `write ${p.registries}`,
      run: async () => {
        await mkdir(a.config_dir);
        await ctx.conn.put(p.registries, d.wantRegistries!, { mode: 0o600 });
      },
    });
  }
  if (d.needInstall) {
    const how = !d.installed ? 'install and start' : d.binChanged ? 'reinstall and restart' : 'rewrite the unit of';
    actions.push({
      what: `${how} k3s ${a.version} (${a.role}): ${argvToShell([p.script, ...d.wantArgs])}`,
      run: async () => {
        const argv = [p.script, ...d.wantArgs];
        // the token reaches the script on stdin, not in the command line (`ps` on the host would show it)
        const { K3S_TOKEN: token, ...env } = d.installEnv;
        const shell = token === undefined ? toolShell(argv) : `IFS= read -r K3S_TOKEN; export K3S_TOKEN; ${toolShell(argv)}`;
        const res = await ctx.conn.run({ shell, env, stdin: token === undefined ? undefined : `${token}\n`, timeoutMs: Math.max(a.wait_timeout, 300) * 1000 });
        if (res.rc !== 0 || res.timedOut) throw new ModuleError(`the k3s install script failed: ${commandFailure(argv, res)}`);
      },
    });
  }
  return actions;
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

async function writeKubeconfig(ctx: ModuleContext, dest: string, text: string): Promise<void> {
  const mk = await ctx.local.run({ argv: ['mkdir', '-p', '--', posix.dirname(dest)] });
  if (mk.rc !== 0) throw new ModuleError(`cannot create ${posix.dirname(dest)} on the controller: ${mk.stderr.trim()}`);
  // it holds the cluster admin's client key
  await ctx.local.put(dest, text, { mode: 0o600 });
}

/** After any apply: the node Ready, the server's token, the controller's kubeconfig copy written when stale. */
export async function finish(ctx: ModuleContext, a: K3sArgs, p: Paths, nodeName: string): Promise<{ token?: string; kubeconfigWritten: boolean }> {
  await waitReady(ctx, a, p, nodeName);
  const token = await readToken(ctx, a, p);
  const copy = await kubeconfigCopy(ctx, a, p);
  if (a.kubeconfig_dest && !copy) throw new ModuleError(`${p.kubeconfig} does not exist on ${ctx.host}: k3s did not write its kubeconfig`);
  if (copy && !copy.current) await writeKubeconfig(ctx, a.kubeconfig_dest!, copy.text);
  return { token, kubeconfigWritten: copy !== undefined && !copy.current };
}
