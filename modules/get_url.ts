// get_url: the host downloads, as in Ansible, because the VM usually reaches the URL (e.g. a
// registry on its own network) and the controller may not. With force, check mode downloads too: a
// download is a read (the temp file is compared with dest, which is not touched, then removed).
import { posix } from 'node:path';
import { defineModule, type ModuleContext } from '../engine/module-contract.js';
import type { FileStat } from '../engine/connect/connection.js';
import { ModuleError } from '../engine/errors.js';
import { applyAttrs, attrChanges, attrProperties, changePhrases, hasChanges, NEW_FILE_MODE } from './lib/attrs.js';
import { mustRunTool } from './lib/host-tool.js';
import { findFetcher, hostDigest, hostDownload, maskSecretHeaders, parseChecksum, type Fetcher } from './lib/host-http.js';
import { formatMode, parseMode } from './lib/mode.js';

export interface GetUrlArgs {
  url: string;
  dest: string;
  checksum?: string;
  force?: boolean;
  headers?: Record<string, string>;
  timeout?: number;
  validate_certs?: boolean;
  mode?: string | number;
  owner?: string;
  group?: string;
}

export interface GetUrlData {
  url: string;
  dest: string;
  /** sha256 of dest after the task (before it, in check mode) */
  checksum_dest?: string;
  /** sha256 of what was downloaded */
  checksum_src?: string;
  size?: number;
  mode?: string;
}

async function mktemp(ctx: ModuleContext, dir?: string): Promise<string> {
  const res = await mustRunTool(ctx, dir ? ['mktemp', '-p', dir, '.gx-get_url.XXXXXXXX'] : ['mktemp', '-t', 'gx-get_url.XXXXXXXX']);
  return res.stdout.trim();
}

async function remove(ctx: ModuleContext, path: string): Promise<void> {
  await ctx.conn.run({ argv: ['rm', '-f', '--', path] });
}

