// Ansible host patterns, for `hosts:` and `--limit`: names, groups, `all`/`*`, globs, `~regex`,
// `a:b` / `a,b` union, `a:&b` intersection, `a:!b` exclusion, subscripts `g[0]`, `g[1:2]`, `g[-1]`.
// Evaluation follows ansible-core's InventoryManager: unions first, then intersections, then
// exclusions, whatever order they were written in.
import { PlaybookError } from '../errors.js';

/** What pattern matching needs to know about an inventory. */
export interface PatternTarget {
  hostNames(): Iterable<string>;
  groupNames(): Iterable<string>;
  hasHost(name: string): boolean;
  /** the group's hosts (descendants included) in inventory order */
  groupMembers(group: string): string[];
  /** a name that resolves without being in the inventory (implicit localhost), else false */
  implicitHost(name: string): boolean;
}

/**
 * Splits a pattern into its terms. With a comma, commas alone separate (as in Ansible, so a term
 * may contain ':' there); otherwise ':' separates, except inside a bracketed subscript.
 */
export function splitPattern(pattern: string | string[]): string[] {
  if (Array.isArray(pattern)) return pattern.flatMap((p) => splitPattern(String(p)));
  const parts = pattern.includes(',') ? pattern.split(',') : (pattern.match(/(?:[^\s:[\]]|\[[^\]]*\])+/g) ?? []);
  return parts.map((p) => p.trim()).filter((p) => p !== '');
}

/** Unions, then `&` intersections, then `!` exclusions; only modifiers means "all" modified. */
export function orderPatterns(terms: string[]): string[] {
  const regular = terms.filter((t) => t[0] !== '&' && t[0] !== '!');
  const incl = terms.filter((t) => t[0] === '&');
  const excl = terms.filter((t) => t[0] === '!');
  return [...(regular.length > 0 ? regular : ['all']), ...incl, ...excl];
}

const SUBSCRIPT = /^(.+)\[(?:(-?[0-9]+)|([0-9]+):([0-9]*))\]$/;

type Subscript = { index: number } | { start: number; end?: number };

function splitSubscript(term: string): { expr: string; sub?: Subscript } {
  if (term.startsWith('~')) return { expr: term };
  const m = SUBSCRIPT.exec(term);
  if (!m) return { expr: term };
  if (m[2] !== undefined) return { expr: m[1]!, sub: { index: Number(m[2]) } };
  return { expr: m[1]!, sub: { start: Number(m[3]), end: m[4] === '' ? undefined : Number(m[4]) } };
}

/** Python-style indexing: negative counts from the end; out of range matches nothing. */
function applySubscript(hosts: string[], sub: Subscript | undefined): string[] {
  if (!sub || hosts.length === 0) return hosts;
  if ('index' in sub) {
    const i = sub.index < 0 ? hosts.length + sub.index : sub.index;
    return i >= 0 && i < hosts.length ? [hosts[i]!] : [];
  }
  // inclusive end, like Ansible's [x:y]
  return hosts.slice(sub.start, sub.end === undefined ? undefined : sub.end + 1);
}

/** fnmatch.translate: `*`, `?`, `[seq]`, `[!seq]`; the whole name must match; case-sensitive. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '[') {
      const close = glob.indexOf(']', i + 2);
      if (close < 0) {
        re += '\\[';
        continue;
      }
      let body = glob.slice(i + 1, close);
      const negate = body.startsWith('!');
      if (negate) body = body.slice(1);
      re += `[${negate ? '^' : ''}${body.replace(/[\\\]^]/g, (ch) => `\\${ch}`)}]`;
      i = close;
    } else re += c.replace(/[.*+?^${}()|[\]\\/]/g, (ch) => `\\${ch}`);
  }
  return new RegExp(`^(?:${re})$`, 's');
}

function termMatcher(expr: string): RegExp {
  if (!expr.startsWith('~')) return globToRegExp(expr);
  try {
    // Python's re.match: anchored at the start only
    return new RegExp(`^(?:${expr.slice(1)})`);
  } catch (err) {
    throw new PlaybookError(`invalid regular expression in host pattern '${expr}': ${(err as Error).message}`, { cause: err });
  }
}

function matchOne(target: PatternTarget, term: string): string[] {
  const { expr, sub } = splitSubscript(term);
  const re = termMatcher(expr);
  const seen = new Set<string>();
  const out: string[] = [];
  const push = (h: string): void => {
    if (!seen.has(h)) {
      seen.add(h);
      out.push(h);
    }
  };
  const groups = [...target.groupNames()].filter((g) => re.test(g));
  for (const g of groups) target.groupMembers(g).forEach(push);
  if (groups.length === 0 || expr.startsWith('~') || /[.?*[]/.test(expr)) {
    for (const h of target.hostNames()) if (re.test(h)) push(h);
  }
  if (out.length === 0 && target.implicitHost(expr)) push(expr);
  return applySubscript(out, sub);
}

/** The hosts `pattern` selects, unordered (the caller puts them in inventory order). */
export function evaluatePattern(target: PatternTarget, pattern: string | string[]): Set<string> {
  let hosts = new Set<string>();
  const terms = splitPattern(pattern);
  // an empty pattern selects nothing (Ansible would read it as `all`: too easy to run everywhere by accident)
  if (terms.length === 0) return hosts;
  for (const term of orderPatterns(terms)) {
    // a plain host name wins over any pattern reading of it
    if (target.hasHost(term)) {
      hosts.add(term);
      continue;
    }
    const op = term[0];
    const body = op === '&' || op === '!' ? term.slice(1) : term;
    const that = target.hasHost(body) ? [body] : matchOne(target, body);
    if (op === '&') {
      const keep = new Set(that);
      hosts = new Set([...hosts].filter((h) => keep.has(h)));
    } else if (op === '!') {
      for (const h of that) hosts.delete(h);
    } else {
      for (const h of that) hosts.add(h);
    }
  }
  return hosts;
}
