// String filters, as Jinja2 (jinja2/filters.py) and Ansible (plugins/filter/core.py) define them.
import { shellQuote } from '../../connect/connection.js';
import { isMapping, pyStr, toFloat, toInt, truthy } from '../values.js';
import { arg, Fail, int, pyRepr, pyText, str, text, type Fn } from './args.js';
import { UndefinedArg } from '../fail.js';

/** Python's str.split(sep=None, maxsplit=-1). */
export function pySplit(s: string, sep: unknown, maxsplit = -1): string[] {
  if (sep === undefined || sep === null) {
    const out: string[] = [];
    let rest = s.replace(/^\s+/, '');
    while (rest !== '') {
      if (maxsplit >= 0 && out.length === maxsplit) {
        out.push(rest);
        break;
      }
      const m = /\s+/.exec(rest);
      if (!m) {
        out.push(rest);
        break;
      }
      out.push(rest.slice(0, m.index));
      rest = rest.slice(m.index + m[0].length);
    }
    return out;
  }
  const d = str(sep, 'split');
  if (d === '') throw new Fail('split: empty separator');
  const parts = s.split(d);
  if (maxsplit < 0 || parts.length <= maxsplit + 1) return parts;
  return [...parts.slice(0, maxsplit), parts.slice(maxsplit).join(d)];
}

/** Python's str.rsplit. */
export function pyRsplit(s: string, sep: unknown, maxsplit = -1): string[] {
  if (maxsplit < 0) return pySplit(s, sep);
  const rev = (x: string): string => [...x].reverse().join('');
  return pySplit(rev(s), sep === undefined || sep === null ? sep : rev(str(sep, 'rsplit')), maxsplit)
    .map(rev)
    .reverse();
}

/** Python's str.strip(chars=None) (and lstrip/rstrip). */
export function pyStrip(s: string, chars: unknown, side: 'both' | 'left' | 'right' = 'both'): string {
  const set = chars === undefined || chars === null ? null : str(chars, 'strip');
  const strip = (c: string): boolean => (set === null ? /\s/.test(c) : set.includes(c));
  let a = 0;
  let b = s.length;
  if (side !== 'right') while (a < b && strip(s[a]!)) a++;
  if (side !== 'left') while (b > a && strip(s[b - 1]!)) b--;
  return s.slice(a, b);
}

/** Python's str.splitlines(). */
export function pySplitlines(s: string, keepends = false): string[] {
  const out: string[] = [];
  const re = /\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]/g;
  let last = 0;
  for (const m of s.matchAll(re)) {
    out.push(s.slice(last, keepends ? m.index! + m[0].length : m.index!));
    last = m.index! + m[0].length;
  }
  if (last < s.length) out.push(s.slice(last));
  return out;
}

export function capitalize(s: string): string {
  return s ? s[0]!.toUpperCase() + s.slice(1).toLowerCase() : s;
}

