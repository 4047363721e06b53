import { randomBytes } from 'node:crypto';
import { posix } from 'node:path';
import type { Connection, FileStat } from '../engine/connect/connection.js';
import { ModuleArgsError, ModuleError } from '../engine/errors.js';
import { defineModule, type ModuleContext, type Plan } from '../engine/module-contract.js';
import { applyAttrs, attrChanges, attrData, attrProperties, describeState, hasChanges, must, type AttrArgs, type AttrChange } from './lib/attrs.js';
import { formatMode, parseMode } from './lib/mode.js';

type State = 'file' | 'directory' | 'touch' | 'absent' | 'link' | 'hard';

export interface FileArgs extends AttrArgs {
  path?: string;
  dest?: string;
  name?: string;
  state?: State;
  src?: string;
  recurse: boolean;
  force: boolean;
  follow: boolean;
  modification_time?: 'now' | 'preserve';
  access_time?: 'now' | 'preserve';
}

export const file = defineModule<FileArgs>({
  name: 'file',
  summary: 'Make a path a directory, a link, or absent, or set a file\'s mode and ownership.',
  description:
    'Without `state`, the path keeps what it is (a file when it does not exist, which then fails: use `touch` to create an empty file). ' +
    '`touch` updates the timestamps every run (so it always reports a change, as in Ansible) unless both ' +
    '`modification_time` and `access_time` are `preserve`. `absent` removes directories recursively. ' +
    'Links are replaced atomically (a new link renamed over the old one).',
  schema: {
    type: 'object',
    properties: {
      path: { type: 'string', description: 'The path to manage (also accepted as `dest` or `name`).' },
      dest: { type: 'string', description: 'Another name for `path`.' },
      name: { type: 'string', description: 'Another name for `path`.' },
      state: {
        type: 'string',
        enum: ['file', 'directory', 'touch', 'absent', 'link', 'hard'],
        description:
          'file: it must exist, set its attributes; directory: create it and missing parents; touch: create it or update its times; absent: remove it (recursively); link: a symbolic link to src; hard: a hard link to src.',
      },
      src: { type: 'string', description: 'What a link points to (state link or hard). A relative path is relative to the link\'s directory.' },
      ...attrProperties,
      recurse: { type: 'boolean', default: false, description: 'With state directory: set mode, owner and group on everything inside too.' },
      force: {
        type: 'boolean',
        default: false,
        description: 'For links: replace an existing file or empty directory at path, and create a link even when src does not exist.',
      },
      follow: { type: 'boolean', default: true, description: 'When path is a symbolic link, set the attributes of what it points to (states file, directory, touch).' },
      modification_time: { type: 'string', enum: ['now', 'preserve'], description: 'For touch: set the modification time to now (default) or keep it.' },
      access_time: { type: 'string', enum: ['now', 'preserve'], description: 'For touch: set the access time to now (default) or keep it.' },
    },
    additionalProperties: false,
  },
  examples: [
    `- name: Manifests directory
  file:
    path: /var/lib/rancher/k3s/server/manifests
    state: directory
    mode: '0755'`,
    `- name: kubectl on the PATH
  file:
    src: /usr/local/bin/k3s
    dest: /usr/local/bin/kubectl
    state: link`,
    `- name: A private key stays private
  file:
    path: /etc/ssl/private/api.key
    mode: '0600'
    owner: root`,
    `- name: Remove the old config
  file:
    path: /etc/old.conf
    state: absent`,
  ],
  returns: {
    path: { type: 'str', description: 'The path managed.', returned: 'always' },
    state: { type: 'str', description: 'What the path is now: file, directory, link, hard or absent.', returned: 'always' },
    mode: { type: 'str', description: "Its mode, like '0755'.", returned: 'when it exists' },
    owner: { type: 'str', description: 'Its owner.', returned: 'when it exists' },
    group: { type: 'str', description: 'Its group.', returned: 'when it exists' },
    uid: { type: 'int', description: "The owner's id.", returned: 'when it exists' },
    gid: { type: 'int', description: "The group's id.", returned: 'when it exists' },
    size: { type: 'int', description: 'Its size in bytes.', returned: 'when it exists' },
    src: { type: 'str', description: 'The link target.', returned: 'for links' },
  },
  checkMode: true,
  check(a) {
    const out: string[] = [];
    const path = a.path ?? a.dest ?? a.name;
    if (path === undefined || path === '') out.push("needs the argument 'path' (or its aliases dest, name)");
    if (a.recurse && a.state !== undefined && a.state !== 'directory') out.push('recurse needs state: directory');
    if ((a.state === 'link' || a.state === 'hard') && a.src === undefined) out.push(`state ${a.state} needs src`);
    return out;
  },
  async plan(ctx, a) {
    const path = (a.path ?? a.dest ?? a.name)!;
    const cur = await ctx.conn.stat(path);
    const state: State = a.state ?? (cur?.type === 'directory' ? 'directory' : cur?.type === 'link' && !a.follow ? 'link' : 'file');
    // check() refuses a given state that does not fit; these are for the state read from the host
    if (a.recurse && state !== 'directory') throw new ModuleArgsError('file: recurse needs state: directory', { loc: ctx.loc });
    if ((state === 'link' || state === 'hard') && a.src === undefined) throw new ModuleArgsError(`file: state ${state} needs src`, { loc: ctx.loc });
    const p: Planner = { ctx, a, path, cur };
    switch (state) {
      case 'absent':
        return planAbsent(p);
      case 'file':
        return planFile(p);
      case 'directory':
        return planDirectory(p);
      case 'touch':
        return planTouch(p);
      case 'link':
        return planLink(p);
      case 'hard':
        return planHard(p);
    }
  },
});

