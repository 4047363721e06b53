// replace: every match of a Python regular expression in a file, replaced (lib/ansible/modules/replace.py
// at v2.17.5: same arguments and aliases, MULTILINE regexp, DOTALL after/before section, messages,
// rc 256/257 failures, `backup_file`, diff of the whole file). Read and written through the one
// family of file helpers (lib/text-edit.ts, lib/write-file.ts, lib/attrs.ts).
import { ModuleError } from '../engine/errors.js';
import { defineModule, type Plan } from '../engine/module-contract.js';
import { attrChanges, attrProperties, hasChanges } from './lib/attrs.js';
import { pyRegex, pySub, PyRegexError, translatePyRegex } from './lib/py-regex.js';
import { nodeEncoding, NotRegularFile, readText, textEditPlan, type CurrentText } from './lib/text-edit.js';
import { backupProperty, validateProblems, validateProperty } from './lib/write-file.js';

export interface ReplaceArgs {
  path?: string;
  dest?: string;
  destfile?: string;
  name?: string;
  regexp: string;
  replace: string;
  after?: string;
  before?: string;
  backup: boolean;
  validate?: string;
  encoding: string;
  mode?: string | number;
  owner?: string;
  group?: string;
}

export interface ReplaceData {
  path: string;
  msg: string;
  rc: number;
  backup_file?: string;
}

/** Ansible's words when only the attributes change (check_file_attrs). */
const ATTRS_CHANGED = 'ownership, perms or SE linux context changed';

/** The section after/before select, as Ansible builds it: `after(?P<subsection>.*?)before`, DOTALL, first match. */
function section(text: string, a: ReplaceArgs): { start: number; end: number; pattern: string } | null | undefined {
  let pattern = '';
  if (a.after && a.before) pattern = `${a.after}(?P<subsection>.*?)${a.before}`;
  else if (a.after) pattern = `${a.after}(?P<subsection>.*)`;
  else if (a.before) pattern = `(?P<subsection>.*)${a.before}`;
  if (!pattern) return undefined;
  let re: RegExp;
  try {
    const t = translatePyRegex(pattern, 's');
    re = new RegExp(t.source, `${t.flags}d`);
  } catch (err) {
    throw new ModuleError(`Unable to process replace due to error: ${err instanceof PyRegexError ? err.message : (err as Error).message}`);
  }
  const m = re.exec(text);
  const at = m?.indices?.groups?.['subsection'];
  if (!at) return null;
  return { start: at[0], end: at[1], pattern };
}

