// Sorts gx's first error on an item into a failure class, so the classes can be ranked by how many
// items each one stops. A class is a coarse kind (what to fix) and a detail (which filter, keyword,
// module…). The patterns match gx's own messages; whatever matches none is "other" with the text.

export interface FailureClass {
  kind: string;
  detail: string;
}

type Rule = [RegExp, (m: RegExpExecArray) => FailureClass];

const RULES: Rule[] = [
  [/timed out/i, () => ({ kind: 'time limit', detail: '' })],
  [/ERR_MODULE_NOT_FOUND|Cannot find module/, () => ({ kind: 'gx did not start (its tree or node_modules is broken)', detail: '' })],
  [/unknown filter '?([\w.]+)'?|no filter named '?([\w.]+)'?|filter '([\w.]+)' is not/i,
    (m) => ({ kind: 'unknown filter', detail: m[1] ?? m[2] ?? m[3] ?? '' })],
  [/unknown test '?([\w.]+)'?|no test named '?([\w.]+)'?/i, (m) => ({ kind: 'unknown test', detail: m[1] ?? m[2] ?? '' })],
  [/lookup(?: plugin)? '?([\w.]+)'? (?:is )?(?:unknown|not)/i, (m) => ({ kind: 'unknown lookup', detail: m[1]! })],
  [/unknown lookup '?([\w.]+)'?/i, (m) => ({ kind: 'unknown lookup', detail: m[1]! })],
  [/unknown keyword or module '([\w.]+)'/i, (m) => ({ kind: 'unknown module or keyword', detail: m[1]! })],
  [/unsupported tag (!\w+)/i, (m) => ({ kind: 'YAML tag', detail: m[1]! })],
  [/is not a valid variable name/i, () => ({ kind: 'templated variable name', detail: '' })],
  [/'vars' must be a mapping/i, () => ({ kind: 'keyword refused', detail: 'vars as a list' })],
  [/'([\w.]+)' must be a mapping, got '\w+=/i, (m) => ({ kind: 'key=value arguments refused', detail: m[1]! })],
  [/'meta' must be one of/i, () => ({ kind: 'module argument refused', detail: 'meta action' })],
  [/'(\w+)' cannot be used on (\w+)/i, (m) => ({ kind: 'keyword refused', detail: `${m[1]} on ${m[2]}` })],
  [/notify: no handler named/i, () => ({ kind: 'handler not found', detail: '' })],
  [/role '[^']*\{\{[^']*' not found/i, () => ({ kind: 'search path', detail: 'templated role name' })],
  [/unknown helper:? '?([\w.]+)'?/i, (m) => ({ kind: 'template syntax (Handlebars vs Jinja2)', detail: `unknown helper ${m[1]}` })],
  [/needs its arguments as a mapping/i, () => ({ kind: 'key=value arguments refused', detail: '' })],
  [/(?:unknown|no) module '?([\w.]+)'?|module '([\w.]+)' (?:is )?(?:unknown|not found|not known)|couldn't resolve module\/action '([\w.]+)'/i,
    (m) => ({ kind: 'module missing', detail: m[1] ?? m[2] ?? m[3] ?? '' })],
  [/(?:unknown|unsupported|not allowed|refused|invalid)\s+(?:task |play |block |role )?(?:keyword|key|property|attribute)s?\s+'?([\w.]+)'?/i,
    (m) => ({ kind: 'keyword refused', detail: m[1]! })],
  [/'([\w.]+)' is not (?:a valid|an allowed|allowed)/i, (m) => ({ kind: 'keyword refused', detail: m[1]! })],
  [/must NOT have additional properties[^\n]*'([\w.]+)'|additional property '?([\w.]+)'?/i,
    (m) => ({ kind: 'keyword refused', detail: m[1] ?? m[2] ?? '' })],
  [/(?:unknown|unsupported|invalid) argument '?([\w.]+)'?|unsupported parameters?[^\n]*?'?([\w.]+)'?|has no argument '?([\w.]+)'?/i,
    (m) => ({ kind: 'module argument refused', detail: m[1] ?? m[2] ?? m[3] ?? '' })],
  [/template syntax error|Parse error|Handlebars|Expecting '|Missing helper/i, () => ({ kind: 'template syntax (Handlebars vs Jinja2)', detail: '' })],
  [/(?:expression|condition)[^\n]*(?:syntax|parse|unexpected|cannot)/i, () => ({ kind: 'expression syntax', detail: '' })],
  [/refers to itself/i, () => ({ kind: 'self-reference in variables', detail: '' })],
  [/undefined variable '?([\w.]+)'?|'([\w.]+)' is undefined|variable '([\w.]+)' is not defined/i,
    (m) => ({ kind: 'undefined variable', detail: m[1] ?? m[2] ?? m[3] ?? '' })],
  [/^ERROR![\s\S]*inventor/i, () => ({ kind: 'inventory', detail: '' })],
  [/(\w+): No file was found/, (m) => ({ kind: 'search path', detail: `lookup ${m[1]} found nothing` })],
  [/^ERROR![^\n]*(?:role '?([\w./-]+)'? (?:was )?not found|could not find role|cannot find (?:role|file|template)|no such (?:role|file|template))/i,
    (m) => ({ kind: 'search path', detail: m[1] ?? '' })],
  [/Assertion failed(?:\nassertion: (.*))?/i, (m) => ({ kind: 'assert failed (a result differs)', detail: (m[1] ?? '').slice(0, 90) })],
  [/\[Errno 2\] No such file or directory/, () => ({ kind: 'task failed (a result differs)', detail: 'program not found' })],
  [/non-zero return code/, () => ({ kind: 'task failed (a result differs)', detail: 'non-zero return code' })],
  [/(?:fatal|failed): \[[^\]]*\]:?(?: FAILED!)? => (.*)/, (m) => ({ kind: 'task failed (a result differs)', detail: m[1]!.slice(0, 80) })],
];

/**
 * A task failure printed with its result (`failed: [h] => {…}`, gx -v and ansible-playbook) is
 * classified on the result's msg (and an assert's condition), not on all of its text: a command's
 * output could hold any word.
 */
function resultText(error: string): string {
  const m = /(?:fatal|failed): \[[^\]]*\][^=]*=> (\{.*\})\s*$/m.exec(error);
  if (!m) return error;
  try {
    const r = JSON.parse(m[1]!) as { msg?: unknown; assertion?: unknown };
    const msg = typeof r.msg === 'string' ? r.msg : JSON.stringify(r.msg ?? '');
    return `failed: [task] => ${msg}` + (typeof r.assertion === 'string' ? `\nassertion: ${r.assertion}` : '');
  } catch {
    return error;
  }
}

export function classify(error: string): FailureClass {
  if (!error) return { kind: 'no error printed (recap or exit status differs)', detail: '' };
  const text = error.startsWith('ERROR!') ? error : resultText(error);
  for (const [re, make] of RULES) {
    const m = re.exec(text);
    if (m) return make(m);
  }
  return { kind: 'other', detail: text.split('\n')[0]!.slice(0, 100) };
}

export function label(c: FailureClass): string {
  return c.detail ? `${c.kind}: ${c.detail}` : c.kind;
}
