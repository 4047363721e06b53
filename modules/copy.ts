import { posix } from 'node:path';
import { ModuleArgsError, ModuleError } from '../engine/errors.js';
import type { Connection } from '../engine/connect/connection.js';
import { defineModule, diffEntries, type DiffEntry, type ModuleContext, type Plan } from '../engine/module-contract.js';
import { must } from './lib/attrs.js';
import { formatMode, parseMode } from './lib/mode.js';
import { planWrite, writeProperties, writeReturns, type WriteArgs } from './lib/write-file.js';
import { planWith } from './lib/delegate.js';
import file from './file.js';

export interface CopyArgs extends WriteArgs {
  src?: string;
  directory_mode?: string | number;
  content?: string;
  remote_src: boolean;
  local_follow: boolean;
}

export const copy = defineModule<CopyArgs>({
  name: 'copy',
  summary: 'Copy a file from the controller, or given content, to the host.',
  description:
    'The file is compared by sha256 and only written when it differs, atomically (a temporary file in the same directory, renamed over the old one). ' +
    'A relative `src` is looked up in the role\'s `files/` first, then in the playbook\'s `files/`. ' +
    'With --diff the change is shown as a text diff; check mode reports what would change without writing.',
  schema: {
    type: 'object',
    properties: {
      src: {
        type: 'string',
        description:
          "The file to copy: relative to the role's or playbook's files/ directory, or absolute on the controller (on the host with remote_src). " +
          'A directory is copied recursively: with a trailing / its contents go into dest, without it the directory itself goes into dest.',
      },
      content: { type: 'string', description: 'The text to write instead of a src file.' },
      remote_src: { type: 'boolean', default: false, description: 'src is a file on the host itself, not on the controller.' },
      local_follow: {
        type: 'boolean',
        default: true,
        description: 'When copying a directory from the controller: copy what its symbolic links point to (true), or recreate them as links on the host (false). A broken link is recreated as a link either way.',
      },
      directory_mode: {
        type: ['string', 'integer'],
        description: 'When copying a directory: the mode of the directories it creates (default: what the umask gives). `mode` applies to the files.',
      },
      ...writeProperties,
    },
    required: ['dest'],
    additionalProperties: false,
  },
  examples: [
    `- name: Install the registry config
  copy:
    src: registries.yaml
    dest: /etc/rancher/k3s/registries.yaml
    mode: '0600'
    owner: root
    group: root`,
    `- name: Write a small file from text
  copy:
    content: |
      net.ipv4.ip_forward = 1
    dest: /etc/sysctl.d/90-forward.conf
    backup: true`,
    `- name: Ship a whole directory of manifests (its contents, because of the trailing slash)
  copy:
    src: manifests/
    dest: /var/lib/rancher/k3s/server/manifests
    mode: '0644'`,
    `- name: A sudoers drop-in, checked before it is installed
  copy:
    content: "deploy ALL=(ALL) NOPASSWD: ALL\\n"
    dest: /etc/sudoers.d/deploy
    mode: '0440'
    validate: visudo -cf %s`,
  ],
  returns: {
    ...writeReturns,
    src: { type: 'str', description: 'The source file (or directory) used.', returned: 'when src is given' },
    files: { type: 'int', description: 'How many files the source directory holds.', returned: 'when src is a directory' },
    changed_files: { type: 'list', description: 'The destination files written (or that would be, in check mode).', returned: 'when src is a directory and something changed' },
  },
  checkMode: true,
  check(a) {
    return [
      ...((a.src === undefined) === (a.content === undefined) ? ['give exactly one of src and content'] : []),
      ...(a.content !== undefined && a.mode === 'preserve' ? ["mode: 'preserve' needs a source file (src), not content"] : []),
    ];
  },
  async plan(ctx, a) {
    if (a.content !== undefined) return planWrite(ctx, a, { bytes: Buffer.from(a.content, 'utf8') });
    const from = a.remote_src ? ctx.conn : ctx.local;
    const path = a.remote_src ? a.src! : await ctx.findFile(a.src!, 'files');
    const st = await from.stat(path, { followLinks: true });
    if (!st) throw new ModuleError(`copy: source ${path} does not exist${a.remote_src ? ' on the host' : ''}`);
    if (st.type === 'directory') return planTree(ctx, a, from, path);
    const bytes = await from.get(path);
    if (!bytes) throw new ModuleError(`copy: source ${path} could not be read`);
    return planWrite(ctx, a, { bytes, basename: posix.basename(a.src!), srcMode: st.mode, src: path });
  },
});

