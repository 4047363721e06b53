// find: files on the host that match criteria (lib/ansible/modules/find.py at v2.17.5: its arguments,
// aliases and defaults, os.walk's order and its `examined` count, the depth rule, hidden entries
// skipped but descended into, re.match for regex patterns and for `contains` line by line, stat-like
// dicts, skipped_paths with Ansible's message). One command on the host lists every entry with its
// lstat; a second runs only when `contains` or `get_checksum` needs the files themselves.
import { posix } from 'node:path';
import { globToRegExp } from '../engine/inventory/patterns.js';
import { ModuleError } from '../engine/errors.js';
import { defineModule } from '../engine/module-contract.js';
import { parseMode } from './lib/mode.js';
import { pyRegex } from './lib/py-regex.js';
import { S_IFDIR, S_IFLNK, S_IFMT, S_IFREG, statFields } from './lib/stat-fields.js';
import { nodeEncoding } from './lib/text-edit.js';

type StrList = string | string[];

export interface FindArgs {
  paths?: StrList;
  path?: StrList;
  name?: StrList;
  patterns?: StrList;
  pattern?: StrList;
  excludes?: StrList;
  exclude?: StrList;
  contains?: string;
  read_whole_file: boolean;
  file_type: 'any' | 'directory' | 'file' | 'link';
  age?: string | number;
  age_stamp: 'atime' | 'ctime' | 'mtime';
  size?: string | number;
  recurse: boolean;
  hidden: boolean;
  follow: boolean;
  get_checksum: boolean;
  use_regex: boolean;
  depth?: number;
  mode?: string;
  exact_mode: boolean;
  encoding?: string;
}

/** Ansible's `type: list` from a string: split on commas, spaces kept (common/validation.py check_type_list). */
function list(v: StrList | undefined): string[] {
  if (v === undefined) return [];
  return Array.isArray(v) ? v.map(String) : String(v).split(',');
}