export default file;

interface Planner {
  ctx: ModuleContext;
  a: FileArgs;
  path: string;
  /** the path itself (lstat) */
  cur: FileStat | null;
}

async function target(p: Planner): Promise<FileStat | null> {
  return p.cur?.type === 'link' && p.a.follow ? p.ctx.conn.stat(p.path, { followLinks: true }) : p.cur;
}

function diffOf(p: Planner, before: FileStat | null, after: string): Plan['diff'] {
  return [{ label: p.path, before: describeState(before), after }];
}

function afterText(state: string, st: FileStat | null, c: AttrChange, extra: string[] = []): string {
  const lines = [`state: ${state}`, ...extra];
  if (state !== 'absent' && state !== 'link') {
    const mode = c.mode ?? st?.mode;
    if (mode !== undefined) lines.push(`mode: ${formatMode(mode)}`);
  }
  if (state !== 'absent') {
    const owner = c.owner ?? st?.owner;
    const group = c.group ?? st?.group;
    if (owner !== undefined) lines.push(`owner: ${owner}`);
    if (group !== undefined) lines.push(`group: ${group}`);
  }
  return lines.join('\n') + '\n';
}

async function finalData(p: Planner, state: string, follow = true): Promise<Record<string, unknown>> {
  const st = await p.ctx.conn.stat(p.path, { followLinks: follow && state !== 'link' });
  const out: Record<string, unknown> = { path: p.path, state, ...(st ? attrData(st) : {}) };
  if (p.a.src !== undefined && (state === 'link' || state === 'hard')) out.src = p.a.src;
  return out;
}

function predicted(p: Planner, state: string, st: FileStat | null, c: AttrChange): Record<string, unknown> {
  const out: Record<string, unknown> = { path: p.path, state, ...(st ? attrData(st) : {}) };
  if (c.mode !== undefined) out.mode = formatMode(c.mode);
  if (c.owner !== undefined) out.owner = c.owner;
  if (c.group !== undefined) out.group = c.group;
  if (p.a.src !== undefined && (state === 'link' || state === 'hard')) out.src = p.a.src;
  return out;
}

function planAbsent(p: Planner): Plan {
  if (!p.cur) return { changed: false, data: { path: p.path, state: 'absent' } };
  return {
    changed: true,
    diff: diffOf(p, p.cur, 'state: absent\n'),
    data: { path: p.path, state: 'absent' },
    apply: async () => {
      await must(p.ctx.conn, ['rm', '-rf', '--', p.path], p.path);
      return { data: { path: p.path, state: 'absent' } };
    },
  };
}

async function planFile(p: Planner): Promise<Plan> {
  const st = await target(p);
  if (!st) return { changed: false, failed: true, msg: `file (${p.path}) is absent, cannot continue`, data: { path: p.path, state: 'absent' } };
  if (st.type !== 'file') return { changed: false, failed: true, msg: `file (${p.path}) is a ${st.type}, cannot continue`, data: { path: p.path, state: st.type } };
  return planAttrs(p, st, 'file');
}

function planAttrs(p: Planner, st: FileStat, state: string): Plan {
  const c = attrChanges(st, p.a);
  if (!hasChanges(c)) return { changed: false, data: predicted(p, state, st, c) };
  return {
    changed: true,
    diff: diffOf(p, st, afterText(state, st, c)),
    data: predicted(p, state, st, c),
    apply: async () => {
      await applyAttrs(p.ctx.conn, p.path, c, st.type === 'link');
      return { data: await finalData(p, state) };
    },
  };
}

