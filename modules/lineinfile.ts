import { defineModule } from '../engine/module-contract.js';
import { ModuleError } from '../engine/errors.js';
import { attrChanges, attrProperties, changePhrases } from './lib/attrs.js';
import { expandMatch, pyRegex } from './lib/py-regex.js';
import { joinLines, readText, splitLines, textEditPlan, type TextLines } from './lib/text-edit.js';
import { backupProperty, validateProperty } from './lib/write-file.js';

export interface LineinfileArgs {
  path?: string;
  dest?: string;
  line?: string;
  regexp?: string;
  search_string?: string;
  insertafter?: string;
  insertbefore?: string;
  firstmatch?: boolean;
  state?: 'present' | 'absent';
  create?: boolean;
  backrefs?: boolean;
  backup?: boolean;
  validate?: string;
  mode?: string | number;
  owner?: string;
  group?: string;
}

export interface LineinfileData {
  path: string;
  msg: string;
  /** absent: how many lines were removed */
  found?: number;
  backup?: string;
}

interface Edit {
  result: TextLines;
  msg: string;
  found?: number;
}

function matcherFor(a: LineinfileArgs): ((l: string) => RegExpExecArray | boolean) | undefined {
  if (a.regexp !== undefined) {
    const re = pyRegex(a.regexp);
    return (l) => re.exec(l) ?? false;
  }
  if (a.search_string !== undefined) {
    const s = a.search_string;
    return (l) => l.includes(s);
  }
  return undefined;
}

function lastIndex(lines: string[], test: (l: string) => unknown, first: boolean): number {
  let at = -1;
  for (let i = 0; i < lines.length; i++) {
    if (test(lines[i]!)) {
      at = i;
      if (first) break;
    }
  }
  return at;
}

/** The edit for state=present; null result lines mean: nothing to do. */
export function presentEdit(t: TextLines, a: LineinfileArgs): Edit {
  const lines = [...t.lines];
  const line = a.line!;
  const match = matcherFor(a);
  const first = a.firstmatch === true;
  if (match) {
    let at = -1;
    let m: RegExpExecArray | boolean = false;
    for (let i = 0; i < lines.length; i++) {
      const r = match(lines[i]!);
      if (r) {
        at = i;
        m = r;
        if (first) break;
      }
    }
    if (at >= 0) {
      const wanted = a.backrefs && typeof m !== 'boolean' ? expandMatch(line, m) : line;
      if (lines[at] === wanted) return { result: t, msg: '' };
      lines[at] = wanted;
      const finalNewline = t.finalNewline || at === lines.length - 1;
      return { result: { lines, finalNewline }, msg: 'line replaced' };
    }
    if (a.backrefs) return { result: t, msg: '' };
  }
  if (lines.includes(line)) return { result: t, msg: '' };
  let at = lines.length;
  if (a.insertbefore === 'BOF') at = 0;
  else if (a.insertbefore !== undefined) {
    const re = pyRegex(a.insertbefore, '', 'insertbefore');
    const i = lastIndex(lines, (l) => re.test(l), first);
    if (i >= 0) at = i;
  } else if (a.insertafter !== undefined && a.insertafter !== 'EOF') {
    const re = pyRegex(a.insertafter, '', 'insertafter');
    const i = lastIndex(lines, (l) => re.test(l), first);
    if (i >= 0) at = i + 1;
  }
  lines.splice(at, 0, line);
  // a line added at the end ends with a newline, and so does the line it follows
  return { result: { lines, finalNewline: t.finalNewline || at === lines.length - 1 }, msg: 'line added' };
}

export function absentEdit(t: TextLines, a: LineinfileArgs): Edit {
  const match = matcherFor(a) ?? ((l: string) => l === a.line);
  const lines = t.lines.filter((l) => !match(l));
  const found = t.lines.length - lines.length;
  if (found === 0) return { result: t, msg: '', found };
  return { result: { lines, finalNewline: lines.length > 0 && t.finalNewline }, msg: `${found} line(s) removed`, found };
}

