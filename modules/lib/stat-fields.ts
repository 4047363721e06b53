// Ansible's stat keys from the fields GNU stat prints with
// `--printf '%f|%u|%g|%U|%G|%s|%.9X|%.9Y|%.9Z|%i|%d|%h…'` (raw mode in hex, ids, names, size, times,
// inode, device, links): what the stat and find modules both return for a path.
import { formatMode } from './mode.js';

export const S_IFMT = 0o170000;
export const S_IFDIR = 0o040000;
export const S_IFREG = 0o100000;
export const S_IFLNK = 0o120000;

/** The raw mode and the stat keys the first twelve fields give (names as stat printed them, '' for UNKNOWN). */
export function statFields(f: readonly string[]): { raw: number; st: Record<string, unknown> } {
  const raw = parseInt(f[0]!, 16);
  const type = raw & S_IFMT;
  const bit = (b: number) => (raw & b) !== 0;
  const name = (s: string | undefined) => (s === undefined || s === 'UNKNOWN' ? '' : s);
  return {
    raw,
    st: {
      mode: formatMode(raw & 0o7777),
      isdir: type === S_IFDIR,
      ischr: type === 0o020000,
      isblk: type === 0o060000,
      isreg: type === S_IFREG,
      isfifo: type === 0o010000,
      islnk: type === S_IFLNK,
      issock: type === 0o140000,
      uid: Number(f[1]),
      gid: Number(f[2]),
      size: Number(f[5]),
      inode: Number(f[9]),
      dev: Number(f[10]),
      nlink: Number(f[11]),
      atime: Number(f[6]),
      mtime: Number(f[7]),
      ctime: Number(f[8]),
      gr_name: name(f[4]),
      pw_name: name(f[3]),
      wusr: bit(0o200), rusr: bit(0o400), xusr: bit(0o100),
      wgrp: bit(0o020), rgrp: bit(0o040), xgrp: bit(0o010),
      woth: bit(0o002), roth: bit(0o004), xoth: bit(0o001),
      isuid: bit(0o4000), isgid: bit(0o2000),
    },
  };
}
