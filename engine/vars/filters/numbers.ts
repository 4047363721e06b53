// Number filters (Jinja2's abs/round, Ansible's mathstuff.py: log, pow, root, human_readable,
// human_to_bytes) and the odds and ends of core.py (urlsplit, strftime, to_datetime).
import { pyStr, toFloat, toInt, truthy, typeName } from '../values.js';
import { arg, dictOf, Fail, num, text, type Fn } from './args.js';

const SIZE: [string, number][] = [
  ['Y', 2 ** 80],
  ['Z', 2 ** 70],
  ['E', 2 ** 60],
  ['P', 2 ** 50],
  ['T', 2 ** 40],
  ['G', 2 ** 30],
  ['M', 2 ** 20],
  ['K', 2 ** 10],
  ['B', 1],
];

/** module_utils/common/text/formatters.py bytes_to_human. */
export function bytesToHuman(size: number, isbits: boolean, unit: unknown): string {
  const base = isbits ? 'bits' : 'Bytes';
  let [suffix, limit] = SIZE[SIZE.length - 1]!;
  for (const [s, l] of SIZE) {
    if ((unit === undefined || unit === null ? size >= l : pyStr(unit).toUpperCase() === s[0]) || s === 'B') {
      [suffix, limit] = [s, l];
      break;
    }
  }
  return `${(size / limit).toFixed(2)} ${limit !== 1 ? suffix + base[0] : base}`;
}

/** formatters.py human_to_bytes. */
export function humanToBytes(value: unknown, defaultUnit: unknown, isbits: boolean): number {
  const m = /^\s*(\d*\.?\d*)\s*([A-Za-z]+)?/i.exec(pyStr(value));
  const n = m ? Number(m[1]) : NaN;
  if (!m || m[1] === '' || Number.isNaN(n)) throw new Fail(`human_to_bytes() can't interpret following string: ${pyStr(value)}`);
  const unit = m[2] ?? (defaultUnit === undefined || defaultUnit === null ? undefined : pyStr(defaultUnit));
  if (unit === undefined) return Math.round(n);
  const key = unit[0]!.toUpperCase();
  const limit = SIZE.find(([s]) => s === key)?.[1];
  if (limit === undefined) throw new Fail(`human_to_bytes() failed to convert ${pyStr(value)} (unit = ${unit}). The suffix must be one of Y, Z, E, P, T, G, M, K, B`);
  const cls = isbits ? 'b' : 'B';
  if (unit.length > 1 && !unit.toLowerCase().includes(isbits ? 'bit' : 'byte') && unit[1] !== cls) {
    throw new Fail(`human_to_bytes() failed to convert ${pyStr(value)}. Value is not a valid string (expect ${key === 'B' ? `${cls} or ${isbits ? 'bit' : 'byte'}` : `${key}${cls} or ${key}`})`);
  }
  return Math.round(n * limit);
}

/**
 * Python's round(x, n): the exact binary value decides (2.675 is 2.67499…, so 2.67) and only an
 * exact half goes to the even neighbour (2.5 → 2). toFixed looks at the exact value too but
 * sends halves up, so ties are found from the exact decimal expansion.
 */
export function pyRound(x: number, digits: number): number {
  if (!Number.isFinite(x)) return x;
  if (digits < 0) return pyRound(x / 10 ** -digits, 0) * 10 ** -digits;
  const exact = Math.abs(x).toFixed(Math.min(100, digits + 60));
  const [whole, frac = ''] = exact.split('.');
  const rest = frac.slice(digits);
  if (/^50*$/.test(rest)) {
    const kept = `${whole}${frac.slice(0, digits)}`;
    const even = Number(kept[kept.length - 1]) % 2 === 0;
    const down = Number(`${whole}.${frac.slice(0, digits) || '0'}`);
    const v = even ? down : down + 10 ** -digits;
    return Math.sign(x) * Number(v.toFixed(digits));
  }
  return Math.sign(x) * Number(Math.abs(x).toFixed(digits));
}