export const lineinfile = defineModule<LineinfileArgs, LineinfileData>({
  name: 'lineinfile',
  summary: 'Ensure a particular line is in a text file, or replace a line matched by a regular expression.',
  description:
    'Edits one line of a text file on the host. With `regexp` (a Python-style regular expression) or `search_string`, the last matching line is replaced (`firstmatch` takes the first); without a match the line is inserted at `insertafter`/`insertbefore`, unless the exact line already exists. `state: absent` removes every line that matches. Supports check and diff mode.',
  schema: {
    type: 'object',
    properties: {
      path: { type: 'string', description: 'The file to edit.' },
      dest: { type: 'string', description: 'Old name of `path`.' },
      line: { type: 'string', description: 'The line to insert or replace with (required for state=present). With backrefs, \\1 and \\g<name> refer to regexp groups.' },
      regexp: { type: 'string', description: 'Regular expression a line must match to be replaced (present) or removed (absent).' },
      search_string: { type: 'string', description: 'Literal text a line must contain to be replaced or removed; an alternative to regexp.' },
      insertafter: { type: 'string', description: "Insert after the last line matching this regular expression, or 'EOF' (default). Used only when nothing matches regexp/search_string." },
      insertbefore: { type: 'string', description: "Insert before the last line matching this regular expression, or 'BOF' for the beginning of the file." },
      firstmatch: { type: 'boolean', default: false, description: 'Use the first matching line instead of the last for regexp, insertafter and insertbefore.' },
      state: { type: 'string', enum: ['present', 'absent'], default: 'present', description: 'Whether the line should be there.' },
      create: { type: 'boolean', default: false, description: 'Create the file when it does not exist (state=present); otherwise a missing file is an error.' },
      backrefs: { type: 'boolean', default: false, description: 'Expand regexp groups in line; when regexp matches nothing the file is left unchanged.' },
      backup: backupProperty,
      validate: validateProperty,
      ...attrProperties,
    },
    additionalProperties: false,
    oneOf: [{ required: ['path'] }, { required: ['dest'] }],
    not: { anyOf: [{ required: ['regexp', 'search_string'] }, { required: ['insertafter', 'insertbefore'] }] },
  },
  examples: [
    `- name: Disable password logins
  lineinfile:
    path: /etc/ssh/sshd_config
    regexp: '^#?PasswordAuthentication'
    line: PasswordAuthentication no
    validate: /usr/sbin/sshd -t -f %s`,
    `- name: Drop an old hosts entry
  lineinfile:
    path: /etc/hosts
    search_string: old.example.internal
    state: absent`,
    `- name: Keep the port, change only the address
  lineinfile:
    path: /etc/app.conf
    regexp: '^listen=[^:]*:(\\d+)$'
    line: 'listen=0.0.0.0:\\1'
    backrefs: true`,
  ],
  returns: {
    msg: { type: 'str', description: "What was done: 'line added', 'line replaced', 'N line(s) removed'.", returned: 'always' },
    path: { type: 'str', description: 'The file.', returned: 'always' },
    found: { type: 'int', description: 'Lines removed (state=absent).', returned: 'state=absent' },
    backup: { type: 'str', description: 'The backup file.', returned: 'when backup is true and the file changed' },
  },
  checkMode: true,
  check(a) {
    const state = a.state ?? 'present';
    const out: string[] = [];
    if (state === 'present' && a.line === undefined) out.push('line is required with state=present');
    if (state === 'absent' && a.line === undefined && a.regexp === undefined && a.search_string === undefined) out.push('state=absent needs one of line, regexp or search_string');
    if (a.backrefs && a.regexp === undefined) out.push('backrefs needs regexp');
    return out;
  },
  async plan(ctx, a) {
    const path = (a.path ?? a.dest)!;
    const state = a.state ?? 'present';
    const cur = await readText(ctx, path);
    if (cur.text === null) {
      if (state === 'absent') return { changed: false, msg: 'file not present', data: { path, msg: 'file not present', found: 0 } };
      if (!a.create) throw new ModuleError(`${path} does not exist (set create: true to create it)`);
      if (a.backrefs) return { changed: false, msg: '', data: { path, msg: '' } };
    }
    const before = splitLines(cur.text ?? '');
    const edit = state === 'present' ? presentEdit(before, a) : absentEdit(before, a);
    const newText = cur.text === null ? joinLines(edit.result) : edit.result === before ? cur.text : joinLines(edit.result);
    const attrs = attrChanges(cur.stat, a);
    const msg = [cur.text === null ? 'file created' : '', edit.msg, ...changePhrases(cur.stat, attrs)].filter(Boolean).join(', ');
    const data: LineinfileData = { path, msg, ...(state === 'absent' ? { found: edit.found ?? 0 } : {}) };
    return textEditPlan(ctx, cur, newText, a, data, attrs);
  },
});

export default lineinfile;
