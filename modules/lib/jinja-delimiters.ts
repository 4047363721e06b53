// The template module's custom Jinja delimiters (block_start_string, variable_start_string,
// comment_start_string and their ends; Jinja's Environment options, which Ansible's template
// action passes on). gx's Jinja reads the default delimiters only, so a template written with
// other ones is rewritten into them first: each tag gets the default delimiters around the same
// inside (whitespace markers `-`/`+` included, so trim and strip behave the same), text that
// happens to hold a default delimiter is escaped as an expression printing it, and a raw block
// stays raw.

export interface Delimiters {
  block_start_string: string;
  block_end_string: string;
  variable_start_string: string;
  variable_end_string: string;
  comment_start_string: string;
  comment_end_string: string;
}

export const DEFAULT_DELIMITERS: Delimiters = {
  block_start_string: '{%',
  block_end_string: '%}',
  variable_start_string: '{{',
  variable_end_string: '}}',
  comment_start_string: '{#',
  comment_end_string: '#}',
};

/** Literal text as Jinja text with the default delimiters: each `{{`, `{%`, `{#` (and a trailing `{`) printed by an expression. */
function escapeText(text: string): string {
  return text.replace(/\{(?=[{%#]|$)/g, "{{ '{' }}");
}

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** `text` written with `d` as the same template with Jinja's default delimiters. */
export function toDefaultDelimiters(text: string, d: Delimiters): string {
  const kinds = [
    { open: d.block_start_string, close: d.block_end_string, dOpen: '{%', dClose: '%}' },
    { open: d.variable_start_string, close: d.variable_end_string, dOpen: '{{', dClose: '}}' },
    { open: d.comment_start_string, close: d.comment_end_string, dOpen: '{#', dClose: '#}' },
  ];
  let out = '';
  let i = 0;
  for (;;) {
    // the earliest opener; a longer one wins at the same place (`{{` before `{`)
    let at = -1;
    let kind: (typeof kinds)[number] | undefined;
    for (const k of kinds) {
      const p = text.indexOf(k.open, i);
      if (p >= 0 && (at < 0 || p < at || (p === at && k.open.length > kind!.open.length))) {
        at = p;
        kind = k;
      }
    }
    if (at < 0 || !kind) return out + escapeText(text.slice(i));
    out += escapeText(text.slice(i, at));
    const start = at + kind.open.length;
    const end = text.indexOf(kind.close, start);
    // an unclosed tag: left for the Jinja parser to report, in default delimiters
    if (end < 0) return out + kind.dOpen + text.slice(start);
    const inside = text.slice(start, end);
    out += kind.dOpen + inside + kind.dClose;
    i = end + kind.close.length;
    if (kind.dOpen === '{%' && /^[-+]?\s*raw\s*[-+]?$/.test(inside)) {
      const endraw = new RegExp(`${escapeRe(d.block_start_string)}([-+]?\\s*endraw\\s*[-+]?)${escapeRe(d.block_end_string)}`, 'g');
      endraw.lastIndex = i;
      const m = endraw.exec(text);
      if (!m) return out + text.slice(i);
      out += text.slice(i, m.index) + '{%' + m[1] + '%}';
      i = m.index + m[0].length;
    }
  }
}
