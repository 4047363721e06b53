// The Python methods Ansible users call on values (`x.split(',')`, `d.get('k', 1)`), implemented
// here: never JavaScript's own. Methods that change a value (append, update, pop…) work on lists
// and dicts the template itself made (`{% set l = [] %}{{ l.append(x) }}`, as roles such as
// kubespray and debops do); on the playbook's variables they are refused with the filter to use
// instead, since those values are shared by every host and task.
import { pyRepr, Fail, int, str } from './filters/args.js';
import { pyPercent, capitalize, pyCenter, pySplit, pyRsplit, pySplitlines, pyStrip, pyString, pyTitle } from './filters/text.js';
import { strftime } from './filters/numbers.js';
import { isMapping, pyEqual, pyStr, toInt, truthy, typeName } from './values.js';

const MUTATING: Record<string, string> = {
  append: 'x + [item]',
  extend: 'x + other',
  insert: 'x[:i] + [item] + x[i:]',
  pop: 'x[:-1] / x | dict2items | rejectattr(...) | items2dict',
  remove: "x | reject('equalto', item) | list",
  clear: '[] or {}',
  sort: 'x | sort',
  reverse: 'x | reverse | list',
  update: 'x | combine(other)',
  setdefault: "x | combine({'k': v})",
  popitem: 'x | dict2items',
};

/** Lists and dicts made by the expression itself (literals, dict(), namespace()): the ones methods may change. */
const OWNED = new WeakSet<object>();

export function owned<T extends object>(v: T): T {
  OWNED.add(v);
  return v;
}

function listMutation(l: unknown[], method: string, a: unknown[]): unknown {
  switch (method) {
    case 'append':
      l.push(a[0] ?? null);
      return null;
    case 'extend':
      if (!Array.isArray(a[0])) throw new Fail(`extend expects a list, got ${typeName(a[0])}`);
      l.push(...a[0]);
      return null;
    case 'insert': {
      const i = toInt(a[0]);
      l.splice(i < 0 ? Math.max(0, l.length + i) : Math.min(i, l.length), 0, a[1] ?? null);
      return null;
    }
    case 'pop': {
      if (!l.length) throw new Fail('pop from empty list');
      const i = a[0] === undefined ? l.length - 1 : toInt(a[0]);
      const j = i < 0 ? l.length + i : i;
      if (j < 0 || j >= l.length) throw new Fail('pop index out of range');
      return l.splice(j, 1)[0];
    }
    case 'remove': {
      const i = l.findIndex((x) => pyEqual(x, a[0]));
      if (i < 0) throw new Fail('list.remove(x): x not in list');
      l.splice(i, 1);
      return null;
    }
    case 'clear':
      l.length = 0;
      return null;
    case 'reverse':
      l.reverse();
      return null;
  }
  return undefined;
}

const setKey = (d: Record<string, unknown>, k: unknown, v: unknown): void =>
  void Object.defineProperty(d, pyStr(k), { value: v, enumerable: true, writable: true, configurable: true });

function dictMutation(d: Record<string, unknown>, method: string, a: unknown[], kw: Record<string, unknown>): unknown {
  const has = (k: string): boolean => Object.prototype.hasOwnProperty.call(d, k);
  switch (method) {
    case 'update': {
      const src = a[0];
      if (isMapping(src)) for (const k of Object.keys(src)) setKey(d, k, src[k]);
      else if (Array.isArray(src)) for (const pair of src) if (Array.isArray(pair) && pair.length === 2) setKey(d, pair[0], pair[1]);
      else if (src !== undefined && src !== null) throw new Fail(`update expects a dict, got ${typeName(src)}`);
      for (const k of Object.keys(kw)) setKey(d, k, kw[k]);
      return null;
    }
    case '__setitem__':
      setKey(d, a[0], a[1] ?? null);
      return null;
    case 'setdefault': {
      const k = pyStr(a[0]);
      if (!has(k)) setKey(d, k, a[1] ?? null);
      return d[k];
    }
    case 'pop': {
      const k = pyStr(a[0]);
      if (has(k)) {
        const v = d[k];
        delete d[k];
        return v;
      }
      if (a.length > 1) return a[1];
      throw new Fail(`KeyError: '${k}'`);
    }
    case 'popitem': {
      const keys = Object.keys(d);
      if (!keys.length) throw new Fail('popitem(): dictionary is empty');
      const k = keys[keys.length - 1]!;
      const v = d[k];
      delete d[k];
      return [k, v];
    }
    case 'clear':
      for (const k of Object.keys(d)) delete d[k];
      return null;
  }
  return undefined;
}

