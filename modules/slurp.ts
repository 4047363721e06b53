// slurp: a file from the host, base64-encoded, into a registered variable (lib/ansible/modules/slurp.py
// at v2.17.5: same arguments, messages and return keys).
import { defineModule } from '../engine/module-contract.js';

export interface SlurpArgs {
  src: string;
}

export const slurp = defineModule<SlurpArgs>({
  name: 'slurp',
  summary: 'Read a file on the host into a registered variable, base64-encoded.',
  description: 'Decode it with `| b64decode`. The whole file is held in memory: meant for keys, tokens and small config files.',
  schema: {
    type: 'object',
    properties: {
      src: { type: 'string', description: 'The file on the host to read (alias `path`). Must be a file, not a directory.' },
      path: { type: 'string', description: 'Another name for `src`.' },
    },
    additionalProperties: false,
  },
  examples: [
    `- name: Fetch the cluster token
  slurp:
    src: /var/lib/rancher/k3s/server/node-token
  register: token
  become: true`,
    `- debug:
    msg: "{{ token.content | b64decode }}"`,
  ],
  returns: {
    content: { type: 'str', description: 'The file\'s bytes, base64-encoded.', returned: 'success' },
    encoding: { type: 'str', description: 'Always `base64`.', returned: 'success' },
    source: { type: 'str', description: 'The file that was read.', returned: 'success' },
  },
  checkMode: true,
  check(a) {
    return (a.src === undefined) === ((a as { path?: string }).path === undefined) ? ['give the file as `src` (or its alias `path`), once'] : [];
  },
  async plan(ctx, a) {
    const src = a.src ?? (a as { path?: string }).path!;
    const st = await ctx.conn.stat(src, { followLinks: true });
    if (!st) return { changed: false, failed: true, msg: `file not found: ${src}` };
    if (st.type === 'directory') return { changed: false, failed: true, msg: `source is a directory and must be a file: ${src}` };
    let bytes: Buffer | null;
    try {
      bytes = await ctx.conn.get(src);
    } catch (err) {
      return { changed: false, failed: true, msg: `file is not readable: ${src} (${err instanceof Error ? err.message : String(err)})` };
    }
    if (bytes === null) return { changed: false, failed: true, msg: `file not found: ${src}` };
    return { changed: false, data: { content: bytes.toString('base64'), source: src, encoding: 'base64' } };
  },
});

export default slurp;
