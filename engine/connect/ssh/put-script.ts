// A file written through the shell (as the become user, or on a host without SFTP): the script that
// takes the content on stdin into a temp file beside the target, sets mode and owner (the old file's
// when none is given), and renames it into place.
import type { Readable } from 'node:stream';
import { posix } from 'node:path';
import { shellQuote, type PutOptions } from '../connection.js';

export function putScript(path: string, opts: PutOptions): string {
  const q = shellQuote(path);
  const base = shellQuote(`.${posix.basename(path).slice(0, 180)}.gx-XXXXXXXX`);
  const lines = [
    'set -e',
    `d=$(dirname -- ${q})`,
    `t=$(mktemp "$d"/${base})`,
    `trap 'rm -f "$t"' EXIT`,
    'cat >"$t"',
    opts.mode !== undefined ? `chmod ${(opts.mode & 0o7777).toString(8)} "$t"` : `if [ -e ${q} ]; then chmod --reference=${q} "$t"; else chmod 644 "$t"; fi`,
  ];
  if (opts.owner !== undefined || opts.group !== undefined) lines.push(`chown -- ${shellQuote(`${opts.owner ?? ''}${opts.group !== undefined ? `:${opts.group}` : ''}`)} "$t"`);
  else lines.push(`if [ -e ${q} ] && [ "$(id -u)" = 0 ]; then chown --reference=${q} "$t"; fi`);
  lines.push(`mv -f -- "$t" ${q}`, 'trap - EXIT');
  return lines.join('\n');
}

/** the whole content in memory: only for a host without SFTP, where it goes inline on stdin */
export async function toBuffer(data: string | Buffer | NodeJS.ReadableStream): Promise<Buffer> {
  if (typeof data === 'string') return Buffer.from(data);
  if (Buffer.isBuffer(data)) return data;
  const parts: Buffer[] = [];
  for await (const chunk of data as Readable) parts.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(parts);
}