const AGE_UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };
const SIZE_UNITS: Record<string, number> = { b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

function scaled(v: string | number | undefined, re: RegExp, units: Record<string, number>): number | null | undefined {
  if (v === undefined) return undefined;
  const m = re.exec(String(v).toLowerCase());
  return m ? Number(m[1]) * (units[m[2] ?? ''] ?? 1) : null;
}

/** Python's os.path.expandvars in awk: $name and ${name} become the host's value when it is set, else stay as written. */
const EXPANDVARS = String.raw`{ out = ""; s = $0
  while (match(s, /\$(\{[A-Za-z0-9_]+\}|[A-Za-z0-9_]+)/)) {
    name = substr(s, RSTART + 1, RLENGTH - 1); gsub(/[{}]/, "", name)
    v = (name in ENVIRON) ? ENVIRON[name] : substr(s, RSTART, RLENGTH)
    out = out substr(s, 1, RSTART - 1) v; s = substr(s, RSTART + RLENGTH)
  }
  printf "%s", out s }`;

/** $1 maxdepth or "", $2 "1" to follow links, $3 the expandvars awk program, then the paths. Per path: P\0path\0 then N\0 (not a directory) or D\0 and one E\0fields\0name\0 per entry. */
const LIST = `LC_ALL=C; export LC_ALL
md=$1; fl=$2; ev=$3; shift 3
printf 'T\\0%s\\0' "$(date +%s.%N)"
for p; do
  case $p in *'$'*) p=$(printf '%s\\n' "$p" | awk "$ev");; esac
  case $p in "~") p=$HOME;; "~/"*) p=$HOME/\${p#"~/"};; esac
  printf 'P\\0%s\\0' "$p"
  if [ ! -d "$p" ]; then printf 'N\\0'; continue; fi
  printf 'D\\0'
  if [ -n "$fl" ]; then o=-L; else o=-H; fi
  find $o "$p" -mindepth 1 \${md:+-maxdepth "$md"} -print0 | xargs -0 -r stat --printf 'E\\0%f|%u|%g|%U|%G|%s|%.9X|%.9Y|%.9Z|%i|%d|%h\\0%n\\0' --
done`;

/** $1 "1" for checksums, $2 "1" for contents, then files: per file its SHA-1 (or nothing) \0 its base64 content (or !) \0 */
const READ = `s=$1; c=$2; shift 2
for f; do
  if [ -n "$s" ]; then h=$(sha1sum < "$f" 2>/dev/null) && printf '%s' "\${h%% *}"; fi
  printf '\\0'
  if [ -n "$c" ]; then base64 -w0 < "$f" 2>/dev/null || printf '!'; fi
  printf '\\0'
done`;

interface Entry {
  path: string;
  name: string;
  depth: number;
  raw: number;
  st: Record<string, unknown>;
}

const TYPE = { dir: S_IFDIR, reg: S_IFREG, lnk: S_IFLNK };


/** The entries of one searched path in os.walk's order: a directory's files, then its directories, then each directory's own walk. */
function walkOrder(root: string, listed: { path: string; f: string[] }[]): { entries: Entry[]; examined: number } {
  const children = new Map<string, Entry[]>();
  for (const { path, f } of listed) {
    const norm = posix.normalize(path);
    const parent = posix.dirname(norm);
    const rel = posix.relative(root, norm);
    const { raw, st } = statFields(f);
    const e: Entry = { path: norm, name: posix.basename(norm), depth: rel.split('/').length, raw, st };
    (children.get(parent) ?? children.set(parent, []).get(parent)!).push(e);
  }
  const entries: Entry[] = [];
  let examined = 0;
  const visit = (dir: string): void => {
    const kids = children.get(dir) ?? [];
    examined += kids.length;
    // a link to a directory (followed with follow: true) is walked like one
    const isDir = (e: Entry) => (e.raw & S_IFMT) === TYPE.dir || children.has(e.path);
    const dirs = kids.filter(isDir);
    entries.push(...kids.filter((e) => !isDir(e)), ...dirs);
    for (const d of dirs) visit(d.path);
  };
  visit(root);
  return { entries, examined };
}

export const find = defineModule<FindArgs>({
  name: 'find',
  summary: 'Return a list of files based on specific criteria (name patterns, type, age, size, content).',
  description:
    'The criteria are ANDed. `patterns` and `excludes` are shell globs, or Python regular expressions with `use_regex` (matched from the start of the base name, as re.match does). ' +
    '`contains` is a Python regular expression matched at the start of each line (anywhere in the file with `read_whole_file`). Each result carries stat-like keys (path, mode, isdir, size, mtime, pw_name…), and `checksum` (SHA-1) with `get_checksum`. ' +
    'Changes nothing: runs in check mode too. The listing is one command on the host (GNU find and stat).',
  schema: {
    type: 'object',
    properties: {
      paths: { type: ['array', 'string'], items: { type: 'string' }, description: 'The directories to search (a list, or a comma-separated string; aliases `path`, `name`). A path that is not a directory is skipped with a warning and listed in skipped_paths.' },
      path: { type: ['array', 'string'], items: { type: 'string' }, description: 'Another name for `paths`.' },
      name: { type: ['array', 'string'], items: { type: 'string' }, description: 'Another name for `paths`.' },
      patterns: { type: ['array', 'string'], items: { type: 'string' }, description: "Base names to select: shell globs, or Python regular expressions with use_regex (alias `pattern`). Defaults to '*' ('.*' with use_regex)." },
      pattern: { type: ['array', 'string'], items: { type: 'string' }, description: 'Another name for `patterns`.' },
      excludes: { type: ['array', 'string'], items: { type: 'string' }, description: 'Base names to leave out of what `patterns` selected (globs, or regular expressions with use_regex; alias `exclude`).' },
      exclude: { type: ['array', 'string'], items: { type: 'string' }, description: 'Another name for `excludes`.' },
      contains: { type: 'string', description: 'A Python regular expression the content must match (file_type file only): at the start of a line, or anywhere with read_whole_file.' },
      read_whole_file: { type: 'boolean', default: false, description: 'Match `contains` against the whole file (re.search) instead of line by line (re.match).' },
      file_type: { type: 'string', enum: ['any', 'directory', 'file', 'link'], default: 'file', description: 'The type of entry to select; a link is never a file or a directory here (lstat).' },
      age: { type: ['string', 'integer'], description: 'Select entries at least this old (e.g. 3600, 1h, 2d, 1w; s m h d w); a negative age selects entries at most this old.' },
      age_stamp: { type: 'string', enum: ['atime', 'ctime', 'mtime'], default: 'mtime', description: 'The time the age is measured from.' },
      size: { type: ['string', 'integer'], description: 'Select files at least this big (b k m g t suffixes); a negative size selects files at most this big. Not applied to directories.' },
      recurse: { type: 'boolean', default: false, description: 'Descend into subdirectories.' },
      hidden: { type: 'boolean', default: false, description: 'Include entries whose name starts with a dot (hidden directories are always descended into, as in Ansible).' },
      follow: { type: 'boolean', default: false, description: 'Descend into symbolic links to directories.' },
      get_checksum: { type: 'boolean', default: false, description: 'Add the SHA-1 `checksum` of each regular file.' },
      use_regex: { type: 'boolean', default: false, description: 'patterns and excludes are Python regular expressions instead of globs.' },
      depth: { type: 'integer', description: 'The deepest level to select and descend to (1 = the entries of the path itself); with recurse only.' },
      mode: { type: 'string', description: "Select entries with this mode ('0644' or u=rw,g=r,o=r): exactly, or sharing any bit with exact_mode false." },
      exact_mode: { type: 'boolean', default: true, description: 'mode must match exactly; false: any of its bits is enough.' },
      encoding: { type: 'string', description: 'The encoding `contains` reads files in (utf-8 by default).' },
    },
    additionalProperties: false,
    oneOf: [{ required: ['paths'] }, { required: ['path'] }, { required: ['name'] }],
  },
  examples: [
    `- name: Old logs
  find:
    paths: /var/log
    patterns: '*.gz'
    age: 2w
    recurse: true
  register: old_logs`,
    `- name: Remove them
  file:
    path: "{{ item.path }}"
    state: absent
  loop: "{{ old_logs.files }}"`,
    `- name: Config files that mention the old host
  find:
    paths: /etc/app
    contains: '^server=old\\.example'
    use_regex: true
    patterns: '.*\\.conf$'`,
  ],
  returns: {
    files: { type: 'list', description: 'The matches: path and the stat keys (mode, isdir, isreg, islnk, uid, gid, pw_name, gr_name, size, inode, dev, nlink, atime, mtime, ctime, wusr…isgid), checksum with get_checksum.', returned: 'success' },
    matched: { type: 'int', description: 'How many matched.', returned: 'success' },
    examined: { type: 'int', description: 'How many entries were looked at.', returned: 'success' },
    skipped_paths: { type: 'dict', description: 'Paths skipped, with why.', returned: 'success' },
    msg: { type: 'str', description: "'All paths examined', or 'Not all paths examined, check warnings for details'.", returned: 'success' },
  },
  checkMode: true,
  check(a) {
    const out: string[] = [];
    if (a.age !== undefined && scaled(a.age, /^(-?\d+)(s|m|h|d|w)?$/, AGE_UNITS) === null) out.push(`failed to process age: ${a.age}`);
    if (a.size !== undefined && scaled(a.size, /^(-?\d+)(b|k|m|g|t)?$/, SIZE_UNITS) === null) out.push(`failed to process size: ${a.size}`);
    if (a.encoding !== undefined && nodeEncoding(a.encoding) === null) out.push(`encoding ${a.encoding} is not supported; use utf-8, latin-1, ascii or utf-16-le`);
    return out;
  },
  async plan(ctx, a) {
    const paths = list(a.paths ?? a.path ?? a.name);
    let patterns = list(a.patterns ?? a.pattern);
    if (patterns.length === 0) patterns = [a.use_regex ? '.*' : '*'];
    const excludes = list(a.excludes ?? a.exclude);
    const compile = (p: string, what: string): RegExp => {
      if (!a.use_regex) return globToRegExp(p);
      const re = pyRegex(p, '', what);
      return new RegExp(re.source, `${re.flags}y`); // re.match: anchored at the start only
    };
    const pats = patterns.map((p) => compile(p, 'patterns'));
    const excl = excludes.map((p) => compile(p, 'excludes'));
    const test = (re: RegExp, s: string) => ((re.lastIndex = 0), re.test(s));
    const pfilter = (n: string) => pats.some((re) => test(re, n)) && !excl.some((re) => test(re, n));
    const age = scaled(a.age, /^(-?\d+)(s|m|h|d|w)?$/, AGE_UNITS) ?? undefined;
    const size = scaled(a.size, /^(-?\d+)(b|k|m|g|t)?$/, SIZE_UNITS) ?? undefined;
    let mode: number | undefined;
    if (a.mode) mode = /^[0-7]+$/.test(a.mode) ? parseInt(a.mode, 8) & 0o7777 : parseMode(a.mode, 0);
    const depth = a.depth ? a.depth : undefined;
    const maxdepth = !a.recurse ? 1 : depth !== undefined ? depth + 1 : undefined;

    const r = await ctx.conn.run({ argv: ['/bin/sh', '-c', LIST, 'sh', maxdepth === undefined ? '' : String(maxdepth), a.follow ? '1' : '', EXPANDVARS, ...paths] });
    const parts = r.stdout.split('\0');
    let now = Date.now() / 1000;
    const skipped: Record<string, string> = {};
    const warnings: string[] = [];
    let examined = 0;
    const candidates: Entry[] = [];
    let i = 0;
    if (parts[i] === 'T') {
      now = Number(parts[i + 1]) || now;
      i += 2;
    }
    while (i < parts.length && parts[i] === 'P') {
      const root = parts[i + 1]!;
      const kind = parts[i + 2];
      i += 3;
      if (kind === 'N') {
        skipped[root] = `'${root}' is not a directory`;
        warnings.push(`Skipped '${root}' path due to this access issue: ${skipped[root]}`);
        continue;
      }
      const listed: { path: string; f: string[] }[] = [];
      while (parts[i] === 'E') {
        listed.push({ f: parts[i + 1]!.split('|'), path: parts[i + 2]! });
        i += 3;
      }
      const walk = walkOrder(posix.normalize(root).replace(/(.)\/$/, '$1'), listed);
      examined += walk.examined;
      for (const e of walk.entries) {
        if (depth !== undefined && a.recurse && e.depth > depth) continue;
        if (e.name.startsWith('.') && !a.hidden) continue;
        const type = e.raw & S_IFMT;
        const want = a.file_type;
        if (want === 'directory' && type !== TYPE.dir) continue;
        if (want === 'file' && type !== TYPE.reg) continue;
        if (want === 'link' && type !== TYPE.lnk) continue;
        if (!pfilter(e.name)) continue;
        if (age !== undefined) {
          const t = now - (e.st[a.age_stamp] as number);
          if (age >= 0 ? t < Math.abs(age) : t > Math.abs(age)) continue;
        }
        if (size !== undefined && (want === 'file' || (want === 'any' && type === TYPE.reg))) {
          const s = e.st.size as number;
          if (size >= 0 ? s < Math.abs(size) : s > Math.abs(size)) continue;
        }
        if (mode !== undefined) {
          const m = e.raw & 0o7777;
          if (a.exact_mode ? m !== mode : (m & mode) === 0) continue;
        }
        candidates.push(e);
      }
    }
    // permission errors: skipped, as os.walk's onerror records them
    for (const m of r.stderr.matchAll(/^find: '(.*)': (Permission denied|Operation not permitted)$/gm)) {
      skipped[m[1]!] = `[Errno 13] ${m[2]}: '${m[1]}'`;
    }
    if (r.rc !== 0 && candidates.length === 0 && Object.keys(skipped).length === 0 && r.stderr.trim()) throw new ModuleError(`find: ${r.stderr.trim().split('\n').slice(-3).join('\n')}`);

    const contains = a.contains !== undefined && a.file_type === 'file' ? pyRegex(a.contains, '', 'contains') : undefined;
    const readable = candidates.filter((e) => (e.raw & S_IFMT) === TYPE.reg);
    const sums = new Map<string, string>();
    const texts = new Map<string, string | null>();
    if (readable.length > 0 && (contains || a.get_checksum)) {
      const rr = await ctx.conn.run({ argv: ['/bin/sh', '-c', READ, 'sh', a.get_checksum ? '1' : '', contains ? '1' : '', ...readable.map((e) => e.path)] });
      const out = rr.stdout.split('\0');
      readable.forEach((e, k) => {
        const sum = out[2 * k];
        const body = out[2 * k + 1];
        if (sum) sums.set(e.path, sum);
        if (contains) texts.set(e.path, body === undefined || body === '!' ? null : Buffer.from(body, 'base64').toString(nodeEncoding(a.encoding ?? 'utf-8') ?? 'utf8'));
      });
    }
    const files: Record<string, unknown>[] = [];
    for (const e of candidates) {
      if (contains) {
        const text = texts.get(e.path);
        if (text === null || text === undefined) continue;
        const t = text.replace(/\r\n?/g, '\n'); // Python's text mode: universal newlines
        if (a.read_whole_file) {
          if (!contains.test(t)) continue;
        } else {
          const lineRe = new RegExp(contains.source, `${contains.flags}y`);
          const lines = t.match(/[^\n]*\n|[^\n]+$/g) ?? [];
          if (!lines.some((l) => ((lineRe.lastIndex = 0), lineRe.test(l)))) continue;
        }
      }
      const out: Record<string, unknown> = { path: e.path, ...e.st };
      if (a.get_checksum && (e.raw & S_IFMT) === TYPE.reg) {
        const sum = sums.get(e.path);
        if (sum) out.checksum = sum;
      }
      files.push(out);
    }
    const msg = warnings.length > 0 ? 'Not all paths examined, check warnings for details' : 'All paths examined';
    return { changed: false, msg, warnings: warnings.length ? warnings : undefined, data: { files, matched: files.length, examined, skipped_paths: skipped, msg } };
  },
});

export default find;
