// add_host: how the gauntlet reaches the Multipass VM it has just created. Like Ansible's, it runs
// once for the play, not once per host.
import { defineModule } from '../engine/module-contract.js';

export interface AddHostArgs {
  name?: string;
  hostname?: string;
  host?: string;
  groups?: string | string[];
  groupname?: string | string[];
  group?: string | string[];
  [hostVar: string]: unknown;
}

// lib/ansible/plugins/action/add_host.py (v2.14): the name's and the groups' other spellings, and
// the arguments that are not host variables (`host` and `group` still are, as there)
const SPECIAL = new Set(['name', 'hostname', 'groupname', 'groups']);

export const add_host = defineModule<AddHostArgs>({
  name: 'add_host',
  aliases: ['add-host'],
  summary: "Add a host and its variables to the run's inventory, for later plays.",
  description:
    'Every argument besides `name` and `groups` (and their other spellings `hostname`, `groupname`) becomes a variable of the new host (ansible_host, ansible_user, …); ' +
    'the arguments may be one templated dictionary (`add_host: "{{ host_data }}"`). ' +
    'The host exists for the rest of this run only. In check mode the host is added even when its address is not known ' +
    'yet (the machine would be created by an earlier task): its tasks are then reported as "would run" instead of unreachable.',
  schema: {
    type: 'object',
    properties: {
      name: { type: 'string', minLength: 1, description: 'The inventory name of the host (also `hostname` or `host`); `name:port` sets ansible_ssh_port.' },
      hostname: { type: 'string', minLength: 1, description: 'Another name for `name`.' },
      host: { type: 'string', minLength: 1, description: 'Another name for `name` (also kept as a host variable, as in Ansible).' },
      groups: {
        anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
        description: 'Groups to put the host in (a list, or a comma-separated string); `all` is implied. Also `groupname` or `group`.',
      },
      groupname: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }], description: 'Another name for `groups`.' },
      group: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }], description: 'Another name for `groups` (also kept as a host variable, as in Ansible).' },
    },
    propertyNames: { pattern: '^[A-Za-z_][A-Za-z0-9_]*$' },
  },
  examples: [
    `- name: the new VM becomes a host
  add_host:
    name: gauntlet
    groups: [k3s]
    ansible_host: "{{ vm.ipv4 }}"
    ansible_user: ubuntu`,
  ],
  returns: {
    add_host: { type: 'dict', description: 'host_name, groups and host_vars of the host added.', returned: 'always' },
  },
  controllerOnly: true,
  checkMode: true,
  acceptsUnknown: true,
  bypassHostLoop: true,
  check(a) {
    return (a.name ?? a.hostname ?? a.host) === undefined ? ['name, host or hostname needs to be provided'] : [];
  },
  async plan(_ctx, a) {
    let name = (a.name ?? a.hostname ?? a.host)!;
    const vars: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(a)) if (!SPECIAL.has(k)) vars[k] = v;
    // host:port (not an IPv6 address): the port becomes ansible_ssh_port, as parse_address gives it
    const hostPort = /^([^:[\]]+):(\d+)$/.exec(name) ?? /^\[([^\]]+)\]:(\d+)$/.exec(name);
    if (hostPort) {
      name = hostPort[1]!;
      vars.ansible_ssh_port = Number(hostPort[2]);
    }
    const given = a.groupname ?? a.groups ?? a.group;
    const groups = [...new Set((Array.isArray(given) ? given : typeof given === 'string' ? given.split(',') : []).map((g) => g.trim()).filter(Boolean))];
    return {
      changed: true,
      addHosts: [{ name, groups, vars }],
      data: { add_host: { host_name: name, groups, host_vars: vars } },
    };
  },
});

export default add_host;
