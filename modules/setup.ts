// setup: the host's facts (ansible_*) from ONE round trip: one shell script prints every raw
// source (modules/lib/facts/script.ts), the controller parses it (parse.ts). Arguments and return
// shape from lib/ansible/modules/setup.py at v2.17.5 (gather_subset, filter, gather_timeout).
import { defineModule } from '../engine/module-contract.js';
import { parseFacts } from './lib/facts/parse.js';
import { factScript, splitSections, SUBSET_SECTIONS } from './lib/facts/script.js';
import { localFactsScript, parseLocalFacts } from './lib/facts/local.js';
// fnmatch, as the setup filter uses it
import { globToRegExp } from '../engine/inventory/patterns.js';

export interface SetupArgs {
  gather_subset: string | string[];
  gather_timeout: number;
  filter: string | string[];
  fact_path: string;
}

type Subset = keyof typeof SUBSET_SECTIONS;
const SUBSETS = Object.keys(SUBSET_SECTIONS) as Subset[];
// Ansible's finer subset names, by the gx subset that gathers them
const ALIASES: Record<string, Subset> = {
  hardware: 'hardware', devices: 'hardware', mounts: 'hardware', processor: 'hardware', memory: 'hardware',
  network: 'network', interfaces: 'network', default_ipv4: 'network', all_ipv4_addresses: 'network',
  virtual: 'virtual', virtualization: 'virtual',
  min: 'min', platform: 'min', distribution: 'min', env: 'min', user: 'min', date_time: 'min', dns: 'min', lsb: 'min', pkg_mgr: 'min', service_mgr: 'min', python: 'min', selinux: 'min',
};

/** The gx subsets a gather_subset asks for (min unless `!min`, like Ansible). */
export function chosenSubsets(spec: string | string[]): Set<Subset> | string {
  const items = (Array.isArray(spec) ? spec : spec.split(',')).map((s) => s.trim()).filter(Boolean);
  const on = new Set<Subset>(['min']);
  const off = new Set<Subset>();
  for (const raw of items) {
    const neg = raw.startsWith('!');
    const name = neg ? raw.slice(1) : raw;
    if (name === 'all') {
      for (const s of SUBSETS) (neg ? off : on).add(s);
      if (neg) on.clear();
      continue;
    }
    const s = ALIASES[name];
    if (s === undefined) return `Bad subset '${name}' given to Ansible. gather_subset options allowed: all, ${[...Object.keys(ALIASES)].sort().join(', ')}`;
    if (neg) off.add(s);
    else on.add(s);
  }
  if (items.length === 0) for (const s of SUBSETS) on.add(s);
  if (!items.includes('!min')) off.delete('min');
  for (const s of off) on.delete(s);
  return on;
}

