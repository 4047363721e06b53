// Builds the variables a task sees on a host, in the documented precedence order (docs/variables.md),
// lowest first:
//   role defaults < inventory (group vars, host vars, group_vars/ and host_vars/) < play vars <
//   vars_files < role vars and params < block / import / include vars < task vars <
//   set_fact and register < extra vars (-e) < magic variables (inventory_hostname, groups, …)
import { dirname, isAbsolute, join } from 'node:path';
import { existsSync } from 'node:fs';
import type { CompiledPlay, TaskNode, Vars } from '../compile/types.js';
import { PlaybookError } from '../errors.js';
import { parseYamlFile } from '../load/yaml.js';
import { searchCandidates } from '../load/find-file.js';
import { varsFileData } from '../load/vars-files.js';
import { mergeScope, type VarLayers } from '../vars/scope.js';
import { renderValue } from '../vars/template.js';
import { lazyScope, markOpaque } from './lazy-scope.js';
import type { RunContext } from './context.js';
import { ansibleVersion, controllerPython } from './ansible-compat.js';

// The controller's CPU architecture as container images and Go release files name it (amd64,
// arm64): Multipass creates VMs of the host's own architecture, so this is also the VM's. Node's
// names differ for x64 (amd64) and ia32 (386); the others are the same words. GX_CONTROLLER_ARCH
// overrides it: an x64 Node under Rosetta on an Apple Silicon Mac reports x64, yet the Mac's VMs
// are arm64.
const CONTROLLER_ARCH =
  process.env.GX_CONTROLLER_ARCH || (({ x64: 'amd64', arm64: 'arm64', ia32: '386' } as Record<string, string>)[process.arch] ?? process.arch);

export class PlayScope {
  private readonly ctx: RunContext;
  private readonly play: CompiledPlay;
  /** the hosts still in the play, and the current serial batch */
  playHosts: string[];
  batch: string[];
  private readonly groups: Record<string, string[]>;
  private readonly varsFilesCache = new Map<string, Vars>();
  private readonly sources = new Map<string, Vars>();

  constructor(ctx: RunContext, play: CompiledPlay, playHosts: string[]) {
    this.ctx = ctx;
    this.play = play;
    this.playHosts = playHosts;
    this.batch = playHosts;
    this.groups = {};
    this.refreshGroups();
    for (const r of play.roles) (r.dependency ? this.roleNames.dependent : this.roleNames.direct).add(r.name);
  }

  /** `groups` as the inventory has them now (add_host and group_by change them mid-play), updated in place. */
  refreshGroups(): void {
    const inv = this.ctx.inventory;
    for (const k of Object.keys(this.groups)) delete this.groups[k];
    for (const name of inv.groups.keys()) this.groups[name] = inv.groupMembers(name);
    if (!this.groups.all) this.groups.all = [...inv.hosts.keys()];
  }

  private inventoryVars(host: string): Vars {
    const h = this.ctx.inventory.host(host);
    return h ? h.vars : { ansible_connection: 'local' };
  }

  /** inventory_file / inventory_dir: host variables in Ansible, below everything the inventory sets */
  private inventorySource(host: string): Vars {
    let v = this.sources.get(host);
    if (!v) {
      const file = this.ctx.inventory.sourceOf(host);
      this.sources.set(host, (v = { inventory_file: file ?? null, inventory_dir: file ? dirname(file) : null }));
    }
    return v;
  }

  /** the roles the play runs (roles:, import_role, include_role so far) and those only pulled in as dependencies */
  roleNames: { direct: Set<string>; dependent: Set<string> } = { direct: new Set(), dependent: new Set() };

  /** the last magic() and what it was made from: a task on 50 hosts asks 50 times for the same */
  private magicCache?: { vars: Vars; batch: string[]; liveBatch: string[]; livePlay: string[]; direct: number; dependent: number };

  private isLive(host: string): boolean {
    return this.ctx.hosts.get(host)?.active ?? true;
  }

  /** Is `live` the live hosts of `hosts`, in order? (no array made to find out) */
  private sameLive(live: string[], hosts: string[]): boolean {
    let i = 0;
    for (const h of hosts) if (this.isLive(h) && live[i++] !== h) return false;
    return i === live.length;
  }