export default copy;

/** A directory copied recursively: every file planned like a single copy, missing directories created first. */
async function planTree(ctx: ModuleContext, a: CopyArgs, from: Connection, srcDir: string): Promise<Plan> {
  if (a.validate !== undefined) throw new ModuleArgsError('copy: validate works on single files, not on a directory src', { loc: ctx.loc });
  const base = a.src!.endsWith('/') ? a.dest : posix.join(a.dest, posix.basename(srcDir.replace(/\/+$/, '')));
  // -L: links on the source side are copied as what they point to (Ansible's local_follow, its
  // _walk_dirs in lib/ansible/plugins/action/copy.py at v2.17.5); without it they stay links
  const follow = a.remote_src || a.local_follow !== false;
  const r = await from.run({ argv: ['find', ...(follow ? ['-L'] : []), srcDir.startsWith('-') ? `./${srcDir}` : srcDir, '-mindepth', '1', '-printf', '%y\\t%l\\t%P\\0'] });
  if (r.rc !== 0 && !follow) throw new ModuleError(`copy: cannot list ${srcDir}: ${r.stderr.trim()}`);
  const dirs = [''];
  const files: string[] = [];
  const links: { rel: string; target: string }[] = [];
  for (const rec of r.stdout.split('\0')) {
    if (rec === '') continue;
    const [type, target, rel] = rec.split('\t') as [string, string, string];
    if (type === 'd') dirs.push(rel);
    else if (type === 'f') files.push(rel);
    else if (type === 'l') links.push({ rel, target });
  }
  if (r.rc !== 0 && links.length === 0) throw new ModuleError(`copy: cannot list ${srcDir}: ${r.stderr.trim()}`);
  dirs.sort();
  files.sort();
  const missing: string[] = [];
  for (const d of dirs) {
    const target = d === '' ? base : posix.join(base, d);
    const st = await ctx.conn.stat(target, { followLinks: true });
    if (!st) missing.push(target);
    else if (st.type !== 'directory') return { changed: false, failed: true, msg: `${target} exists and is not a directory`, data: { dest: base } };
  }
  const plans: Plan[] = [];
  for (const f of files) {
    const srcFile = posix.join(srcDir, f);
    const bytes = await from.get(srcFile);
    if (!bytes) throw new ModuleError(`copy: ${srcFile} could not be read`);
    const srcMode = a.mode === 'preserve' ? (await from.stat(srcFile, { followLinks: true }))?.mode : undefined;
    plans.push(await planWrite(ctx, { ...a, dest: posix.join(base, f) }, { bytes, srcMode, src: srcFile }));
  }
  // links stay links, as Ansible hands them to the file module (state=link, force)
  for (const l of links.sort((x, y) => x.rel.localeCompare(y.rel))) {
    const linkArgs: Record<string, unknown> = { path: posix.join(base, l.rel), src: l.target, state: 'link', force: true, follow: false };
    if (a.owner !== undefined) linkArgs.owner = a.owner;
    if (a.group !== undefined) linkArgs.group = a.group;
    plans.push(await planWith(file, ctx, linkArgs));
  }
  const failed = plans.find((p) => p.failed);
  if (failed) return failed;
  const changedFiles = plans.filter((p) => p.changed);
  const destOf = (p: Plan) => p.data?.dest ?? p.data?.path;
  const data = { dest: base, src: srcDir, files: files.length, state: 'directory' };
  if (missing.length === 0 && changedFiles.length === 0) return { changed: false, data };
  const diff = async (): Promise<DiffEntry[]> => {
    const out: DiffEntry[] = missing.map((d) => ({ label: d, before: 'state: absent\n', after: 'state: directory\n' }));
    for (const p of changedFiles) out.push(...(await diffEntries(p.diff)));
    return out;
  };
  return {
    changed: true,
    diff,
    data: { ...data, changed_files: changedFiles.map(destOf) },
    apply: async () => {
      for (const d of missing) {
        await must(ctx.conn, ['mkdir', '-p', '--', d], d);
        if (a.directory_mode !== undefined) await must(ctx.conn, ['chmod', formatMode(parseMode(a.directory_mode, 0o755, true)), '--', d], d);
      }
      for (const p of changedFiles) {
        const done = await p.apply!();
        if (done.failed) return { failed: true, msg: done.msg, data };
      }
      return { data: { ...data, changed_files: changedFiles.map(destOf) } };
    },
  };
}
