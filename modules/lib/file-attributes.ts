// Linux file attributes (lsattr/chattr) as Ansible reads and sets them:
// lib/ansible/module_utils/common/file.py (FILE_ATTRIBUTES) and basic.py get_file_attributes /
// set_attributes_if_different at v2.17.5.

export const FILE_ATTRIBUTES: Record<string, string> = {
  A: 'noatime', a: 'append', c: 'compressed', C: 'nocow', d: 'nodump', D: 'dirsync', e: 'extents', E: 'encrypted', h: 'blocksize',
  i: 'immutable', I: 'indexed', j: 'journalled', N: 'inline', s: 'zero', S: 'synchronous', t: 'notail', T: 'blockroot', u: 'undelete',
  X: 'compressedraw', Z: 'compresseddirty',
};

/** `lsattr -vd` output ("VERSION FLAGS PATH") → version, attr_flags (dashes dropped), attributes (long names). */
export function parseLsattr(out: string, withVersion = true): { version?: string; attr_flags: string; attributes: string[] } | undefined {
  const parts = out.trim().split(/\s+/);
  const flags = parts[withVersion ? 1 : 0];
  if (flags === undefined) return undefined;
  const attrFlags = flags.replace(/-/g, '');
  return {
    ...(withVersion ? { version: parts[0] } : {}),
    attr_flags: attrFlags,
    attributes: [...attrFlags].map((c) => FILE_ATTRIBUTES[c]).filter((x): x is string => x !== undefined),
  };
}

const READ_ONLY = 'eEINVXZh';

/**
 * The chattr argument for `attributes` when it differs from the file's `attr_flags`, else undefined:
 * `+i`/`-i` add or remove, plain `i` means exactly these (Ansible's rule: `-` always acts).
 */
export function chattrArgument(wanted: string, current: string): string | undefined {
  let op = '=';
  let flags = wanted;
  if (wanted.startsWith('+') || wanted.startsWith('-')) {
    op = wanted[0]!;
    flags = wanted.slice(1);
  }
  if (flags === '') return undefined;
  if (op === '+' && [...flags].every((c) => current.includes(c))) return undefined;
  if (op === '-' && [...flags].every((c) => !current.includes(c))) return undefined;
  // flags the kernel sets and chattr cannot change (chattr(1)) do not count as a difference
  const settable = (f: string) => [...f].filter((c) => !READ_ONLY.includes(c)).sort().join('');
  if (op === '=' && settable(flags) === settable(current)) return undefined;
  return `${op}${flags}`;
}
