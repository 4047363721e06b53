// The k3s doubles for module tests: a host "root" inside the doubles' state directory (bin, config,
// data and systemd dirs the module is pointed at), an offline bundle on the controller side whose
// k3s "binary" is a wrapper around the k3s double with its version baked in, the install script
// double, and the systemctl double of test/doubles/bin first on PATH.
import { rmSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LocalConnection } from '../../../engine/connect/local.js';
import { DOUBLES_BIN, EnvConnection, type Doubles } from '../doubles.js';

const here = dirname(fileURLToPath(import.meta.url));
const K3S_DOUBLE = join(here, 'bin', 'k3s');
const INSTALL_DOUBLE = join(here, 'bin', 'k3s-install.sh');

export interface K3sDoubles extends Doubles {
  /** the environment the doubles need, for a connection other than `conn` (e.g. SSH to this machine) */
  env: Record<string, string>;
  /** directories on the "host", to pass as bin_dir, config_dir, data_dir, systemd_dir */
  dirs: { bin_dir: string; config_dir: string; data_dir: string; systemd_dir: string };
  /** the controller's bundle directory */
  bundle: string;
  /** writes bundle/bin/k3s as the k3s binary of this version (returns its path) */
  binary(version: string, name?: string): Promise<string>;
  /** bundle/bin/k3s-install.sh, a wrapper around the install script double */
  script: string;
  /** bundle/images/k3s-airgap-images-amd64.tar with this content */
  images(content: string): Promise<string>;
  /** the INSTALL_K3S_*, K3S_* environment of every install script run, in order */
  installEnvs(): Promise<Record<string, string>[]>;
  /** the node answers NotReady this many times before Ready */
  notReadyFor(polls: number): Promise<void>;
}

const wrapper = (target: string, env: string) => `#!/bin/sh\n${env}exec bash ${target} "$@"\n`;

const made: string[] = [];
process.on('exit', () => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/**
 * Fresh doubles whose state (and host root) lives in a new directory under `under` (default: the
 * system temp dir; the SSH test hosts have a private /tmp, so tests over SSH pass /var/tmp).
 */
export async function makeK3sDoubles(o: { under?: string } = {}): Promise<K3sDoubles> {
  const d = await plainDoubles(o.under ?? tmpdir());
  const host = join(d.state, 'host');
  const dirs = {
    bin_dir: join(host, 'usr/local/bin'),
    config_dir: join(host, 'etc/rancher/k3s'),
    data_dir: join(host, 'var/lib/rancher/k3s'),
    systemd_dir: join(host, 'etc/systemd/system'),
  };
  await mkdir(dirs.systemd_dir, { recursive: true });
  const bundle = join(d.state, 'bundle');
  await mkdir(join(bundle, 'bin'), { recursive: true });
  await mkdir(join(bundle, 'images'), { recursive: true });
  const script = join(bundle, 'bin', 'k3s-install.sh');
  await writeFile(script, wrapper(INSTALL_DOUBLE, ''));
  await chmod(script, 0o755);
  return {
    ...d,
    env: { PATH: `${DOUBLES_BIN}:${process.env.PATH ?? '/usr/bin:/bin'}`, GX_DOUBLE_STATE: d.state, GX_DOUBLE_LOG: join(d.state, 'calls.log') },
    dirs,
    bundle,
    script,
    async binary(version, name = 'k3s') {
      const path = join(bundle, 'bin', name);
      await writeFile(path, wrapper(K3S_DOUBLE, `export K3S_DOUBLE_VERSION=${version}\n`));
      await chmod(path, 0o755);
      return path;
    },
    async images(content) {
      const path = join(bundle, 'images', 'k3s-airgap-images-amd64.tar');
      await writeFile(path, content);
      return path;
    },
    async installEnvs() {
      const dir = join(d.state, 'k3s');
      let names: string[];
      try {
        names = (await readdir(dir)).filter((n) => /^install-\d+\.env$/.test(n));
      } catch {
        return [];
      }
      names.sort((x, y) => Number(/\d+/.exec(x)![0]) - Number(/\d+/.exec(y)![0]));
      const out: Record<string, string>[] = [];
      for (const n of names) {
        const env: Record<string, string> = {};
        for (const line of (await readFile(join(dir, n), 'utf8')).split('\n')) {
          const i = line.indexOf('=');
          if (i > 0) env[line.slice(0, i)] = line.slice(i + 1);
        }
        out.push(env);
      }
      return out;
    },
    async notReadyFor(polls) {
      await d.set('k3s/not-ready-polls', String(polls));
    },
  };
}

/** The state directory, call log and failure switches the doubles of test/doubles/lib.sh read. */
async function plainDoubles(under: string): Promise<Doubles> {
  await mkdir(under, { recursive: true });
  const state = await mkdtemp(join(under, 'gx-k3s-doubles-'));
  made.push(state);
  const log = join(state, 'calls.log');
  await writeFile(log, '');
  const env = { PATH: `${DOUBLES_BIN}:${process.env.PATH ?? '/usr/bin:/bin'}`, GX_DOUBLE_STATE: state, GX_DOUBLE_LOG: log };
  const set = async (path: string, content: string) => {
    await mkdir(dirname(join(state, path)), { recursive: true });
    await writeFile(join(state, path), content);
  };
  return {
    state,
    conn: new EnvConnection(new LocalConnection('localhost'), env),
    async calls() {
      return (await readFile(log, 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l) as string[]);
    },
    async clearCalls() {
      await writeFile(log, '');
    },
    set,
    async read(path) {
      return readFile(join(state, path), 'utf8').catch(() => null);
    },
    async fail(tool, sub, stderr, rc = 1) {
      await set(`fail/${tool}.${sub}`, stderr);
      await set(`fail/${tool}.${sub}.rc`, String(rc));
    },
  };
}
