import { defineModule } from '../engine/module-contract.js';

export interface SetFactArgs {
  cacheable: boolean;
  [name: string]: unknown;
}

const BOOL_WORDS = new Set(['true', 'false', 'yes', 'no']);

export const set_fact = defineModule<SetFactArgs>({
  name: 'set_fact',
  summary: 'Set variables on the host for the tasks that follow.',
  description:
    'Every argument except `cacheable` becomes a host variable with that name and value, visible to later tasks and plays in this run ' +
    '(with the precedence of facts set by set_fact). It also applies in check mode, so later tasks see the values. ' +
    'This is the one module that accepts any argument name.',
  schema: {
    type: 'object',
    properties: {
      cacheable: { type: 'boolean', default: false, description: 'Accepted for Ansible compatibility; gx keeps no fact cache between runs, so it changes nothing.' },
    },
    propertyNames: { pattern: '^[A-Za-z_][A-Za-z0-9_]*$' },
  },
  examples: [
    `- name: Remember the API address
  set_fact:
    api_url: "https://{{ api_host }}:{{ api_port }}"
    api_ready: false`,
  ],
  returns: { ansible_facts: { type: 'dict', description: 'The variables set.', returned: 'always' } },
  controllerOnly: true,
  checkMode: true,
  // a value unknown in check mode is passed on as unknown, so later tasks plan with it
  acceptsUnknown: true,
  async plan(_ctx, a) {
    const facts: Record<string, unknown> = {};
    // Ansible's set_fact action (plugins/action/set_fact.py): the strings true/false/yes/no, any case, become booleans
    for (const [k, v] of Object.entries(a)) if (k !== 'cacheable') facts[k] = typeof v === 'string' && BOOL_WORDS.has(v.toLowerCase()) ? /^(true|yes)$/i.test(v) : v;
    return { changed: false, facts, data: { ansible_facts: facts } };
  },
});

export default set_fact;