  /**
   * Play-level magic variables (inventory_hostname and group_names go in mergeScope's host layer).
   * The same object while the batch, its live hosts and the play's roles stay the same: every task
   * on every host used to build its own (arrays of all the play's hosts included), which made no
   * difference to the result but was most of what a no-op task allocated on 50 hosts (issue 16).
   */
  private magic(): Vars {
    const c = this.magicCache;
    const { direct: directSet, dependent: dependentSet } = this.roleNames;
    if (c && c.batch === this.batch && c.direct === directSet.size && c.dependent === dependentSet.size && this.sameLive(c.liveBatch, this.batch) && this.sameLive(c.livePlay, this.playHosts)) return c.vars;
    const { settings } = this.ctx;
    const check = settings.check;
    // failed, unreachable and ended hosts are removed from the play (Ansible's play._removed_hosts)
    const live = (hosts: string[]): string[] => hosts.filter((h) => this.isLive(h));
    const batch = live(this.batch);
    const playHosts = live(this.playHosts);
    const direct = [...directSet];
    const dependent = [...dependentSet];
    const magic: Vars = {
      groups: this.groups,
      play_hosts: batch,
      ansible_play_hosts: playHosts,
      ansible_play_hosts_all: this.playHosts,
      ansible_play_batch: batch,
      ansible_play_name: this.play.name,
      ansible_check_mode: check,
      gx_check_mode: check,
      ansible_diff_mode: settings.diff,
      ansible_verbosity: settings.verbosity,
      ansible_forks: settings.forks,
      ansible_run_tags: settings.tags.only && settings.tags.only.length > 0 ? [...settings.tags.only] : ['all'],
      ansible_skip_tags: [...(settings.tags.skip ?? [])],
      ansible_version: ansibleVersion(),
      ansible_config_file: null,
      role_names: direct,
      ansible_play_role_names: direct,
      ansible_role_names: [...new Set([...direct, ...dependent])],
      ansible_dependent_role_names: dependent,
      playbook_dir: this.play.dir,
      gx_controller_arch: CONTROLLER_ARCH,
      omit: this.ctx.omit,
    };
    if (settings.limit) magic.ansible_limit = settings.limit;
    const python = controllerPython();
    if (python) magic.ansible_playbook_python = python;
    this.magicCache = { vars: magic, batch: this.batch, liveBatch: batch, livePlay: playHosts, direct: directSet.size, dependent: dependentSet.size };
    return magic;
  }

  private hostLayer(host: string): { inventory_hostname: string; group_names: string[] } {
    const inv = this.ctx.inventory.host(host);
    // every group but `all`: a host in no group has ['ungrouped'] (vars/manager.py _get_magic_variables)
    return { inventory_hostname: host, group_names: (inv?.groups ?? []).filter((g) => g !== 'all').sort() };
  }

  /** vars_files whose names are templated, resolved per host */
  private dynamicVarsFiles(host: string, scope: Vars): Vars {
    const out: Vars = {};
    for (const vf of this.play.varsFiles) {
      if (vf.data) continue;
      const candidates = (Array.isArray(vf.path) ? vf.path : [vf.path]).map((p) => String(renderValue(p, scope, { host, loc: vf.loc, what: 'vars_files' })));
      const found = candidates.flatMap((c) => searchCandidates(c, 'vars', { playbookDir: this.play.dir })).find((p) => existsSync(p));
      if (!found) throw new PlaybookError(`vars file not found: ${candidates.join(' or ')}`, { loc: vf.loc });
      let data = this.varsFilesCache.get(found);
      if (!data) {
        data = (varsFileData(parseYamlFile(found)) ?? {}) as Vars;
        this.varsFilesCache.set(found, data);
      }
      Object.assign(out, data);
    }
    return out;
  }

  /** Host-level variables (what hostvars[host] shows): no task or role layers. */
  hostLevel(host: string): Vars {
    const flat = mergeScope({
      groupVars: this.inventorySource(host),
      hostVars: this.inventoryVars(host),
      playVars: this.play.vars,
      playVarsFiles: this.staticVarsFiles(),
      facts: this.ctx.hosts.get(host)?.facts,
      extraVars: this.ctx.settings.extraVars,
      host: this.hostLayer(host),
      magic: this.magic(),
      hostvars: this.hostvars(),
    });
    // templates in a host's variables may read hostvars, but hostvars[host] does not list it (nor
    // does Ansible's): a dump of it (`hostvars[h] | to_json`) would otherwise never end
    Object.defineProperty(flat, 'hostvars', { enumerable: false });
    return flat;
  }

