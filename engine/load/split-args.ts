// Ansible's reading of `key=value` module arguments (`file: path={{ x }} state=absent`), ported from
// lib/ansible/parsing/splitter.py (split_args, join_args, parse_kv) and parsing/quoting.py (unquote)
// at v2.17.5. Unlike a POSIX shell, Ansible splits on blanks but keeps a `{{ … }}`, `{% … %}` or
// `{# … #}` and a quoted string together as one word, quotes included, and removes the quotes only
// when they wrap a whole value. This runs before templating, so a template's spaces never split an
// argument, and each value is rendered on its own at run time.

export class UnbalancedArgs extends Error {
  constructor(text: string) {
    super(`failed at splitting arguments, either an unbalanced jinja2 block or quotes: ${text}`);
    this.name = 'UnbalancedArgs';
  }
}

/** The quote still open after `token` (or undefined): splitter.py _get_quote_state. */
function quoteState(token: string, open: string | undefined): string | undefined {
  let q = open;
  for (let i = 0; i < token.length; i++) {
    const c = token[i]!;
    if ((c === '"' || c === "'") && (i === 0 || token[i - 1] !== '\\')) {
      if (q) {
        if (c === q) q = undefined;
      } else q = c;
    }
  }
  return q;
}

const count = (s: string, sub: string): number => s.split(sub).length - 1;

/** splitter.py _count_jinja2_blocks */
function depth(token: string, cur: number, open: string, close: string): number {
  const o = count(token, open);
  const c = count(token, close);
  return o === c ? cur : Math.max(0, cur + o - c);
}

/** The words of `args` as Ansible splits them (quotes kept; templates and quoted strings whole). Throws UnbalancedArgs. */
export function splitArgs(args: string): string[] {
  if (!args) return [];
  const params: string[] = [];
  const items = args.split('\n');
  let quote: string | undefined;
  let inside = false;
  let print = 0;
  let block = 0;
  let comment = 0;
  items.forEach((item, itemIdx) => {
    const tokens = item.split(' ');
    let continuation = false;
    tokens.forEach((token, idx) => {
      if (token.length === 0 && idx !== 0) {
        if (params.length === 0) params.push('');
        params[params.length - 1] += ' ';
        return;
      }
      if (token === '\\' && !inside) {
        continuation = true;
        return;
      }
      const wasInside = inside;
      quote = quoteState(token, quote);
      inside = quote !== undefined;
      let appended = false;
      if (inside && !wasInside && !(print || block || comment)) {
        params.push(token);
        appended = true;
      } else if (print || block || comment || inside || wasInside) {
        const last = params.length - 1;
        if (idx === 0 && wasInside) params[last] = `${params[last]}${token}`;
        else params[last] = `${params[last]}${idx > 0 ? ' ' : ''}${token}`;
        appended = true;
      }
      const p = print;
      print = depth(token, print, '{{', '}}');
      if (print !== p && !appended) {
        params.push(token);
        appended = true;
      }
      const b = block;
      block = depth(token, block, '{%', '%}');
      if (block !== b && !appended) {
        params.push(token);
        appended = true;
      }
      const c = comment;
      comment = depth(token, comment, '{#', '#}');
      if (comment !== c && !appended) {
        params.push(token);
        appended = true;
      }
      if (!(print || block || comment) && !inside && !appended && token !== '') params.push(token);
    });
    if (items.length > 1 && itemIdx !== items.length - 1 && !continuation) {
      if (params.length === 0) params.push('');
      params[params.length - 1] += '\n';
    }
  });
  if (print || block || comment || inside) throw new UnbalancedArgs(args);
  return params;
}

/** splitter.py join_args: the words back into one string, newlines kept. */
export function joinArgs(words: readonly string[]): string {
  let out = '';
  for (const w of words) out += out.length === 0 || out.endsWith('\n') ? w : ` ${w}`;
  return out;
}

/** quoting.py unquote: the quotes around a whole value removed. */
export function unquote(s: string): string {
  const quoted = s.length > 1 && s[0] === s[s.length - 1] && (s[0] === '"' || s[0] === "'") && s[s.length - 2] !== '\\';
  return quoted ? s.slice(1, -1) : s;
}

const ESCAPES = /\\U[0-9a-fA-F]{8}|\\u[0-9a-fA-F]{4}|\\x[0-9a-fA-F]{2}|\\[\\'"abfnrtv]/g;
const SIMPLE: Record<string, string> = { '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };

/** splitter.py _decode_escapes: `\n`, `\t`, `\x41`, `\u00e9`… in a key=value word become the characters. */
function decodeEscapes(s: string): string {
  return s.replace(ESCAPES, (m) => (m.length === 2 ? SIMPLE[m[1]!]! : String.fromCodePoint(parseInt(m.slice(2), 16))));
}

export interface KeyValues {
  /** key=value words, their values unquoted */
  options: Record<string, string>;
  /** the other words, joined as written (Ansible's _raw_params) */
  raw?: string;
  /** the words that were not key=value (for messages) */
  rawWords: string[];
}

/**
 * splitter.py parse_kv: `key=value` words become options; the others (and, when `isOption` says
 * so, key=value words whose key the module does not take as an option) stay free-form text.
 */
export function parseKv(args: string, isOption: (key: string) => boolean = () => true): KeyValues {
  const options: Record<string, string> = {};
  const rawWords: string[] = [];
  for (const orig of splitArgs(args)) {
    const x = decodeEscapes(orig);
    let pos = -1;
    for (let from = 1; ; ) {
      const at = x.indexOf('=', from);
      if (at < 0) break;
      if (x[at - 1] !== '\\') {
        pos = at;
        break;
      }
      from = at + 1;
    }
    if (pos < 0) {
      rawWords.push(x.includes('=') ? x.replace(/\\=/g, '=') : orig);
      continue;
    }
    const key = x.slice(0, pos);
    if (!isOption(key.trim())) {
      rawWords.push(orig);
      continue;
    }
    options[key.trim()] = unquote(x.slice(pos + 1).trim());
  }
  return { options, raw: rawWords.length ? joinArgs(rawWords) : undefined, rawWords };
}
