// tempfile: a fresh temporary file or directory on the host (lib/ansible/modules/tempfile.py at
// v2.17.5: same arguments and defaults; like Ansible's it has no check mode, so --check skips it).
import { defineModule } from '../engine/module-contract.js';

export interface TempfileArgs {
  state: 'file' | 'directory';
  path?: string;
  prefix: string;
  suffix: string;
}

export const tempfile = defineModule<TempfileArgs>({
  name: 'tempfile',
  summary: 'Create a temporary file or directory on the host and return its path.',
  description:
    'Made with `mktemp` (mode 0600 for a file, 0700 for a directory), 8 random characters between `prefix` and `suffix`. ' +
    'Always changed; nothing removes it afterwards: delete it with `file: state=absent` when done.',
  schema: {
    type: 'object',
    properties: {
      state: { type: 'string', enum: ['file', 'directory'], default: 'file', description: 'Create a file or a directory.' },
      path: { type: 'string', description: 'The directory to create it in; default `$TMPDIR` or /tmp on the host.' },
      prefix: { type: 'string', default: 'ansible.', description: 'The start of its name.' },
      suffix: { type: 'string', default: '', description: 'The end of its name.' },
    },
    additionalProperties: false,
  },
  examples: [
    `- name: A scratch directory
  tempfile:
    state: directory
    suffix: build
  register: scratch`,
  ],
  returns: { path: { type: 'str', description: 'The path of the file or directory created.', returned: 'success' } },
  checkMode: false,
  check(a) {
    return a.prefix?.includes('/') || a.suffix?.includes('/') ? ['prefix and suffix must not contain /; give the directory as `path`'] : [];
  },
  async plan(ctx, a) {
    const argv = ['mktemp'];
    if (a.state === 'directory') argv.push('-d');
    argv.push(a.path === undefined ? '--tmpdir' : `--tmpdir=${a.path}`);
    if (a.suffix !== '') argv.push(`--suffix=${a.suffix}`);
    argv.push('--', `${a.prefix}XXXXXXXX`);
    return {
      changed: true,
      apply: async () => {
        const r = await ctx.conn.run({ argv });
        if (r.rc !== 0) return { failed: true, msg: r.stderr.trim() || `mktemp failed with rc ${r.rc}` };
        return { data: { path: r.stdout.trim() } };
      },
    };
  },
});

export default tempfile;
