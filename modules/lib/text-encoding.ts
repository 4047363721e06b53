// Text to bytes in the encodings a module's `output_encoding`/`encoding` may name (Python codec
// names and aliases); a character the encoding cannot hold is a module failure, as Python's
// str.encode(errors='strict') is.
import { ModuleError } from '../../engine/errors.js';

// cp1252's 0x80-0x9F (the rest of it is Latin-1): Python's encodings/cp1252.py decoding table
const CP1252_HIGH: Record<number, number> = {
  0x20ac: 0x80, 0x201a: 0x82, 0x0192: 0x83, 0x201e: 0x84, 0x2026: 0x85, 0x2020: 0x86, 0x2021: 0x87,
  0x02c6: 0x88, 0x2030: 0x89, 0x0160: 0x8a, 0x2039: 0x8b, 0x0152: 0x8c, 0x017d: 0x8e,
  0x2018: 0x91, 0x2019: 0x92, 0x201c: 0x93, 0x201d: 0x94, 0x2022: 0x95, 0x2013: 0x96, 0x2014: 0x97,
  0x02dc: 0x98, 0x2122: 0x99, 0x0161: 0x9a, 0x203a: 0x9b, 0x0153: 0x9c, 0x017e: 0x9e, 0x0178: 0x9f,
};

/** Python's codec name normalisation: lower case, `_` and spaces as `-`. */
function codec(name: string): string {
  return name.trim().toLowerCase().replace(/[_\s]+/g, '-');
}

const SINGLE_BYTE: Record<string, (cp: number) => number | undefined> = {
  ascii: (cp) => (cp < 0x80 ? cp : undefined),
  latin1: (cp) => (cp < 0x100 ? cp : undefined),
  cp1252: (cp) => ((cp < 0x80 || (cp >= 0xa0 && cp < 0x100)) ? cp : CP1252_HIGH[cp]),
};

const ALIASES: Record<string, string> = {
  'utf-8': 'utf8', utf8: 'utf8', 'us-ascii': 'ascii', ascii: 'ascii',
  'latin-1': 'latin1', latin1: 'latin1', 'iso-8859-1': 'latin1', 'iso8859-1': 'latin1', l1: 'latin1',
  'windows-1252': 'cp1252', cp1252: 'cp1252',
};

/** `text` encoded as `encoding` (UTF-8 when none or empty). */
export function encodeText(text: string, encoding: string | undefined): Buffer {
  const name = encoding === undefined || encoding.trim() === '' ? 'utf8' : ALIASES[codec(encoding)];
  if (name === undefined) throw new ModuleError(`output_encoding '${encoding}' is not known to gx: use utf-8, latin-1, windows-1252 or ascii`);
  if (name === 'utf8') return Buffer.from(text, 'utf8');
  const map = SINGLE_BYTE[name]!;
  const out: number[] = [];
  let pos = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    const b = map(cp);
    if (b === undefined) throw new ModuleError(`'${name}' codec can't encode character '\\u${cp.toString(16).padStart(4, '0')}' in position ${pos}: character maps to <undefined>`);
    out.push(b);
    pos += 1;
  }
  return Buffer.from(out);
}