/** RFC 3986 appendix B, the fields Python's urllib.parse.urlsplit gives. */
export function urlsplit(url: string): Record<string, unknown> {
  const m = /^(?:([A-Za-z][A-Za-z0-9+.-]*):)?(?:\/\/([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?$/.exec(url)!;
  const netloc = m[2] ?? '';
  const userinfo = netloc.includes('@') ? netloc.slice(0, netloc.lastIndexOf('@')) : undefined;
  const hostport = netloc.slice(netloc.lastIndexOf('@') + 1);
  const hp = /^(\[[^\]]*\]|[^:]*)(?::(\d*))?$/.exec(hostport);
  const host = hp?.[1] ? hp[1].replace(/^\[|\]$/g, '').toLowerCase() : null;
  return dictOf([
    ['fragment', m[5] ?? ''],
    ['hostname', host],
    ['netloc', netloc],
    ['password', userinfo?.includes(':') ? userinfo.slice(userinfo.indexOf(':') + 1) : null],
    ['path', m[3] ?? ''],
    ['port', hp?.[2] ? Number(hp[2]) : null],
    ['query', m[4] ?? ''],
    ['scheme', (m[1] ?? '').toLowerCase()],
    ['username', userinfo === undefined ? null : userinfo.split(':')[0]!],
  ]);
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** C strftime for the common directives, in local time or UTC. */
export function strftime(fmt: string, d: Date, utc: boolean): string {
  const g = utc
    ? { Y: d.getUTCFullYear(), m: d.getUTCMonth(), d: d.getUTCDate(), H: d.getUTCHours(), M: d.getUTCMinutes(), S: d.getUTCSeconds(), w: d.getUTCDay() }
    : { Y: d.getFullYear(), m: d.getMonth(), d: d.getDate(), H: d.getHours(), M: d.getMinutes(), S: d.getSeconds(), w: d.getDay() };
  const start = utc ? Date.UTC(g.Y, 0, 1) : new Date(g.Y, 0, 1).getTime();
  const yday = Math.floor(((utc ? Date.UTC(g.Y, g.m, g.d) : new Date(g.Y, g.m, g.d).getTime()) - start) / 86400000) + 1;
  const offset = utc ? 0 : -d.getTimezoneOffset();
  return fmt.replace(/%([a-zA-Z%])/g, (all, c: string) => {
    switch (c) {
      case 'Y': return String(g.Y);
      case 'y': return pad(g.Y % 100);
      case 'm': return pad(g.m + 1);
      case 'd': return pad(g.d);
      case 'e': return String(g.d).padStart(2, ' ');
      case 'H': return pad(g.H);
      case 'I': return pad(g.H % 12 || 12);
      case 'p': return g.H < 12 ? 'AM' : 'PM';
      case 'M': return pad(g.M);
      case 'S': return pad(g.S);
      case 'f': return pad(d.getUTCMilliseconds() * 1000, 6);
      case 'j': return pad(yday, 3);
      case 'a': return DAYS[g.w]!.slice(0, 3);
      case 'A': return DAYS[g.w]!;
      case 'b': case 'h': return MONTHS[g.m]!.slice(0, 3);
      case 'B': return MONTHS[g.m]!;
      case 'w': return String(g.w);
      case 'u': return String(g.w || 7);
      case 's': return String(Math.floor(d.getTime() / 1000));
      case 'z': return `${offset >= 0 ? '+' : '-'}${pad(Math.floor(Math.abs(offset) / 60))}${pad(Math.abs(offset) % 60)}`;
      case 'Z': return utc ? 'UTC' : (Intl.DateTimeFormat('en', { timeZoneName: 'short' }).formatToParts(d).find((p) => p.type === 'timeZoneName')?.value ?? '');
      case 'F': return `${g.Y}-${pad(g.m + 1)}-${pad(g.d)}`;
      case 'T': return `${pad(g.H)}:${pad(g.M)}:${pad(g.S)}`;
      case 'D': return `${pad(g.m + 1)}/${pad(g.d)}/${pad(g.Y % 100)}`;
      case 'n': return '\n';
      case 't': return '\t';
      case '%': return '%';
      default: throw new Fail(`strftime: the directive ${all} is not supported by gx`);
    }
  });
}

/** datetime.strptime for the directives to_datetime is used with; a local-time Date. */
export function strptime(s: string, fmt: string): Date {
  const parts: Record<string, number> = { Y: 1900, m: 1, d: 1, H: 0, M: 0, S: 0, f: 0 };
  const fields: string[] = [];
  const re = fmt.replace(/%([YmdHMSfyjbp%])|([.*+?^${}()|[\]\\])/g, (_a, c: string | undefined, lit: string | undefined) => {
    if (lit) return `\\${lit}`;
    if (c === '%') return '%';
    fields.push(c!);
    return c === 'Y' ? '(\\d{4})' : c === 'f' ? '(\\d{1,6})' : c === 'b' ? '([A-Za-z]{3})' : c === 'p' ? '(AM|PM|am|pm)' : c === 'j' ? '(\\d{1,3})' : '(\\d{1,2})';
  });
  const m = new RegExp(`^${re}$`).exec(s);
  if (!m) throw new Fail(`to_datetime: time data '${s}' does not match format '${fmt}'`);
  let pm: boolean | undefined;
  fields.forEach((f, i) => {
    const v = m[i + 1]!;
    if (f === 'b') parts['m'] = MONTHS.findIndex((x) => x.slice(0, 3).toLowerCase() === v.toLowerCase()) + 1;
    else if (f === 'p') pm = v.toLowerCase() === 'pm';
    else if (f === 'y') parts['Y'] = 2000 + Number(v) - (Number(v) >= 69 ? 100 : 0);
    else if (f === 'f') parts['f'] = Number(v.padEnd(6, '0'));
    else parts[f] = Number(v);
  });
  if (pm !== undefined) parts['H'] = (parts['H']! % 12) + (pm ? 12 : 0);
  return new Date(parts['Y']!, parts['m']! - 1, parts['d']!, parts['H'], parts['M'], parts['S'], Math.floor(parts['f']! / 1000));
}

/** A number for mathstuff's log/pow/root/human_readable, failing in Ansible 2.14's words (AnsibleFilterTypeError). */
function mathNum(v: unknown, name: string, words = 'can only be used on numbers'): number {
  if ((typeof v === 'number' && !Number.isNaN(v)) || typeof v === 'boolean') return Number(v);
  throw new Fail(`${name}() ${words}: must be real number, not ${typeName(v)}`);
}

export const NUMBER_FILTERS: Record<string, Fn> = {
  abs: (v) => Math.abs(num(v, 'abs')),
  round: (v, args, kw) => {
    const precision = toInt(arg(args, kw, 0, 'precision', 0));
    const method = pyStr(arg(args, kw, 1, 'method', 'common'));
    const x = num(v, 'round');
    const f = 10 ** precision;
    // Jinja's 'common' is Python's round(): halves go to the even neighbour
    if (method === 'common') return pyRound(x, precision);
    if (method === 'ceil') return Math.ceil(x * f) / f;
    if (method === 'floor') return Math.floor(x * f) / f;
    throw new Fail("round: method must be 'common', 'ceil' or 'floor'");
  },
  log: (v, args, kw) => {
    const base = arg(args, kw, 0, 'base');
    const x = mathNum(v, 'log');
    if (x <= 0) throw new Fail('log() can only be used on positive numbers: math domain error');
    return base === undefined ? Math.log(x) : base === 10 ? Math.log10(x) : Math.log(x) / Math.log(num(base, 'log'));
  },
  pow: (v, args, kw) => mathNum(v, 'pow') ** mathNum(arg(args, kw, 0, 'y'), 'pow'),
  root: (v, args, kw) => {
    const base = mathNum(arg(args, kw, 0, 'base', 2), 'root');
    const x = mathNum(v, 'root');
    return base === 2 ? Math.sqrt(x) : x ** (1 / base);
  },
  human_readable: (v, args, kw) => bytesToHuman(mathNum(v, 'human_readable', 'failed on bad input'), truthy(arg(args, kw, 0, 'isbits', false)), arg(args, kw, 1, 'unit')),
  human_to_bytes: (v, args, kw) => humanToBytes(v, arg(args, kw, 0, 'default_unit'), truthy(arg(args, kw, 1, 'isbits', false))),
  urlsplit: (v, args, kw) => {
    const parts = urlsplit(text(v));
    const q = arg(args, kw, 0, 'query', '');
    if (q === '' || q === undefined || q === null) return parts;
    if (!(pyStr(q) in parts)) throw new Fail(`urlsplit: unknown URL component: ${pyStr(q)}`);
    return parts[pyStr(q)];
  },
  strftime: (v, args, kw) => {
    const second = arg(args, kw, 0, 'second');
    const utc = truthy(arg(args, kw, 1, 'utc', false));
    const d = second === undefined || second === null ? new Date() : new Date(toFloat(second) * 1000);
    if (Number.isNaN(d.getTime())) throw new Fail(`strftime: invalid value for epoch value (${pyStr(second)})`);
    return strftime(text(v), d, utc);
  },
  to_datetime: (v, args, kw) => strptime(text(v), pyStr(arg(args, kw, 0, 'format', '%Y-%m-%d %H:%M:%S'))),
};