  private staticVarsFiles(): Vars[] {
    return this.play.varsFiles.flatMap((vf) => (vf.data ? [vf.data] : []));
  }

  private hostvars(): Vars {
    const cache = new Map<string, Vars>();
    const inv = this.ctx.inventory;
    const self = this;
    const scopeOf = (key: string): Vars | undefined => {
      if (!inv.host(key) && key !== 'localhost') return undefined;
      let s = cache.get(key);
      if (!s) {
        const flat = self.hostLevel(key);
        s = lazyScope(flat, { host: key }, self.fromFacts(key, flat));
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
    const role = node?.eff.role;
    const pub = this.play.roles.filter((r) => r.public);
    const layers: VarLayers = {
      // every public role's defaults (roles:, import_role) for the whole play, the task's own role's last
      // (Ansible's vars/manager.py get_vars, v2.17.5: `for role in play.roles: if role.public`)
      roleDefaults: [...pub.map((r) => r.defaults), ...(role ? [role.defaults] : [])],
      groupVars: this.inventorySource(host),
      hostVars: this.inventoryVars(host),
      playVars: this.play.vars,
      // public roles' vars are "exported vars" right after the play's vars_files
      playVarsFiles: [...this.staticVarsFiles(), ...pub.map((r) => r.vars)],
      roleVars: role?.vars,
      roleParams: role?.params,
      blockVars: node?.eff.vars,
      taskVars: node?.vars,
      facts: this.ctx.hosts.get(host)?.facts,
      extraVars: this.ctx.settings.extraVars,
      host: this.hostLayer(host),
      magic: { ...this.magic(), ...(role ? { role_name: role.name, role_path: role.dir } : {}), ...searchPathVar(node) },
      hostvars: this.hostvars(),
    };
    if (this.play.varsFiles.some((vf) => !vf.data)) {
      // templated vars_files names are rendered with what is known below them
      const below = lazyScope(mergeScope({ ...layers, roleVars: undefined, roleParams: undefined, blockVars: undefined, taskVars: undefined, facts: undefined }));
      layers.playVarsFiles = [...this.staticVarsFiles(), this.dynamicVarsFiles(host, below), ...pub.map((r) => r.vars)];
    }
    const flat = mergeScope(layers);
    // loop variables and a result under evaluation (until/changed_when) are the task's own: they win
    if (extra) Object.assign(flat, extra);
    // Ansible's PlayContext.update_vars gives a task the address it connects to as ansible_host
    // (the inventory name unless set), so `lookup('vars', 'ansible_host')` and `{{ ansible_host }}` work
    if (flat.ansible_host === undefined) flat.ansible_host = host;
    const fromFacts = this.fromFacts(host, flat);
    const isRaw = extra ? (k: string): boolean => Object.prototype.hasOwnProperty.call(extra, k) || fromFacts(k) : fromFacts;
    return lazyScope(flat, { host, task: node?.name, loc: node?.loc }, isRaw);
  }

  /** Is `flat[k]` what a task registered or set_fact stored (rendered once already, data now)? */
  private fromFacts(host: string, flat: Vars): (k: string) => boolean {
    const state = this.ctx.hosts.get(host);
    const facts = state?.facts;
    return (k) => facts !== undefined && Object.prototype.hasOwnProperty.call(facts, k) && facts[k] === flat[k] && !state!.templatedFacts.has(k);
  }
}

/**
 * ansible_search_path: Ansible's Task.get_search_path (playbook/task.py, v2.14.17): the task's role and
 * the roles it sits in (nearest first), then the task file's directory.
 */
function searchPathVar(node: TaskNode | undefined): Vars {
  const file = node?.loc?.file;
  if (!file) return {};
  const role = node.eff.role;
  const stack = role ? [role.dir, ...(role.parentDirs ?? [])] : [];
  if (!stack.includes(dirname(file))) stack.push(dirname(file));
  return { ansible_search_path: stack };
}
