import { ModuleError } from '../engine/errors.js';
import { defineModule, type Plan } from '../engine/module-contract.js';

type Action = NonNullable<Plan['control']>;

/** Ansible's meta actions gx refuses, with what to write instead. */
const UNSUPPORTED: Record<string, string> = {
  refresh_inventory: 'gx reads the inventory once, before the run; add hosts during the run with add_host',
  clear_facts: 'gx gathers no facts to clear; set the variable again with set_fact',
  role_complete: 'end the role early with a block and when: instead',
};

export interface MetaArgs {
  free_form: Action | keyof typeof UNSUPPORTED;
}

export const meta = defineModule<MetaArgs>({
  name: 'meta',
  summary: 'Control the run: flush handlers, end the play or the host, clear host errors.',
  description:
    'flush_handlers runs the handlers notified so far, here instead of at the end of the play; end_play stops the play for all hosts; ' +
    'end_batch ends the current serial batch (the next batch goes on; without serial it ends the play); ' +
    'end_host stops it for the current host; clear_host_errors puts failed and unreachable hosts back into the play; noop does nothing; ' +
    'reset_connection closes the host\'s connection so the next task logs in again (e.g. to pick up a new group membership). ' +
    'refresh_inventory, clear_facts and role_complete are refused with what to do instead. ' +
    'It acts in check mode too.',
  freeForm: 'free_form',
  schema: {
    type: 'object',
    properties: {
      free_form: {
        type: 'string',
        enum: ['flush_handlers', 'end_play', 'end_batch', 'end_host', 'noop', 'clear_host_errors', 'reset_connection', ...Object.keys(UNSUPPORTED)],
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
    const why = UNSUPPORTED[a.free_form];
    if (why !== undefined) throw new ModuleError(`meta: ${a.free_form} is not supported by gx: ${why}`);
    return { changed: false, control: a.free_form as Action };
  },
});

export default meta;