/** str.format with {} / {0} / {name} fields and a few format specs ({:>5}, {:.2f}, {:02d}). */
function pyFormat(fmt: string, args: unknown[], kw: Record<string, unknown>): string {
  let auto = 0;
  return fmt.replace(/\{\{|\}\}|\{([^{}:!]*)(?:![rsa])?(?::([^{}]*))?\}/g, (all, field: string | undefined, spec: string | undefined) => {
    if (all === '{{') return '{';
    if (all === '}}') return '}';
    const name = field ?? '';
    const [head, ...path] = name.split('.');
    let v = head === '' ? args[auto++] : /^\d+$/.test(head!) ? args[Number(head)] : kw[head!];
    for (const p of path) v = isMapping(v) ? v[p] : undefined;
    if (v === undefined) throw new Fail(`format: no value for field '{${name}}'`);
    if (!spec) return pyString(v);
    const m = /^(?:(.)?([<>^=]))?([+\- ])?(0)?(\d+)?(,)?(?:\.(\d+))?([sdfeExXobg%])?$/.exec(spec);
    if (!m) throw new Fail(`format: unsupported format spec '${spec}'`);
    const [, fill = ' ', align, , zero, width, , prec, type] = m;
    let s: string;
    if (type && 'dfeExXobg%'.includes(type)) s = pyPercent(`%${prec !== undefined ? `.${prec}` : ''}${type === 'b' ? 'd' : type === '%' ? 'f' : type}`, [type === '%' ? Number(v) * 100 : v]) + (type === '%' ? '%' : '');
    else s = pyString(v);
    if (type === 'b') s = Math.trunc(Number(v)).toString(2);
    const w = width ? Number(width) : 0;
    const numeric = typeof v === 'number';
    const a = align ?? (zero ? '=' : numeric ? '>' : '<');
    const f = zero && !align ? '0' : fill;
    if (s.length >= w) return s;
    const padN = w - s.length;
    if (a === '<') return s + f.repeat(padN);
    if (a === '>') return f.repeat(padN) + s;
    if (a === '=') return s.startsWith('-') ? `-${f.repeat(padN)}${s.slice(1)}` : f.repeat(padN) + s;
    const left = Math.floor(padN / 2);
    return f.repeat(left) + s + f.repeat(padN - left);
  });
}

function strMethod(s: string, method: string, a: unknown[], kw: Record<string, unknown>): unknown {
  switch (method) {
    case 'split':
      return pySplit(s, a[0] ?? kw['sep'], toInt(a[1] ?? kw['maxsplit'] ?? -1));
    case 'rsplit':
      return pyRsplit(s, a[0] ?? kw['sep'], toInt(a[1] ?? kw['maxsplit'] ?? -1));
    case 'strip':
      return pyStrip(s, a[0]);
    case 'lstrip':
      return pyStrip(s, a[0], 'left');
    case 'rstrip':
      return pyStrip(s, a[0], 'right');
    case 'startswith':
    case 'endswith': {
      const opts = Array.isArray(a[0]) ? a[0].map(pyStr) : [str(a[0], method)];
      return opts.some((o) => (method === 'startswith' ? s.startsWith(o) : s.endsWith(o)));
    }
    case 'upper':
      return s.toUpperCase();
    case 'lower':
      return s.toLowerCase();
    case 'title':
      return pyTitle(s);
    case 'capitalize':
      return capitalize(s);
    case 'center':
      return pyCenter(s, int(a[0], 'center'), a[1] === undefined ? ' ' : str(a[1], 'center'));
    case 'ljust':
      return s.padEnd(int(a[0], 'ljust'), a[1] === undefined ? ' ' : str(a[1], 'ljust'));
    case 'rjust':
      return s.padStart(int(a[0], 'rjust'), a[1] === undefined ? ' ' : str(a[1], 'rjust'));
    case 'zfill': {
      const w = int(a[0], 'zfill');
      const sign = /^[+-]/.test(s) ? s[0]! : '';
      return sign + s.slice(sign.length).padStart(w - sign.length, '0');
    }
    case 'replace': {
      const [old, rep, count] = [str(a[0], 'replace'), str(a[1], 'replace'), a[2]];
      if (count === undefined || toInt(count) < 0) return s.split(old).join(rep);
      const parts = s.split(old);
      const n = toInt(count);
      return parts.slice(0, n + 1).join(rep) + (parts.length > n + 1 ? old + parts.slice(n + 1).join(old) : '');
    }
    case 'format':
      return pyFormat(s, a, kw);
    case 'join':
      if (!Array.isArray(a[0])) throw new Fail(`join expects a list, got ${typeName(a[0])}`);
      return a[0]
        .map((x) => {
          if (typeof x !== 'string') throw new Fail(`sequence item: expected str instance, ${typeName(x)} found`);
          return x;
        })
        .join(s);
    case 'find':
      return s.indexOf(str(a[0], 'find'));
    case 'rfind':
      return s.lastIndexOf(str(a[0], 'rfind'));
    case 'index': {
      const i = s.indexOf(str(a[0], 'index'));
      if (i < 0) throw new Fail('substring not found');
      return i;
    }
    case 'count': {
      const sub = str(a[0], 'count');
      return sub === '' ? s.length + 1 : s.split(sub).length - 1;
    }
    case 'splitlines':
      return pySplitlines(s, truthy(a[0] ?? kw['keepends'] ?? false));
    case 'isdigit':
      return /^\d+$/.test(s);
    case 'isalpha':
      return /^\p{L}+$/u.test(s);
    case 'isalnum':
      return /^[\p{L}\d]+$/u.test(s);
    case 'isspace':
      return /^\s+$/.test(s);
    case 'islower':
      return /[a-z]/.test(s) && s === s.toLowerCase();
    case 'isupper':
      return /[A-Z]/.test(s) && s === s.toUpperCase();
    case 'swapcase':
      return [...s].map((c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase())).join('');
    case 'removeprefix':
      return s.startsWith(str(a[0], method)) ? s.slice(str(a[0], method).length) : s;
    case 'removesuffix': {
      const x = str(a[0], method);
      return x && s.endsWith(x) ? s.slice(0, -x.length) : s;
    }
    case 'partition':
    case 'rpartition': {
      const sep = str(a[0], method);
      const i = method === 'partition' ? s.indexOf(sep) : s.lastIndexOf(sep);
      if (i < 0) return method === 'partition' ? [s, '', ''] : ['', '', s];
      return [s.slice(0, i), sep, s.slice(i + sep.length)];
    }
    case 'encode':
    case 'decode':
      return s;
  }
  return undefined;
}

