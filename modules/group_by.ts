// group_by: puts the host in a group named from its variables, for later plays (the action plugin
// lib/ansible/plugins/action/group_by.py at v2.17.5: key, parents, spaces become dashes). The action
// says unchanged; the runner, like the strategy's _add_group (plugins/strategy/__init__.py, v2.14),
// reports changed when the host joined the group or a parent group.
import { defineModule } from '../engine/module-contract.js';

export interface GroupByArgs {
  key: string;
  parents?: string | string[];
}

export const group_by = defineModule<GroupByArgs>({
  name: 'group_by',
  summary: 'Put each host in a group named after its variables, for the plays that follow.',
  description:
    'Runs on the controller, once per host; the group exists for the rest of this run only. ' +
    'Spaces in the group name become dashes. Later plays target it with `hosts:` like any inventory group.',
  schema: {
    type: 'object',
    properties: {
      key: { type: 'string', minLength: 1, description: 'The name of the group, usually templated (`os_{{ ansible_distribution }}`).' },
      parents: {
        anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
        description: 'The group\'s parent groups (created when missing); default `all`.',
      },
    },
    required: ['key'],
    additionalProperties: false,
  },
  examples: [
    `- name: One group per distribution
  group_by:
    key: os_{{ ansible_distribution }}`,
    `- name: Web servers by tier, under a common parent
  group_by:
    key: "tier_{{ tier }}"
    parents: [tiers]`,
  ],
  returns: {
    add_group: { type: 'str', description: 'The group the host was put in.', returned: 'always' },
    parent_groups: { type: 'list', description: 'The parent groups of that group.', returned: 'always' },
  },
  controllerOnly: true,
  checkMode: true,
  async plan(ctx, a) {
    const group = a.key.replace(/ /g, '-');
    const parents = (a.parents === undefined ? ['all'] : typeof a.parents === 'string' ? [a.parents] : a.parents).map((p) => p.replace(/ /g, '-'));
    return {
      changed: false,
      addHosts: [{ name: ctx.host, groups: [group], vars: {}, parents }],
      data: { add_group: group, parent_groups: parents },
    };
  },
});

export default group_by;
