// Running the multipass client on the controller and reading its JSON. Every call goes through
// ctx.local (the controller connection), never through the task's host. Output formats, from
// multipass's JSON formatter:
//   list --format json      {"list":[{"ipv4":[...],"name":"N","release":"Ubuntu 24.04 LTS","state":"Running"}]}
//                            (deleted, not purged instances are listed with state "Deleted")
//   info N --format json    {"errors":[],"info":{"N":{"state","ipv4":[...],"cpu_count":"2","memory":{"total":n,"used":n},
//                            "disks":{"sda1":{"total":"n","used":"n"}},"image_release":"24.04 LTS","release",...}}}
//   get local.N.cpus|memory|disk   the configured value: "2", "4.0GiB", "30.0GiB"
import { ModuleError } from '../../../engine/errors.js';
import type { RunResult } from '../../../engine/connect/connection.js';
import type { ModuleContext } from '../../../engine/module-contract.js';
import { commandFailure, toolShell } from '../host-tool.js';

export interface Listed {
  name: string;
  state: string;
  ipv4: string[];
  release: string;
}

export type Info = Record<string, unknown> & { state?: string; ipv4?: string[]; image_release?: string };

/** What multipass says the instance was configured with (`multipass get local.NAME.*`). */
export interface Spec {
  cpus: string;
  memory: string;
  disk: string;
}

export class Multipass {
  constructor(
    private readonly ctx: ModuleContext,
    private readonly exe: string[],
    /** seconds a read (list, info, get) may take */
    private readonly readTimeout: number,
  ) {}

  /** Runs one multipass command on the controller; a missing client is an error, other exits are returned. */
  async run(args: string[], timeoutSeconds = this.readTimeout): Promise<RunResult> {
    const argv = [...this.exe, ...args];
    const res = await this.ctx.local.run({ shell: toolShell(argv), timeoutMs: timeoutSeconds * 1000 });
    if (res.rc === 127 && !res.timedOut) {
      throw new ModuleError(`${this.exe[0]} is not installed on the controller (install Multipass: \`sudo snap install multipass\` on Linux, \`brew install --cask multipass\` or the installer from its site on macOS)`);
    }
    return res;
  }

  /** Runs it and fails the task on a non-zero exit or a timeout. */
  async must(args: string[], timeoutSeconds = this.readTimeout): Promise<RunResult> {
    const res = await this.run(args, timeoutSeconds);
    if (res.rc !== 0 || res.timedOut) throw new ModuleError(commandFailure([...this.exe, ...args], res));
    return res;
  }

  async find(name: string): Promise<Listed | undefined> {
    const res = await this.must(['list', '--format', 'json']);
    const list = parseJson(res.stdout, 'multipass list --format json') as { list?: unknown };
    if (!Array.isArray(list.list)) throw new ModuleError(`multipass list --format json printed no "list" array: ${res.stdout.slice(0, 200)}`);
    const hit = (list.list as Listed[]).find((i) => i && i.name === name);
    return hit ? { name: hit.name, state: String(hit.state), ipv4: Array.isArray(hit.ipv4) ? hit.ipv4 : [], release: String(hit.release ?? '') } : undefined;
  }

  async info(name: string): Promise<Info> {
    const res = await this.must(['info', name, '--format', 'json']);
    const doc = parseJson(res.stdout, `multipass info ${name} --format json`) as { info?: Record<string, Info> };
    const info = doc.info?.[name];
    if (!info || typeof info !== 'object') throw new ModuleError(`multipass info ${name} --format json did not describe ${name}: ${res.stdout.slice(0, 200)}`);
    return info;
  }

  async spec(name: string): Promise<Spec> {
    const get = async (key: keyof Spec) => (await this.must(['get', `local.${name}.${key}`])).stdout.trim();
    return { cpus: await get('cpus'), memory: await get('memory'), disk: await get('disk') };
  }
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ModuleError(`${what} printed something that is not JSON (${(err as Error).message}): ${text.slice(0, 200)}`);
  }
}

/** The first IPv4 address multipass reports, or null (a stopped instance has none). */
export function firstIpv4(info: { ipv4?: unknown }): string | null {
  return Array.isArray(info.ipv4) && typeof info.ipv4[0] === 'string' ? info.ipv4[0] : null;
}
