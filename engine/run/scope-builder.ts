// Builds the variables a task sees on a host, in the documented precedence order (docs/variables.md),
// lowest first:
//   role defaults < inventory (group vars, host vars, group_vars/ and host_vars/) < play vars <
//   vars_files < role vars and params < block / import / include vars < task vars <
//   set_fact and register < extra vars (-e) < magic variables (inventory_hostname, groups, …)
import { isAbsolute, join } from 'node:path';
import { existsSync } from 'node:fs';
import type { CompiledPlay, TaskNode, Vars } from '../compile/types.js';
import { PlaybookError } from '../errors.js';
import { parseYamlFile } from '../load/yaml.js';
import { renderValue } from '../vars/template.js';
import { lazyScope, markOpaque } from './lazy-scope.js';
import type { RunContext } from './context.js';

export class PlayScope {
  private readonly ctx: RunContext;
  private readonly play: CompiledPlay;
  /** the hosts still in the play, and the current serial batch */
  playHosts: string[];
  batch: string[];
  private readonly groups: Record<string, string[]>;
  private readonly varsFilesCache = new Map<string, Vars>();

  constructor(ctx: RunContext, play: CompiledPlay, playHosts: string[]) {
    this.ctx = ctx;
    this.play = play;
    this.playHosts = playHosts;
    this.batch = playHosts;
    this.groups = {};
    for (const name of ctx.inventory.groups.keys()) this.groups[name] = ctx.inventory.groupMembers(name);
    if (!this.groups.all) this.groups.all = [...ctx.inventory.hosts.keys()];
  }

  private inventoryVars(host: string): Vars {
    const h = this.ctx.inventory.host(host);
    return h ? h.vars : { ansible_connection: 'local' };
  }

  private magic(host: string): Vars {
    const inv = this.ctx.inventory.host(host);
    const check = this.ctx.settings.check;
    const hostvars = this.hostvars();
    return {
      inventory_hostname: host,
      inventory_hostname_short: host.split('.')[0],
      group_names: (inv?.groups ?? []).filter((g) => g !== 'all' && g !== 'ungrouped').sort(),
      groups: this.groups,
      hostvars,
      play_hosts: this.playHosts.filter((h) => this.ctx.hosts.get(h)?.active ?? true),
      ansible_play_hosts: this.playHosts.filter((h) => this.ctx.hosts.get(h)?.active ?? true),
      ansible_play_hosts_all: this.playHosts,
      ansible_play_batch: this.batch,
      ansible_play_name: this.play.name,
      ansible_check_mode: check,
      gx_check_mode: check,
      ansible_diff_mode: this.ctx.settings.diff,
      ansible_verbosity: this.ctx.settings.verbosity,
      playbook_dir: this.play.dir,
      omit: this.ctx.omit,
    };
  }

  /** vars_files whose names are templated, resolved per host */
  private dynamicVarsFiles(host: string, scope: Vars): Vars {
    const out: Vars = {};
    for (const vf of this.play.varsFiles) {
      if (vf.data) continue;
      const candidates = (Array.isArray(vf.path) ? vf.path : [vf.path]).map((p) => String(renderValue(p, scope, { host, loc: vf.loc, what: 'vars_files' })));
      const found = candidates.map((c) => (isAbsolute(c) ? c : join(this.play.dir, c))).find((p) => existsSync(p));
      if (!found) throw new PlaybookError(`vars file not found: ${candidates.join(' or ')}`, { loc: vf.loc });
      let data = this.varsFilesCache.get(found);
      if (!data) {
        data = (parseYamlFile(found) ?? {}) as Vars;
        this.varsFilesCache.set(found, data);
      }
      Object.assign(out, data);
    }
    return out;
  }

  /** Host-level variables (what hostvars[host] shows): no task or role layers. */
  hostLevel(host: string): Vars {
    const state = this.ctx.hosts.get(host);
    const flat: Vars = Object.assign({}, this.inventoryVars(host), this.play.vars);
    for (const vf of this.play.varsFiles) if (vf.data) Object.assign(flat, vf.data);
    Object.assign(flat, state?.facts, this.ctx.settings.extraVars, this.magic(host));
    return flat;
  }

  private hostvars(): Vars {
    const cache = new Map<string, Vars>();
    const inv = this.ctx.inventory;
    const self = this;
    const scopeOf = (key: string): Vars | undefined => {
      if (!inv.host(key) && key !== 'localhost') return undefined;
      let s = cache.get(key);
      if (!s) {
        s = lazyScope(self.hostLevel(key), { host: key });
        cache.set(key, s);
      }
      return s;
    };
    return markOpaque(new Proxy({} as Vars, {
      get(_t, key) {
        return typeof key === 'string' ? scopeOf(key) : undefined;
      },
      has(_t, key) {
        return typeof key === 'string' && (inv.host(key) !== undefined || key === 'localhost');
      },
      ownKeys() {
        return [...inv.hosts.keys()];
      },
      getOwnPropertyDescriptor(_t, key) {
        if (typeof key !== 'string' || !inv.host(key)) return undefined;
        return { configurable: true, enumerable: true, value: scopeOf(key) };
      },
    }));
  }

  /**
   * The scope for `node` on `host`; `extra` holds loop variables (item, ansible_loop, …) and
   * registered values being evaluated (until/changed_when).
   */
  forTask(host: string, node: TaskNode | undefined, extra?: Vars): Vars {
    const state = this.ctx.hosts.get(host);
    const role = node?.eff.role;
    const flat: Vars = Object.assign({}, role?.defaults, this.inventoryVars(host), this.play.vars);
    for (const vf of this.play.varsFiles) if (vf.data) Object.assign(flat, vf.data);
    if (this.play.varsFiles.some((vf) => !vf.data)) Object.assign(flat, this.dynamicVarsFiles(host, lazyScope({ ...flat, ...this.magic(host) })));
    if (role) Object.assign(flat, role.vars, role.params, { role_name: role.name, role_path: role.dir });
    if (node) {
      for (const layer of node.eff.vars) Object.assign(flat, layer);
      Object.assign(flat, node.vars);
    }
    Object.assign(flat, state?.facts, extra, this.ctx.settings.extraVars, this.magic(host));
    if (extra) {
      // loop variables must win over everything but magic: they are the task's own iteration
      Object.assign(flat, extra);
    }
    return lazyScope(flat, { host, task: node?.name, loc: node?.loc });
  }
}