async function planDirectory(p: Planner): Promise<Plan> {
  const { ctx, a, path } = p;
  const st = await target(p);
  if (st && st.type !== 'directory') {
    return { changed: false, failed: true, msg: `${path} exists and is a ${st.type}, not a directory`, data: { path, state: st.type } };
  }
  if (!st) {
    // every directory mkdir -p will create gets the attributes, as in Ansible
    const created: string[] = [];
    for (let d = path; ; d = posix.dirname(d)) {
      if (await ctx.conn.stat(d, { followLinks: true })) break;
      created.unshift(d);
      if (posix.dirname(d) === d) break;
    }
    const want: AttrChange = {};
    if (a.mode !== undefined) want.mode = parseMode(a.mode, 0o755, true);
    if (a.owner !== undefined) want.owner = a.owner;
    if (a.group !== undefined) want.group = a.group;
    return {
      changed: true,
      diff: diffOf(p, null, afterText('directory', null, want)),
      data: predicted(p, 'directory', null, want),
      apply: async () => {
        await must(ctx.conn, ['mkdir', '-p', '--', path], path);
        for (const d of created) {
          const now = await ctx.conn.stat(d);
          if (now) await applyAttrs(ctx.conn, d, attrChanges(now, a));
        }
        return { data: await finalData(p, 'directory') };
      },
    };
  }
  if (!a.recurse) return planAttrs(p, st, 'directory');
  const inside = await recursiveChanges(ctx.conn, path, a);
  const self = attrChanges(st, a);
  if (inside.length === 0 && !hasChanges(self)) return { changed: false, data: predicted(p, 'directory', st, self) };
  return {
    changed: true,
    diff: [{ label: path, before: describeState(st), after: afterText('directory', st, self, [`recurse: ${inside.length} entries inside change`]) }],
    data: predicted(p, 'directory', st, self),
    apply: async () => {
      await applyAttrs(ctx.conn, path, self);
      await applyBatched(ctx.conn, inside);
      return { data: await finalData(p, 'directory') };
    },
  };
}

interface EntryChange extends AttrChange {
  path: string;
  link: boolean;
}

/** Everything under a directory whose attributes differ from the wanted ones (one find, not one stat per entry). */
async function recursiveChanges(conn: Connection, dir: string, a: AttrArgs): Promise<EntryChange[]> {
  const start = dir.startsWith('-') ? `./${dir}` : dir;
  const r = await conn.run({ argv: ['find', start, '-mindepth', '1', '-printf', '%m\\t%U\\t%G\\t%u\\t%g\\t%y\\t%p\\0'] });
  if (r.rc !== 0) throw new ModuleError(`cannot list ${dir}: ${r.stderr.trim()}`);
  const out: EntryChange[] = [];
  for (const rec of r.stdout.split('\0')) {
    if (rec === '') continue;
    const [m, uid, gid, owner, group, y, ...rest] = rec.split('\t');
    const path = rest.join('\t');
    const type = y === 'd' ? 'directory' : y === 'l' ? 'link' : y === 'f' ? 'file' : 'other';
    const st: FileStat = { type, mode: parseInt(m!, 8), uid: Number(uid), gid: Number(gid), owner: owner!, group: group!, size: 0, mtime: 0 };
    const c = attrChanges(st, a);
    if (hasChanges(c)) out.push({ ...c, path, link: type === 'link' });
  }
  return out;
}

async function applyBatched(conn: Connection, changes: EntryChange[]): Promise<void> {
  const groups = new Map<string, { argv: string[]; paths: string[] }>();
  const add = (key: string, argv: string[], path: string): void => {
    const g = groups.get(key) ?? { argv, paths: [] };
    g.paths.push(path);
    groups.set(key, g);
  };
  for (const c of changes) {
    if (c.owner !== undefined || c.group !== undefined) {
      const spec = `${c.owner ?? ''}${c.group !== undefined ? `:${c.group}` : ''}`;
      add(`chown ${spec}`, ['chown', '-h', spec, '--'], c.path);
    }
    if (c.mode !== undefined) add(`chmod ${c.mode}`, ['chmod', formatMode(c.mode), '--'], c.path);
  }
  // ownership before modes: chown clears setuid bits that a mode may set
  const ordered = [...groups.entries()].sort(([x], [y]) => (x.startsWith('chown') ? 0 : 1) - (y.startsWith('chown') ? 0 : 1));
  for (const [, g] of ordered) {
    for (let i = 0; i < g.paths.length; i += 500) await must(conn, [...g.argv, ...g.paths.slice(i, i + 500)], g.paths[i]!);
  }
}

