import { defineModule } from '../engine/module-contract.js';
import { formatMode } from './lib/mode.js';

export interface StatArgs {
  path: string;
  follow: boolean;
  get_checksum: boolean;
  checksum_algorithm: 'sha256';
}

export const stat = defineModule<StatArgs>({
  name: 'stat',
  summary: 'Report whether a path exists and what it is (type, mode, owner, size, checksum).',
  description:
    'The result is registered under `stat`: `{{#if st.stat.exists}}` or `when: st.stat.isdir`. ' +
    'Checksums are sha256 (Ansible defaults to sha1; gx computes only sha256).',
  schema: {
    type: 'object',
    properties: {
      path: { type: 'string', description: 'The path to examine.' },
      follow: { type: 'boolean', default: false, description: 'Follow a symbolic link and describe what it points to.' },
      get_checksum: { type: 'boolean', default: true, description: 'Compute the checksum of a regular file.' },
      checksum_algorithm: { type: 'string', enum: ['sha256'], default: 'sha256', description: 'The checksum algorithm; only sha256.' },
    },
    required: ['path'],
    additionalProperties: false,
  },
  examples: [
    `- name: Is k3s installed?
  stat:
    path: /usr/local/bin/k3s
  register: k3s_bin`,
    `- name: Install it only when missing
  command: /tmp/install-k3s.sh
  when: not k3s_bin.stat.exists`,
  ],
  returns: {
    stat: {
      type: 'dict',
      description:
        'exists, and when it exists: path, isdir, isreg, islnk, mode ("0644"), uid, gid, pw_name, gr_name, size, mtime, checksum (sha256, regular files), lnk_target (links).',
      returned: 'always',
    },
  },
  checkMode: true,
  async plan(ctx, a) {
    const st = await ctx.conn.stat(a.path, { followLinks: a.follow, checksum: a.get_checksum });
    if (!st) return { changed: false, data: { stat: { exists: false } } };
    const out: Record<string, unknown> = {
      exists: true,
      path: a.path,
      isdir: st.type === 'directory',
      isreg: st.type === 'file',
      islnk: st.type === 'link',
      mode: formatMode(st.mode),
      uid: st.uid,
      gid: st.gid,
      pw_name: st.owner,
      gr_name: st.group,
      size: st.size,
      mtime: st.mtime,
    };
    if (st.sha256 !== undefined) out.checksum = st.sha256;
    if (st.linkTarget !== undefined) out.lnk_target = st.linkTarget;
    return { changed: false, data: { stat: out } };
  },
});

export default stat;
