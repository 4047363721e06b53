// Plays run against the real sshd test hosts: an inventory of the first `n` test hosts (h1, h2, …)
// written beside the playbook, then the play helper's in-process run.
import { join } from 'node:path';
import { play, writeTree, playIn, type PlayRun } from '../run/play-helper.js';
import type { PlayOptions } from '../../engine/cli/play.js';
import { hostVars, sshEnv } from '../ssh/hosts.js';

export function sshInventory(n: number): string {
  const hosts: Record<string, unknown> = {};
  sshEnv.hosts.slice(0, n).forEach((addr, i) => (hosts[`h${i + 1}`] = hostVars(addr)));
  return JSON.stringify({ all: { hosts } });
}

/** Runs `files['site.yaml']` on the first `n` test hosts (as h1, h2, …). */
export async function sshPlay(files: Record<string, string>, n = 1, opts: Partial<PlayOptions> = {}): Promise<PlayRun> {
  const dir = writeTree({ ...files, 'inventory.yaml': sshInventory(n) });
  return playIn(dir, { inventory: [join(dir, 'inventory.yaml')], ...opts });
}

export { play };