export const replace = defineModule<ReplaceArgs, ReplaceData>({
  name: 'replace',
  summary: 'Replace all instances of a pattern in a file, with back-references.',
  description:
    'Every match of `regexp` (a Python regular expression, MULTILINE: `^` and `$` match at each line) in the file on the host is replaced with `replace`, where `\\1` and `\\g<name>` are the groups. ' +
    '`after`/`before` (DOTALL, first match) limit the replacement to the text between them. As in Ansible, keeping it idempotent is up to the pattern: it must not match its own replacement. Supports check and diff mode.',
  schema: {
    type: 'object',
    properties: {
      path: { type: 'string', description: 'The file to modify (aliases `dest`, `destfile`, `name`). A symlink is followed: the file it points to is changed.' },
      dest: { type: 'string', description: 'Another name for `path`.' },
      destfile: { type: 'string', description: 'Another name for `path`.' },
      name: { type: 'string', description: 'Another name for `path`.' },
      regexp: { type: 'string', description: 'The Python regular expression to look for; MULTILINE (`^`/`$` match at each line), not DOTALL (`.` does not match a newline; neither does `[^#\\n]`, but `[^#]` does).' },
      replace: { type: 'string', default: '', description: 'What replaces each match; `\\1`, `\\g<1>` and `\\g<name>` are the groups. Empty (the default) removes the matches.' },
      after: { type: 'string', description: 'Only replace in the text after the first match of this Python regular expression (DOTALL, not MULTILINE).' },
      before: { type: 'string', description: 'Only replace in the text before this Python regular expression (DOTALL, not MULTILINE); with `after`, between the two.' },
      backup: { ...backupProperty, description: `${backupProperty.description} Returned as backup_file.` },
      validate: validateProperty,
      encoding: { type: 'string', default: 'utf-8', description: 'The character encoding of the file: utf-8 (default), latin-1, ascii or utf-16-le.' },
      ...attrProperties,
    },
    required: ['regexp'],
    additionalProperties: false,
    oneOf: [{ required: ['path'] }, { required: ['dest'] }, { required: ['destfile'] }, { required: ['name'] }],
  },
  examples: [
    `- name: Point every old hostname at the new one
  replace:
    path: /etc/hosts
    regexp: '(\\s+)old\\.host\\.name(\\s+.*)?$'
    replace: '\\1new.host.name\\2'`,
    `- name: Comment out the lines of one section only
  replace:
    path: /etc/app.conf
    after: '\\[cache\\]'
    before: '\\[log\\]'
    regexp: '^(\\w)'
    replace: '# \\1'
    backup: true`,
  ],
  returns: {
    msg: { type: 'str', description: "'N replacements made' (and 'ownership, perms or SE linux context changed' when those changed); '' when nothing matched.", returned: 'always' },
    rc: { type: 'int', description: '0; 256 when path is a directory, 257 when it does not exist (as Ansible returns them).', returned: 'always' },
    path: { type: 'str', description: 'The file.', returned: 'always' },
    backup_file: { type: 'str', description: 'The backup file.', returned: 'when backup is true and the file changed' },
  },
  checkMode: true,
  check(a) {
    const out: string[] = [];
    if (nodeEncoding(a.encoding ?? 'utf-8') === null) out.push(`encoding ${a.encoding} is not supported; use utf-8, latin-1, ascii or utf-16-le`);
    return [...out, ...validateProblems(a.validate)];
  },
  async plan(ctx, a) {
    const path = (a.path ?? a.dest ?? a.destfile ?? a.name)!;
    const encoding = nodeEncoding(a.encoding)!;
    let cur: CurrentText;
    try {
      cur = await readText(ctx, path, encoding);
    } catch (err) {
      if (err instanceof NotRegularFile && err.type === 'directory') {
        const msg = `Path ${path} is a directory !`;
        return { changed: false, failed: true, msg, data: { path, msg, rc: 256 } };
      }
      throw err;
    }
    if (cur.text === null) {
      const msg = `Path ${path} does not exist !`;
      return { changed: false, failed: true, msg, data: { path, msg, rc: 257 } };
    }
    const text = cur.text;
    const sect = section(text, a);
    if (sect === null) {
      const msg = `Pattern for before/after params did not match the given file: ${a.after && a.before ? `${a.after}(?P<subsection>.*?)${a.before}` : a.after ? `${a.after}(?P<subsection>.*)` : `(?P<subsection>.*)${a.before}`}`;
      return { changed: false, msg, data: { path, msg, rc: 0 } };
    }
    const start = sect?.start ?? 0;
    const end = sect?.end ?? text.length;
    const part = text.slice(start, end);
    const re = pyRegex(a.regexp, 'm');
    let sub: { out: string; n: number };
    try {
      sub = pySub(re, a.replace, part);
    } catch (err) {
      throw new ModuleError(`Unable to process replace due to error: ${(err as Error).message}`);
    }
    const contentChanged = sub.n > 0 && sub.out !== part;
    const newText = contentChanged ? text.slice(0, start) + sub.out + text.slice(end) : text;
    const attrs = attrChanges(cur.stat, a);
    const msg = [contentChanged ? `${sub.n} replacements made` : '', hasChanges(attrs) ? ATTRS_CHANGED : ''].filter(Boolean).join(' and ');
    const plan: Plan<ReplaceData> = textEditPlan(ctx, cur, newText, { ...a, backup: a.backup && contentChanged }, { path, msg, rc: 0 }, attrs, encoding);
    const apply = plan.apply;
    if (!apply) return plan;
    // lineinfile's key is `backup`; Ansible's replace calls it backup_file
    return {
      ...plan,
      apply: async () => {
        const done = await apply();
        const { backup, ...data } = (done.data ?? {}) as ReplaceData & { backup?: string };
        return { ...done, data: { ...data, ...(backup !== undefined ? { backup_file: backup } : {}) } as ReplaceData };
      },
    };
  },
});

export default replace;
