// Ansible users write Python regular expressions (re module). They are translated to JavaScript
// here, construct by construct, so that what Python accepts either means the same in JavaScript
// or is refused with a message naming the construct. One translator for modules (lineinfile,
// wait_for…) and for the expression language (regex_replace, is match…).
import { ModuleError } from '../../engine/errors.js';

/** A Python construct JavaScript cannot express; the message names it. */
export class PyRegexError extends Error {}

const PY_FLAGS: Record<string, string> = { i: 'i', m: 'm', s: 's', x: 'x', a: '', u: '' };

/**
 * Python source + extra flags ('i', 'm', 's') → a JavaScript RegExp source and flags.
 * Handles (?P<n>…), (?P=n), \A, \Z, Python's `$` (also before a final newline), {,n}, leading
 * inline flags (?imsxau), verbose mode. Refuses scoped flags (?i:…), atomic groups, possessive
 * quantifiers, conditionals and (?L).
 */
export function translatePyRegex(source: string, extraFlags = ''): { source: string; flags: string } {
  let src = source;
  const flags = new Set(extraFlags.split('').filter(Boolean));
  // global inline flags: Python 3.11+ only allows them at the very start
  for (;;) {
    const m = /^\(\?([a-zA-Z]+)\)/.exec(src);
    if (!m) break;
    for (const f of m[1]!) {
      if (f === 'L') throw new PyRegexError('the locale flag (?L) is not supported');
      const js = PY_FLAGS[f];
      if (js === undefined) throw new PyRegexError(`unknown inline flag '${f}' in (?${m[1]})`);
      if (js) flags.add(js);
    }
    src = src.slice(m[0].length);
  }
  const verbose = flags.delete('x');
  const multiline = flags.has('m');
  let out = '';
  let inClass = false;
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    if (c === '\\') {
      const e = src[i + 1];
      if (e === undefined) throw new PyRegexError('a trailing backslash');
      i++;
      if (!inClass && e === 'A') out += '(?<![\\s\\S])';
      else if (!inClass && e === 'Z') out += '(?![\\s\\S])';
      else out += `\\${e}`;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      out += c;
      continue;
    }
    if (verbose && /\s/.test(c)) continue;
    if (verbose && c === '#') {
      while (i < src.length && src[i] !== '\n') i++;
      continue;
    }
    if (c === '[') {
      inClass = true;
      out += c;
      // a ']' right after '[' or '[^' is a literal in Python
      if (src[i + 1] === '^') out += src[++i];
      if (src[i + 1] === ']') {
        out += '\\]';
        i++;
      }
      continue;
    }
    if (c === '(' && src[i + 1] === '?') {
      const rest = src.slice(i + 2);
      let m: RegExpExecArray | null;
      if ((m = /^P<([A-Za-z_][A-Za-z0-9_]*)>/.exec(rest))) {
        out += `(?<${m[1]}>`;
        i += 1 + m[0].length;
      } else if ((m = /^P=([A-Za-z_][A-Za-z0-9_]*)\)/.exec(rest))) {
        out += `\\k<${m[1]}>`;
        i += 1 + m[0].length;
      } else if (/^[:=!#]|^<[=!]|^<[A-Za-z_]/.test(rest)) {
        if (rest.startsWith('#')) {
          // (?#comment)
          const close = src.indexOf(')', i);
          if (close < 0) throw new PyRegexError('an unterminated comment (?#…)');
          i = close;
          continue;
        }
        out += '(?';
        i += 1;
      } else if (rest.startsWith('>')) throw new PyRegexError('atomic groups (?>…) are not supported');
      else if (rest.startsWith('(')) throw new PyRegexError('conditional groups (?(id)yes|no) are not supported');
      else if (/^[-a-zA-Z]+:/.test(rest)) throw new PyRegexError(`scoped inline flags (?${/^[-a-zA-Z]+/.exec(rest)![0]}:…) are not supported; put the flag at the start of the pattern, e.g. (?i)…`);
      else if (/^[a-zA-Z]+\)/.test(rest)) throw new PyRegexError(`inline flags (?${/^[a-zA-Z]+/.exec(rest)![0]}) must be at the start of the pattern`);
      else throw new PyRegexError(`unknown extension (?${rest[0] ?? ''}`);
      continue;
    }
    if (c === '{') {
      const m = /^\{,(\d+)\}/.exec(src.slice(i));
      if (m) {
        out += `{0,${m[1]}}`;
        i += m[0].length - 1;
        continue;
      }
    }
    if ((c === '+' || c === '}') && src[i + 1] === '+' && out.length) throw new PyRegexError(`possessive quantifiers (${c}+) are not supported`);
    if ((c === '*' || c === '?') && src[i + 1] === '+') throw new PyRegexError(`possessive quantifiers (${c}+) are not supported`);
    // Python's `$` also matches just before a newline that ends the string
    if (c === '$' && !multiline) {
      out += '(?=\\n?(?![\\s\\S]))';
      continue;
    }
    out += c;
  }
  return { source: out, flags: [...flags].join('') };
}

/** A RegExp from Python source; `what` names the argument in the error. */
export function pyRegex(source: string, flags = '', what = 'regexp'): RegExp {
  try {
    const t = translatePyRegex(source, flags);
    return new RegExp(t.source, t.flags);
  } catch (err) {
    throw new ModuleError(`${what} is not a valid regular expression: ${(err as Error).message}`);
  }
}

/** Python's Match.expand: \1, \g<1>, \g<name>, \\ and \n in `template` become the groups of `m`. */
export function expandMatch(template: string, m: RegExpExecArray): string {
  return template.replace(/\\(?:g<([A-Za-z0-9_]+)>|(\d{1,2})|([\\ntr]))/g, (_all, g: string | undefined, n: string | undefined, esc: string | undefined) => {
    if (esc) return esc === 'n' ? '\n' : esc === 't' ? '\t' : esc === 'r' ? '\r' : '\\';
    const key = g ?? n!;
    const v = /^\d+$/.test(key) ? m[Number(key)] : m.groups?.[key];
    return v ?? '';
  });
}

/** Python's re.subn(pattern, repl, s, count): the new text and how many matches were replaced (regex_replace, the replace module). */
export function pySub(re: RegExp, repl: string, s: string, count = 0): { out: string; n: number } {
  const g = new RegExp(re.source, re.flags.includes('g') ? re.flags : `${re.flags}g`);
  let n = 0;
  const out = s.replace(g, (...m: unknown[]) => {
    if (count > 0 && n >= count) return m[0] as string;
    n++;
    const groups = typeof m[m.length - 1] === 'object' ? (m[m.length - 1] as Record<string, string>) : undefined;
    const nums = m.slice(0, groups ? -3 : -2) as string[];
    const exec = Object.assign([...nums], { index: 0, input: s, groups }) as unknown as RegExpExecArray;
    return expandMatch(repl, exec);
  });
  return { out, n };
}
