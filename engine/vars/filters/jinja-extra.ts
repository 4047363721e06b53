// The rest of Jinja2 3.1's built-in filters (jinja2/filters.py): attr, filesizeformat,
// forceescape, pprint, tojson, urlencode, wordwrap, xmlattr.
import { UndefinedResult } from '../fail.js';
import { getMember, isMapping, MISSING, pyStr, toFloat, toInt, truthy, typeName } from '../values.js';
import { pyJsonDumps } from './encoding.js';
import { arg, Fail, pyRepr, text, type Fn } from './args.js';

const HTML: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&#34;', "'": '&#39;' };
const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => HTML[c]!);

/** urllib.parse.quote with Jinja's safe characters ('/' kept for strings). */
function urlQuote(s: string, safe: string): string {
  return [...Buffer.from(s, 'utf8')].map((b) => {
    const c = String.fromCharCode(b);
    return /[A-Za-z0-9_.~-]/.test(c) || safe.includes(c) ? c : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }).join('');
}

/** textwrap.wrap, as Jinja's wordwrap uses it (words longer than the width broken when asked). */
function wrapLine(line: string, width: number, breakLong: boolean): string[] {
  const words = line.split(/\s+/).filter(Boolean);
  const out: string[] = [];
  let cur = '';
  for (let w of words) {
    while (breakLong && w.length > width) {
      if (cur) {
        const room = width - cur.length - 1;
        if (room > 0) {
          out.push(`${cur} ${w.slice(0, room)}`);
          w = w.slice(room);
        } else out.push(cur);
        cur = '';
        continue;
      }
      out.push(w.slice(0, width));
      w = w.slice(width);
    }
    if (!w) continue;
    if (!cur) cur = w;
    else if (cur.length + 1 + w.length <= width) cur += ` ${w}`;
    else {
      out.push(cur);
      cur = w;
    }
  }
  if (cur) out.push(cur);
  return out;
}

export const JINJA_EXTRA_FILTERS: Record<string, Fn> = {
  // an object's attribute, not a dict's item: gx's data has no attributes besides named-tuple fields
  attr: (v, args, kw) => {
    const name = pyStr(arg(args, kw, 0, 'name'));
    const r = Array.isArray(v) && !/^-?\d+$/.test(name) ? getMember(v, name) : MISSING;
    return r === MISSING ? new UndefinedResult(`'${typeName(v)} object' has no attribute '${name}'`) : r;
  },
  filesizeformat: (v, args, kw) => {
    const binary = truthy(arg(args, kw, 0, 'binary', false));
    const bytes = toFloat(v);
    const base = binary ? 1024 : 1000;
    const prefixes = binary ? ['KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB', 'ZiB', 'YiB'] : ['kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB'];
    if (bytes === 1) return '1 Byte';
    if (bytes < base) return `${Math.trunc(bytes)} Bytes`;
    let unit = base;
    let prefix = prefixes[0]!;
    for (let i = 0; i < prefixes.length; i++) {
      unit = base ** (i + 2);
      prefix = prefixes[i]!;
      if (bytes < unit) break;
    }
    return `${((base * bytes) / unit).toFixed(1)} ${prefix}`;
  },
  forceescape: (v) => escapeHtml(text(v)),
  pprint: (v) => pyRepr(v),
  // jinja2.utils.htmlsafe_json_dumps: keys sorted, <>&' escaped for HTML
  tojson: (v, args, kw) => {
    const indent = arg(args, kw, 0, 'indent');
    return pyJsonDumps(v, { sortKeys: true, indent: indent === undefined || indent === null ? null : toInt(indent) })
      .replace(/</g, '\\u003c')
      .replace(/>/g, '\\u003e')
      .replace(/&/g, '\\u0026')
      .replace(/'/g, '\\u0027');
  },
  urlencode: (v) => {
    if (typeof v === 'string') return urlQuote(v, '/');
    const pairs = isMapping(v) ? Object.entries(v) : Array.isArray(v) ? v.map((p) => (Array.isArray(p) ? [p[0], p[1]] : [p, ''])) : [[v, '']];
    if (!isMapping(v) && !Array.isArray(v)) return urlQuote(pyStr(v), '');
    // query-string form: spaces as '+'
    const q = (x: unknown): string => urlQuote(pyStr(x), '').replace(/%20/g, '+');
    return pairs.map(([k, x]) => `${q(k)}=${q(x)}`).join('&');
  },
  // Ansible's urldecode (plugins/filter/urls.py): urllib.parse.unquote_plus
  urldecode: (v) => {
    const bytes: number[] = [];
    const s = text(v).replace(/\+/g, ' ');
    for (let i = 0; i < s.length; i++) {
      const m = /^%([0-9A-Fa-f]{2})/.exec(s.slice(i, i + 3));
      if (m) {
        bytes.push(parseInt(m[1]!, 16));
        i += 2;
      } else bytes.push(...Buffer.from(s[i]!, 'utf8'));
    }
    return Buffer.from(bytes).toString('utf8');
  },
  wordwrap: (v, args, kw) => {
    const width = toInt(arg(args, kw, 0, 'width', 79));
    if (width <= 0) throw new Fail(`wordwrap: invalid width ${width} (must be > 0)`);
    const breakLong = truthy(arg(args, kw, 1, 'break_long_words', true));
    const wrapstring = arg(args, kw, 2, 'wrapstring');
    const nl = wrapstring === undefined || wrapstring === null ? '\n' : pyStr(wrapstring);
    // Jinja keeps existing line breaks and wraps each line on its own
    return text(v)
      .split(/\r\n|\n|\r/)
      .map((line) => wrapLine(line, width, breakLong).join(nl))
      .join(nl);
  },
  xmlattr: (v, args, kw) => {
    if (!isMapping(v)) throw new Fail('xmlattr expects a dict');
    const autospace = truthy(arg(args, kw, 0, 'autospace', true));
    const parts = Object.entries(v)
      .filter(([, x]) => x !== null && x !== undefined)
      .map(([k, x]) => {
        if (/[\s/>=]/.test(k)) throw new Fail(`Invalid character in attribute name: ${pyRepr(k)}`);
        return `${escapeHtml(k)}="${escapeHtml(pyStr(x))}"`;
      });
    const s = parts.join(' ');
    return autospace && s ? ` ${s}` : s;
  },
};
