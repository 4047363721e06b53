// Variable precedence: the layers a task's scope is built from, lowest first (the table in
// docs/variables.md). Shallow merge: a later layer replaces a whole top-level variable, as Ansible
// does by default (`hash_behaviour = merge` is not supported).
import YAML from 'yaml';
import { UsageError } from '../errors.js';
import { isMapping } from './values.js';
import { shellSplit, UnterminatedQuote } from '../shell-words.js';

export type Vars = Record<string, unknown>;
/** One layer, or several of the same rank in order (e.g. one per group, one per vars file). */
export type Layer = Vars | readonly Vars[] | undefined;
/** hostvars: a ready map, or a function giving one host's variables on demand. */
export type HostvarsProvider = Vars | ((host: string) => Vars | undefined);

export interface LoopVars {
  /** loop_control.loop_var; "item" by default */
  var?: string;
  /** loop_control.index_var, when set */
  indexVar?: string;
  item: unknown;
  index0: number;
  length: number;
}

export interface VarLayers {
  roleDefaults?: Layer;
  /** inventory group vars: `all`, then parent groups before child groups, then alphabetical */
  groupVars?: Layer;
  hostVars?: Layer;
  /** group_vars/ then host_vars/ directories, merged by the inventory layer */
  varsDirs?: Layer;
  playVars?: Layer;
  playVarsFiles?: Layer;
  roleVars?: Layer;
  roleParams?: Layer;
  /** outermost block first */
  blockVars?: Layer;
  taskVars?: Layer;
  includeVars?: Layer;
  /** set_fact and register, in the order they happened */
  facts?: Layer;
  extraVars?: Layer;
  /** inventory_hostname and group_names: only extra vars may shadow them (Ansible lets any layer) */
  host?: { inventory_hostname: string; group_names?: readonly string[] };
  /** play-level magic (groups, play_hosts, ansible_check_mode, playbook_dir, role_name, omit…): beats everything */
  magic?: Vars;
  loop?: LoopVars;
  hostvars?: HostvarsProvider;
  /** the hosts hostvars lists (keys); defaults to magic.groups.all */
  hostNames?: readonly string[];
}

/** The magic variables gx sets; user layers cannot override them (see mergeScope). */
export const MAGIC_VARS = [
  'inventory_hostname',
  'inventory_hostname_short',
  'group_names',
  'groups',
  'hostvars',
  'play_hosts',
  'ansible_play_hosts',
  'ansible_play_hosts_all',
  'ansible_play_batch',
  'ansible_check_mode',
  'ansible_diff_mode',
  'gx_check_mode',
  'playbook_dir',
  'gx_controller_arch',
  'role_path',
  'role_name',
  'ansible_loop_var',
  'ansible_loop',
  'ansible_index_var',
  'omit',
] as const;

/** The user layers in precedence order, lowest first. */
export const LAYER_ORDER = ['roleDefaults', 'groupVars', 'hostVars', 'varsDirs', 'playVars', 'playVarsFiles', 'roleVars', 'roleParams', 'blockVars', 'taskVars', 'includeVars', 'facts'] as const;

function assignLayer(out: Vars, layer: Layer): void {
  if (!layer) return;
  if (Array.isArray(layer)) for (const l of layer as readonly Vars[]) Object.assign(out, l);
  else Object.assign(out, layer);
}

const hostvarsViews = new WeakMap<object, Vars>();

/**
 * A read-only map host → variables that asks `provide` only for the hosts actually read.
 * Building every host's scope for every host would be quadratic; this costs nothing until
 * `hostvars.web1` is used. The same provider always yields the same view.
 */
export function lazyHostvars(hosts: readonly string[], provide: (host: string) => Vars | undefined): Vars {
  const known = new Set(hosts);
  const cached = hostvarsViews.get(provide);
  if (cached) return cached;
  const view = new Proxy({} as Vars, {
    get: (_t, key) => (typeof key === 'string' && known.has(key) ? provide(key) : undefined),
    has: (_t, key) => typeof key === 'string' && known.has(key),
    ownKeys: () => [...known],
    getOwnPropertyDescriptor: (_t, key) => (typeof key === 'string' && known.has(key) ? { configurable: true, enumerable: true, writable: false, value: provide(key) } : undefined),
    set: () => false,
    defineProperty: () => false,
    deleteProperty: () => false,
    getPrototypeOf: () => null,
  });
  hostvarsViews.set(provide, view);
  return view;
}

/**
 * The variables one task sees on one host. Order, lowest first: role defaults < inventory group
 * vars < inventory host vars < group_vars/ and host_vars/ dirs < play vars < vars_files < role vars
 * < role params < block vars < task vars < include vars < set_fact/register < host magic
 * (inventory_hostname, group_names) < extra vars < play magic < loop variables.
 */
