// Deciding, from the arguments and what was read, what must change: nothing here touches the host, so
// every rule below is tested as a table (test/modules/k3s-decide.test.ts).
//
// Who restarts k3s:
// - first install: the install script starts it (as it does by default);
// - a new binary (version change): the script runs with INSTALL_K3S_FORCE_RESTART=true, because it
//   compares the binary's hash before/after itself and the binary is already in place by then;
// - only flags, env, registries.yaml or the airgap images changed: the script (when flags/env
//   changed) runs with INSTALL_K3S_SKIP_START=true, and the result says config_changed: true, so the
//   play's `restart k3s` handler restarts it once, at the end, like any other config change.
// Then the module waits for the node to be Ready (and to run `version`) and fetches the kubeconfig.
import { stringify } from 'yaml';
import type { DiffEntry } from '../../../engine/module-contract.js';
import { execArgs, serviceEnv, type K3sArgs, type Paths } from './args.js';
import type { K3sSeen } from './read.js';
import { formatExecStart, parseEnvFile, parseExecStart } from './unit.js';

export interface K3sDecision {
  /** k3s is installed: the install script's unit exists */
  installed: boolean;
  binChanged: boolean;
  scriptChanged: boolean;
  imagesChanged: boolean;
  /** the role and flags the install script gets */
  wantArgs: string[];
  /** K3S_URL and K3S_TOKEN the service should have, and what its EnvironmentFile has */
  wantEnv: Record<string, string>;
  haveEnv: Record<string, string>;
  /** the ExecStart the unit holds, undefined when not installed or unreadable */
  exec?: { binary: string; args: string[] };
  flagsDiffer: boolean;
  envDiffer: boolean;
  /** the K3S_* keys either side has, in a stable order */
  envKeys: string[];
  /** registries.yaml as it should be, undefined when `registries` is not given */
  wantRegistries?: string;
  registriesChanged: boolean;
  /** the install script must run */
  needInstall: boolean;
  /** k3s starts or restarts during the apply (first install, new binary) */
  restartNow: boolean;
  /** config changed on a running install that is not restarted: a handler should restart it */
  configChanged: boolean;
  /** the install script's environment */
  installEnv: Record<string, string>;
}

/** registries.yaml as the module writes it (compared by this text). */
export function registriesText(a: K3sArgs): string | undefined {
  return a.registries === undefined ? undefined : stringify(a.registries, { lineWidth: 0 });
}

export function decide(a: K3sArgs, p: Paths, seen: K3sSeen): K3sDecision {
  const binChanged = seen.hostBinary !== seen.binary.sha256;
  const scriptChanged = seen.hostScript !== seen.script.sha256;
  const imagesChanged = seen.images !== undefined && seen.hostImages !== seen.images.sha256;

  const wantArgs = execArgs(a);
  const wantEnv = serviceEnv(a);
  const installed = seen.unitText !== null;
  const exec = seen.unitText === null ? undefined : parseExecStart(seen.unitText);
  const flagsDiffer = installed && (exec === undefined || exec.binary !== p.bin || exec.args.join('\0') !== wantArgs.join('\0'));
  const haveEnv = parseEnvFile(seen.envText ?? '');
  const envKeys = ['K3S_URL', 'K3S_TOKEN'].filter((k) => k in wantEnv || k in haveEnv);
  const envDiffer = installed && envKeys.some((k) => haveEnv[k] !== wantEnv[k]);

  const wantRegistries = registriesText(a);
  const registriesChanged = wantRegistries !== undefined && seen.registriesText !== wantRegistries;

  const needInstall = !installed || binChanged || flagsDiffer || envDiffer;
  const restartNow = !installed || binChanged;
  const configChanged = installed && !binChanged && (flagsDiffer || envDiffer || registriesChanged || imagesChanged);

  const installEnv: Record<string, string> = {
    INSTALL_K3S_SKIP_DOWNLOAD: 'true',
    INSTALL_K3S_VERSION: a.version,
    // empty: the role and flags are the script's arguments (see modules/lib/k3s/args.ts); an
    // inherited INSTALL_K3S_EXEC would be put in front of them
    INSTALL_K3S_EXEC: '',
    INSTALL_K3S_BIN_DIR: a.bin_dir,
    INSTALL_K3S_SYSTEMD_DIR: a.systemd_dir,
    ...(installed && binChanged ? { INSTALL_K3S_FORCE_RESTART: 'true' } : {}),
    ...(installed && !binChanged ? { INSTALL_K3S_SKIP_START: 'true' } : {}),
    ...wantEnv,
  };
  return { installed, binChanged, scriptChanged, imagesChanged, wantArgs, wantEnv, haveEnv, exec, flagsDiffer, envDiffer, envKeys, wantRegistries, registriesChanged, needInstall, restartNow, configChanged, installEnv };
}

/** --diff: registries.yaml, the unit's ExecStart and its EnvironmentFile before and after (the token never shown). */
export function decisionDiff(p: Paths, seen: K3sSeen, d: K3sDecision): DiffEntry[] {
  const diff: DiffEntry[] = [];
  if (d.registriesChanged) diff.push({ label: p.registries, before: seen.registriesText ?? '', after: d.wantRegistries! });
  if (d.flagsDiffer) diff.push({ label: `${p.unit} ExecStart`, before: d.exec ? formatExecStart(d.exec.binary, d.exec.args) : seen.unitText ?? '', after: formatExecStart(p.bin, d.wantArgs) });
  if (d.envDiffer) {
    const { envKeys, haveEnv, wantEnv } = d;
    const show = (env: Record<string, string>) => envKeys.filter((k) => k in env).map((k) => `${k}=${k === 'K3S_TOKEN' ? '(secret)' : env[k]}\n`).join('');
    const tokenNote = haveEnv.K3S_TOKEN !== wantEnv.K3S_TOKEN && 'K3S_TOKEN' in haveEnv && 'K3S_TOKEN' in wantEnv ? '# K3S_TOKEN differs\n' : '';
    diff.push({ label: p.envFile, before: show(haveEnv), after: tokenNote + show(wantEnv) });
  }
  return diff;
}