async function planTouch(p: Planner): Promise<Plan> {
  const { ctx, a, path } = p;
  const st = await target(p);
  const mtime = a.modification_time ?? 'now';
  const atime = a.access_time ?? 'now';
  const times = st && !(mtime === 'preserve' && atime === 'preserve');
  const want = attrChanges(st, a);
  if (st && !times && !hasChanges(want)) return { changed: false, data: predicted(p, st.type, st, want) };
  const state = st ? st.type : 'file';
  return {
    changed: true,
    diff: diffOf(p, st, afterText(state, st, want, times ? ['times: updated'] : [])),
    data: predicted(p, state, st, want),
    apply: async () => {
      if (!st) await must(ctx.conn, ['touch', '--', path], path);
      else if (times) {
        const flags = mtime === 'now' && atime === 'now' ? [] : mtime === 'now' ? ['-m'] : ['-a'];
        await must(ctx.conn, ['touch', ...flags, '--', path], path);
      }
      const now = await ctx.conn.stat(path, { followLinks: a.follow });
      if (now) await applyAttrs(ctx.conn, path, attrChanges(now, a));
      return { data: await finalData(p, state) };
    },
  };
}

async function planLink(p: Planner): Promise<Plan> {
  const { ctx, a, path, cur } = p;
  const src = a.src!;
  if (cur?.type === 'link' && cur.linkTarget === src) {
    const c = attrChanges(cur, { owner: a.owner, group: a.group });
    if (!hasChanges(c)) return { changed: false, data: predicted(p, 'link', cur, c) };
    return planAttrs(p, cur, 'link');
  }
  if (cur && cur.type !== 'link' && !a.force) {
    return { changed: false, failed: true, msg: `refusing to replace the ${cur.type} ${path} with a link (use force: true)`, data: { path, state: cur.type } };
  }
  if (!a.force) {
    const resolved = posix.isAbsolute(src) ? src : posix.join(posix.dirname(path), src);
    if (!(await ctx.conn.stat(resolved, { followLinks: true }))) {
      return { changed: false, failed: true, msg: `src ${src} does not exist (use force: true to link to it anyway)`, data: { path, state: cur ? cur.type : 'absent' } };
    }
  }
  const want: AttrChange = { owner: a.owner, group: a.group };
  return {
    changed: true,
    diff: diffOf(p, cur, afterText('link', null, want, [`src: ${src}`])),
    data: predicted(p, 'link', null, want),
    apply: async () => {
      if (cur?.type === 'directory') await must(ctx.conn, ['rmdir', '--', path], path);
      await replaceWith(ctx.conn, path, ['ln', '-s', '--', src]);
      const now = await ctx.conn.stat(path);
      if (now) await applyAttrs(ctx.conn, path, attrChanges(now, { owner: a.owner, group: a.group }), true);
      return { data: await finalData(p, 'link', false) };
    },
  };
}

/** Creates the new entry under a temporary name next to path, then renames it over path (atomic). */
async function replaceWith(conn: Connection, path: string, lnArgv: string[]): Promise<void> {
  const tmp = posix.join(posix.dirname(path), `.gx-${randomBytes(8).toString('hex')}.tmp`);
  await must(conn, [...lnArgv, tmp], path);
  const r = await conn.run({ argv: ['mv', '-Tf', '--', tmp, path] });
  if (r.rc !== 0) {
    await conn.run({ argv: ['rm', '-f', '--', tmp] });
    throw new ModuleError(`cannot replace ${path}: ${r.stderr.trim()}`);
  }
}

async function planHard(p: Planner): Promise<Plan> {
  const { ctx, a, path, cur } = p;
  const src = a.src!;
  const srcSt = await ctx.conn.stat(src, { followLinks: true });
  if (!srcSt) return { changed: false, failed: true, msg: `src ${src} does not exist`, data: { path, state: cur ? cur.type : 'absent' } };
  if (cur && (await ctx.conn.run({ argv: ['test', path, '-ef', src] })).rc === 0) return planAttrs(p, cur, 'hard');
  if (cur && !a.force) {
    return { changed: false, failed: true, msg: `refusing to replace ${path} (a ${cur.type}) with a hard link (use force: true)`, data: { path, state: cur.type } };
  }
  const want: AttrChange = attrChanges(srcSt, a);
  return {
    changed: true,
    diff: diffOf(p, cur, afterText('hard', srcSt, want, [`src: ${src}`])),
    data: predicted(p, 'hard', srcSt, want),
    apply: async () => {
      if (cur?.type === 'directory') await must(ctx.conn, ['rmdir', '--', path], path);
      await replaceWith(ctx.conn, path, ['ln', '--', src]);
      await applyAttrs(ctx.conn, path, want);
      return { data: await finalData(p, 'hard') };
    },
  };
}
