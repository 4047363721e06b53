// Writing one whole file on the host, for every module that writes one: `replaceFile` (validate on
// a temp file that is then renamed over the real one, backup, mode/owner/group, atomic replacement
// through conn.put) and, for copy and template, `planWrite` (compare by checksum, diff, directory
// dest, force). lineinfile and blockinfile write through replaceFile too (lib/text-edit.ts).
// Where Ansible decides the behaviour, it is Ansible's: `validate` runs without a shell, and a
// backup is named DEST.PID.YYYY-MM-DD@HH:MM:SS~ (module_utils/basic.py backup_local).
import { createHash, randomBytes } from 'node:crypto';
import { posix } from 'node:path';
import type { FileStat } from '../../engine/connect/connection.js';
import { ModuleArgsError, ModuleError } from '../../engine/errors.js';
import { type DiffEntry, type ModuleContext, type Plan, type ReturnDoc } from '../../engine/module-contract.js';
import { shellSplit, UnterminatedQuote } from '../../engine/shell-words.js';
import { applyAttrs, attrChanges, attrData, attrDiff, attrProperties, hasChanges, must, NEW_FILE_MODE, type AttrArgs } from './attrs.js';
import { formatMode, parseMode } from './mode.js';

/** What replaceFile does besides writing the bytes. */
export interface WriteOptions extends AttrArgs {
  /** keep a copy of the old file first (DEST.PID.YYYY-MM-DD@HH:MM:SS~) */
  backup?: boolean;
  /** a command with %s, run without a shell on a temp copy of the new content before it replaces the file */
  validate?: string;
}

export const backupProperty = {
  type: 'boolean',
  default: false,
  description: 'Before replacing an existing file, keep a copy of it next to it as `DEST.PID.YYYY-MM-DD@HH:MM:SS~`, as Ansible names it.',
} as const;

export const validateProperty = {
  type: 'string',
  description:
    'A command run on the new content before it replaces the file, with `%s` standing for the path of a temporary copy (e.g. `visudo -cf %s`). ' +
    'It runs without a shell, as in Ansible (no pipes, `&&` or redirections; `%s` is always one argument). When it fails the task fails and the file is left untouched.',
} as const;

export interface WriteArgs extends WriteOptions {
  dest: string;
  backup: boolean;
  force: boolean;
  follow?: boolean;
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
  backup: { ...backupProperty, description: `${backupProperty.description} Returned as backup_file.` },
  force: {
    type: 'boolean',
    default: true,
    description: 'Replace the file when its content differs. false: only create the file when it does not exist yet.',
  },
  validate: validateProperty,
  follow: {
    type: 'boolean',
    default: false,
    description: 'When dest is a symbolic link, write the file it points to and keep the link (false: the link is replaced by the file, as in Ansible).',
  },
} as const;

export const writeReturns = {
  dest: { type: 'str', description: 'The path written (a directory dest resolved to the file inside it).', returned: 'always' },
  checksum: { type: 'str', description: 'SHA-1 of the new content, as Ansible returns it.', returned: 'always' },
  checksum_sha256: { type: 'str', description: 'SHA-256 of the new content (gx compares files by it).', returned: 'always' },
  md5sum: { type: 'str', description: 'MD5 of the new content, as Ansible returns it.', returned: 'when the content is known' },
  size: { type: 'int', description: 'Size in bytes.', returned: 'always' },
  mode: { type: 'str', description: "The file's mode, like '0644'.", returned: 'when known' },
  owner: { type: 'str', description: "The file's owner.", returned: 'when known' },
  group: { type: 'str', description: "The file's group.", returned: 'when known' },
  uid: { type: 'int', description: "The owner's id.", returned: 'when known' },
  gid: { type: 'int', description: "The group's id.", returned: 'when known' },
  state: { type: 'str', description: 'Always "file".', returned: 'always' },
  backup_file: { type: 'str', description: 'Where the previous version was kept.', returned: 'when backup is true and the file changed' },
} as const satisfies Record<string, ReturnDoc>;

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
  // follow: a link's target is what gets written (Ansible's copy: os.path.realpath(dest))
  if (a.follow && !dest.endsWith('/')) {
    const link = await conn.stat(dest, { followLinks: false });
    if (link?.type === 'link') {
      const real = await conn.run({ argv: ['readlink', '-f', '--', dest] });
      if (real.rc === 0 && real.stdout.trim() !== '') dest = real.stdout.trim();
    }
  }
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
    return { changed: false, msg: 'file already exists and force is false', data: { dest, checksum_sha256: current.sha256, state: 'file', ...attrData(current) } };
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
  const base: Record<string, unknown> = {
    dest,
    checksum: createHash('sha1').update(s.bytes).digest('hex'),
    checksum_sha256: sha,
    md5sum: createHash('md5').update(s.bytes).digest('hex'),
    size: s.bytes.length,
    state: 'file',
  };
  if (s.src !== undefined) base.src = s.src;
  const predicted: Record<string, unknown> = { ...base, ...(current ? attrData(current) : {}), size: s.bytes.length };
  if (wantMode !== undefined) predicted.mode = formatMode(parseMode(wantMode, current?.mode ?? NEW_FILE_MODE));
  if (!changed) return { changed: false, data: predicted };

  // read only with --diff (the engine calls it then): the old content of a file about to be replaced
  const diff = async (): Promise<DiffEntry[]> => {
    const out: DiffEntry[] = [];
    if (contentChanged) {
      const before = current ? ((await conn.get(dest)) ?? Buffer.alloc(0)) : Buffer.alloc(0);
      out.push({ label: dest, before: asText(before), after: asText(s.bytes) });
    }
    if (current && hasChanges(attrChange)) out.push(attrDiff(dest, current, attrChange));
    return out;
  };
  return {
    changed: true,
    diff,
    data: predicted,
    apply: async () => {
      const out: Record<string, unknown> = { ...base };
      if (contentChanged) {
        // like Ansible: a dest ending in / is a directory, created when it is missing
        if (a.dest.endsWith('/') && !(await conn.stat(a.dest, { followLinks: true }))) await must(conn, ['mkdir', '-p', '--', a.dest], a.dest);
        const backup = await replaceFile(ctx, dest, s.bytes, current, { ...attrs, backup: a.backup, validate: a.validate });
        if (backup !== undefined) out.backup_file = backup;
      } else {
        await applyAttrs(conn, dest, attrChange);
      }
      const after = await conn.stat(dest, { followLinks: true });
      return { data: { ...out, ...(after ? attrData(after) : {}) } };
    },
  };
}

