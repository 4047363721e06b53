// The inventory: hosts, groups, their variables already layered (see precedence.ts), Ansible host
// patterns, add_host at run time, and the `ansible-inventory --list/--graph` views.
import { resolve } from 'node:path';
import { ErrorList, PlaybookError, type GxError } from '../errors.js';
import { assignVars, InventoryData, type Vars } from './data.js';
import { evaluatePattern, type PatternTarget } from './patterns.js';
import { groupLayers, hostLayers, merge, sortGroups, type VarsSources } from './precedence.js';
import { renderGraph, renderList, type ViewOptions } from './render.js';
import { readSources } from './sources.js';
import { controllerPython } from '../run/ansible-compat.js';
import { VarsDir } from './vars-dirs.js';

export interface InventoryHost {
  name: string;
  /** every group the host is in, ancestors included: 'all' first, then alphabetical */
  groups: string[];
  /** group vars and host vars merged in precedence order */
  vars: Record<string, unknown>;
}

export interface InventoryGroup {
  name: string;
  /** hosts put directly in this group */
  hosts: string[];
  children: string[];
  /** this group's own variables: inventory file, then group_vars/ beside the inventory, then beside the playbook */
  vars: Record<string, unknown>;
}

/** Names that resolve to the control machine even when the inventory does not list them. */
export const LOCALHOST_NAMES: ReadonlySet<string> = new Set(['localhost', '127.0.0.1', '::1']);

export class Inventory {
  /** in inventory order (first definition across sources) */
  readonly hosts = new Map<string, InventoryHost>();
  readonly groups = new Map<string, InventoryGroup>();
  private readonly implicit = new Map<string, InventoryHost>();
  private members: Map<string, string[]> | undefined;
  private readonly groupVarsBySet = new Map<string, Vars>();
  private order = new Map<string, number>();
  private readonly src: VarsSources;
  /** problems found while reading group_vars/host_vars files (checked by loadInventory) */
  readonly problems: GxError[];

  constructor(
    private readonly data: InventoryData,
    dirs: { inventoryDirs: VarsDir[]; playbookDir?: VarsDir; problems: GxError[] },
  ) {
    this.problems = dirs.problems;
    this.src = { groups: data.groups, depth: new Map(), inventoryDirs: dirs.inventoryDirs, playbookDir: dirs.playbookDir };
    this.rebuild();
  }

  /** The inventory file that first defined `name` (Ansible's inventory_file), if any. */
  sourceOf(name: string): string | undefined {
    return this.data.hosts.get(name)?.loc?.file;
  }

  host(name: string): InventoryHost | undefined {
    const h = this.hosts.get(name);
    if (h) return h;
    if (!LOCALHOST_NAMES.has(name)) return undefined;
    let imp = this.implicit.get(name);
    if (!imp) {
      // like Ansible's implicit localhost: outside every group (so not in `all`), yet it still
      // sees the variables of `all`; its connection is local unless host_vars/localhost says otherwise
      const vars = merge([
        this.src.groups.get('all')?.fileVars,
        ...this.src.inventoryDirs.map((d) => d.group('all')),
        this.src.playbookDir?.group('all'),
        // Ansible's _create_implicit_localhost also gives it ansible_python_interpreter (its own sys.executable)
        { ansible_connection: 'local', ...(controllerPython() ? { ansible_python_interpreter: controllerPython() } : {}) },
        ...hostLayers(name, undefined, this.src),
      ]);
      imp = { name, groups: [], vars };
      this.implicit.set(name, imp);
    }
    return imp;
  }

  /** Host names matched by an Ansible host pattern, in inventory order; [] when nothing matches. */
  select(pattern: string | string[]): string[] {
    const found = evaluatePattern(this.target(), pattern);
    const known = [...found].filter((h) => this.order.has(h)).sort((a, b) => this.order.get(a)! - this.order.get(b)!);
    return [...known, ...[...found].filter((h) => !this.order.has(h))];
  }

  /** Every host in the group or in its descendants, in inventory order. */
  groupMembers(group: string): string[] {
    return [...(this.memberMap().get(group) ?? [])];
  }

  /**
   * add_host: creates the host (and any missing group, as a child of `all`), or extends it.
   * group_by: `parents` are made parents of each of `groups` (missing ones created under `all`).
   */
  addHost(name: string, groups: string[] = [], vars: Record<string, unknown> = {}, parents: string[] = []): InventoryHost {
    if (this.data.groups.has(name)) throw new PlaybookError(`add_host: '${name}' is already the name of a group`);
    for (const g of [...groups, ...parents]) if (this.data.hosts.has(g)) throw new PlaybookError(`add_host: group '${g}' has the name of a host`);
    const newGroups = [...groups, ...parents].some((g) => !this.data.groups.has(g)) || (parents.some((p) => p !== 'all') && groups.length > 0);
    this.data.host(name);
    for (const g of groups) this.data.addHostTo(g, name, {});
    for (const p of parents) {
      if (p === 'all') continue;
      this.data.group(p);
      for (const g of groups) this.data.addChild(p, g);
    }
    assignVars(this.data.hosts.get(name)!.fileVars, vars);
    this.implicit.delete(name);
    this.data.reconcileGroups();
    this.data.reconcileHost(name);
    const before = this.problems.length;
    // only this host changed, unless a new group joined the tree
    if (newGroups) this.refreshGroups();
    else for (const g of ['all', 'ungrouped', ...groups]) this.refreshGroupMembers(g);
    this.refreshHost(name);
    // a new group may bring a group_vars file nobody read yet
    if (this.problems.length > before) throw new ErrorList(this.problems.slice(before));
    return this.hosts.get(name)!;
  }

