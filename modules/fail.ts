import { defineModule } from '../engine/module-contract.js';

export interface FailArgs {
  msg: string;
}

export const fail = defineModule<FailArgs>({
  name: 'fail',
  summary: 'Fail the task with a message.',
  schema: {
    type: 'object',
    properties: {
      msg: { type: 'string', default: 'Failed as requested from task', description: 'Why it fails.' },
    },
    additionalProperties: false,
  },
  examples: [
    `- name: Refuse an unsupported system
  fail:
    msg: "gx's gauntlet needs Ubuntu, not {{ ansible_distribution }}"
  when: ansible_distribution != 'Ubuntu'`,
  ],
  returns: { msg: { type: 'str', description: 'The message.', returned: 'always' } },
  controllerOnly: true,
  checkMode: true,
  async plan(_ctx, a) {
    return { changed: false, failed: true, msg: a.msg };
  },
});

export default fail;
