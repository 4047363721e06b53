// Reading and writing the text files that lineinfile and blockinfile edit: lines with a remembered
// final newline, an optional backup, an optional validate command run against a temp copy before
// the real file is replaced, and mode/owner/group.
import { randomBytes } from 'node:crypto';
import { shellQuote, type FileStat } from '../../engine/connect/connection.js';
import { ModuleError } from '../../engine/errors.js';
import type { ModuleContext, Plan } from '../../engine/module-contract.js';
import { applyOrFail } from './host-tool.js';
import { mustRunTool } from './host-tool.js';
import { applyModeOwner, parseMode, type ModeOwnerArgs } from './mode-owner.js';

export interface TextLines {
  lines: string[];
  /** the last line ends with a newline */
  finalNewline: boolean;
}

export function splitLines(text: string): TextLines {
  if (text === '') return { lines: [], finalNewline: false };
  const lines = text.split('\n');
  const finalNewline = lines[lines.length - 1] === '';
  if (finalNewline) lines.pop();
  return { lines, finalNewline };
}

export function joinLines(t: TextLines): string {
  if (t.lines.length === 0) return '';
  return t.lines.join('\n') + (t.finalNewline ? '\n' : '');
}

export interface CurrentText {
  /** null when the file does not exist */
  text: string | null;
  stat: FileStat | null;
  /** where to write: the target when the path is a symlink (as Ansible does: /etc/resolv.conf stays a link) */
  path: string;
}

export async function readText(ctx: ModuleContext, path: string): Promise<CurrentText> {
  let real = path;
  const link = await ctx.conn.stat(path, { followLinks: false });
  if (link?.type === 'link') {
    const res = await mustRunTool(ctx, ['readlink', '-f', '--', path]);
    real = res.stdout.replace(/\n$/, '') || path;
  }
  const stat = await ctx.conn.stat(real, { followLinks: true });
  if (stat && stat.type !== 'file') throw new ModuleError(`${path} exists but is not a regular file (${stat.type})`);
  if (!stat) return { text: null, stat: null, path: real };
  const buf = await ctx.conn.get(real);
  return { text: buf === null ? null : buf.toString('utf8'), stat, path: real };
}

export interface WriteOptions extends ModeOwnerArgs {
  backup?: boolean;
  /** a command with %s, run against a temp copy of the new content; a non-zero exit keeps the old file */
  validate?: string;
}

function backupName(path: string): string {
  const d = new Date();
  const p = (n: number) => String(n).padStart(2, '0');
  return `${path}.${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}@${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}~`;
}

export function checkValidate(validate: string | undefined): void {
  if (validate !== undefined && !validate.includes('%s')) throw new ModuleError(`validate must contain %s (the path of the file to check): ${validate}`);
}

/** Writes the new text (content only when it differs) and the attributes; returns the backup path when one was made. */
export async function writeText(ctx: ModuleContext, asked: string, cur: CurrentText, text: string, o: WriteOptions): Promise<{ backup?: string }> {
  const path = cur.path || asked;
  let backup: string | undefined;
  if (cur.text !== text) {
    if (o.validate !== undefined) await validateText(ctx, path, text, o.validate);
    if (o.backup && cur.stat) {
      backup = backupName(path);
      await mustRunTool(ctx, ['cp', '-p', '--', path, backup]);
    }
    // a new file gets 0644 unless mode says otherwise; an existing one keeps its bits
    const mode = parseMode(o.mode) ?? cur.stat?.mode ?? 0o644;
    await ctx.conn.put(path, text, { mode });
  }
  const after = await ctx.conn.stat(path, { followLinks: true });
  await applyModeOwner(ctx, path, after, o);
  return { backup };
}

async function validateText(ctx: ModuleContext, path: string, text: string, validate: string): Promise<void> {
  const tmp = `${path}.gx-validate-${randomBytes(4).toString('hex')}`;
  await ctx.conn.put(tmp, text, { mode: 0o600 });
  try {
    const res = await ctx.conn.run({ shell: validate.split('%s').join(shellQuote(tmp)) });
    if (res.rc !== 0) {
      const why = (res.stderr.trim() || res.stdout.trim()).split('\n').slice(-5).join('\n');
      throw new ModuleError(`validate command exited ${res.rc}, ${path} left unchanged: ${validate}${why ? `: ${why}` : ''}`);
    }
  } finally {
    await ctx.conn.run({ argv: ['rm', '-f', '--', tmp] });
  }
}

/** The diff entry for a text file; a missing file diffs as empty text. */
export function textDiff(path: string, before: string | null, after: string) {
  return [{ label: path, before: before ?? '', after }];
}

/**
 * The plan of a text edit (lineinfile, blockinfile): nothing to do when neither the text nor the
 * mode/owner changes; otherwise the diff, and an apply that writes the new text (validate, backup,
 * mode/owner through writeText).
 */
export function textEditPlan<D extends { path: string; msg: string }>(
  ctx: ModuleContext,
  cur: CurrentText,
  newText: string,
  o: WriteOptions,
  data: D,
  attrsChanged: boolean,
): Plan<D> {
  const contentChanged = newText !== cur.text;
  if (!contentChanged && !attrsChanged) return { changed: false, msg: data.msg, data };
  return {
    changed: true,
    msg: data.msg,
    data,
    diff: contentChanged ? textDiff(data.path, cur.text, newText) : undefined,
    apply: applyOrFail(async () => {
      const { backup } = await writeText(ctx, data.path, cur, newText, o);
      return { data: { ...data, ...(backup ? { backup } : {}) } };
    }),
  };
}
