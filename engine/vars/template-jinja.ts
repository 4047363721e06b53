// Jinja habits in Handlebars templates: `{{ x | default('a') }}` and `{% if %}` are errors whose
// hint shows the Handlebars way to write them.

const MUSTACHE = /\{\{(?![{!#/^>~]|\s*else\b)([\s\S]*?)\}\}/g;
const JINJA_BLOCK = /\{%-?\s*(if|for|set|endif|endfor|elif|else|raw|macro|block)\b/;

/** Splits at top-level occurrences of `sep`, outside quotes and brackets. */
function splitTop(s: string, sep: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quote = '';
  let cur = '';
  for (const c of s) {
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === "'" || c === '"') quote = c;
    else if ('([{'.includes(c)) depth++;
    else if (')]}'.includes(c)) depth--;
    else if (c === sep && depth === 0) {
      out.push(cur);
      cur = '';
      continue;
    }
    cur += c;
  }
  out.push(cur);
  return out;
}

/** `x | default('a') | upper` → `{{upper (default x "a")}}` */
function handlebarsForm(inner: string): string {
  const [base, ...filters] = splitTop(inner, '|').map((s) => s.trim());
  let cur = base!;
  for (const f of filters) {
    const m = /^(\w+)\s*(?:\(([\s\S]*)\))?$/.exec(f);
    if (!m) return '';
    const args = m[2] ? splitTop(m[2], ',').map((a) => a.trim().replace(/^'(.*)'$/s, (_, x: string) => JSON.stringify(x))) : [];
    cur = `(${[m[1] === 'd' ? 'default' : m[1], cur, ...args].join(' ')})`;
  }
  return `{{${cur.replace(/^\((.*)\)$/s, '$1')}}}`;
}

/** A Jinja construct in a Handlebars template: the message and the Handlebars way to write it. */
export function jinjaProblem(text: string): { message: string; hint: string; offset: number } | undefined {
  for (const m of text.matchAll(MUSTACHE)) {
    const inner = m[1]!;
    const unquoted = inner.replace(/'[^']*'|"[^"]*"/g, (q) => ' '.repeat(q.length));
    const bar = unquoted.search(/\|\s*[A-Za-z_]/);
    if (bar >= 0 && !/\bas\s*\|/.test(unquoted)) {
      const form = handlebarsForm(inner);
      return {
        message: `Jinja filter syntax '|' in "{{${inner}}}": gx templates are Handlebars`,
        hint: form ? `write ${form} (helpers take the value first, then the arguments)` : `write {{default var "x"}} instead of {{ var | default('x') }}`,
        offset: m.index + 2 + bar,
      };
    }
  }
  const b = JINJA_BLOCK.exec(text);
  if (b) return { message: `Jinja block '{% ${b[1]} %}': gx templates are Handlebars`, hint: 'write {{#if cond}}…{{else}}…{{/if}} and {{#each list}}{{this}}{{/each}}', offset: b.index };
  return undefined;
}
