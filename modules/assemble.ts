// assemble: a file made of the fragments in a directory (lib/ansible/modules/assemble.py and
// lib/ansible/plugins/action/assemble.py at v2.17.5: fragments in sorted name order, regexp searched in
// each name, ignore_hidden, a newline added after a fragment without one, the delimiter unescaped and
// put only between fragments, remote_src: false reads the directory on the controller through the
// files/ search path). The result is written through lib/write-file.ts like copy (checksum, backup,
// validate, mode/owner/group, diff), so the registered keys are copy's plus `msg: OK`.
import { ModuleError } from '../engine/errors.js';
import { defineModule } from '../engine/module-contract.js';
import { attrProperties } from './lib/attrs.js';
import { pyRegex } from './lib/py-regex.js';
import { backupProperty, planWrite, validateProblems, validateProperty, writeReturns } from './lib/write-file.js';

export interface AssembleArgs {
  src: string;
  dest: string;
  delimiter?: string;
  backup: boolean;
  remote_src: boolean;
  regexp?: string;
  ignore_hidden: boolean;
  validate?: string;
  decrypt: boolean;
  mode?: string | number;
  owner?: string;
  group?: string;
}

const NOT_FOUND = 40;
const NOT_DIR = 41;

/** $1 the directory: every regular file in it (links followed, as os.path.isfile does) as name\0base64\0. */
const FRAGMENTS = `cd -- "$1" 2>/dev/null || { [ -e "$1" ] && exit ${NOT_DIR}; exit ${NOT_FOUND}; }
[ -d . ] || exit ${NOT_DIR}
for f in * .*; do
  [ -f "$f" ] || continue
  printf '%s\\0' "$f"; base64 -w0 < "$f" || exit 1; printf '\\0'
done`;

/** Python's codecs.escape_decode: \\n, \\t, \\xhh, octal… become bytes; an unknown escape stays as written. */
export function escapeDecode(s: string): Buffer {
  const out: number[] = [];
  const simple: Record<string, number> = { n: 10, t: 9, r: 13, a: 7, b: 8, f: 12, v: 11, '\\': 92, "'": 39, '"': 34 };
  const src = Buffer.from(s, 'utf8');
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    if (c !== 92 || i + 1 >= src.length) {
      out.push(c);
      continue;
    }
    const e = String.fromCharCode(src[i + 1]!);
    if (e in simple) {
      out.push(simple[e]!);
      i++;
    } else if (e === '\n') i++;
    else if (e === 'x' && /^[0-9a-fA-F]{2}$/.test(src.subarray(i + 2, i + 4).toString('latin1'))) {
      out.push(parseInt(src.subarray(i + 2, i + 4).toString('latin1'), 16));
      i += 3;
    } else if (/[0-7]/.test(e)) {
      const m = /^[0-7]{1,3}/.exec(src.subarray(i + 1, i + 4).toString('latin1'))!;
      out.push(parseInt(m[0], 8) & 0xff);
      i += m[0].length;
    } else out.push(c);
  }
  return Buffer.from(out);
}

/** The assembled bytes, as assemble_from_fragments writes them. */
export function assembleFragments(fragments: { name: string; bytes: Buffer }[], delimiter: string | undefined): Buffer {
  const parts: Buffer[] = [];
  const delim = delimiter ? escapeDecode(delimiter) : undefined;
  let addNewline = false;
  fragments.forEach((f, i) => {
    if (addNewline) parts.push(Buffer.from('\n'));
    if (i > 0 && delim && delim.length > 0) {
      parts.push(delim);
      if (delim[delim.length - 1] !== 10) parts.push(Buffer.from('\n'));
    }
    parts.push(f.bytes);
    addNewline = !(f.bytes.length > 0 && f.bytes[f.bytes.length - 1] === 10);
  });
  return Buffer.concat(parts);
}