export function mergeScope(layers: VarLayers): Vars {
  // Start in dictionary mode: a scope has hundreds of keys, and V8 adding them one by one to a
  // fast-mode object costs ~3× more (measured with test/vars/bench.ts).
  const out: Vars = { __gx_dict: 0 };
  delete out['__gx_dict'];
  for (const name of LAYER_ORDER) assignLayer(out, layers[name]);
  if (layers.host) {
    const h = layers.host.inventory_hostname;
    out['inventory_hostname'] = h;
    out['inventory_hostname_short'] = h.split('.')[0];
    out['group_names'] = [...(layers.host.group_names ?? [])];
  }
  assignLayer(out, layers.extraVars);
  if (layers.magic) Object.assign(out, layers.magic);
  if (layers.hostvars !== undefined) {
    const hv = layers.hostvars;
    if (typeof hv === 'function') {
      const groups = layers.magic?.['groups'];
      const all = layers.hostNames ?? (isMapping(groups) && Array.isArray(groups['all']) ? (groups['all'] as string[]) : []);
      out['hostvars'] = lazyHostvars(all, hv);
    } else out['hostvars'] = hv;
  }
  if (layers.loop) {
    const l = layers.loop;
    const name = l.var ?? 'item';
    out[name] = l.item;
    out['ansible_loop_var'] = name;
    out['ansible_loop'] = {
      index: l.index0 + 1,
      index0: l.index0,
      revindex: l.length - l.index0,
      revindex0: l.length - l.index0 - 1,
      first: l.index0 === 0,
      last: l.index0 === l.length - 1,
      length: l.length,
    };
    if (l.indexVar) {
      out[l.indexVar] = l.index0;
      out['ansible_index_var'] = l.indexVar;
    }
  }
  return out;
}

/** Order groups for their variables: `all` first, parents before children (by depth), then by name. */
export function sortGroupsForVars(groups: readonly string[], depth: (group: string) => number): string[] {
  return [...groups].sort((a, b) => (a === 'all' ? -1 : b === 'all' ? 1 : depth(a) - depth(b) || (a < b ? -1 : a > b ? 1 : 0)));
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `k=v k2='a b'` → pairs; quotes group, backslash escapes, values stay strings (as in Ansible). */
function parseKeyValues(arg: string): Vars {
  const out: Vars = {};
  let words: string[];
  try {
    words = shellSplit(arg);
  } catch (err) {
    if (err instanceof UnterminatedQuote) throw new UsageError(`-e ${arg}: unterminated ${err.quote} quote`);
    throw err;
  }
  for (const w of words) {
    const eq = w.indexOf('=');
    if (eq <= 0) throw new UsageError(`-e ${arg}: expected key=value, got '${w}'`, { hint: "use -e 'key=value', -e '{\"key\": 1}' or -e @file.yaml" });
    const key = w.slice(0, eq);
    if (!NAME.test(key)) throw new UsageError(`-e ${arg}: '${key}' is not a valid variable name`);
    out[key] = w.slice(eq + 1);
  }
  return out;
}

function asVarsMapping(data: unknown, what: string): Vars {
  if (data === null || data === undefined) return {};
  if (!isMapping(data)) throw new UsageError(`${what} must be a mapping of variables, not ${Array.isArray(data) ? 'a list' : typeof data}`);
  return data;
}

/**
 * The extra vars from every `-e`, later ones winning: `k=v` pairs (strings), JSON or YAML
 * mappings (`{"k": 1}`), and `@file` (JSON or YAML). `readFile` returns the file's text or its
 * already-parsed content.
 */
export function parseExtraVars(args: readonly string[], readFile: (p: string) => unknown): Vars {
  const out: Vars = {};
  for (const raw of args) {
    const arg = raw.trim();
    if (!arg) continue;
    let vars: Vars;
    if (arg.startsWith('@')) {
      const file = arg.slice(1);
      let data: unknown;
      try {
        data = readFile(file);
        if (typeof data === 'string') data = YAML.parse(data);
      } catch (e) {
        if (e instanceof UsageError) throw e;
        throw new UsageError(`-e @${file}: ${(e as Error).message.split('\n')[0]}`);
      }
      vars = asVarsMapping(data, `-e @${file}`);
    } else if (arg.startsWith('{') || arg.startsWith('[')) {
      let data: unknown;
      try {
        data = YAML.parse(arg);
      } catch (e) {
        throw new UsageError(`-e ${arg}: not valid JSON/YAML: ${(e as Error).message.split('\n')[0]}`);
      }
      vars = asVarsMapping(data, `-e ${arg}`);
    } else vars = parseKeyValues(arg);
    Object.assign(out, vars);
  }
  return out;
}
