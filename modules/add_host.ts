// add_host: how the gauntlet reaches the Multipass VM it has just created. Like Ansible's, it runs
// once for the play, not once per host.
import { defineModule } from '../engine/module-contract.js';

export interface AddHostArgs {
  name: string;
  groups?: string | string[];
  [hostVar: string]: unknown;
}

export const add_host = defineModule<AddHostArgs>({
  name: 'add_host',
  aliases: ['add-host'],
  summary: "Add a host and its variables to the run's inventory, for later plays.",
  description:
    'Every argument besides `name` and `groups` becomes a variable of the new host (ansible_host, ansible_user, …). ' +
    'The host exists for the rest of this run only. In check mode the host is added even when its address is not known ' +
    'yet (the machine would be created by an earlier task): its tasks are then reported as "would run" instead of unreachable.',
  schema: {
    type: 'object',
    properties: {
      name: { type: 'string', minLength: 1, description: 'The inventory name of the host (Ansible also accepts `hostname` and `host`).' },
      groups: {
        anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
        description: 'Groups to put the host in (a list, or a comma-separated string); `all` is implied.',
      },
    },
    required: ['name'],
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
  async plan(_ctx, a) {
    const groups = (Array.isArray(a.groups) ? a.groups : typeof a.groups === 'string' ? a.groups.split(',') : []).map((g) => g.trim()).filter(Boolean);
    const vars: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(a)) if (k !== 'name' && k !== 'groups') vars[k] = v;
    return {
      changed: true,
      addHosts: [{ name: a.name, groups, vars }],
      data: { add_host: { host_name: a.name, groups, host_vars: vars } },
    };
  },
});

export default add_host;
