// copy: puts a file from the controller (the play's or role's files/), or given content, on the host.
import { posix } from 'node:path';
import { ModuleArgsError, ModuleError } from '../engine/errors.js';
import type { ModuleDefinition } from '../engine/module-contract.js';
import { planWrite, writeProperties, writeReturns, type WriteArgs } from './lib/write-file.js';

export interface CopyArgs extends WriteArgs {
  src?: string;
  content?: string;
  remote_src: boolean;
}

export const copy: ModuleDefinition<CopyArgs> = {
  name: 'copy',
  summary: 'Copy a file from the controller, or given content, to the host.',
  description:
    'The file is compared by sha256 and only written when it differs, atomically (a temporary file in the same directory, renamed over the old one). ' +
    'A relative `src` is looked up in the role\'s `files/` first, then in the playbook\'s `files/`. ' +
    'With --diff the change is shown as a text diff; check mode reports what would change without writing.',
  schema: {
    type: 'object',
    properties: {
      src: {
        type: 'string',
        description: "The file to copy: relative to the role's or playbook's files/ directory, or absolute on the controller (on the host with remote_src).",
      },
      content: { type: 'string', description: 'The text to write instead of a src file.' },
      remote_src: { type: 'boolean', default: false, description: 'src is a file on the host itself, not on the controller.' },
      ...writeProperties,
    },
    required: ['dest'],
    additionalProperties: false,
  },
  examples: [
    `- name: Install the registry config
  copy:
    src: registries.yaml
    dest: /etc/rancher/k3s/registries.yaml
    mode: '0600'
    owner: root
    group: root`,
    `- name: Write a small file from text
  copy:
    content: |
      net.ipv4.ip_forward = 1
    dest: /etc/sysctl.d/90-forward.conf
    backup: true`,
    `- name: A sudoers drop-in, checked before it is installed
  copy:
    content: "deploy ALL=(ALL) NOPASSWD: ALL\\n"
    dest: /etc/sudoers.d/deploy
    mode: '0440'
    validate: visudo -cf %s`,
  ],
  returns: { ...writeReturns, src: { type: 'str', description: 'The source file used.', returned: 'when src is given' } },
  checkMode: true,
  async plan(ctx, a) {
    if ((a.src === undefined) === (a.content === undefined)) {
      throw new ModuleArgsError('copy: give exactly one of src and content', { loc: ctx.loc });
    }
    if (a.content !== undefined) return planWrite(ctx, a, { bytes: Buffer.from(a.content, 'utf8') });
    const from = a.remote_src ? ctx.conn : ctx.local;
    const path = a.remote_src ? a.src! : await ctx.findFile(a.src!, 'files');
    const st = await from.stat(path, { followLinks: true });
    if (!st) throw new ModuleError(`copy: source ${path} does not exist${a.remote_src ? ' on the host' : ''}`);
    if (st.type === 'directory') throw new ModuleError(`copy: source ${path} is a directory; gx copies single files (use a loop or synchronize-like tooling)`);
    const bytes = await from.get(path);
    if (!bytes) throw new ModuleError(`copy: source ${path} could not be read`);
    return planWrite(ctx, a, { bytes, basename: posix.basename(a.src!), srcMode: st.mode, src: path });
  },
};

export default copy;