/** Jinja's title: each word starts upper case, words split at whitespace, -, (, {, [, <. */
export function jinjaTitle(s: string): string {
  return s
    .split(/([-\s({[<]+)/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1).toLowerCase())
    .join('');
}

/** Python's str.title(): upper after any non-letter. */
export function pyTitle(s: string): string {
  return s.replace(/[A-Za-z\u00C0-\uFFFF]+/g, (w) => w[0]!.toUpperCase() + w.slice(1).toLowerCase());
}

export function pyCenter(s: string, width: number, fill = ' '): string {
  const pad = width - s.length;
  if (pad <= 0) return s;
  // CPython: left = pad // 2 + (pad & width & 1)
  const left = Math.floor(pad / 2) + (pad & width & 1);
  return fill.repeat(left) + s + fill.repeat(pad - left);
}

/** Python's str(): lists and dicts as Python shows them ("['a', 1]"). */
export const pyString = pyText;

function comment(t: string, style: string, kw: Record<string, unknown>): string {
  const styles: Record<string, Record<string, string>> = {
    plain: { decoration: '# ' },
    erlang: { decoration: '% ' },
    c: { decoration: '// ' },
    cblock: { beginning: '/*', decoration: ' * ', end: ' */' },
    xml: { beginning: '<!--', decoration: ' - ', end: '-->' },
  };
  const sp = Object.prototype.hasOwnProperty.call(styles, style) ? styles[style] : undefined;
  if (!sp) throw new Fail(`comment: unknown style '${style}' (plain, erlang, c, cblock, xml)`);
  const prepost = kw['decoration'] !== undefined ? pyStr(kw['decoration']) : sp['decoration']!;
  const p: Record<string, unknown> = { newline: '\n', beginning: '', prefix: prepost.trimEnd(), prefix_count: 1, decoration: '', postfix: prepost.trimEnd(), postfix_count: 1, end: '', ...sp, ...kw };
  const nl = pyStr(p['newline']);
  const deco = pyStr(p['decoration']);
  const beginning = p['beginning'] ? `${pyStr(p['beginning'])}${nl}` : '';
  let prefix = '';
  if (p['prefix']) prefix = (pyStr(p['prefix']) !== nl ? `${pyStr(p['prefix'])}${nl}` : nl).repeat(toInt(p['prefix_count']));
  const body = `${deco}${t.split(nl).join(nl + deco)}`.split(`${deco}${nl}`).join(`${deco.trimEnd()}${nl}`);
  const postfix = ['', ...Array.from({ length: toInt(p['postfix_count']) }, () => pyStr(p['postfix']))].join(nl);
  const end = p['end'] ? `${nl}${pyStr(p['end'])}` : '';
  return beginning + prefix + body + postfix + end;
}

export const TEXT_FILTERS: Record<string, Fn> = {
  string: (v) => pyString(v),
  lower: (v) => text(v).toLowerCase(),
  upper: (v) => text(v).toUpperCase(),
  capitalize: (v) => capitalize(text(v)),
  title: (v) => jinjaTitle(text(v)),
  trim: (v, args, kw) => pyStrip(text(v), arg(args, kw, 0, 'chars')),
  center: (v, args, kw) => pyCenter(text(v), int(arg(args, kw, 0, 'width', 80), 'center')),
  replace: (v, args, kw) => {
    const s = text(v);
    const [a, b] = [text(arg(args, kw, 0, 'old')), text(arg(args, kw, 1, 'new', ''))];
    const count = arg(args, kw, 2, 'count');
    if (count === undefined || count === null) return a === '' ? [...s].map((c) => b + c).join('') + b : s.split(a).join(b);
    const n = int(count, 'replace');
    const parts = s.split(a);
    return parts.slice(0, n + 1).join(b) + (parts.length > n + 1 ? a + parts.slice(n + 1).join(a) : '');
  },
  indent: (v, args, kw) => {
    const w = arg(args, kw, 0, 'width', 4);
    const pad = typeof w === 'string' ? w : ' '.repeat(toInt(w));
    const first = truthy(arg(args, kw, 1, 'first', false));
    const blank = truthy(arg(args, kw, 2, 'blank', false));
    const lines = str(v, 'indent').split('\n');
    // Jinja's do_indent: empty lines stay empty unless blank=true (a line of spaces is not empty)
    return lines.map((line, i) => ((i > 0 || first) && (blank || line !== '') ? pad + line : line)).join('\n');
  },
  wordcount: (v) => (text(v).match(/\w+/gu) ?? []).length,
  split: (v, args, kw) => pySplit(str(v, 'split'), arg(args, kw, 0, 'sep'), toInt(arg(args, kw, 1, 'maxsplit', -1))),
  splitlines: (v, args, kw) => pySplitlines(text(v), truthy(arg(args, kw, 0, 'keepends', false))),
  truncate: (v, args, kw) => {
    const s = text(v);
    const length = toInt(arg(args, kw, 0, 'length', 255));
    const killwords = truthy(arg(args, kw, 1, 'killwords', false));
    const end = text(arg(args, kw, 2, 'end', '...'));
    const leeway = toInt(arg(args, kw, 3, 'leeway', 5));
    if (s.length <= length + leeway) return s;
    if (killwords) return s.slice(0, length - end.length) + end;
    const cut = s.slice(0, length - end.length);
    const sp = cut.lastIndexOf(' ');
    return (sp >= 0 ? cut.slice(0, sp) : cut) + end;
  },
  quote: (v) => shellQuote(v === null || v === undefined ? '' : pyString(v)),
  comment: (v, args, kw) => comment(str(v, 'comment'), pyStr(arg(args, kw, 0, 'style', 'plain')), Object.fromEntries(Object.entries(kw).filter(([k]) => k !== 'style'))),
  // plugins/filter/core.py to_bool: none and booleans as they are; 'yes', 'on', '1', 'true' and 1
  bool: (v) => (v === null || v === undefined || typeof v === 'boolean' ? (v ?? null) : typeof v === 'string' ? ['yes', 'on', '1', 'true'].includes(v.toLowerCase()) : v === 1),
  int: (v, args, kw) => {
    const base = toInt(arg(args, kw, 1, 'base', 10));
    const d = toInt(arg(args, kw, 0, 'default', 0));
    // Jinja's do_int: int(s, base), else int(float(s)), else the default (no 0x without base=16)
    if (base === 10 && typeof v === 'string' && /^\s*[+-]?0[xob]/i.test(v)) return d;
    if (base !== 10 && typeof v === 'string') {
      const s = v.trim().toLowerCase().replace(/^0[xob]/, '');
      const n = parseInt(s, base);
      return Number.isNaN(n) ? d : n;
    }
    return toInt(v, d);
  },
  float: (v, args, kw) => {
    // Python's float() also reads nan and inf
    if (typeof v === 'string' && /^\s*[+-]?(nan|inf|infinity)\s*$/i.test(v)) return /nan/i.test(v) ? NaN : v.trim().startsWith('-') ? -Infinity : Infinity;
    return toFloat(v, toFloat(arg(args, kw, 0, 'default', 0)));
  },
  // Jinja's do_format: value % (kwargs or args)
  format: (v, args, kw) => {
    if (args.length && Object.keys(kw).length) throw new Fail("format: can't handle positional and keyword arguments at the same time");
    return pyPercent(text(v), Object.keys(kw).length ? [kw] : args);
  },
  ternary: (v, args, kw) => {
    const t = arg(args, kw, 0, 'true_val');
    const f = arg(args, kw, 1, 'false_val');
    const none = arg(args, kw, 2, 'none_val');
    if (v === null && none !== undefined) return none;
    return truthy(v) ? t : f;
  },
  type_debug: (v) => {
    if (v === null || v === undefined) return 'NoneType';
    if (Array.isArray(v)) return 'list';
    if (typeof v === 'string') return 'str';
    if (typeof v === 'boolean') return 'bool';
    if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
    return 'dict';
  },
};
TEXT_FILTERS['e'] = TEXT_FILTERS['escape'] = (v) =>
  text(v).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&#34;', "'": '&#39;' })[c]!);
TEXT_FILTERS['safe'] = (v) => v;
TEXT_FILTERS['striptags'] = (v) => text(v).replace(/<!--[\s\S]*?-->|<[^>]*>/g, '').replace(/\s+/g, ' ').trim();

/** Python's printf-style `%` formatting (Jinja's `format` filter, sequence's format). */
export function pyPercent(fmt: string, args: unknown[]): string {
  let i = 0;
  // '%(name)s' % {'name': …}: the values come from the one dict
  const named = args.length === 1 && isMapping(args[0]) ? args[0] : undefined;
  return fmt.replace(/%(?:\(([^)]*)\))?([-+ 0#]*)(\d+|\*)?(?:\.(\d+))?([diouxXeEfFgGcrs%])/g, (_all, key: string | undefined, flags: string, width: string | undefined, prec: string | undefined, conv: string) => {
    if (conv === '%') return '%';
    let a: unknown;
    if (key !== undefined) {
      if (!named || !Object.prototype.hasOwnProperty.call(named, key)) throw new Fail(`format requires a mapping with the key '${key}'`);
      a = named[key];
    } else {
      if (i >= args.length) throw new Fail(`not enough arguments for format string '${fmt}'`);
      a = args[i++];
      if (a instanceof UndefinedArg && conv !== 'r') throw new Fail(`'${a.name}' is undefined`);
    }
    let s: string;
    const n = (): number => {
      if (typeof a !== 'number' && typeof a !== 'boolean') throw new Fail(`%${conv} format: a number is required, not ${typeof a === 'string' ? 'str' : pyString(a)}`);
      return Number(a);
    };
    switch (conv) {
      case 'd':
      case 'i':
      case 'u':
        s = String(Math.trunc(Math.abs(n())));
        break;
      case 'o':
        s = (flags.includes('#') ? '0o' : '') + Math.trunc(Math.abs(n())).toString(8);
        break;
      case 'x':
      case 'X':
        s = (flags.includes('#') ? '0x' : '') + Math.trunc(Math.abs(n())).toString(16);
        if (conv === 'X') s = s.toUpperCase();
        break;
      case 'e':
      case 'E':
        s = Math.abs(n()).toExponential(prec === undefined ? 6 : Number(prec)).replace(/e([+-])(\d)$/, 'e$10$2');
        if (conv === 'E') s = s.toUpperCase();
        break;
      case 'f':
      case 'F':
        s = Math.abs(n()).toFixed(prec === undefined ? 6 : Number(prec));
        break;
      case 'g':
      case 'G':
        s = String(Number(Math.abs(n()).toPrecision(prec === undefined ? 6 : Math.max(1, Number(prec)))));
        break;
      case 'c':
        s = typeof a === 'number' ? String.fromCodePoint(a) : text(a);
        break;
      case 'r':
        s = a instanceof UndefinedArg ? a.repr : pyRepr(a);
        break;
      default:
        s = pyString(a);
    }
    if ('diouxXeEfFgG'.includes(conv)) {
      const neg = n() < 0;
      const sign = neg ? '-' : flags.includes('+') ? '+' : flags.includes(' ') ? ' ' : '';
      if (prec !== undefined && 'diouxX'.includes(conv)) s = s.padStart(Number(prec), '0');
      const w = width ? Number(width) : 0;
      if (flags.includes('0') && !flags.includes('-')) s = s.padStart(w - sign.length, '0');
      s = sign + s;
    } else if (prec !== undefined) s = s.slice(0, Number(prec));
    const w = width ? Number(width) : 0;
    return flags.includes('-') ? s.padEnd(w) : s.padStart(w);
  });
}
