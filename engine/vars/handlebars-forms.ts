// Handlebars habits in playbook values: playbooks are Jinja (Ansible's language) and Handlebars is
// for `.hbs` files only, so `{{default x "d"}}`, `{{#if x}}`, `{{to_json v}}`, `{{x.[0]}}` in a
// playbook value are refused at load time with the Jinja way to write them. (template-jinja.ts
// is the reverse, for `.hbs` files.)

const MUSTACHE = /\{\{(~?)([\s\S]*?)(~?)\}\}/g;

/** Helpers whose Jinja form is a filter of the same name (first argument piped in). */
const SAME_FILTER = new Set([
  'default', 'to_json', 'to_nice_json', 'to_yaml', 'from_json', 'from_yaml', 'b64encode', 'b64decode', 'quote', 'join', 'indent',
  'lower', 'upper', 'replace', 'regex_replace', 'basename', 'dirname', 'length', 'int', 'bool', 'string', 'trim', 'split', 'first', 'last',
]);
const KNOWN = new Set([...SAME_FILTER, 'sha256', 'keys', 'values', 'lookup', 'eq', 'ne', 'and', 'or', 'not']);

type Sx = { k: 'atom'; text: string } | { k: 'call'; name: string; args: Sx[]; hash: [string, Sx][] };

/** Reads a Handlebars expression (`default (lookup m k) "x" ignorecase=true`). */
function readSx(src: string): Sx[] | undefined {
  const toks = src.match(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|[()]|[^\s()]+/g) ?? [];
  let i = 0;
  const list = (close: boolean): Sx[] | undefined => {
    const out: Sx[] = [];
    while (i < toks.length) {
      const t = toks[i++]!;
      if (t === ')') return close ? out : undefined;
      if (t === '(') {
        const inner = list(true);
        if (!inner || !inner.length || inner[0]!.k !== 'atom') return undefined;
        out.push(call((inner[0] as { text: string }).text, inner.slice(1)));
      } else out.push({ k: 'atom', text: t });
    }
    return close ? undefined : out;
  };
  return list(false);
}

function call(name: string, items: Sx[]): Sx {
  const args: Sx[] = [];
  const hash: [string, Sx][] = [];
  for (const a of items) {
    const m = a.k === 'atom' ? /^(\w+)=(.+)$/.exec(a.text) : null;
    if (m) hash.push([m[1]!, { k: 'atom', text: m[2]! }]);
    else args.push(a);
  }
  return { k: 'call', name, args, hash };
}

/** A Handlebars path or literal as Jinja: `@root.x` → `x`, `a.[0]` → `a[0]`, `this` → `item`. */
function atom(t: string): string {
  if (/^["']/.test(t)) return t;
  return t
    .replace(/^@root\./, '')
    .replace(/^\.\.\//g, '')
    .replace(/^this\./, 'item.')
    .replace(/^this$/, 'item')
    .replace(/^@index$/, 'loop.index0')
    .replace(/^@(first|last)$/, 'loop.$1')
    .replace(/\.\[([^\]]*)\]/g, (_, k: string) => (/^\d+$/.test(k) ? `[${k}]` : `['${k}']`));
}

/** Jinja for a Handlebars expression; `top` is false where it must be parenthesized. */
function jinja(x: Sx, top = false): string {
  if (x.k === 'atom') return atom(x.text);
  const a = x.args.map((y) => jinja(y));
  const wrap = (s: string): string => (top ? s : `(${s})`);
  const kw = x.hash.map(([k, v]) => `${k}=${jinja(v)}`);
  switch (x.name) {
    case 'eq':
      return wrap(`${a[0]} == ${a[1]}`);
    case 'ne':
      return wrap(`${a[0]} != ${a[1]}`);
    case 'and':
    case 'or':
      return wrap(a.join(` ${x.name} `));
    case 'not':
      return wrap(`not ${a[0]}`);
    case 'lookup':
      return `${a[0]}[${a[1]}]`;
    case 'sha256':
      return wrap(`${a[0]} | hash('sha256')`);
    case 'keys':
    case 'values':
      return wrap(`${a[0]}.${x.name}() | list`);
  }
  const first = x.args[0] ? jinja(x.args[0], x.args[0].k === 'call' && x.args[0].name !== 'eq' && x.args[0].name !== 'ne' && x.args[0].name !== 'and' && x.args[0].name !== 'or' && x.args[0].name !== 'not') : '';
  const rest = [...a.slice(1), ...kw];
  return wrap(`${first} | ${x.name}${rest.length ? `(${rest.join(', ')})` : ''}`);
}

export interface HandlebarsForm {
  message: string;
  hint: string;
  offset: number;
}

/** The first Handlebars construct in a playbook value, with its Jinja form; undefined if none. */
export function handlebarsForm(text: string, place = 'a playbook value'): HandlebarsForm | undefined {
  for (const m of text.matchAll(MUSTACHE)) {
    const inner = m[2]!.trim();
    const offset = m.index;
    const shown = m[0].length > 60 ? `${m[0].slice(0, 57)}...` : m[0];
    const lang = place === 'a playbook value' ? "playbooks use Ansible's Jinja2 expressions" : "files not named .hbs are Jinja2, as Ansible's templates are";
    const message = `Handlebars '${shown}' in ${place}: ${lang} (Handlebars is for .hbs template files)`;
    const block = /^#(\w+)\s*([\s\S]*)$/.exec(inner);
    if (block) {
      const [, name, rest] = block;
      const each = /^([\s\S]*?)\s+as\s*\|\s*(\w+)(?:\s+(\w+))?\s*\|$/.exec(rest!);
      const cond = () => {
        const sx = readSx(each ? each[1]! : rest!);
        return sx && sx.length ? jinja(sx.length === 1 ? sx[0]! : call((sx[0] as { text: string }).text, sx.slice(1)), true) : rest!;
      };
      if (name === 'if') return { message, hint: `write {% if ${cond()} %}…{% else %}…{% endif %}`, offset };
      if (name === 'unless') return { message, hint: `write {% if not (${cond()}) %}…{% endif %}`, offset };
      if (name === 'each') return { message, hint: `write {% for ${each?.[2] ?? 'item'} in ${cond()} %}…{{ ${each?.[2] ?? 'item'} }}…{% endfor %} (loop.index0 for @index)`, offset };
      if (name === 'with') return { message, hint: `write {% with x = ${cond()} %}…{% endwith %}, or use the attributes directly`, offset };
      return { message, hint: 'write Jinja statements: {% if x %}…{% endif %}, {% for x in list %}…{% endfor %}', offset };
    }
    const close = /^\/(\w+)$/.exec(inner);
    if (close) return { message, hint: `write {% ${close[1] === 'each' ? 'endfor' : close[1] === 'unless' ? 'endif' : `end${close[1]}`} %}`, offset };
    if (inner === 'else') return { message, hint: 'write {% else %}', offset };
    if (/^@|(^|\s)\.\.\/|\.\[/.test(inner)) {
      return { message, hint: `write {{ ${inner.split(/\s+/).map(atom).join(' ')} }} (plain names, x[0] and x['key'] for indexes; loop.index0 for @index)`, offset };
    }
    const sx = readSx(inner);
    if (sx && sx.length > 1 && sx[0]!.k === 'atom' && KNOWN.has(sx[0].text)) {
      return { message, hint: `write {{ ${jinja(call(sx[0].text, sx.slice(1)), true)} }}`, offset };
    }
  }
  return undefined;
}
