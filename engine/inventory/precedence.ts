// The order in which a host's inventory variables are layered, lowest first. This is ansible-core's
// default VARIABLE_PRECEDENCE: inventory-file vars of `all` and of the host's groups, then
// group_vars/all beside each inventory source, then beside the playbook, then group_vars/<group>
// beside the inventory, then beside the playbook; then host vars the same way (file, inventory
// dir, playbook dir). Groups sort by depth (a child always below its parents), then
// ansible_group_priority, then name. Merging is shallow: a later layer replaces a whole value.
import { assignVars, type GroupRecord, type Vars } from './data.js';
import type { VarsDir } from './vars-dirs.js';

export interface VarsSources {
  groups: Map<string, GroupRecord>;
  depth: Map<string, number>;
  inventoryDirs: VarsDir[];
  playbookDir?: VarsDir;
}

/** Groups (without `all`) in the order their variables apply. */
export function sortGroups(names: Iterable<string>, src: Pick<VarsSources, 'groups' | 'depth'>): string[] {
  return [...names]
    .filter((g) => g !== 'all')
    .sort((a, b) => {
      const d = (src.depth.get(a) ?? 0) - (src.depth.get(b) ?? 0);
      if (d !== 0) return d;
      const p = (src.groups.get(a)?.priority ?? 1) - (src.groups.get(b)?.priority ?? 1);
      if (p !== 0) return p;
      return a < b ? -1 : a > b ? 1 : 0;
    });
}

export function groupLayers(groups: string[], src: VarsSources): (Vars | undefined)[] {
  const all = src.groups.get('all')?.fileVars;
  return [
    all,
    ...groups.map((g) => src.groups.get(g)?.fileVars),
    ...src.inventoryDirs.map((d) => d.group('all')),
    src.playbookDir?.group('all'),
    ...src.inventoryDirs.flatMap((d) => groups.map((g) => d.group(g))),
    ...groups.map((g) => src.playbookDir?.group(g)),
  ];
}

export function hostLayers(host: string, fileVars: Vars | undefined, src: VarsSources): (Vars | undefined)[] {
  return [fileVars, ...src.inventoryDirs.map((d) => d.host(host)), src.playbookDir?.host(host)];
}

export function merge(layers: (Vars | undefined)[]): Vars {
  const out: Vars = {};
  for (const layer of layers) {
    if (!layer) continue;
    assignVars(out, layer);
  }
  return out;
}