export const assemble = defineModule<AssembleArgs>({
  name: 'assemble',
  summary: 'Assemble a configuration file from the fragments in a directory.',
  description:
    'The regular files of `src` are joined in name order (optionally only those whose name `regexp` finds something in, without hidden ones), with a newline after a fragment that lacks one and `delimiter` between fragments. ' +
    '`src` is on the host (default) or, with `remote_src: false`, on the controller (looked up like copy\'s src). The file is written only when its content differs; the result carries copy\'s keys (checksum, md5sum, size, mode…) and `msg: OK`. ' +
    'Unlike Ansible (which skips assemble under --check), gx plans it in check mode and shows the diff: nothing is written.',
  schema: {
    type: 'object',
    properties: {
      src: { type: 'string', description: 'The directory of fragments: on the host, or on the controller with remote_src: false (files/ of the role or playbook, as copy looks).' },
      dest: { type: 'string', description: 'The file to write on the host.' },
      delimiter: { type: 'string', description: 'Put between fragments; escapes such as \\n are decoded, and a newline is added after it when it has none.' },
      backup: { ...backupProperty, description: `${backupProperty.description} Returned as backup_file.` },
      remote_src: { type: 'boolean', default: true, description: 'src is on the host (true, the default) or on the controller (false).' },
      regexp: { type: 'string', description: 'Only fragments whose name this Python regular expression finds something in (re.search).' },
      ignore_hidden: { type: 'boolean', default: false, description: 'Leave out fragments whose name starts with a dot.' },
      validate: validateProperty,
      decrypt: { type: 'boolean', default: true, description: 'Accepted for Ansible compatibility: gx reads fragments as they are (no vault-encrypted fragments).' },
      ...attrProperties,
    },
    required: ['src', 'dest'],
    additionalProperties: false,
  },
  examples: [
    `- name: Build sshd_config from its parts
  assemble:
    src: /etc/ssh/conf.d
    dest: /etc/ssh/sshd_config
    validate: /usr/sbin/sshd -t -f %s
    backup: true`,
    `- name: From fragments shipped with the role
  assemble:
    src: fragments
    remote_src: false
    dest: /etc/app/app.conf
    delimiter: '### fragment'`,
  ],
  returns: {
    ...writeReturns,
    src: { type: 'str', description: 'The directory of fragments.', returned: 'always' },
    msg: { type: 'str', description: "'OK'.", returned: 'success' },
  },
  checkMode: true,
  check(a) {
    return validateProblems(a.validate);
  },
  async plan(ctx, a) {
    const from = a.remote_src ? ctx.conn : ctx.local;
    const src = a.remote_src ? a.src : await ctx.findFile(a.src, 'files');
    let re: RegExp | undefined;
    if (a.regexp !== undefined) {
      try {
        re = pyRegex(a.regexp);
      } catch (err) {
        throw new ModuleError(`Invalid Regexp (${(err as Error).message.replace(/^regexp is not a valid regular expression: /, '')}) in "${a.regexp}"`);
      }
    }
    const r = await from.run({ argv: ['/bin/sh', '-c', FRAGMENTS, 'sh', src] });
    if (r.rc === NOT_FOUND) return { changed: false, failed: true, msg: `Source (${src}) does not exist`, data: { src, dest: a.dest } };
    if (r.rc === NOT_DIR) return { changed: false, failed: true, msg: `Source (${src}) is not a directory`, data: { src, dest: a.dest } };
    if (r.rc !== 0) throw new ModuleError(`reading the fragments in ${src}: ${r.stderr.trim() || `exit ${r.rc}`}`);
    const parts = r.stdout.split('\0');
    const fragments: { name: string; bytes: Buffer }[] = [];
    for (let i = 0; i + 1 < parts.length; i += 2) fragments.push({ name: parts[i]!, bytes: Buffer.from(parts[i + 1]!, 'base64') });
    const chosen = fragments
      .sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0))
      .filter((f) => (!re || ((re.lastIndex = 0), re.test(f.name))) && !(a.ignore_hidden && f.name.startsWith('.')));
    const bytes = assembleFragments(chosen, a.delimiter);
    const plan = await planWrite(ctx, { dest: a.dest, backup: a.backup, force: true, validate: a.validate, mode: a.mode, owner: a.owner, group: a.group }, { bytes, src: a.src });
    const withMsg = <T extends { data?: Record<string, unknown> }>(p: T): T => ({ ...p, data: { ...(p.data ?? {}), msg: 'OK' } });
    if (plan.failed) return plan;
    const apply = plan.apply;
    return { ...withMsg(plan), ...(apply ? { apply: async () => withMsg(await apply()) } : {}) };
  },
});

export default assemble;