  /** Like `ansible-inventory --list`: groups with hosts and children, and _meta.hostvars. */
  toList(opts: ViewOptions = {}): Record<string, unknown> {
    return renderList(this, opts);
  }

  /** Like `ansible-inventory --graph [GROUP]`. */
  toGraph(group = 'all', opts: ViewOptions = {}): string {
    return renderGraph(this, group, opts);
  }

  private target(): PatternTarget {
    return {
      hostNames: () => this.hosts.keys(),
      groupNames: () => this.groups.keys(),
      hasHost: (n) => this.hosts.has(n),
      groupMembers: (g) => this.memberMap().get(g) ?? [],
      implicitHost: (n) => LOCALHOST_NAMES.has(n) && !this.hosts.has(n),
    };
  }

  /** Recomputes every view in place, so objects handed out earlier stay current. */
  private rebuild(): void {
    this.refreshGroups();
    this.order = new Map();
    for (const h of this.data.hosts.values()) this.refreshHost(h.name);
  }

  private refreshGroups(): void {
    this.src.depth = this.data.depths();
    this.groupVarsBySet.clear();
    this.members = undefined;
    for (const g of this.data.groups.values()) {
      const vars = merge([g.fileVars, ...this.src.inventoryDirs.map((d) => d.group(g.name)), this.src.playbookDir?.group(g.name)]);
      const view = this.groups.get(g.name);
      if (view) Object.assign(view, { hosts: [...g.hosts], children: [...g.children], vars });
      else this.groups.set(g.name, { name: g.name, hosts: [...g.hosts], children: [...g.children], vars });
    }
  }

  private refreshHost(name: string): void {
    const h = this.data.hosts.get(name)!;
    if (!this.order.has(name)) this.order.set(name, this.order.size);
    this.members = undefined;
    const all = this.data.groupsOf(name);
    const sorted = sortGroups(all, this.src);
    // hosts in the same groups share the group layers: merge them once per set of groups
    const key = sorted.join('\0');
    let groupVars = this.groupVarsBySet.get(key);
    if (!groupVars) this.groupVarsBySet.set(key, (groupVars = merge(groupLayers(sorted, this.src))));
    let vars = merge([groupVars, ...hostLayers(name, h.fileVars, this.src)]);
    // a listed localhost is a normal host, but its connection still defaults to local
    if (LOCALHOST_NAMES.has(name) && !('ansible_connection' in vars)) vars = { ansible_connection: 'local', ...vars };
    const groups = ['all', ...[...all].filter((g) => g !== 'all').sort()];
    const view = this.hosts.get(name);
    if (view) Object.assign(view, { groups, vars });
    else this.hosts.set(name, { name, groups, vars });
  }

  private refreshGroupMembers(name: string): void {
    const g = this.data.groups.get(name);
    const view = this.groups.get(name);
    if (g && view) view.hosts = [...g.hosts];
  }

  /** group → members in inventory order, built on first use after a change */
  private memberMap(): Map<string, string[]> {
    if (!this.members) {
      const m = new Map<string, string[]>([...this.data.groups.keys()].map((g) => [g, []]));
      for (const h of this.hosts.values()) for (const g of h.groups) m.get(g)?.push(h.name);
      this.members = m;
    }
    return this.members;
  }
}

export type { Vars };

/**
 * Reads every `-i` source (files, directories, comma host lists) into one inventory, with the
 * group_vars/ and host_vars/ beside each source and beside the playbook. All problems at once:
 * throws ErrorList of PlaybookError, each with file:line:col.
 */
export async function loadInventory(sources: string[], opts: { playbookDir?: string } = {}): Promise<Inventory> {
  const { data, inventoryDirs, problems } = readSources(sources);
  data.reconcile();
  for (const h of data.hosts.values()) {
    const g = data.groups.get(h.name);
    if (!g) continue;
    const where = g.loc ? ` (group at line ${g.loc.line}${g.loc.file === h.loc?.file ? '' : ` of ${g.loc.file}`})` : '';
    problems.push(
      new PlaybookError(`'${h.name}' is both a host and a group${where}: patterns could not tell them apart`, {
        loc: h.loc,
        hint: 'rename the group or the host',
      }),
    );
  }
  let playbookDir: VarsDir | undefined;
  if (opts.playbookDir !== undefined) {
    const base = resolve(opts.playbookDir);
    // the playbook often sits beside the inventory: one reader, so a broken file is reported once
    playbookDir = inventoryDirs.find((d) => d.base === base) ?? new VarsDir(base, problems);
  }
  const inventory = new Inventory(data, { inventoryDirs, playbookDir, problems });
  // read host_vars/localhost now, so its problems are reported with the rest
  for (const name of LOCALHOST_NAMES) inventory.host(name);
  if (problems.length > 0) throw new ErrorList(problems);
  return inventory;
}
