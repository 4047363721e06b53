import { defineModule } from '../engine/module-contract.js';
import { ModuleError } from '../engine/errors.js';
import { ACCOUNT_NAME, getGroup } from './lib/account-db.js';
import { mustRunTool } from './lib/host-tool.js';

export interface GroupArgs {
  name: string;
  state?: 'present' | 'absent';
  gid?: number;
  system?: boolean;
}

export interface GroupData {
  name: string;
  state: string;
  gid?: number;
  system?: boolean;
}

export const group = defineModule<GroupArgs, GroupData>({
  name: 'group',
  summary: 'Add, change or remove a group.',
  description: 'Creates the group with groupadd (`system` makes it a system group), sets its gid with groupmod, or removes it with groupdel. State is read with getent.',
  schema: {
    type: 'object',
    properties: {
      name: { type: 'string', pattern: ACCOUNT_NAME, description: 'The group.' },
      state: { type: 'string', enum: ['present', 'absent'], default: 'present', description: 'Whether the group exists.' },
      gid: { type: 'integer', minimum: 0, description: 'The group id; changed with groupmod when it differs.' },
      system: { type: 'boolean', default: false, description: 'Create a system group (gid from the system range). Only used when creating.' },
    },
    required: ['name'],
    additionalProperties: false,
  },
  examples: [
    `- name: A group for the API
  group:
    name: gxapi
    system: true`,
    `- name: Fixed gid, matching the NFS server
  group:
    name: media
    gid: 2001`,
  ],
  returns: {
    name: { type: 'str', description: 'The group.', returned: 'always' },
    state: { type: 'str', description: 'The asked state.', returned: 'always' },
    gid: { type: 'int', description: 'The group id (after the task; predicted in check mode when gid is given).', returned: 'state=present' },
    system: { type: 'bool', description: 'Whether it was asked to be a system group.', returned: 'state=present' },
  },
  checkMode: true,
  async plan(ctx, a) {
    const state = a.state ?? 'present';
    const cur = await getGroup(ctx, a.name);
    if (state === 'absent') {
      const data: GroupData = { name: a.name, state };
      if (!cur) return { changed: false, data };
      return {
        changed: true,
        msg: `remove group ${a.name}`,
        data,
        apply: async () => {
          await mustRunTool(ctx, ['groupdel', a.name], { providedBy: 'passwd' });
          return {};
        },
      };
    }
    const data: GroupData = { name: a.name, state, gid: a.gid ?? cur?.gid, system: a.system ?? false };
    let argv: string[] | undefined;
    if (!cur) argv = ['groupadd', ...(a.gid !== undefined ? ['-g', String(a.gid)] : []), ...(a.system ? ['-r'] : []), a.name];
    else if (a.gid !== undefined && a.gid !== cur.gid) argv = ['groupmod', '-g', String(a.gid), a.name];
    if (!argv) return { changed: false, data };
    const cmd = argv;
    return {
      changed: true,
      msg: cur ? `gid ${cur.gid} -> ${a.gid}` : `add group ${a.name}`,
      data,
      apply: async () => {
        await mustRunTool(ctx, cmd, { providedBy: 'passwd' });
        const now = await getGroup(ctx, a.name);
        if (!now) throw new ModuleError(`${cmd[0]} succeeded but getent does not see group ${a.name}`);
        return { data: { ...data, gid: now.gid } };
      },
    };
  },
});

export default group;