export const get_url = defineModule<GetUrlArgs, GetUrlData>({
  name: 'get_url',
  summary: 'Download a file from HTTP, HTTPS or FTP to the host.',
  description:
    'The host downloads the URL itself (curl, else wget) to a temp file next to `dest`, checks `checksum`, and renames it into place. An existing `dest` is kept unless `force` is true (then the download is compared with it) or it does not match `checksum`. When `dest` is a directory the file is named after the last part of the URL path.',
  schema: {
    type: 'object',
    properties: {
      url: { type: 'string', pattern: '^(https?|ftp)://', description: 'The URL (http, https or ftp).' },
      dest: { type: 'string', description: 'Path on the host to write to; a directory means dest/<last part of the URL path>.' },
      checksum: { type: 'string', description: "Expected digest as 'ALGORITHM:HEX' (sha256, sha512, sha1, md5, …). A mismatch after download fails the task and keeps the old file." },
      force: { type: 'boolean', default: false, description: 'Download even when dest exists, and replace it when the content differs.' },
      headers: { type: 'object', additionalProperties: { type: 'string' }, description: 'Extra request headers. Values of headers named like authorization/token/secret/password/cookie are masked in all output.' },
      timeout: { type: 'number', exclusiveMinimum: 0, default: 10, description: 'Seconds the whole download may take.' },
      validate_certs: { type: 'boolean', default: true, description: 'Check the server certificate for https.' },
      ...attrProperties,
    },
    required: ['url', 'dest'],
    additionalProperties: false,
  },
  examples: [
    `- name: The k3s installer, pinned by checksum
  get_url:
    url: https://get.k3s.io
    dest: /usr/local/bin/k3s-install.sh
    mode: '0755'
    checksum: sha256:5d6f2e3a0b5f8a4c5a0f1d4c2a9c7e3b1f0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c`,
    `- name: An artifact from the private registry
  get_url:
    url: http://registry.local:5000/v2/files/blobs/sha256:abc
    dest: /opt/artifacts/
    headers:
      Authorization: 'Bearer {{ registry_token }}'`,
  ],
  returns: {
    url: { type: 'str', description: 'The URL.', returned: 'always' },
    dest: { type: 'str', description: 'The file written (dest/<name> when dest is a directory).', returned: 'always' },
    checksum_dest: { type: 'str', description: 'SHA-1 of dest after the task (as Ansible returns it).', returned: 'when dest exists' },
    checksum_src: { type: 'str', description: 'SHA-1 of the downloaded content (as Ansible returns it).', returned: 'when downloaded' },
    size: { type: 'int', description: 'Size of dest in bytes.', returned: 'when dest exists' },
    mode: { type: 'str', description: 'Mode of dest.', returned: 'when dest exists' },
  },
  checkMode: true,
  async plan(ctx, a) {
    maskSecretHeaders(ctx, a.headers);
    const sum = a.checksum !== undefined ? parseChecksum(a.checksum) : undefined;
    if (a.mode !== undefined) parseMode(a.mode, NEW_FILE_MODE);
    let dest = a.dest;
    let st: FileStat | null = await ctx.conn.stat(dest, { followLinks: true });
    if (st?.type === 'directory' || dest.endsWith('/')) {
      const name = decodeURIComponent(posix.basename(new URL(a.url).pathname));
      if (!name) throw new ModuleError(`dest ${a.dest} is a directory and the URL has no file name; give dest a file name`);
      dest = posix.join(dest, name);
      st = await ctx.conn.stat(dest, { followLinks: true, checksum: true });
    } else if (st) {
      st = await ctx.conn.stat(dest, { followLinks: true, checksum: true });
    }
    if (st && st.type !== 'file') throw new ModuleError(`${dest} exists and is not a regular file`);
    const dir = posix.dirname(dest);
    let fetcher: Fetcher | undefined;
    const download = async (out: string) => hostDownload(ctx, fetcher ?? (fetcher = await findFetcher(ctx, true)), { url: a.url, out, headers: a.headers, timeoutS: a.timeout ?? 10, validateCerts: a.validate_certs ?? true });
    const verify = async (file: string) => {
      if (!sum) return;
      const got = await hostDigest(ctx, sum.algo, file);
      if (got !== sum.digest) throw new ModuleError(`The checksum for ${a.url} did not match ${sum.digest}; it was ${got} (${dest} left unchanged)`);
    };
    // Ansible reports SHA-1 here (its checksum everywhere); gx compares by sha256 itself
    const destSha1 = st ? await hostDigest(ctx, 'sha1', dest) : undefined;
    const base: GetUrlData = { url: a.url, dest, ...(st ? { checksum_dest: destSha1, size: st.size, mode: formatMode(st.mode) } : {}) };

    let fetched: string | undefined;
    let needDownload = !st;
    // the digests already at hand are not asked of the host again
    if (st && sum) needDownload = (sum.algo === 'sha256' && st.sha256 ? st.sha256 : sum.algo === 'sha1' ? destSha1 : await hostDigest(ctx, sum.algo, dest)) !== sum.digest;
    // a host that cannot download is a failure now, in check mode too
    if (needDownload || a.force) fetcher = await findFetcher(ctx, true);
    if (st && !needDownload && a.force) {
      // only a fetch can tell whether the content moved
      fetched = await mktemp(ctx, ctx.check ? undefined : dir);
      try {
        await download(fetched);
        const got = await hostDigest(ctx, 'sha256', fetched);
        needDownload = got !== (st.sha256 ?? (await hostDigest(ctx, 'sha256', dest)));
      } finally {
        if (ctx.check || !needDownload) await remove(ctx, fetched);
      }
      if (ctx.check || !needDownload) fetched = undefined;
    }
    const attrs = attrChanges(st, a);
    if (!needDownload && !hasChanges(attrs)) return { changed: false, msg: 'file already exists', data: base };
    const msg = needDownload ? `download ${a.url} to ${dest}` : changePhrases(st, attrs).join(', ');
    return {
      changed: true,
      msg,
      data: base,
      apply: async () => {
        if (!needDownload) {
          await applyAttrs(ctx.conn, dest, attrs);
          const now = await ctx.conn.stat(dest, { followLinks: true, checksum: true });
          return { data: { ...base, mode: now ? formatMode(now.mode) : base.mode } };
        }
        let tmp = fetched;
        try {
          if (!tmp) {
            tmp = await mktemp(ctx, dir);
            await download(tmp);
          }
          await verify(tmp);
          const mode = a.mode !== undefined ? parseMode(a.mode, st?.mode ?? NEW_FILE_MODE) : (st?.mode ?? NEW_FILE_MODE);
          await mustRunTool(ctx, ['chmod', formatMode(mode), '--', tmp]);
          await mustRunTool(ctx, ['mv', '-f', '--', tmp, dest]);
          tmp = undefined;
        } finally {
          if (tmp) await remove(ctx, tmp);
        }
        const moved = await ctx.conn.stat(dest, { followLinks: true });
        if (moved) await applyAttrs(ctx.conn, dest, attrChanges(moved, { owner: a.owner, group: a.group }));
        const now = await ctx.conn.stat(dest, { followLinks: true });
        const sha1 = now ? await hostDigest(ctx, 'sha1', dest) : undefined;
        return { data: { ...base, checksum_src: sha1, checksum_dest: sha1, size: now?.size, mode: now ? formatMode(now.mode) : undefined } };
      },
    };
  },
});

export default get_url;
