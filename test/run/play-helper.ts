// Runs a playbook in-process through the real CLI path (compile → run → JSON reporter) and hands
// back the events, so executor tests assert on what a user's tools would see.
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Writable } from 'node:stream';
import { playCommand, type PlayOptions } from '../../engine/cli/play.js';
import type { GxEvent, HostResult } from '../../engine/report/events.js';

export interface PlayRun {
  code: number;
  events: GxEvent[];
  dir: string;
  /** host results of tasks with this name, in order */
  results(taskName: string): HostResult[];
  /** names of the tasks that started, in order */
  tasks(): string[];
  recap(host: string): Record<string, number>;
  text: string;
}

export function writeTree(files: Record<string, string>, dir = mkdtempSync(join(tmpdir(), 'gx-run-'))): string {
  for (const [name, text] of Object.entries(files)) {
    const p = join(dir, name);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, text);
  }
  return dir;
}

export async function play(files: Record<string, string>, opts: Partial<PlayOptions> = {}, playbook = 'site.yaml'): Promise<PlayRun> {
  const dir = writeTree(files);
  return playIn(dir, opts, playbook);
}

export async function playIn(dir: string, opts: Partial<PlayOptions> = {}, playbook = 'site.yaml'): Promise<PlayRun> {
  let text = '';
  const out = new Writable({
    write(chunk, _enc, cb) {
      text += String(chunk);
      cb();
    },
  });
  const o: PlayOptions = {
    inventory: [],
    extraVars: [],
    tags: [],
    skipTags: [],
    check: false,
    diff: false,
    forks: 10,
    verbose: 0,
    output: 'json',
    profile: false,
    listTasks: false,
    listTags: false,
    listHosts: false,
    syntaxCheck: false,
    forceHandlers: false,
    rolesPath: [],
    color: false,
    ...opts,
  };
  const code = await playCommand([join(dir, playbook)], o, out);
  const events: GxEvent[] = o.output === 'json' ? text.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as GxEvent) : [];
  const names = new Map<string, string>();
  for (const e of events) if (e.type === 'task.start') names.set(e.id, e.name);
  return {
    code,
    events,
    dir,
    text,
    results: (taskName) => events.flatMap((e) => (e.type === 'host.result' && names.get(e.taskId) === taskName ? [e.result] : [])),
    tasks: () => events.flatMap((e) => (e.type === 'task.start' ? [e.name] : [])),
    recap: (host) => {
      const r = [...events].reverse().find((e) => e.type === 'recap');
      return (r && r.type === 'recap' ? r.hosts[host] : undefined) as unknown as Record<string, number>;
    },
  };
}
