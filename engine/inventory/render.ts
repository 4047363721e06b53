// The two `ansible-inventory` views, with its conventions: groups and hosts sorted by name,
// empty keys and empty groups left out of --list, `all` listing children only, and the graph
// drawn with "  |" per level and "--" before each name.
import { UsageError } from '../errors.js';
import { didYouMean } from '../load/suggest.js';
import { assignVars } from './data.js';

/** What the views read of an inventory (the Inventory class is one). */
export interface InventoryView {
  readonly groups: ReadonlyMap<string, { hosts: string[]; children: string[] }>;
  readonly hosts: ReadonlyMap<string, { name: string; vars: Record<string, unknown> }>;
  select(pattern: string | string[]): string[];
}

export interface ViewOptions {
  /** an Ansible host pattern: only these hosts are shown */
  limit?: string | string[];
}

function hostFilter(inv: InventoryView, opts: ViewOptions): (h: string) => boolean {
  if (opts.limit === undefined) return () => true;
  const allowed = new Set(inv.select(opts.limit));
  return (h) => allowed.has(h);
}

function byName(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function renderList(inv: InventoryView, opts: ViewOptions): Record<string, unknown> {
  const keep = hostFilter(inv, opts);
  const groups: Record<string, unknown> = {};
  const seen = new Set<string>(['all']);
  const visit = (name: string): void => {
    const g = inv.groups.get(name)!;
    const entry: Record<string, unknown> = {};
    const children = [...g.children].sort(byName);
    if (children.length > 0) entry['children'] = children;
    if (name !== 'all') {
      const hosts = g.hosts.filter(keep).sort(byName);
      if (hosts.length > 0) entry['hosts'] = hosts;
    }
    if (Object.keys(entry).length > 0) assignVars(groups, { [name]: entry });
    for (const c of children) {
      if (seen.has(c)) continue;
      seen.add(c);
      visit(c);
    }
  };
  visit('all');
  const hostvars: Record<string, unknown> = {};
  for (const h of inv.hosts.values()) if (keep(h.name) && Object.keys(h.vars).length > 0) assignVars(hostvars, { [h.name]: h.vars });
  const out: Record<string, unknown> = { _meta: { hostvars } };
  for (const name of Object.keys(groups).sort(byName)) assignVars(out, { [name]: groups[name] });
  return out;
}

export function renderGraph(inv: InventoryView, group: string, opts: ViewOptions): string {
  if (!inv.groups.has(group)) {
    throw new UsageError(`--graph: there is no group '${group}' in the inventory`, { hint: didYouMean(group, inv.groups.keys()) });
  }
  const keep = hostFilter(inv, opts);
  const lines: string[] = [];
  const line = (text: string, depth: number): void => {
    lines.push(depth > 0 ? `${'  |'.repeat(depth)}--${text}` : text);
  };
  const walk = (name: string, depth: number): void => {
    const g = inv.groups.get(name)!;
    line(`@${name}:`, depth);
    for (const kid of [...g.children].sort(byName)) walk(kid, depth + 1);
    if (name !== 'all') for (const h of g.hosts.filter(keep).sort(byName)) line(h, depth + 1);
  };
  walk(group, 0);
  return lines.join('\n');
}
