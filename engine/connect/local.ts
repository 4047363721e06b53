// The connection to this machine. Everything goes through child_process.spawn without a shell
// (argv) or through /bin/sh -c (shell), and through node:fs for files, except when `become` asks for
// another user than the one we are: then the work goes through `sudo`.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFileSync, statSync } from 'node:fs';
import { lstat, open, readFile, readlink, rename, stat as fsStat, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ModuleError } from '../errors.js';
import type { BecomeOptions, Connection, FileStat, FileType, PutOptions, RunOptions, RunResult, StatOptions } from './connection.js';

const myUid = typeof process.getuid === 'function' ? process.getuid() : -1;

/** Whether `become` really needs sudo: becoming yourself (or root when already root) does not. */
function needsSudo(become: BecomeOptions | undefined): become is BecomeOptions {
  if (!become) return false;
  const user = become.user ?? 'root';
  if (user === 'root' || user === '0') return myUid !== 0;
  const uid = userId(user);
  return uid === undefined || uid !== myUid;
}

function sudoPrefix(user: string, withPassword: boolean): string[] {
  // -S with an empty prompt reads the password from stdin, and -k makes sure it is always read (a
  // cached credential would leave the password line for the command); -n never waits for a terminal
  return withPassword ? ['sudo', '-k', '-H', '-S', '-p', '', '-u', user, '--'] : ['sudo', '-H', '-n', '-u', user, '--'];
}

const SIGNALS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGABRT: 6, SIGKILL: 9, SIGSEGV: 11, SIGPIPE: 13, SIGALRM: 14, SIGTERM: 15 };

export class LocalConnection implements Connection {
  readonly host: string;

  constructor(host = 'localhost') {
    this.host = host;
  }

  async connect(): Promise<void> {
    // nothing to open: the controller is always reachable
  }

  /** commands still running, so close() (the end of a run, or an interrupt) leaves none behind */
  private readonly live = new Set<ChildProcess>();

  async close(): Promise<void> {
    for (const child of this.live) killTree(child);
    this.live.clear();
  }

  /** per target user: whether sudo wants a password (asked once; NOPASSWD rules must not get one on stdin) */
  private readonly sudoPrompts = new Map<string, Promise<boolean>>();

  private sudoAsks(user: string): Promise<boolean> {
    let p = this.sudoPrompts.get(user);
    if (!p) {
      p = spawnCollect(['sudo', '-n', '-u', user, '--', 'true'], {}, this.live).then((r) => r.rc !== 0);
      this.sudoPrompts.set(user, p);
    }
    return p;
  }

  async run(opts: RunOptions): Promise<RunResult> {
    if ((opts.argv === undefined) === (opts.shell === undefined)) throw new ModuleError('run() needs exactly one of argv or shell');
    let argv = opts.argv ?? ['/bin/sh', '-c', opts.shell!];
    if (argv.length === 0) throw new ModuleError('run() was given an empty argv');
    let env: NodeJS.ProcessEnv | undefined = opts.env ? { ...process.env, ...opts.env } : undefined;
    let stdin = opts.stdin;
    if (needsSudo(opts.become)) {
      // sudo resets the environment, so the extra variables ride along through env(1)
      const extra = opts.env ? ['env', ...Object.entries(opts.env).map(([k, v]) => `${k}=${v}`)] : [];
      const withPassword = opts.become.password !== undefined && (await this.sudoAsks(opts.become.user ?? 'root'));
      argv = [...sudoPrefix(opts.become.user ?? 'root', withPassword), ...extra, ...argv];
      env = undefined;
      if (withPassword) {
        const pw = Buffer.from(opts.become.password + '\n');
        stdin = stdin === undefined ? pw : Buffer.concat([pw, Buffer.isBuffer(stdin) ? stdin : Buffer.from(stdin)]);
      }
    }
    return spawnCollect(argv, { env, cwd: opts.cwd, stdin, timeoutMs: opts.timeoutMs }, this.live);
  }