export const setup = defineModule<SetupArgs>({
  name: 'setup',
  // ansible.builtin.gather_facts, the action Ansible's implicit gathering runs, takes the same arguments here
  aliases: ['gather_facts'],
  summary: 'Gather facts about the host (ansible_hostname, ansible_distribution, ansible_default_ipv4, …) in one round trip.',
  description:
    'Each fact becomes a host variable named `ansible_<fact>` and a key of `ansible_facts` (without the prefix), as in Ansible. ' +
    'A play gathers them first with `gather_facts: true`; without `gather_facts`, gx gathers on the first task that reads a fact on that host; ' +
    '`gather_facts: false` never gathers. Facts: hostname, fqdn, nodename, domain, system, kernel, kernel_version, machine, architecture, ' +
    'os_family, distribution, distribution_version, distribution_major_version, distribution_release, lsb, user_id, user_uid, user_gid, user_dir, user_shell, env, ' +
    'date_time, dns, pkg_mgr, service_mgr, python, python_version, selinux (subset min); processor, processor_count, processor_cores, processor_vcpus, ' +
    'memtotal_mb, memfree_mb, swaptotal_mb, mounts (hardware); default_ipv4, all_ipv4_addresses, all_ipv6_addresses, interfaces and one fact per interface ' +
    '(`ansible_eth0.ipv4.address`, macaddress, mtu, ipv6, …) (network); virtualization_type, virtualization_role (virtual); ansible_local (the *.fact files of fact_path, subset min). No ansible_devices.',
  schema: {
    type: 'object',
    properties: {
      gather_subset: {
        anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
        default: ['all'],
        description: 'What to gather: `all`, `min`, `hardware`, `network`, `virtual`, or Ansible\'s finer names; `!name` leaves one out. `min` is always gathered unless `!min`.',
      },
      gather_timeout: { type: 'integer', minimum: 1, default: 10, description: 'Give up gathering after this many seconds.' },
      filter: {
        anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
        default: [],
        description: 'Only the facts whose names match one of these shell-style patterns (`ansible_distribution*`; with or without the `ansible_` prefix).',
      },
      fact_path: {
        type: 'string',
        default: '/etc/ansible/facts.d',
        description: 'Where local facts live on the host: each NAME.fact (JSON or INI; run when executable, its output read) becomes `ansible_local.NAME`.',
      },
    },
    additionalProperties: false,
  },
  examples: [
    `- name: Gather only the basics
  setup:
    gather_subset: [min]`,
    `- name: Just the distribution facts
  setup:
    filter: ansible_distribution*`,
  ],
  returns: { ansible_facts: { type: 'dict', description: 'The facts, by name with the ansible_ prefix (the host variable `ansible_facts` has them without it).', returned: 'always' } },
  checkMode: true,
  check(a) {
    const c = chosenSubsets(a.gather_subset ?? ['all']);
    return typeof c === 'string' ? [c] : [];
  },
  async plan(ctx, a) {
    const subsets = chosenSubsets(a.gather_subset) as Set<Subset>;
    const sections = Object.assign({}, ...[...subsets].map((s) => SUBSET_SECTIONS[s])) as Record<string, string>;
    if (subsets.has('min')) sections.local = localFactsScript(a.fact_path);
    const r = await ctx.conn.run({ shell: factScript(sections), timeoutMs: a.gather_timeout * 1000 });
    if (r.timedOut) return { changed: false, failed: true, msg: `Timeout (${a.gather_timeout}s) waiting for the facts to be gathered` };
    const raw = splitSections(r.stdout);
    let facts = parseFacts(raw);
    if (raw.has('local')) facts.local = parseLocalFacts(raw.get('local'));
    const filters = (Array.isArray(a.filter) ? a.filter : a.filter === '' ? [] : a.filter.split(',')).map((p) => globToRegExp(p.trim().replace(/^ansible_/, '')));
    if (filters.length > 0) facts = Object.fromEntries(Object.entries(facts).filter(([k]) => filters.some((re) => re.test(k))));
    facts.gather_subset = Array.isArray(a.gather_subset) ? a.gather_subset : [a.gather_subset];
    facts.module_setup = true;
    // the module's own result names them with the prefix (`r.ansible_facts.ansible_user_id`), as
    // Ansible's setup returns them; the host's `ansible_facts` variable has them without it
    const returned = Object.fromEntries(Object.entries(facts).map(([k, v]) => [k === 'gather_subset' || k === 'module_setup' || k.startsWith('ansible_') ? k : `ansible_${k}`, v]));
    return { changed: false, facts: factVariables(facts, ctx.vars.ansible_facts), data: { ansible_facts: returned } };
  },
});

export default setup;

/** Facts as host variables: `ansible_<name>` each, and all of them (with those gathered before) under `ansible_facts`. */
export function factVariables(facts: Record<string, unknown>, before: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(facts)) out[k.startsWith('ansible_') ? k : `ansible_${k}`] = v;
  const old = before && typeof before === 'object' && !Array.isArray(before) ? (before as Record<string, unknown>) : {};
  out.ansible_facts = { ...old, ...facts };
  return out;
}
