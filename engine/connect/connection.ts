// The connection contract. Modules talk to hosts only through this; they never import ssh2 or
// child_process. Implementations: local.ts (this machine) and ssh/connection.ts (one connection per host).

export interface BecomeOptions {
  /** user to become; default root */
  user?: string;
  /** sudo password, when sudo asks for one (a secret variable) */
  password?: string;
  /** only sudo is supported */
  method?: 'sudo';
}

export interface RunOptions {
  /** argv, executed without a shell. Exactly one of argv / shell. */
  argv?: string[];
  /** a shell command line, run by /bin/sh -c */
  shell?: string;
  /** written to the command's stdin, then stdin is closed. Without it stdin is empty (closed). */
  stdin?: string | Buffer;
  /** extra environment variables */
  env?: Record<string, string>;
  /** working directory */
  cwd?: string;
  /** kill the command after this long; the result then has timedOut=true and rc=124 */
  timeoutMs?: number;
  /** run as another user through sudo */
  become?: BecomeOptions;
}

export interface RunResult {
  rc: number;
  stdout: string;
  stderr: string;
  /** the raw stdout bytes, for binary output */
  stdoutBytes?: Buffer;
  timedOut?: boolean;
}

export interface PutOptions {
  /** permission bits, e.g. 0o644 */
  mode?: number;
  owner?: string;
  group?: string;
  become?: BecomeOptions;
}

export type FileType = 'file' | 'directory' | 'link' | 'other';

export interface FileStat {
  type: FileType;
  /** permission bits only (e.g. 0o755) */
  mode: number;
  uid: number;
  gid: number;
  owner: string;
  group: string;
  size: number;
  /** seconds since the epoch */
  mtime: number;
  /** for links: where it points */
  linkTarget?: string;
  /** sha256 hex of the content, for regular files when asked for */
  sha256?: string;
}

export interface StatOptions {
  /** compute sha256 of a regular file */
  checksum?: boolean;
  /** stat the link itself rather than what it points to (default true: lstat) */
  followLinks?: boolean;
  become?: BecomeOptions;
}

export interface Connection {
  /** the inventory name of the host this connection reaches */
  readonly host: string;
  /** opens the connection; throws ConnectionError when the host cannot be reached */
  connect(): Promise<void>;
  run(opts: RunOptions): Promise<RunResult>;
  /** writes a whole file atomically on the far side (temp file in the same directory + rename) */
  put(path: string, data: string | Buffer | NodeJS.ReadableStream, opts?: PutOptions): Promise<void>;
  /** reads a whole file; null when it does not exist */
  get(path: string, opts?: { become?: BecomeOptions }): Promise<Buffer | null>;
  /** null when the path does not exist */
  stat(path: string, opts?: StatOptions): Promise<FileStat | null>;
  close(): Promise<void>;
}

/** Quoting for a POSIX shell lives with the splitter it inverts (engine/shell-words.ts). */
export { shellQuote, shellJoin as argvToShell } from '../shell-words.js';
