// The Jinja template lexer: splits a template into text, `{{ expression }}` and `{% statement %}`
// pieces, drops `{# comments #}`, passes `{% raw %}` through, and applies whitespace control the
// way Jinja 3.1 does (pallets/jinja src/jinja2/lexer.py, Lexer.__init__ rules and tokeniter):
//  - `{%-`, `{{-`, `{#-` strip all whitespace before the tag; `-%}`, `-}}`, `-#}` all after it;
//  - trim_blocks removes the first newline after a block or comment tag (not after `}}`);
//  - lstrip_blocks removes spaces and tabs from the start of a line up to a block or comment tag;
//    `{%+` / `+%}` turn both off for that tag;
//  - an end tag inside brackets or a string does not end the tag (`{{ {'a': {'b': 1}} }}`);
//  - keep_trailing_newline is false: one newline at the end of the source is dropped.

export interface LexOptions {
  trimBlocks: boolean;
  lstripBlocks: boolean;
  /** what each newline of the template's own text becomes ('\n', '\r\n' or '\r'; Jinja's newline_sequence) */
  newline?: string;
  /**
   * string literals inside `{{ }}` keep their backslashes: a playbook value, which Ansible's
   * Templar.template(escape_backslashes=True) escapes before Jinja reads it (not `{% %}`, not files)
   */
  rawStrings?: boolean;
}

export type Piece =
  | { t: 'text'; text: string; pos: number }
  /** `{{ … }}`: the expression is src.slice(start, end); pos is where the tag starts */
  | { t: 'var'; start: number; end: number; pos: number }
  /** `{% … %}`: the statement is src.slice(start, end) */
  | { t: 'block'; start: number; end: number; pos: number };

export class JinjaSyntaxError extends Error {
  constructor(
    message: string,
    readonly pos: number,
    readonly hint?: string,
  ) {
    super(message);
  }
}

const OPEN = /\{\{|\{%|\{#/g;
const RAW_BEGIN = /\{%[-+]?\s*raw\s*(?:-%\}\s*|%\})/y;
const RAW_END = /\{%([-+]?)\s*endraw\s*(?:\+%\}|-%\}\s*|%\}(\n?))/g;
const WS = /\s*/y;

/** Where the tag that starts at `from` ends: [end of its content, end of the tag]. */
function tagEnd(src: string, from: number, close: '}}' | '%}', trimBlocks: boolean, tagPos: number): [number, number] {
  const stack: string[] = [];
  let i = from;
  while (i < src.length) {
    const c = src[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    if (!stack.length) {
      if (src.startsWith(`-${close}`, i)) {
        WS.lastIndex = i + 3;
        WS.exec(src);
        return [i, WS.lastIndex];
      }
      if (close === '%}' && src.startsWith('+%}', i)) return [i, i + 3];
      if (src.startsWith(close, i)) {
        let end = i + 2;
        if (close === '%}' && trimBlocks && src[end] === '\n') end++;
        return [i, end];
      }
    }
    if (c === "'" || c === '"') {
      let j = i + 1;
      while (j < src.length && src[j] !== c) j += src[j] === '\\' ? 2 : 1;
      if (j >= src.length) throw new JinjaSyntaxError('unterminated string', i);
      i = j + 1;
      continue;
    }
    if (c === '(' || c === '[' || c === '{') stack.push(c === '(' ? ')' : c === '[' ? ']' : '}');
    else if (c === ')' || c === ']' || c === '}') {
      const want = stack.pop();
      if (want === undefined) throw new JinjaSyntaxError(`unexpected '${c}'`, i);
      if (want !== c) throw new JinjaSyntaxError(`unexpected '${c}', expected '${want}'`, i);
    }
    i++;
  }
  throw new JinjaSyntaxError(close === '}}' ? "unexpected end of template, expected '}}'" : "unexpected end of template, expected '%}'", tagPos);
}

/** lstrip_blocks / `-` before a tag: what is left of the text in front of it. */
function stripBefore(text: string, sign: string, lstrip: boolean, isVar: boolean, lineStarting: boolean): string {
  if (sign === '-') return text.replace(/\s+$/, '');
  if (sign === '+' || !lstrip || isVar) return text;
  const l = text.lastIndexOf('\n') + 1;
  if ((l > 0 || lineStarting) && /^[^\S\n]+$/.test(text.slice(l))) return text.slice(0, l);
  return text;
}

export function lex(source: string, o: LexOptions): Piece[] {
  const src = source.endsWith('\n') ? source.slice(0, -1) : source;
  const out: Piece[] = [];
  let pos = 0;
  let lineStarting = true;
  const nl = o.newline && o.newline !== '\n' ? o.newline : undefined;
  const text = (t: string, at: number): void => {
    if (t) out.push({ t: 'text', text: nl ? t.replace(/\r\n|\r|\n/g, nl) : t, pos: at });
  };
  for (;;) {
    OPEN.lastIndex = pos;
    const m = OPEN.exec(src);
    if (!m) {
      text(src.slice(pos), pos);
      return out;
    }
    const at = m.index;
    const kind = m[0][1]!;
    const signChar = src[at + 2];
    const sign = signChar === '-' || signChar === '+' ? signChar : '';
    const before = src.slice(pos, at);
    RAW_BEGIN.lastIndex = at;
    if (kind === '%' && RAW_BEGIN.test(src)) {
      text(stripBefore(before, sign, o.lstripBlocks, false, lineStarting), pos);
      const bodyStart = RAW_BEGIN.lastIndex;
      RAW_END.lastIndex = bodyStart;
      const e = RAW_END.exec(src);
      if (!e) throw new JinjaSyntaxError('missing end of raw directive ({% endraw %})', at);
      let body = src.slice(bodyStart, e.index);
      body = stripBefore(body, e[1]!, o.lstripBlocks, false, false);
      text(body, bodyStart);
      let end = RAW_END.lastIndex;
      if (!o.trimBlocks && e[2]) end--; // the `\n?` in the pattern only applies with trim_blocks
      pos = end;
      lineStarting = src[end - 1] === '\n';
      continue;
    }
    text(stripBefore(before, sign, o.lstripBlocks, kind === '{', lineStarting), pos);
    const inner = at + 2 + sign.length;
    if (kind === '#') {
      const close = src.indexOf('#}', inner);
      if (close < 0) throw new JinjaSyntaxError('missing end of comment tag (#})', at, "'{#' starts a Jinja comment; for the text itself write {{ '{#' }}");
      let end = close + 2;
      if (src[close - 1] === '-' && close - 1 >= inner) {
        WS.lastIndex = end;
        WS.exec(src);
        end = WS.lastIndex;
      } else if (!(src[close - 1] === '+' && close - 1 >= inner) && o.trimBlocks && src[end] === '\n') end++;
      pos = end;
    } else {
      const [cEnd, end] = tagEnd(src, inner, kind === '{' ? '}}' : '%}', o.trimBlocks, at);
      out.push({ t: kind === '{' ? 'var' : 'block', start: inner, end: cEnd, pos: at });
      pos = end;
    }
    lineStarting = src[pos - 1] === '\n';
  }
}
