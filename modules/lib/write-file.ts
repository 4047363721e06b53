// Writing one whole file on the host (copy and template): compare by checksum, diff, backup,
// validate on a temp file before it replaces the real one, atomic replacement through conn.put.
import { createHash, randomBytes } from 'node:crypto';
import { posix } from 'node:path';
import type { FileStat } from '../../engine/connect/connection.js';
import { ModuleArgsError } from '../../engine/errors.js';
import type { DiffEntry, ModuleContext, Plan } from '../../engine/module-contract.js';
import { shlexSplit } from '../../engine/run/module-args.js';
import { applyAttrs, attrChanges, attrData, attrProperties, hasChanges, must, type AttrArgs } from './attrs.js';
import { formatMode, parseMode } from './mode.js';

export interface WriteArgs extends AttrArgs {
  dest: string;
  backup: boolean;
  force: boolean;
  validate?: string;
}

export const writeProperties = {
  dest: {
    type: 'string',
    description: 'Where the file goes on the host. An existing directory (or a path ending in /) receives the file under its source name.',
  },
  ...attrProperties,
  mode: {
    type: ['string', 'integer'],
    description:
      "Permissions: octal as a quoted string ('0644') or unquoted (0644 means the same), symbolic (u=rw,g=r,o=), or 'preserve' to take the source file's mode. An existing file keeps its mode when this is not given.",
  },
  backup: {
    type: 'boolean',
    default: false,
    description: 'Before replacing an existing file, keep a copy of it next to it as `DEST.PID.YYYY-MM-DD@HH:MM:SS~` (returned as backup_file).',
  },
  force: {
    type: 'boolean',
    default: true,
    description: 'Replace the file when its content differs. false: only create the file when it does not exist yet.',
  },
  validate: {
    type: 'string',
    description:
      'A command run on the new content before it replaces the file, with `%s` standing for the path of a temporary copy (e.g. `visudo -cf %s`). When it fails the task fails and the file is left untouched.',
  },
} as const;

export const writeReturns = {
  dest: { type: 'str', description: 'The path written (a directory dest resolved to the file inside it).', returned: 'always' },
  checksum: { type: 'str', description: 'sha256 of the new content.', returned: 'always' },
  size: { type: 'int', description: 'Size in bytes.', returned: 'always' },
  mode: { type: 'str', description: "The file's mode, like '0644'.", returned: 'when known' },
  owner: { type: 'str', description: "The file's owner.", returned: 'when known' },
  group: { type: 'str', description: "The file's group.", returned: 'when known' },
  uid: { type: 'int', description: "The owner's id.", returned: 'when known' },
  gid: { type: 'int', description: "The group's id.", returned: 'when known' },
  state: { type: 'str', description: 'Always "file".', returned: 'always' },
  backup_file: { type: 'str', description: 'Where the previous version was kept.', returned: 'when backup is true and the file changed' },
} as const;

export interface WriteSource {
  bytes: Buffer;
  /** the name a directory dest gives the file */
  basename?: string;
  /** the source file's mode, for mode: preserve */
  srcMode?: number;
  /** reported back as `src` */
  src?: string;
}