  async put(path: string, data: string | Buffer | NodeJS.ReadableStream, opts: PutOptions = {}): Promise<void> {
    if (needsSudo(opts.become)) return this.putViaSudo(path, data, opts);
    const existing = await lstatOrNull(path);
    // a short temp name: the real name may already be as long as the filesystem allows
    const tmp = join(dirname(path), `.gx-${randomBytes(8).toString('hex')}.tmp`);
    let fh;
    try {
      fh = await open(tmp, 'wx', 0o600);
    } catch (err) {
      throw new ModuleError(`cannot write ${path}: ${(err as Error).message}`, { cause: err });
    }
    try {
      if (typeof data === 'string' || Buffer.isBuffer(data)) {
        await fh.writeFile(data);
      } else {
        for await (const chunk of data as AsyncIterable<string | Buffer>) await fh.write(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
      }
      await fh.sync();
      // a replaced file keeps its permissions and ownership unless told otherwise
      const mode = opts.mode ?? (existing && existing.isFile() ? existing.mode & 0o7777 : 0o666 & ~currentUmask());
      await fh.chmod(mode);
      const uid = opts.owner !== undefined ? resolveUser(opts.owner) : existing?.isFile() ? existing.uid : -1;
      const gid = opts.group !== undefined ? resolveGroup(opts.group) : existing?.isFile() ? existing.gid : -1;
      if ((uid !== -1 && uid !== myUid) || gid !== -1) {
        try {
          await fh.chown(uid, gid);
        } catch (err) {
          // keeping someone else's ownership is best effort for a non-root user; asking for it is not
          if (opts.owner !== undefined || opts.group !== undefined) throw err;
        }
      }
      await fh.close();
      fh = undefined;
      await rename(tmp, path);
    } catch (err) {
      await fh?.close().catch(() => undefined);
      await unlink(tmp).catch(() => undefined);
      if (err instanceof ModuleError) throw err;
      throw new ModuleError(`cannot write ${path}: ${(err as Error).message}`, { cause: err });
    }
  }

  private async putViaSudo(path: string, data: string | Buffer | NodeJS.ReadableStream, opts: PutOptions): Promise<void> {
    let bytes: Buffer;
    if (typeof data === 'string') bytes = Buffer.from(data);
    else if (Buffer.isBuffer(data)) bytes = data;
    else {
      const chunks: Buffer[] = [];
      for await (const c of data as AsyncIterable<string | Buffer>) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(c));
      bytes = Buffer.concat(chunks);
    }
    const script = [
      'set -e',
      't=$(mktemp "$(dirname -- "$1")/.gx-XXXXXXXX")',
      'trap \'rm -f -- "$t"\' EXIT',
      'cat > "$t"',
      // keep the replaced file's mode and owner unless told otherwise
      'if [ -f "$1" ]; then chmod --reference="$1" -- "$t"; chown --reference="$1" -- "$t" 2>/dev/null || true; else chmod 644 -- "$t"; fi',
      '[ -z "$2" ] || chmod "$2" -- "$t"',
      '[ -z "$3" ] || chown "$3" -- "$t"',
      '[ -z "$4" ] || chgrp "$4" -- "$t"',
      'sync -- "$t" 2>/dev/null || true',
      'mv -f -- "$t" "$1"',
      'trap - EXIT',
    ].join('\n');
    const mode = opts.mode !== undefined ? opts.mode.toString(8) : '';
    const r = await this.run({ argv: ['/bin/sh', '-c', script, 'sh', path, mode, opts.owner ?? '', opts.group ?? ''], stdin: bytes, become: opts.become });
    if (r.rc !== 0) throw new ModuleError(`cannot write ${path} as ${opts.become?.user ?? 'root'}: ${r.stderr.trim()}`);
  }

  async get(path: string, opts: { become?: BecomeOptions } = {}): Promise<Buffer | null> {
    if (needsSudo(opts.become)) {
      const r = await this.run({ argv: ['/bin/sh', '-c', '[ -e "$1" ] || exit 3; cat -- "$1"', 'sh', path], become: opts.become });
      if (r.rc === 3) return null;
      if (r.rc !== 0) throw new ModuleError(`cannot read ${path}: ${r.stderr.trim()}`);
      return r.stdoutBytes ?? Buffer.from(r.stdout);
    }
    try {
      return await readFile(path);
    } catch (err) {
      if (isNotFound(err)) return null;
      throw new ModuleError(`cannot read ${path}: ${(err as Error).message}`, { cause: err });
    }
  }

