// user: supplementary groups are read with `id -Gn`, the password hash with `getent shadow`.
// force, password and update_password as lib/ansible/modules/user.py at v2.17.5 (userdel -f;
// useradd/usermod -p with the crypted hash; 'always' compares the hash, '!' of a lock ignored).
import { defineModule } from '../engine/module-contract.js';
import { ModuleError } from '../engine/errors.js';
import { ACCOUNT_NAME, getGroup, getUser, shadowHash, supplementaryGroups } from './lib/account-db.js';
import { mustRunTool } from './lib/host-tool.js';

export interface UserArgs {
  name: string;
  state?: 'present' | 'absent';
  uid?: number;
  group?: string;
  groups?: string | string[];
  append?: boolean;
  shell?: string;
  home?: string;
  create_home?: boolean;
  createhome?: boolean;
  system?: boolean;
  comment?: string;
  remove?: boolean;
  force?: boolean;
  password?: string;
  update_password?: 'always' | 'on_create';
}

export interface UserData {
  name: string;
  state: string;
  uid?: number;
  group?: number;
  groups?: string[];
  home?: string;
  shell?: string;
  comment?: string;
  system?: boolean;
  password?: string;
}

function groupList(g: string | string[] | undefined): string[] | undefined {
  if (g === undefined) return undefined;
  return (Array.isArray(g) ? g : [g]).flatMap((s) => String(s).split(',')).map((s) => s.trim()).filter(Boolean);
}

