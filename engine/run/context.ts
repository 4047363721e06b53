// Everything one `gx play` run shares: options, the inventory, connections, the event bus, and the
// per-host state that outlives a play.
import type PQueue from 'p-queue';
import type { Connection } from '../connect/connection.js';
import type { ModuleRegistry } from '../module-contract.js';
import type { Compiler } from '../compile/compiler.js';
import type { TagSelection } from '../compile/tags.js';
import type { Inventory } from '../inventory/inventory.js';
import type { EventBus } from '../report/bus.js';
import type { HostState } from './host-state.js';

export interface ConnectionSource {
  get(host: string, vars: Record<string, unknown>): Promise<Connection>;
  /** meta: reset_connection: the host's connections close; the next task logs in afresh */
  reset?(host: string): Promise<void>;
  closeAll(): Promise<void>;
}

export interface RunSettings {
  check: boolean;
  diff: boolean;
  forks: number;
  limit?: string;
  tags: TagSelection;
  startAtTask?: string;
  forceHandlers: boolean;
  extraVars: Record<string, unknown>;
  verbosity: number;
  /** searched last for templates (gx play --templates-dir, or the CLI's default) */
  templateDirs: string[];
}

export interface RunContext {
  settings: RunSettings;
  inventory: Inventory;
  compiler: Compiler;
  /** the modules tasks run, by name (the CLI passes modules/index.ts's registry) */
  modules: ModuleRegistry;
  bus: EventBus;
  connections: ConnectionSource;
  /** the controller itself, for controller-only modules and delegate_to localhost */
  local: Connection;
  hosts: Map<string, HostState>;
  /** bounds how many host × task executions run at once (forks) */
  queue: PQueue;
  signal: AbortSignal;
  /** --start-at-task: false until the named task is reached */
  started: boolean;
  /** the value of `omit` for this run */
  omit: string;
}