/**
 * What is wrong with a validate command: it must split into words and name the file with %s.
 * As in Ansible (lineinfile/blockinfile write_changes, copy's main), that is found when the file is
 * about to be written, a failure of the task (`ignore_errors`, `rescue` see it), not a load error.
 */
export function validateProblems(validate: string | undefined): string[] {
  if (validate === undefined) return [];
  let words: string[];
  try {
    words = shellSplit(validate);
  } catch (err) {
    if (err instanceof UnterminatedQuote) return [`validate: ${err.message}`];
    throw err;
  }
  return words.some((w) => w.includes('%s')) ? [] : [`validate must contain %s: ${validate}`];
}

/**
 * Replaces the file at `dest` (whose stat is `current`, null when it does not exist yet) with
 * `bytes`. With validate, the new content is written next to dest with the mode and owner dest
 * should end with, checked, and only then renamed over dest: a failed check is a ModuleError and
 * leaves dest (and no backup) behind, as in Ansible. Returns the backup's path when one was made.
 */
export async function replaceFile(ctx: ModuleContext, dest: string, bytes: Buffer | string, current: FileStat | null, o: WriteOptions): Promise<string | undefined> {
  const mode = o.mode !== undefined ? parseMode(o.mode, current?.mode ?? NEW_FILE_MODE) : undefined;
  let validated: string | undefined;
  if (o.validate !== undefined) {
    const problems = validateProblems(o.validate);
    if (problems.length) throw new ModuleError(problems[0]!);
    // the temp file is renamed over dest, so it must already carry what dest should keep
    const keep = { mode: mode ?? current?.mode, owner: o.owner ?? (current ? String(current.uid) : undefined), group: o.group ?? (current ? String(current.gid) : undefined) };
    validated = await writeValidated(ctx, dest, bytes, keep, o.validate);
  }
  const backup = o.backup && current ? await backupFile(ctx, dest) : undefined;
  if (validated !== undefined) await must(ctx.conn, ['mv', '-f', '--', validated, dest], dest);
  else await ctx.conn.put(dest, bytes, { mode, owner: o.owner, group: o.group });
  return backup;
}

/**
 * Writes the content next to dest and runs the validate command on it, without a shell: the
 * command is split into words first and %s replaced in each, so a path with a space or a `;` is one
 * argument. Returns the temp file, checked; a failed check removes it and throws.
 */
async function writeValidated(ctx: ModuleContext, dest: string, bytes: Buffer | string, putOpts: { mode?: number; owner?: string; group?: string }, validate: string): Promise<string> {
  const words = shellSplit(validate);
  const tmp = posix.join(posix.dirname(dest), `.gx-${randomBytes(8).toString('hex')}.validate`);
  await ctx.conn.put(tmp, bytes, putOpts);
  const r = await ctx.conn.run({ argv: words.map((w) => w.split('%s').join(tmp)) });
  if (r.rc !== 0) {
    await ctx.conn.run({ argv: ['rm', '-f', '--', tmp] });
    const why = (r.stderr.trim() || r.stdout.trim()).split('\n').slice(-5).join('\n');
    throw new ModuleError(`failed to validate (rc ${r.rc}), ${dest} left unchanged: ${validate}${why ? `: ${why}` : ''}`);
  }
  return tmp;
}

/** A copy of dest beside it, named as Ansible's backup_local names it: DEST.PID.YYYY-MM-DD@HH:MM:SS~ (local time). */
async function backupFile(ctx: ModuleContext, dest: string): Promise<string> {
  const file = `${dest}.${process.pid}.${backupStamp(new Date())}~`;
  await must(ctx.conn, ['cp', '-p', '--', dest, file], dest);
  return file;
}

function backupStamp(d: Date): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}@${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

function asText(b: Buffer): string {
  if (b.includes(0)) return `(binary, ${b.length} bytes)\n`;
  return b.toString('utf8');
}