export async function planWrite(ctx: ModuleContext, a: WriteArgs, s: WriteSource): Promise<Plan> {
  const { conn } = ctx;
  let dest = a.dest;
  // one round trip in the common case: the stat that answers "is dest a directory?" also carries
  // the checksum of the file that is usually there
  let current = dest.endsWith('/') ? null : await conn.stat(dest, { followLinks: true, checksum: true });
  if (dest.endsWith('/') || current?.type === 'directory') {
    if (s.basename === undefined) throw new ModuleArgsError(`dest ${a.dest} is a directory; with content, give the full path of the file`, { loc: ctx.loc });
    dest = posix.join(dest, s.basename);
    current = await conn.stat(dest, { followLinks: true, checksum: true });
  }
  if (current && current.type === 'directory') {
    return { changed: false, failed: true, msg: `dest ${dest} is a directory`, data: { dest } };
  }
  const sha = createHash('sha256').update(s.bytes).digest('hex');
  if (current && !a.force) {
    return { changed: false, msg: 'file already exists and force is false', data: { dest, checksum: current.sha256, state: 'file', ...attrData(current) } };
  }
  let wantMode: string | number | undefined = a.mode;
  if (wantMode === 'preserve') {
    if (s.srcMode === undefined) throw new ModuleArgsError("mode: 'preserve' needs a source file", { loc: ctx.loc });
    wantMode = s.srcMode.toString(8);
  }
  const attrs: AttrArgs = { mode: wantMode, owner: a.owner, group: a.group };
  const contentChanged = !current || current.sha256 !== sha;
  const attrChange = current && !contentChanged ? attrChanges(current, attrs) : {};
  const changed = contentChanged || hasChanges(attrChange);
  const base: Record<string, unknown> = { dest, checksum: sha, size: s.bytes.length, state: 'file' };
  if (s.src !== undefined) base.src = s.src;
  const predicted: Record<string, unknown> = { ...base, ...(current ? attrData(current) : {}), size: s.bytes.length };
  if (wantMode !== undefined) predicted.mode = formatMode(parseMode(wantMode, current?.mode ?? 0));
  if (!changed) return { changed: false, data: predicted };

  const diff: DiffEntry[] = [];
  if (ctx.diff) {
    if (contentChanged) {
      const before = current ? ((await conn.get(dest)) ?? Buffer.alloc(0)) : Buffer.alloc(0);
      diff.push({ label: dest, before: asText(before), after: asText(s.bytes) });
    }
    if (current && hasChanges(attrChange)) diff.push(attrDiff(dest, current, attrChange));
  }
  return {
    changed: true,
    diff: diff.length > 0 ? diff : undefined,
    data: predicted,
    apply: async () => {
      const out: Record<string, unknown> = { ...base };
      if (contentChanged) {
        // like Ansible: a dest ending in / is a directory, created when it is missing
        if (a.dest.endsWith('/') && !(await conn.stat(a.dest, { followLinks: true }))) await must(conn, ['mkdir', '-p', '--', a.dest], a.dest);
        if (current && a.backup) out.backup_file = await backup(ctx, dest);
        const mode = wantMode !== undefined ? parseMode(wantMode, current?.mode ?? 0) : undefined;
        const putOpts = { mode, owner: a.owner, group: a.group };
        if (a.validate !== undefined) {
          // the temp file is renamed over dest, so it must already carry what dest should keep
          const keep = { mode: putOpts.mode ?? current?.mode, owner: a.owner ?? (current ? String(current.uid) : undefined), group: a.group ?? (current ? String(current.gid) : undefined) };
          const failure = await writeValidated(ctx, dest, s.bytes, keep, a.validate);
          if (failure) return { changed: false, failed: true, msg: failure, data: { ...out, ...(current ? attrData(current) : {}) } };
        } else {
          await conn.put(dest, s.bytes, putOpts);
        }
      } else {
        await applyAttrs(conn, dest, attrChange);
      }
      const after = await conn.stat(dest, { followLinks: true });
      return { data: { ...out, ...(after ? attrData(after) : {}) } };
    },
  };
}

/** Writes next to dest, runs the validate command on it, and only then renames it over dest. */
async function writeValidated(
  ctx: ModuleContext,
  dest: string,
  bytes: Buffer,
  putOpts: { mode?: number; owner?: string; group?: string },
  validate: string,
): Promise<string | undefined> {
  const words = shlexSplit(validate);
  if (!words.some((w) => w.includes('%s'))) throw new ModuleArgsError(`validate must contain %s (the file to check): ${validate}`, { loc: ctx.loc });
  const tmp = posix.join(posix.dirname(dest), `.gx-${randomBytes(8).toString('hex')}.validate`);
  await ctx.conn.put(tmp, bytes, putOpts);
  const r = await ctx.conn.run({ argv: words.map((w) => w.split('%s').join(tmp)) });
  if (r.rc !== 0) {
    await ctx.conn.run({ argv: ['rm', '-f', '--', tmp] });
    return `failed to validate (rc ${r.rc}): ${(r.stderr || r.stdout).trim()}`;
  }
  await must(ctx.conn, ['mv', '-f', '--', tmp, dest], dest);
  return undefined;
}

async function backup(ctx: ModuleContext, dest: string): Promise<string> {
  const d = new Date();
  const p = (n: number): string => String(n).padStart(2, '0');
  const stamp = `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}@${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
  const file = `${dest}.${process.pid}.${stamp}~`;
  await must(ctx.conn, ['cp', '-p', '--', dest, file], dest);
  return file;
}

function asText(b: Buffer): string {
  if (b.includes(0)) return `(binary, ${b.length} bytes)\n`;
  return b.toString('utf8');
}

function attrDiff(label: string, st: FileStat, c: { mode?: number; owner?: string; group?: string }): DiffEntry {
  const before: string[] = [];
  const after: string[] = [];
  if (c.mode !== undefined) {
    before.push(`mode: ${formatMode(st.mode)}`);
    after.push(`mode: ${formatMode(c.mode)}`);
  }
  if (c.owner !== undefined) {
    before.push(`owner: ${st.owner}`);
    after.push(`owner: ${c.owner}`);
  }
  if (c.group !== undefined) {
    before.push(`group: ${st.group}`);
    after.push(`group: ${c.group}`);
  }
  return { label: `${label} (attributes)`, before: before.join('\n') + '\n', after: after.join('\n') + '\n' };
}
