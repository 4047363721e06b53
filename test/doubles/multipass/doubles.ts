// Puts the multipass command double first on PATH of a controller connection, keeps its instances in
// a fresh temp directory, gives the commands a private $HOME (where the module writes the cloud-init
// file) and reads back every call.
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Connection } from '../../../engine/connect/connection.js';
import { LocalConnection } from '../../../engine/connect/local.js';
import { tempDir } from '../../modules/harness.js';
import { EnvConnection } from '../doubles.js';

export const MULTIPASS_BIN = join(dirname(fileURLToPath(import.meta.url)), 'bin');

export interface Instance {
  state: string;
  cpus: number;
  memory: number;
  disk: number;
  image_release: string;
  ip: string;
}

export interface MultipassDoubles {
  state: string;
  /** the $HOME the commands see */
  home: string;
  /** the controller connection with the double on PATH */
  local: Connection;
  /** every recorded multipass call since the last clearCalls() */
  calls(): Promise<string[][]>;
  clearCalls(): Promise<void>;
  instances(): Promise<Record<string, Instance>>;
  /** sets the double's instances directly (sizes in bytes) */
  setInstances(instances: Record<string, Instance>): Promise<void>;
  /** the user data a launch passed for NAME, null when none */
  cloudInit(name: string): Promise<string | null>;
  homeEntries(): Promise<string[]>;
  fail(sub: string, stderr: string, rc?: number): Promise<void>;
  hang(sub: string): Promise<void>;
  /** makes launch time out as multipass does at its --timeout: the instance is left Starting */
  launchTimeout(): Promise<void>;
}

/** `path` replaces the rest of PATH; withDouble false leaves the double off PATH (a missing tool). */
export async function makeMultipassDoubles(o: { path?: string; withDouble?: boolean } = {}): Promise<MultipassDoubles> {
  const state = await tempDir('gx-multipass-double-');
  const home = await tempDir('gx-multipass-home-');
  const log = join(state, 'calls.log');
  await writeFile(log, '');
  const bins = o.withDouble === false ? [] : [MULTIPASS_BIN];
  const local = new EnvConnection(new LocalConnection('localhost'), {
    PATH: [...bins, o.path ?? process.env.PATH ?? '/usr/bin:/bin'].join(':'),
    HOME: home,
    GX_DOUBLE_STATE: state,
    GX_DOUBLE_LOG: log,
  });
  const set = async (path: string, content: string) => {
    await mkdir(dirname(join(state, path)), { recursive: true });
    await writeFile(join(state, path), content);
  };
  const read = async (path: string) => {
    try {
      return await readFile(join(state, path), 'utf8');
    } catch {
      return null;
    }
  };
  return {
    state,
    home,
    local,
    async calls() {
      const text = await readFile(log, 'utf8');
      return text.split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { argv: string[] }).argv);
    },
    async clearCalls() {
      await writeFile(log, '');
    },
    async instances() {
      const text = await read('multipass.json');
      return text ? (JSON.parse(text) as { instances: Record<string, Instance> }).instances : {};
    },
    async setInstances(instances) {
      await set('multipass.json', JSON.stringify({ instances, nextIp: 50 }));
    },
    cloudInit: (name) => read(`cloud-init/${name}`),
    homeEntries: () => readdir(home),
    async fail(sub, stderr, rc = 2) {
      await set(`fail/multipass.${sub}`, stderr);
      await set(`fail/multipass.${sub}.rc`, String(rc));
    },
    async hang(sub) {
      await set(`hang/multipass.${sub}`, '');
    },
    async launchTimeout() {
      await set('launch-timeout', '');
    },
  };
}