  async stat(path: string, opts: StatOptions = {}): Promise<FileStat | null> {
    if (needsSudo(opts.become)) return this.statViaSudo(path, opts);
    let st;
    try {
      st = opts.followLinks ? await fsStat(path) : await lstat(path);
    } catch (err) {
      if (isNotFound(err)) return null;
      throw new ModuleError(`cannot stat ${path}: ${(err as Error).message}`, { cause: err });
    }
    const type: FileType = st.isSymbolicLink() ? 'link' : st.isDirectory() ? 'directory' : st.isFile() ? 'file' : 'other';
    const out: FileStat = {
      type,
      mode: st.mode & 0o7777,
      uid: st.uid,
      gid: st.gid,
      owner: userName(st.uid) ?? String(st.uid),
      group: groupName(st.gid) ?? String(st.gid),
      size: st.size,
      mtime: Math.floor(st.mtimeMs / 1000),
    };
    if (type === 'link') out.linkTarget = await readlink(path);
    if (opts.checksum && type === 'file') out.sha256 = await sha256File(path);
    return out;
  }

  private async statViaSudo(path: string, opts: StatOptions): Promise<FileStat | null> {
    const script = [
      '[ -e "$1" ] || [ -L "$1" ] || exit 3',
      `stat ${opts.followLinks ? '-L ' : ''}-c '%f %u %g %s %Y %U %G' -- "$1"`,
      `if [ -L "$1" ] && [ -z "$2" ]; then readlink -- "$1"; else echo; fi`,
      `if [ "$3" = 1 ] && [ -f "$1" ]; then sha256sum -- "$1" | cut -d' ' -f1; fi`,
    ].join('\n');
    const r = await this.run({ argv: ['/bin/sh', '-c', script, 'sh', path, opts.followLinks ? '1' : '', opts.checksum ? '1' : ''], become: opts.become });
    if (r.rc === 3) return null;
    if (r.rc !== 0) throw new ModuleError(`cannot stat ${path}: ${r.stderr.trim()}`);
    const [first = '', link = '', sum = ''] = r.stdout.split('\n');
    const [rawMode, uid, gid, size, mtime, owner, group] = first.split(' ');
    const bits = parseInt(rawMode ?? '0', 16);
    const fmt = bits & 0o170000;
    const type: FileType = fmt === 0o120000 ? 'link' : fmt === 0o040000 ? 'directory' : fmt === 0o100000 ? 'file' : 'other';
    const out: FileStat = {
      type,
      mode: bits & 0o7777,
      uid: Number(uid),
      gid: Number(gid),
      owner: owner ?? String(uid),
      group: group ?? String(gid),
      size: Number(size),
      mtime: Number(mtime),
    };
    if (type === 'link') out.linkTarget = link;
    if (opts.checksum && type === 'file') out.sha256 = sum.trim();
    return out;
  }
}

interface SpawnOpts {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  stdin?: string | Buffer;
  timeoutMs?: number;
}

function killTree(child: ChildProcess): void {
  try {
    // a detached child leads its own process group: take its children along
    process.kill(-child.pid!, 'SIGKILL');
  } catch {
    child.kill('SIGKILL');
  }
}

function spawnCollect(argv: string[], o: SpawnOpts, live: Set<ChildProcess>): Promise<RunResult> {
  return new Promise((resolve) => {
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    let timer: NodeJS.Timeout | undefined;
    let settled = false;
    const finish = (r: RunResult): void => {
      live.delete(child);
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      resolve(r);
    };
    // detached: the command leads its own process group, so a timeout kills its children too
    const child = spawn(argv[0]!, argv.slice(1), {
      env: o.env,
      cwd: o.cwd,
      stdio: [o.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      detached: o.timeoutMs !== undefined,
    });
    live.add(child);
    child.stdout!.on('data', (c: Buffer) => out.push(c));
    child.stderr!.on('data', (c: Buffer) => err.push(c));
    if (o.stdin !== undefined) {
      // a command that exits without reading its input is not an error
      child.stdin!.on('error', () => undefined);
      child.stdin!.end(o.stdin);
    }
    if (o.timeoutMs !== undefined) {
      timer = setTimeout(() => {
        timedOut = true;
        killTree(child);
      }, o.timeoutMs);
    }
    child.on('error', (e: NodeJS.ErrnoException) => {
      // the program could not start: report it the way a shell would (127 not found, 126 not executable)
      const rc = e.code === 'ENOENT' ? 127 : e.code === 'EACCES' ? 126 : 1;
      const where = e.code === 'ENOENT' && o.cwd && e.path !== argv[0] ? ` (or working directory ${o.cwd})` : '';
      finish({ rc, stdout: '', stderr: `${argv[0]}: ${e.message}${where}`, stdoutBytes: Buffer.alloc(0) });
    });
    child.on('close', (code, signal) => {
      const bytes = Buffer.concat(out);
      const rc = timedOut ? 124 : code ?? (signal ? 128 + (SIGNALS[signal] ?? 0) : 1);
      const r: RunResult = { rc, stdout: bytes.toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), stdoutBytes: bytes };
      if (timedOut) r.timedOut = true;
      finish(r);
    });
  });
}

