// Regular-expression filters with Python's syntax (Ansible's plugins/filter/core.py:
// regex_replace, regex_search, regex_findall, regex_escape), translated by modules/lib/py-regex.ts.
import { pySub, PyRegexError, translatePyRegex } from '../../../modules/lib/py-regex.js';

import { pyStr, toInt, truthy } from '../values.js';
import { arg, Fail, text, type Fn } from './args.js';

const cache = new Map<string, RegExp>();

/** A compiled Python regex; flags from ignorecase=/multiline= keyword arguments and `extra`. */
export function pyRe(source: unknown, kw: Record<string, unknown>, what: string, extra = ''): RegExp {
  const flags = extra + (truthy(kw['ignorecase']) ? 'i' : '') + (truthy(kw['multiline']) ? 'm' : '');
  const src = pyStr(source);
  const key = `${flags}/${src}`;
  let re = cache.get(key);
  if (!re) {
    try {
      const t = translatePyRegex(src, flags);
      re = new RegExp(t.source, t.flags);
    } catch (e) {
      const why = e instanceof PyRegexError ? e.message : (e as Error).message.replace(/^Invalid regular expression: /, '');
      throw new Fail(`${what}: invalid regular expression '${src}': ${why}`);
    }
    if (cache.size > 1000) cache.clear();
    cache.set(key, re);
  }
  return re;
}

/** re.findall: whole matches, the one group, or tuples of groups. */
export function pyFindall(re: RegExp, s: string): unknown[] {
  const g = new RegExp(re.source, re.flags.includes('g') ? re.flags : `${re.flags}g`);
  const out: unknown[] = [];
  for (const m of s.matchAll(g)) {
    if (m.length === 1) out.push(m[0]);
    else if (m.length === 2) out.push(m[1] ?? '');
    else out.push(m.slice(1).map((x) => x ?? ''));
  }
  return out;
}

export const REGEX_FILTERS: Record<string, Fn> = {
  regex_replace: (v, args, kw) => {
    const re = pyRe(arg(args, kw, 0, 'pattern', ''), { ignorecase: arg(args, kw, 2, 'ignorecase'), multiline: arg(args, kw, 3, 'multiline') }, 'regex_replace');
    const count = toInt(kw['count'] ?? 0);
    const { out, n } = pySub(re, pyStr(arg(args, kw, 1, 'replacement', '')), text(v), count);
    const mandatory = toInt(kw['mandatory_count'] ?? 0);
    if (mandatory && mandatory !== n) throw new Fail(`'${pyStr(arg(args, kw, 0, 'pattern'))}' should match ${mandatory} times, but matches ${n} times in '${text(v)}'`);
    return out;
  },
  regex_search: (v, args, kw) => {
    const [pattern, ...refs] = args;
    const groups = refs.map((r) => {
      const s = pyStr(r);
      const named = /^\\g<(\S+)>$/.exec(s);
      if (named) return named[1]!;
      const num = /^\\(\d+)$/.exec(s);
      if (num) return Number(num[1]);
      throw new Fail(`regex_search: unknown argument '${s}' (use '\\1' or '\\g<name>')`);
    });
    const m = pyRe(pattern ?? kw['regex'], kw, 'regex_search').exec(text(v));
    if (!m) return null;
    if (!groups.length) return m[0];
    return groups.map((g) => (typeof g === 'number' ? (m[g] ?? null) : (m.groups?.[g] ?? null)));
  },
  regex_findall: (v, args, kw) => pyFindall(pyRe(arg(args, kw, 0, 'regex'), { multiline: arg(args, kw, 1, 'multiline'), ignorecase: arg(args, kw, 2, 'ignorecase') }, 'regex_findall'), text(v)),
  regex_escape: (v, args, kw) => {
    const type = pyStr(arg(args, kw, 0, 're_type', 'python'));
    if (type === 'posix_basic') return text(v).replace(/[.[\]\\*^$]/g, '\\$&');
    if (type !== 'python') throw new Fail(`regex_escape: invalid regex type (${type})`);
    // Python 3.7+ re.escape: only the characters special in a pattern
    return text(v).replace(/[()[\]{}?*+\-|^$\\.&~# \t\n\r\v\f]/g, (c) => `\\${c}`);
  },
};
