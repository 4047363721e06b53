import { defineModule, type Plan } from '../engine/module-contract.js';

type Action = NonNullable<Plan['control']>;

export interface MetaArgs {
  free_form: Action;
}

export const meta = defineModule<MetaArgs>({
  name: 'meta',
  summary: 'Control the run: flush handlers, end the play or the host, clear host errors.',
  description:
    'flush_handlers runs the handlers notified so far, here instead of at the end of the play; end_play stops the play for all hosts; ' +
    'end_host stops it for the current host; clear_host_errors puts failed hosts back into the play; noop does nothing. ' +
    'It acts in check mode too.',
  freeForm: 'free_form',
  schema: {
    type: 'object',
    properties: {
      free_form: {
        type: 'string',
        enum: ['flush_handlers', 'end_play', 'end_host', 'noop', 'clear_host_errors'],
        description: 'The action, written as the module\'s value: `meta: flush_handlers`.',
      },
    },
    required: ['free_form'],
    additionalProperties: false,
  },
  examples: [
    `- name: Restart now, not at the end of the play
  meta: flush_handlers`,
    `- name: Nothing more to do on hosts that are already done
  meta: end_host
  when: already_installed`,
  ],
  returns: {},
  controllerOnly: true,
  checkMode: true,
  async plan(_ctx, a) {
    return { changed: false, control: a.free_form };
  },
});

export default meta;
