// blockinfile: the markers keep Ansible's default text ("# {mark} ANSIBLE MANAGED BLOCK") so files
// that Ansible managed stay managed by gx.
import { defineModule } from '../engine/module-contract.js';
import { ModuleError } from '../engine/errors.js';
import { attrChanges, attrProperties, changePhrases } from './lib/attrs.js';
import { pyRegex } from './lib/py-regex.js';
import { joinLines, readText, splitLines, textEditPlan, type TextLines } from './lib/text-edit.js';
import { backupProperty, validateProperty } from './lib/write-file.js';

export interface BlockinfileArgs {
  path?: string;
  dest?: string;
  block?: string;
  /** Ansible's alias of block */
  content?: string;
  marker?: string;
  marker_begin?: string;
  marker_end?: string;
  insertafter?: string;
  insertbefore?: string;
  state?: 'present' | 'absent';
  create?: boolean;
  backup?: boolean;
  validate?: string;
  mode?: string | number;
  owner?: string;
  group?: string;
}

export interface BlockinfileData {
  path: string;
  msg: string;
  backup?: string;
}

export const DEFAULT_MARKER = '# {mark} ANSIBLE MANAGED BLOCK';

/** The new lines, or the same object when nothing changes. */
export function blockEdit(t: TextLines, a: BlockinfileArgs): { result: TextLines; msg: string } {
  const marker = a.marker ?? DEFAULT_MARKER;
  const begin = marker.replace('{mark}', a.marker_begin ?? 'BEGIN');
  const end = marker.replace('{mark}', a.marker_end ?? 'END');
  const lines = [...t.lines];
  const block = a.block ?? '';
  const removing = (a.state ?? 'present') === 'absent' || block === '';
  const body = block.replace(/\n$/, '').split('\n');
  const wanted = removing ? [] : [begin, ...body, end];

  let n0 = -1;
  let n1 = -1;
  lines.forEach((l, i) => {
    if (l.trimEnd() === begin) n0 = i;
    if (l.trimEnd() === end) n1 = i;
  });
  let from: number;
  let count: number;
  if (n0 >= 0 && n1 >= n0) {
    from = n0;
    count = n1 - n0 + 1;
  } else if (n0 >= 0 || n1 >= 0) {
    // one lone marker: the block replaces it
    from = Math.max(n0, n1);
    count = 1;
  } else {
    if (removing) return { result: t, msg: '' };
    count = 0;
    from = lines.length;
    if (a.insertbefore === 'BOF') from = 0;
    else if (a.insertbefore !== undefined) {
      const re = pyRegex(a.insertbefore, '', 'insertbefore');
      const i = lines.findLastIndex((l) => re.test(l));
      if (i >= 0) from = i;
    } else if (a.insertafter !== undefined && a.insertafter !== 'EOF') {
      const re = pyRegex(a.insertafter, '', 'insertafter');
      const i = lines.findLastIndex((l) => re.test(l));
      if (i >= 0) from = i + 1;
    }
  }
  const current = lines.slice(from, from + count);
  if (current.length === wanted.length && current.every((l, i) => l === wanted[i])) return { result: t, msg: '' };
  lines.splice(from, count, ...wanted);
  const msg = removing ? 'Block removed' : count > 0 ? 'Block updated' : 'Block inserted';
  const touchesEnd = from + wanted.length >= lines.length;
  return { result: { lines, finalNewline: lines.length > 0 && (t.finalNewline || (touchesEnd && !removing)) }, msg };
}

export const blockinfile = defineModule<BlockinfileArgs, BlockinfileData>({
  name: 'blockinfile',
  summary: 'Insert, update or remove a block of lines between marker lines in a text file.',
  description:
    'Keeps a block of text between a begin and an end marker line. The block is updated in place when the markers exist, inserted at `insertafter`/`insertbefore` (default: end of file) when they do not, and removed with the markers for `state: absent` or an empty `block`. Supports check and diff mode.',
  schema: {
    type: 'object',
    properties: {
      path: { type: 'string', description: 'The file to edit.' },
      dest: { type: 'string', description: 'Old name of `path`.' },
      block: { type: 'string', default: '', description: 'The text between the markers; empty removes the block.' },
      content: { type: 'string', description: 'Another name for `block` (Ansible\'s alias).' },
      marker: { type: 'string', default: DEFAULT_MARKER, description: 'Marker line template; {mark} becomes marker_begin or marker_end. Use a comment syntax the file understands.' },
      marker_begin: { type: 'string', default: 'BEGIN', description: 'Replaces {mark} in the first marker line.' },
      marker_end: { type: 'string', default: 'END', description: 'Replaces {mark} in the last marker line.' },
      insertafter: { type: 'string', description: "When the markers are absent, insert after the last line matching this regular expression, or 'EOF' (default)." },
      insertbefore: { type: 'string', description: "When the markers are absent, insert before the last line matching this regular expression, or 'BOF'." },
      state: { type: 'string', enum: ['present', 'absent'], default: 'present', description: 'Whether the block should be there.' },
      create: { type: 'boolean', default: false, description: 'Create the file when it does not exist; otherwise a missing file is an error.' },
      backup: backupProperty,
      validate: validateProperty,
      ...attrProperties,
    },
    additionalProperties: false,
    oneOf: [{ required: ['path'] }, { required: ['dest'] }],
    not: { required: ['insertafter', 'insertbefore'] },
  },
  examples: [
    `- name: Pin the registry mirror
  blockinfile:
    path: /etc/hosts
    block: |
      10.0.0.5 registry.local
      10.0.0.6 git.local`,
    `- name: A block in a YAML file, with a YAML comment marker
  blockinfile:
    path: /etc/rancher/k3s/config.yaml
    create: true
    marker: '# {mark} gx registry'
    block: |
      write-kubeconfig-mode: "0644"`,
  ],
  returns: {
    msg: { type: 'str', description: "'Block inserted', 'Block updated', 'Block removed', 'File created' or empty.", returned: 'always' },
    path: { type: 'str', description: 'The file.', returned: 'always' },
    backup: { type: 'str', description: 'The backup file.', returned: 'when backup is true and the file changed' },
  },
  checkMode: true,
  check(a) {
    const marker = a.marker ?? DEFAULT_MARKER;
    const same = !marker.includes('{mark}') && (a.marker_begin ?? 'BEGIN') !== (a.marker_end ?? 'END');
    const both = a.content !== undefined && a.block !== undefined && a.block !== '' ? ['give the text as `block` or as `content` (its alias), not both'] : [];
    return [...(same ? ['marker must contain {mark}, or the begin and end markers would be the same line'] : []), ...both];
  },
  async plan(ctx, args) {
    const a = args.content !== undefined ? { ...args, block: args.content } : args;
    const path = (a.path ?? a.dest)!;
    const state = a.state ?? 'present';
    const marker = a.marker ?? DEFAULT_MARKER;
    const cur = await readText(ctx, path);
    if (cur.text === null) {
      if (state === 'absent') return { changed: false, msg: '', data: { path, msg: '' } };
      if (!a.create) throw new ModuleError(`${path} does not exist (set create: true to create it)`);
    }
    const before = splitLines(cur.text ?? '');
    const edit = blockEdit(before, a);
    const newText = edit.result === before ? (cur.text ?? '') : joinLines(edit.result);
    const attrs = attrChanges(cur.stat, a);
    const msg = [cur.text === null ? 'File created' : edit.msg, ...changePhrases(cur.stat, attrs)].filter(Boolean).join(', ');
    const data: BlockinfileData = { path, msg };
    return textEditPlan(ctx, cur, newText, a, data, attrs);
  },
});

export default blockinfile;
