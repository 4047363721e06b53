// Running the gx CLI on the gauntlet's playbooks as a user would (JSON events on stdout), and reading
// its results: shared by the full site run and the multi-VM run.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO } from './helpers.js';

const run = promisify(execFile);

export function need(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run through mocha (the global setup starts test/services/*.sh)`);
  return v;
}

export type GxEvent = { type: string; [k: string]: any };
export interface Run { code: number; stdout: string; stderr: string; events: GxEvent[] }

export async function gx(args: string[], env: Record<string, string>): Promise<Run> {
  let r: { code: number; stdout: string; stderr: string };
  try {
    const out = await run(process.execPath, ['--import', 'tsx', join(REPO, 'engine/cli/main.ts'), ...args], { cwd: REPO, env: { ...process.env, NO_COLOR: '1', ...env }, maxBuffer: 1 << 26 });
    r = { code: 0, ...out };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    r = { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
  const events = r.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as GxEvent);
  return { ...r, events };
}

export const recap = (r: Run): Record<string, { ok: number; changed: number; failed: number; unreachable: number; skipped: number }> =>
  r.events.find((e) => e.type === 'recap')!.hosts;

/** "task on host: msg" of every host result with this status. */
export function results(r: Run, status: string): string[] {
  const names = new Map(r.events.filter((e) => e.type === 'task.start').map((e) => [e.id as string, e.name as string]));
  return r.events
    .filter((e) => (e.type === 'host.result' || (e.type === 'item.result' && status === 'failed')) && e.result.status === status)
    .map((e) => `${names.get(e.taskId) ?? e.taskId} on ${e.result.host}${e.type === 'item.result' ? ` (item ${JSON.stringify(e.result.item)})` : ''}${e.result.msg ? `: ${e.result.msg}` : ''}`);
}

export const failures = (r: Run): string => [...results(r, 'failed'), ...results(r, 'unreachable'), r.stderr].join('\n');