function dictMethod(d: Record<string, unknown>, method: string, a: unknown[]): unknown {
  switch (method) {
    case 'keys':
      return Object.keys(d);
    case 'values':
      return Object.values(d);
    case 'items':
      return Object.entries(d);
    case 'get': {
      const k = pyStr(a[0]);
      return Object.prototype.hasOwnProperty.call(d, k) ? d[k] : (a[1] ?? null);
    }
    case 'copy':
      return { ...d };
    case 'total_seconds':
      // a timedelta (datetime - datetime)
      if (['days', 'seconds', 'microseconds'].every((k) => typeof d[k] === 'number')) return (d['days'] as number) * 86400 + (d['seconds'] as number) + (d['microseconds'] as number) / 1e6;
      break;
  }
  return undefined;
}

function listMethod(l: unknown[], method: string, a: unknown[]): unknown {
  switch (method) {
    case 'index': {
      const i = l.findIndex((x) => pyEqual(x, a[0]));
      if (i < 0) throw new Fail(`${pyRepr(a[0])} is not in list`);
      return i;
    }
    case 'count':
      return l.filter((x) => pyEqual(x, a[0])).length;
    case 'copy':
      return [...l];
  }
  return undefined;
}

/** datetime methods for now() and to_datetime results. */
function dateMethod(d: Date, method: string, a: unknown[]): unknown {
  switch (method) {
    case 'strftime':
      return strftime(str(a[0], 'strftime'), d, false);
    case 'isoformat':
      return strftime('%Y-%m-%dT%H:%M:%S', d, false) + (d.getMilliseconds() ? `.${String(d.getMilliseconds() * 1000).padStart(6, '0')}` : '');
    case 'timestamp':
      return d.getTime() / 1000;
  }
  return undefined;
}

const KNOWN = 'strings: split rsplit strip lstrip rstrip startswith endswith upper lower title capitalize replace format join find rfind index count splitlines center ljust rjust zfill isdigit isalpha …; dicts: get keys values items copy; lists: index count copy';

export function callMethod(obj: unknown, method: string, args: unknown[], kw: Record<string, unknown> = {}): unknown {
  let r: unknown;
  if (obj instanceof Date) r = dateMethod(obj, method, args);
  else if (typeof obj === 'string') r = strMethod(obj, method, args, kw);
  else if (isMapping(obj)) r = dictMethod(obj, method, args);
  else if (Array.isArray(obj)) r = listMethod(obj, method, args);
  if (r !== undefined) return r;
  if ((Array.isArray(obj) || isMapping(obj)) && (Object.prototype.hasOwnProperty.call(MUTATING, method) || method === '__setitem__')) {
    if (OWNED.has(obj)) {
      const m = Array.isArray(obj) ? listMutation(obj, method, args) : dictMutation(obj as Record<string, unknown>, method, args, kw);
      if (m !== undefined) return m;
    }
    throw new Fail(`${typeName(obj)}.${method}() would change a variable every host shares; gx changes only lists and dicts the template made itself ({% set l = [] %}). Write ${MUTATING[method] ?? 'x | combine({key: value})'} instead`);
  }
  throw new Fail(`${typeName(obj)} has no method '${method}' in gx expressions (${KNOWN})`);
}
