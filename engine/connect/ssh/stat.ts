// stat as ONE remote command (GNU/BusyBox stat -c): type, mode, ids and names, size, mtime, link
// target and, on demand, sha256 computed on the host. Used with become or without SFTP, and for
// the checksum of big files (connection.ts reads small ones over SFTP and hashes them itself).
import { ModuleError } from '../../errors.js';
import { shellQuote, type FileStat, type FileType, type RunResult, type StatOptions } from '../connection.js';

const NOENT_RC = 47;

export function statScript(path: string, opts: StatOptions = {}): string {
  const follow = opts.followLinks === true;
  const q = shellQuote(path);
  const lines = [
    follow
      ? `[ -e ${q} ] || { echo GXNOENT >&2; exit ${NOENT_RC}; }`
      : `[ -e ${q} ] || [ -L ${q} ] || { echo GXNOENT >&2; exit ${NOENT_RC}; }`,
    `stat ${follow ? '-L ' : ''}-c '%f %a %u %g %s %Y %U %G' -- ${q} || exit 1`,
  ];
  if (!follow) lines.push(`if [ -L ${q} ]; then printf L; readlink -- ${q} || exit 1; fi`);
  if (opts.checksum) {
    const regular = follow ? `[ -f ${q} ]` : `[ -f ${q} ] && [ ! -L ${q} ]`;
    lines.push(`if ${regular}; then s=$(sha256sum <${q}) || exit 1; printf 'S%s\\n' "$s"; fi`);
  }
  return lines.join('\n');
}

export function fileTypeOf(rawMode: number): FileType {
  switch (rawMode & 0o170000) {
    case 0o100000:
      return 'file';
    case 0o040000:
      return 'directory';
    case 0o120000:
      return 'link';
    default:
      return 'other';
  }
}

export function parseStatOutput(host: string, path: string, r: RunResult): FileStat | null {
  if (r.rc === NOENT_RC && r.stderr.includes('GXNOENT')) return null;
  if (r.rc !== 0) throw new ModuleError(`${host}: stat ${path}: ${r.stderr.trim() || `exit ${r.rc}`}`);
  const lines = r.stdout.split('\n');
  const f = (lines[0] ?? '').trim().split(' ');
  if (f.length < 8) throw new ModuleError(`${host}: stat ${path}: unexpected output ${JSON.stringify(r.stdout.slice(0, 200))}`);
  const raw = parseInt(f[0]!, 16);
  const st: FileStat = {
    type: fileTypeOf(raw),
    mode: raw & 0o7777,
    uid: Number(f[2]),
    gid: Number(f[3]),
    size: Number(f[4]),
    mtime: Number(f[5]),
    owner: f[6]!,
    group: f[7]!,
  };
  for (const line of lines.slice(1)) {
    if (line.startsWith('L')) st.linkTarget = line.slice(1);
    else if (line.startsWith('S')) st.sha256 = line.slice(1, 65);
  }
  return st;
}
