// The inventory as parsed, before variables are layered: groups with direct hosts, children and
// parents, hosts with their inventory-file variables, and where each was first written.
import type { SourceLocation } from '../load/source.js';

export type Vars = Record<string, unknown>;

/** Object.assign for variables: a variable called __proto__ stays a variable, not a prototype switch. */
export function assignVars(target: Vars, source: Vars): Vars {
  for (const [k, v] of Object.entries(source)) {
    if (k === '__proto__') Object.defineProperty(target, k, { value: v, enumerable: true, writable: true, configurable: true });
    else target[k] = v;
  }
  return target;
}

export interface GroupRecord {
  name: string;
  /** direct hosts, in the order they were added */
  hosts: string[];
  children: string[];
  parents: string[];
  /** variables written in inventory files (later sources win) */
  fileVars: Vars;
  /** ansible_group_priority: among groups of the same depth, higher priority wins */
  priority: number;
  loc?: SourceLocation;
}

export interface HostRecord {
  name: string;
  /** groups the host was put in directly */
  direct: string[];
  fileVars: Vars;
  loc?: SourceLocation;
}

export class InventoryData {
  readonly groups = new Map<string, GroupRecord>();
  readonly hosts = new Map<string, HostRecord>();

  constructor() {
    this.group('all');
    this.group('ungrouped');
    this.addChild('all', 'ungrouped');
  }

  group(name: string, loc?: SourceLocation): GroupRecord {
    let g = this.groups.get(name);
    if (!g) {
      g = { name, hosts: [], children: [], parents: [], fileVars: {}, priority: 1, loc };
      this.groups.set(name, g);
    } else if (!g.loc) g.loc = loc;
    return g;
  }

  host(name: string, loc?: SourceLocation): HostRecord {
    let h = this.hosts.get(name);
    if (!h) {
      h = { name, direct: [], fileVars: {}, loc };
      this.hosts.set(name, h);
    } else if (!h.loc) h.loc = loc;
    return h;
  }

  addHostTo(group: string, host: string, vars: Vars, loc?: SourceLocation): void {
    const g = this.group(group);
    const h = this.host(host, loc);
    if (!g.hosts.includes(host)) g.hosts.push(host);
    if (!h.direct.includes(group)) h.direct.push(group);
    assignVars(h.fileVars, vars);
  }

  /** Returns false (and changes nothing) when the edge would make a cycle. */
  addChild(parent: string, child: string): boolean {
    if (parent === child || this.isDescendant(parent, child)) return false;
    const p = this.group(parent);
    const c = this.group(child);
    if (!p.children.includes(child)) p.children.push(child);
    if (!c.parents.includes(parent)) c.parents.push(parent);
    return true;
  }

  /** Is `name` reachable from `from` through children? */
  isDescendant(name: string, from: string): boolean {
    const stack = [...(this.groups.get(from)?.children ?? [])];
    const seen = new Set<string>();
    while (stack.length > 0) {
      const g = stack.pop()!;
      if (g === name) return true;
      if (seen.has(g)) continue;
      seen.add(g);
      stack.push(...(this.groups.get(g)?.children ?? []));
    }
    return false;
  }

  setGroupVars(group: string, vars: Vars): void {
    const g = this.group(group);
    for (const [k, v] of Object.entries(vars)) {
      if (k === 'ansible_group_priority') {
        const n = Number(v);
        if (Number.isFinite(n)) g.priority = n;
      } else assignVars(g.fileVars, { [k]: v });
    }
  }

  /**
   * Ansible's reconcile step: a group without parents is a child of `all`, and a host in no group
   * but `all` is in `ungrouped` (and leaves `ungrouped` once it is in a real group).
   */
  reconcile(): void {
    this.reconcileGroups();
    for (const h of this.hosts.keys()) this.reconcileHost(h);
  }

  reconcileGroups(): void {
    for (const g of this.groups.values()) if (g.name !== 'all' && g.parents.length === 0) this.addChild('all', g.name);
  }

  reconcileHost(name: string): void {
    const h = this.hosts.get(name)!;
    const ungrouped = this.groups.get('ungrouped')!;
    const real = h.direct.some((g) => g !== 'all' && g !== 'ungrouped');
    const inUngrouped = h.direct.includes('ungrouped');
    if (!real && !inUngrouped) this.addHostTo('ungrouped', name, {});
    if (real && inUngrouped) {
      ungrouped.hosts = ungrouped.hosts.filter((x) => x !== name);
      h.direct = h.direct.filter((g) => g !== 'ungrouped');
    }
  }

  /** Longest path from `all` (all = 0), so a child is always deeper than each of its parents. */
  depths(): Map<string, number> {
    const depth = new Map<string, number>();
    const visit = (name: string): number => {
      const known = depth.get(name);
      if (known !== undefined) return known;
      const g = this.groups.get(name);
      const d = name === 'all' || !g || g.parents.length === 0 ? 0 : Math.max(...g.parents.map(visit)) + 1;
      depth.set(name, d);
      return d;
    };
    for (const name of this.groups.keys()) visit(name);
    return depth;
  }

  /** The host's groups with every ancestor, `all` included. */
  groupsOf(host: string): Set<string> {
    const out = new Set<string>(['all']);
    const stack = [...(this.hosts.get(host)?.direct ?? [])];
    while (stack.length > 0) {
      const g = stack.pop()!;
      if (out.has(g)) continue;
      out.add(g);
      stack.push(...(this.groups.get(g)?.parents ?? []));
    }
    return out;
  }
}
