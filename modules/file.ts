import { randomBytes } from 'node:crypto';
import { posix } from 'node:path';
import type { Connection, FileStat } from '../engine/connect/connection.js';
import { ModuleArgsError, ModuleError } from '../engine/errors.js';
import { defineModule, type ModuleContext, type Plan } from '../engine/module-contract.js';
import { applyAttrs, attrChanges, attrData, attrProperties, describeState, hasChanges, must, type AttrArgs, type AttrChange } from './lib/attrs.js';
import { formatMode, parseMode } from './lib/mode.js';
import { chattrArgument } from './lib/file-attributes.js';
import { strptimeWallClock } from './lib/strptime.js';
import { shellQuote } from '../engine/connect/connection.js';

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
  modification_time?: string;
  modification_time_format: string;
  access_time?: string;
  access_time_format: string;
  attributes?: string;
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
      modification_time: {
        type: 'string',
        description: "`now`, `preserve`, or a time in `modification_time_format` (the host's local time). Default: now for touch, preserve otherwise.",
      },
      modification_time_format: { type: 'string', default: '%Y%m%d%H%M.%S', description: 'How `modification_time` is written (Python strptime directives).' },
      access_time: { type: 'string', description: "`now`, `preserve`, or a time in `access_time_format`. Default: now for touch, preserve otherwise." },
      access_time_format: { type: 'string', default: '%Y%m%d%H%M.%S', description: 'How `access_time` is written (Python strptime directives).' },
      attributes: {
        type: 'string',
        description: 'Linux file attributes as `lsattr` shows them (`i`, `a`, …), set with chattr: `+i` adds, `-i` removes, `i` means exactly these. Flags the kernel sets itself (e, I, …) are left alone.',
      },
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
    for (const [v, f] of [[a.modification_time, a.modification_time_format], [a.access_time, a.access_time_format]] as const) {
      if (v === undefined || v === 'now' || v === 'preserve') continue;
      try {
        strptimeWallClock(v, f ?? DEFAULT_TIME_FORMAT);
      } catch (err) {
        out.push(`Error while obtaining timestamp for time ${v} using format ${f ?? DEFAULT_TIME_FORMAT}: ${(err as Error).message}`);
      }
    }
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

async function planAttrs(p: Planner, st: FileStat, state: string): Promise<Plan> {
  const c = attrChanges(st, p.a);
  const x = st.type === 'link' ? NO_EXTRAS : await extrasFor(p, state, true);
  if (!hasChanges(c) && x.steps.length === 0) return { changed: false, data: predicted(p, state, st, c) };
  return {
    changed: true,
    diff: diffOf(p, st, afterText(state, st, c, x.lines)),
    data: predicted(p, state, st, c),
    apply: async () => {
      await applyAttrs(p.ctx.conn, p.path, c, st.type === 'link');
      for (const step of x.steps) await must(p.ctx.conn, step, p.path);
      return { data: await finalData(p, state) };
    },
  };
}

const DEFAULT_TIME_FORMAT = '%Y%m%d%H%M.%S';

/** What attributes and explicit times still need: the commands, and lines for the diff. */
interface Extras {
  steps: string[][];
  lines: string[];
}

const NO_EXTRAS: Extras = { steps: [], lines: [] };

/**
 * chattr for `attributes`, touch for `modification_time`/`access_time` (Ansible's
 * update_timestamp_for_file: `now` always acts, an explicit time only when it differs, `preserve`
 * never), read in one command; `exists` false for a path touch is about to create.
 */
async function extrasFor(p: Planner, state: string, exists: boolean): Promise<Extras> {
  const { a, path, ctx } = p;
  const mtime = a.modification_time ?? (state === 'touch' ? 'now' : 'preserve');
  const atime = a.access_time ?? (state === 'touch' ? 'now' : 'preserve');
  const explicit = (v: string, f: string) => (v === 'now' || v === 'preserve' ? undefined : strptimeWallClock(v, f));
  let wantM: string | undefined;
  let wantA: string | undefined;
  try {
    wantM = explicit(mtime, a.modification_time_format ?? DEFAULT_TIME_FORMAT);
    wantA = explicit(atime, a.access_time_format ?? DEFAULT_TIME_FORMAT);
  } catch (err) {
    const [v, f] = wantM === undefined && mtime !== 'now' && mtime !== 'preserve' ? [mtime, a.modification_time_format] : [atime, a.access_time_format];
    throw new ModuleArgsError(`Error while obtaining timestamp for time ${v} using format ${f}: ${(err as Error).message}`, { loc: ctx.loc });
  }
  const q = shellQuote(path);
  const follow = a.follow ? '-L ' : '';
  const script = [
    exists ? `stat ${follow}-c '%.9X %.9Y' -- ${q} || echo` : 'echo',
    wantM !== undefined ? `date -d ${shellQuote(wantM)} +%s` : 'echo',
    wantA !== undefined ? `date -d ${shellQuote(wantA)} +%s` : 'echo',
    a.attributes !== undefined && exists ? `lsattr -d -- ${q} 2>/dev/null | cut -d' ' -f1 || echo` : 'echo',
  ];
  const needRead = wantM !== undefined || wantA !== undefined || a.attributes !== undefined;
  const out = needRead ? (await ctx.conn.run({ shell: script.join('; ') })).stdout.split('\n') : [];
  const [curA, curM] = (out[0] ?? '').trim().split(' ').map(Number);
  const steps: string[][] = [];
  const lines: string[] = [];
  if (exists && mtime === 'now' && atime === 'now') {
    steps.push(['touch', ...(a.follow ? [] : ['-h']), '--', path]);
    lines.push('times: updated');
  } else if (exists) {
    const epochM = wantM !== undefined ? Number(out[1]) : undefined;
    const epochA = wantA !== undefined ? Number(out[2]) : undefined;
    if (mtime === 'now') steps.push(['touch', '-m', '--', path]);
    else if (epochM !== undefined && epochM !== curM) steps.push(['touch', '-m', '-d', `@${epochM}`, '--', path]);
    if (atime === 'now') steps.push(['touch', '-a', '--', path]);
    else if (epochA !== undefined && epochA !== curA) steps.push(['touch', '-a', '-d', `@${epochA}`, '--', path]);
    if (steps.length > 0) lines.push('times: updated');
  } else {
    // just created by touch: now already; explicit times are set after
    if (wantM !== undefined) steps.push(['touch', '-m', '-d', wantM, '--', path]);
    if (wantA !== undefined) steps.push(['touch', '-a', '-d', wantA, '--', path]);
  }
  if (a.attributes !== undefined) {
    const flags = exists ? (out[3] ?? '').trim().replace(/-/g, '') : '';
    const arg = chattrArgument(a.attributes, flags);
    if (arg !== undefined) {
      // removing a flag (immutable) first lets the times change; adding one last does too
      if (arg.startsWith('-')) steps.unshift(['chattr', arg, '--', path]);
      else steps.push(['chattr', arg, '--', path]);
      lines.push(`attributes: ${arg}`);
    }
  }
  return { steps, lines };
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
  const want = attrChanges(st, a);
  const x = await extrasFor(p, 'touch', st !== null);
  if (st && x.steps.length === 0 && !hasChanges(want)) return { changed: false, data: predicted(p, st.type, st, want) };
  const state = st ? st.type : 'file';
  return {
    changed: true,
    diff: diffOf(p, st, afterText(state, st, want, x.lines)),
    data: predicted(p, state, st, want),
    apply: async () => {
      if (!st) await must(ctx.conn, ['touch', '--', path], path);
      for (const step of x.steps) await must(ctx.conn, step, path);
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
