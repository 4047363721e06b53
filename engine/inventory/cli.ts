// `gx inventory --list | --graph [GROUP] | --host NAME`, printing what `ansible-inventory` prints:
// JSON with sorted keys and 4-space indent for --list and --host, the tree for --graph.
import { UsageError } from '../errors.js';
import { didYouMean } from '../load/suggest.js';
import { loadInventory } from './inventory.js';

export interface InventoryCommandOptions {
  sources: string[];
  list?: boolean;
  /** true for the whole tree, or the name of the group to start at */
  graph?: boolean | string;
  host?: string;
  limit?: string;
  /** where group_vars/ and host_vars/ beside a playbook are read from */
  playbookDir?: string;
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v === null || typeof v !== 'object') return v;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v).sort()) {
    Object.defineProperty(out, k, { value: sortKeys((v as Record<string, unknown>)[k]), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

const json = (v: unknown): string => JSON.stringify(sortKeys(v), null, 4);

export async function inventoryCommand(opts: InventoryCommandOptions): Promise<string> {
  const wantsGraph = opts.graph !== undefined && opts.graph !== false;
  const chosen = [opts.list === true, wantsGraph, opts.host !== undefined].filter(Boolean).length;
  if (chosen !== 1) throw new UsageError('gx inventory needs exactly one of --list, --graph [GROUP] or --host NAME');
  const inv = await loadInventory(opts.sources, { playbookDir: opts.playbookDir });
  if (opts.list) return json(inv.toList({ limit: opts.limit }));
  if (wantsGraph) return inv.toGraph(typeof opts.graph === 'string' ? opts.graph : 'all', { limit: opts.limit });
  const name = opts.host!;
  const host = inv.host(name);
  if (!host) throw new UsageError(`--host: there is no host '${name}' in the inventory`, { hint: didYouMean(name, inv.hosts.keys()) });
  return json(host.vars);
}