function resolveUser(name: string): number {
  if (/^\d+$/.test(name)) return Number(name);
  const uid = userId(name);
  if (uid === undefined) throw new ModuleError(`unknown user '${name}'`);
  return uid;
}

function resolveGroup(name: string): number {
  if (/^\d+$/.test(name)) return Number(name);
  const gid = groupId(name);
  if (gid === undefined) throw new ModuleError(`unknown group '${name}'`);
  return gid;
}

let umaskCache: number | undefined;
function currentUmask(): number {
  if (umaskCache === undefined) {
    // process.umask() without an argument is deprecated; set-and-restore reads it
    const m = process.umask(0o022);
    process.umask(m);
    umaskCache = m;
  }
  return umaskCache;
}

async function lstatOrNull(path: string) {
  try {
    return await lstat(path);
  } catch (err) {
    if (isNotFound(err)) return null;
    throw new ModuleError(`cannot stat ${path}: ${(err as Error).message}`, { cause: err });
  }
}

function isNotFound(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

function sha256File(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash('sha256');
    createReadStream(path)
      .on('data', (c) => h.update(c))
      .on('error', reject)
      .on('end', () => resolve(h.digest('hex')));
  });
}


// Users and groups by name and id. Node has no getpwnam, so /etc/passwd and /etc/group are read and
// cached until they change (a play may create users); names only NSS knows go through getent.
interface IdTable {
  mtimeMs: number;
  byName: Map<string, number>;
  byId: Map<number, string>;
  /** what getent did not know either, so a file owned by an unknown uid costs one lookup */
  misses: Map<string, string[] | undefined>;
}
const tables = new Map<string, IdTable>();

function idTable(file: string): IdTable {
  let mtimeMs = -1;
  try {
    mtimeMs = statSync(file).mtimeMs;
  } catch {
    // no such file: an empty table, getent may still know
  }
  const cached = tables.get(file);
  if (cached && cached.mtimeMs === mtimeMs) return cached;
  const t: IdTable = { mtimeMs, byName: new Map(), byId: new Map(), misses: new Map() };
  if (mtimeMs !== -1) {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      const f = line.split(':');
      if (f.length < 3 || f[0] === '' || line.startsWith('#')) continue;
      const id = Number(f[2]);
      t.byName.set(f[0]!, id);
      if (!t.byId.has(id)) t.byId.set(id, f[0]!);
    }
  }
  tables.set(file, t);
  return t;
}

function getent(db: 'passwd' | 'group', key: string): string[] | undefined {
  const t = idTable(db === 'passwd' ? '/etc/passwd' : '/etc/group');
  if (t.misses.has(key)) return t.misses.get(key);
  let found: string[] | undefined;
  try {
    const out = execFileSync('getent', [db, key], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const f = out.split('\n')[0]!.split(':');
    found = f.length >= 3 ? f : undefined;
  } catch {
    found = undefined;
  }
  t.misses.set(key, found);
  return found;
}

export function userId(name: string): number | undefined {
  const id = idTable('/etc/passwd').byName.get(name);
  if (id !== undefined) return id;
  const f = getent('passwd', name);
  return f ? Number(f[2]) : undefined;
}

export function groupId(name: string): number | undefined {
  const id = idTable('/etc/group').byName.get(name);
  if (id !== undefined) return id;
  const f = getent('group', name);
  return f ? Number(f[2]) : undefined;
}

export function userName(uid: number): string | undefined {
  return idTable('/etc/passwd').byId.get(uid) ?? getent('passwd', String(uid))?.[0];
}

export function groupName(gid: number): string | undefined {
  return idTable('/etc/group').byId.get(gid) ?? getent('group', String(gid))?.[0];
}
