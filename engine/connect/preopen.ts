// Opening a play's connections when the play starts, all hosts at once (at most `forks` handshakes
// in flight), instead of inside its first task (issue 16: the first task of a 10-host play was
// mostly ten handshakes in a row with the task's own work). Only when the play's first task talks
// to its hosts: a play that begins on the controller (a debug, a delegated task that may create
// the machine) connects when a task needs the host, as before. A failed pre-open is not kept: the
// task that needs the host tries again and reports its own failure.
import type { CompiledPlay, TaskNode } from '../compile/types.js';
import type { ModuleRegistry } from '../module-contract.js';
import { isUnknown } from '../vars/unknown.js';
import type { Connection } from './connection.js';

/** the run's connections (a ConnectionPool; a source without preopen is left alone) */
export interface PreopenTarget {
  get(host: string, vars: Record<string, unknown>): Promise<Connection>;
  preopen?(host: string, vars: Record<string, unknown>): Promise<void>;
}

/** the first task the play would run, if the compiled tree knows it (a dynamic include does not) */
function firstTask(nodes: TaskNode[]): TaskNode | undefined {
  for (const node of nodes) {
    if (node.kind === 'task') return node;
    if (node.kind === 'block') {
      const inner = firstTask(node.block);
      if (inner) return inner;
      continue;
    }
    // an include: its tasks when compiled ahead, else unknown until run time
    return node.precompiled ? (firstTask(node.precompiled.nodes) ?? node) : node;
  }
  return undefined;
}

/** whether the play's first step runs on its hosts over their connections: fact gathering, or its first task */
export function firstTaskConnects(play: CompiledPlay, modules: ModuleRegistry): boolean {
  const first = firstTask([...play.sections.pre_tasks, ...play.sections.tasks]);
  // remote_user (on the play, a block or the task) is rendered per task: the login user, and so the
  // connection, is not known ahead (the pool keeps one connection per host and user)
  if (first?.eff.remoteUser !== undefined) return false;
  if (play.gatherFacts === true) return true;
  if (!first || first.kind !== 'task') return false;
  if (first.eff.delegateTo !== undefined) return false;
  const def = modules.get(first.module);
  return def !== undefined && !def.controllerOnly;
}

/**
 * Starts opening the connections of `hosts` (their play-level variables from `varsOf`), at most
 * `limit` at once. Returns at once; the promise it gives settles when all attempts have, never rejecting.
 */
export function preopenConnections(pool: PreopenTarget, hosts: string[], varsOf: (host: string) => Record<string, unknown>, limit: number): Promise<void> {
  if (!pool.preopen) return Promise.resolve();
  const preopen = pool.preopen.bind(pool);
  const queue = [...hosts];
  const worker = async (): Promise<void> => {
    for (let host = queue.shift(); host !== undefined; host = queue.shift()) {
      let vars: Record<string, unknown>;
      try {
        vars = varsOf(host);
        // check mode before the machine exists: nothing to connect to yet
        if (isUnknown(vars.ansible_host)) continue;
      } catch {
        continue; // a variable that cannot be rendered yet: the task reports it
      }
      await preopen(host, vars);
    }
  };
  return Promise.all(Array.from({ length: Math.max(1, Math.min(limit, hosts.length)) }, worker)).then(() => undefined);
}