export const user = defineModule<UserArgs, UserData>({
  name: 'user',
  summary: 'Add, change or remove a user account.',
  description:
    'Creates the account with useradd, changes uid, primary group, supplementary groups, shell, home, comment and password with usermod where they differ, or removes it with userdel (`remove` also deletes the home directory, `force` removes it even while the user is logged in). `groups` replaces the supplementary groups unless `append` is true; an empty list removes them all. ' +
    '`password` is a crypted hash (`mkpasswd -m sha-512`, or `| password_hash`), compared with the shadow entry, which needs root (become).',
  schema: {
    type: 'object',
    properties: {
      name: { type: 'string', pattern: ACCOUNT_NAME, description: 'The account name.' },
      state: { type: 'string', enum: ['present', 'absent'], default: 'present', description: 'Whether the account exists.' },
      uid: { type: 'integer', minimum: 0, description: 'The user id.' },
      group: { type: 'string', description: 'Primary group (name or gid). Default on creation: a new group named like the user.' },
      groups: { type: ['array', 'string'], items: { type: 'string' }, description: 'Supplementary groups (list, or comma-separated string).' },
      append: { type: 'boolean', default: false, description: 'Add the user to `groups` without removing it from others.' },
      shell: { type: 'string', description: 'Login shell.' },
      home: { type: 'string', description: 'Home directory (usermod -d does not move its content).' },
      create_home: { type: 'boolean', default: true, description: 'On creation, create the home directory (useradd -m) or not (-M).' },
      createhome: { type: 'boolean', description: 'Another name for `create_home` (Ansible\'s alias).' },
      system: { type: 'boolean', default: false, description: 'On creation, make a system account (uid from the system range, useradd -r).' },
      comment: { type: 'string', description: 'The GECOS field (full name).' },
      remove: { type: 'boolean', default: false, description: 'With state=absent: also remove the home directory and mail spool (userdel -r).' },
      force: { type: 'boolean', default: false, description: 'With state=absent: remove the account even while the user is logged in (userdel -f).' },
      password: { type: 'string', description: 'The password as a crypted hash (e.g. $6$…), never the clear text; masked in every output.' },
      update_password: {
        type: 'string',
        enum: ['always', 'on_create'],
        default: 'always',
        description: 'always: set the password when the hash differs; on_create: only when the account is created.',
      },
    },
    required: ['name'],
    additionalProperties: false,
  },
  examples: [
    `- name: The deploy user, in docker and sudo
  user:
    name: deploy
    shell: /bin/bash
    groups: [docker, sudo]
    append: true`,
    `- name: A system account for the API, no login, no home
  user:
    name: gxapi
    system: true
    create_home: false
    shell: /usr/sbin/nologin`,
  ],
  returns: {
    name: { type: 'str', description: 'The account.', returned: 'always' },
    state: { type: 'str', description: 'The asked state.', returned: 'always' },
    uid: { type: 'int', description: 'User id after the task.', returned: 'state=present (predicted in check mode when known)' },
    group: { type: 'int', description: 'Primary gid after the task.', returned: 'state=present, when known' },
    groups: { type: 'list', description: 'Supplementary group names after the task.', returned: 'state=present, when known' },
    home: { type: 'str', description: 'Home directory.', returned: 'state=present, when known' },
    shell: { type: 'str', description: 'Login shell.', returned: 'state=present, when known' },
    password: { type: 'str', description: "Always 'NOT_LOGGING_PASSWORD', as Ansible's.", returned: 'when password is given' },
  },
  checkMode: true,
  async plan(ctx, a) {
    const state = a.state ?? 'present';
    const cur = await getUser(ctx, a.name);
    if (state === 'absent') {
      const data: UserData = { name: a.name, state };
      if (!cur) return { changed: false, data };
      const argv = ['userdel', ...(a.force ? ['-f'] : []), ...(a.remove ? ['-r'] : []), a.name];
      return {
        changed: true,
        msg: `remove user ${a.name}`,
        data,
        apply: async () => {
          await mustRunTool(ctx, argv, { providedBy: 'passwd' });
          return {};
        },
      };
    }
    const warnings: string[] = [];
    if (a.password !== undefined) {
      ctx.secret(a.password);
      // user.py's check: a crypted hash starts with $ (or is a lock/disabled marker)
      if (!/^(\$|!|\*|$)/.test(a.password) && a.password.length < 13) {
        warnings.push("The input password appears not to have been hashed. The 'password' argument must be encrypted for this module to work properly.");
      }
    }
    const wantGroups = groupList(a.groups);
    let argv: string[] | undefined;
    let msg = '';
    let groupsAfter: string[] | undefined;
    if (!cur) {
      argv = [
        'useradd',
        ...(a.uid !== undefined ? ['-u', String(a.uid)] : []),
        ...(a.group !== undefined ? ['-g', a.group] : []),
        ...(wantGroups && wantGroups.length ? ['-G', wantGroups.join(',')] : []),
        ...(a.shell !== undefined ? ['-s', a.shell] : []),
        ...(a.home !== undefined ? ['-d', a.home] : []),
        ...(a.comment !== undefined ? ['-c', a.comment] : []),
        ...(a.system ? ['-r'] : []),
        ...(a.password !== undefined ? ['-p', a.password] : []),
        (a.createhome ?? a.create_home) === false ? '-M' : '-m',
        a.name,
      ];
      msg = `add user ${a.name}`;
    } else {
      const opts: string[] = [];
      const what: string[] = [];
      if (a.uid !== undefined && a.uid !== cur.uid) (opts.push('-u', String(a.uid)), what.push(`uid ${cur.uid} -> ${a.uid}`));
      const primary = await getGroup(ctx, String(cur.gid));
      const primaryName = primary?.name ?? String(cur.gid);
      if (a.group !== undefined && a.group !== primaryName && a.group !== String(cur.gid)) (opts.push('-g', a.group), what.push(`group ${primaryName} -> ${a.group}`));
      if (wantGroups) {
        const have = await supplementaryGroups(ctx, a.name, primaryName);
        // the primary group never counts as a supplementary one
        const newPrimary = a.group ?? primaryName;
        const want = wantGroups.filter((g) => g !== newPrimary);
        groupsAfter = a.append ? [...have, ...want.filter((g) => !have.includes(g))] : want;
        if (a.append) {
          const missing = want.filter((g) => !have.includes(g));
          if (missing.length) (opts.push('-a', '-G', missing.join(',')), what.push(`groups +${missing.join(',')}`));
        } else if ([...want].sort().join(',') !== [...have].sort().join(',')) {
          opts.push('-G', want.join(','));
          what.push(`groups ${have.join(',') || '(none)'} -> ${want.join(',') || '(none)'}`);
        }
      }
      if (a.shell !== undefined && a.shell !== cur.shell) (opts.push('-s', a.shell), what.push(`shell ${cur.shell} -> ${a.shell}`));
      if (a.home !== undefined && a.home !== cur.home) (opts.push('-d', a.home), what.push(`home ${cur.home} -> ${a.home}`));
      if (a.comment !== undefined && a.comment !== cur.comment) (opts.push('-c', a.comment), what.push('comment'));
      if (a.password !== undefined && (a.update_password ?? 'always') === 'always') {
        const hash = await shadowHash(ctx, a.name);
        if (hash.replace(/^!+/, '') !== a.password.replace(/^!+/, '')) (opts.push('-p', a.password), what.push('password'));
      }
      if (opts.length) argv = ['usermod', ...opts, a.name];
      msg = what.join(', ');
    }
    const predicted: UserData = {
      name: a.name,
      state,
      ...((a.uid ?? cur?.uid) !== undefined ? { uid: a.uid ?? cur?.uid } : {}),
      ...(cur ? { group: cur.gid, home: a.home ?? cur.home, shell: a.shell ?? cur.shell } : {}),
      ...(groupsAfter ? { groups: groupsAfter } : {}),
      ...(a.system !== undefined ? { system: a.system } : {}),
      ...(a.password !== undefined ? { password: 'NOT_LOGGING_PASSWORD' } : {}),
    };
    if (!argv) return { changed: false, data: predicted, warnings };
    const cmd = argv;
    return {
      changed: true,
      msg,
      data: predicted,
      warnings,
      apply: async () => {
        await mustRunTool(ctx, cmd, { providedBy: 'passwd' });
        const now = await getUser(ctx, a.name);
        if (!now) throw new ModuleError(`${cmd[0]} succeeded but getent does not see user ${a.name}`);
        const primary = await getGroup(ctx, String(now.gid));
        const groups = await supplementaryGroups(ctx, a.name, primary?.name ?? String(now.gid));
        return {
          data: {
            name: a.name, state, uid: now.uid, group: now.gid, groups, home: now.home, shell: now.shell, comment: now.comment,
            ...(a.system !== undefined ? { system: a.system } : {}),
            ...(a.password !== undefined ? { password: 'NOT_LOGGING_PASSWORD' } : {}),
          },
        };
      },
    };
  },
});

export default user;
