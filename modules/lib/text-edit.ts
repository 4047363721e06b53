// Reading and editing the text files that lineinfile and blockinfile edit (and sysctl reads): lines
// with a remembered final newline, and the plan of an edit, written through lib/write-file.ts
// (validate, backup, mode/owner/group) like every other file gx writes.
import type { FileStat } from '../../engine/connect/connection.js';
import { ModuleError } from '../../engine/errors.js';
import type { ModuleContext, Plan } from '../../engine/module-contract.js';
import { applyAttrs, hasChanges, must, type AttrChange } from './attrs.js';
import { replaceFile, type WriteOptions } from './write-file.js';

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

/** The path exists but is not a regular file; `type` says what it is (replace words its own message for a directory). */
export class NotRegularFile extends ModuleError {
  constructor(
    path: string,
    readonly type: string,
  ) {
    super(`${path} exists but is not a regular file (${type})`);
  }
}

/** Reads a text file on the host (following a symlink); `encoding` is how its bytes become text (utf8 unless a module's `encoding` says otherwise). */
export async function readText(ctx: ModuleContext, path: string, encoding: BufferEncoding = 'utf8'): Promise<CurrentText> {
  let real = path;
  const link = await ctx.conn.stat(path, { followLinks: false });
  if (link?.type === 'link') {
    const out = await must(ctx.conn, ['readlink', '-f', '--', path], path);
    real = out.replace(/\n$/, '') || path;
  }
  // not a link: its lstat is its stat (one round trip less per no-op task, issue 16)
  const stat = link?.type === 'link' ? await ctx.conn.stat(real, { followLinks: true }) : link;
  if (stat && stat.type !== 'file') throw new NotRegularFile(path, stat.type);
  if (!stat) return { text: null, stat: null, path: real };
  const buf = await ctx.conn.get(real);
  return { text: buf === null ? null : buf.toString(encoding), stat, path: real };
}

/** The diff entry for a text file; a missing file diffs as empty text. */
export function textDiff(path: string, before: string | null, after: string) {
  return [{ label: path, before: before ?? '', after }];
}

/**
 * The plan of a text edit (lineinfile, blockinfile): nothing to do when neither the text nor the
 * attributes change (`attrs`, from attrChanges of the file as it is); otherwise the diff, and an
 * apply that replaces the file (validate, backup, mode/owner) or only fixes its attributes.
 */
export function textEditPlan<D extends { path: string; msg: string }>(
  ctx: ModuleContext,
  cur: CurrentText,
  newText: string,
  o: WriteOptions,
  data: D,
  attrs: AttrChange,
  encoding: BufferEncoding = 'utf8',
): Plan<D> {
  const contentChanged = newText !== cur.text;
  if (!contentChanged && !hasChanges(attrs)) return { changed: false, msg: data.msg, data };
  return {
    changed: true,
    msg: data.msg,
    data,
    diff: contentChanged ? textDiff(data.path, cur.text, newText) : undefined,
    apply: async () => {
      if (!contentChanged) {
        await applyAttrs(ctx.conn, cur.path, attrs);
        return { data };
      }
      const backup = await replaceFile(ctx, cur.path, Buffer.from(newText, encoding), cur.stat, o);
      return { data: { ...data, ...(backup !== undefined ? { backup } : {}) } };
    },
  };
}

/** Python's codec names as Node's encodings (the `encoding` argument of replace and find); null when Node has no such codec. */
export function nodeEncoding(name: string): BufferEncoding | null {
  const n = name.toLowerCase().replace(/_/g, '-');
  if (['utf-8', 'utf8', 'u8'].includes(n)) return 'utf8';
  if (['latin-1', 'latin1', 'iso-8859-1', 'iso8859-1', 'l1'].includes(n)) return 'latin1';
  if (['ascii', 'us-ascii'].includes(n)) return 'ascii';
  if (['utf-16-le', 'utf-16le', 'utf16le'].includes(n)) return 'utf16le';
  return null;
}
