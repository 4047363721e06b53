// File modes as users write them. gx reads YAML 1.2 (engine/load/yaml.ts), where an unquoted `0644`
// is the decimal number 644, not octal. So a NUMBER is read as the octal digits it is written with:
// `mode: 0644`, `mode: 644` and `mode: '0644'` all mean rw-r--r--. Numbers with an 8 or a 9, or more
// than four digits, are refused rather than guessed. (`0o644` reaches us as 420 and would read as
// 0420: write modes quoted, as Ansible's own docs advise.) Strings may also be symbolic (`u=rw,g=r,o=`,
// `u+x`, `a-w`), applied to the current mode like chmod does.
import { ModuleArgsError } from '../../engine/errors.js';

export const modeProperty = {
  type: ['string', 'integer'],
  description:
    "Permissions: octal as a quoted string ('0644', '755') or unquoted (0644 means the same), or symbolic like chmod (u=rw,g=r,o=).",
} as const;

/** The permission bits wanted, given what they are now (for symbolic modes). */
export function parseMode(value: string | number, current = 0, isDir = false): number {
  if (typeof value === 'number') {
    const s = String(value);
    if (!Number.isInteger(value) || !/^[0-7]{1,4}$/.test(s)) {
      throw new ModuleArgsError(`mode ${value} is not an octal mode; write it quoted, e.g. mode: '0644'`);
    }
    return parseInt(s, 8);
  }
  const v = value.trim();
  if (/^0?[0-7]{1,4}$/.test(v)) return parseInt(v, 8);
  if (/^0o[0-7]{1,4}$/i.test(v)) return parseInt(v.slice(2), 8);
  return symbolic(v, current, isDir);
}

const WHO: Record<string, number> = { u: 0o4700, g: 0o2070, o: 0o1007 };

function symbolic(spec: string, current: number, isDir: boolean): number {
  let mode = current & 0o7777;
  for (const clause of spec.split(',')) {
    const m = /^([ugoa]*)((?:[-+=][rwxXstugo]*)+)$/.exec(clause);
    if (!m) throw new ModuleArgsError(`mode '${spec}' is neither octal ('0644') nor symbolic (u=rw,g=r,o=)`);
    const who = m[1] === '' || m[1]!.includes('a') ? 'ugo' : m[1]!;
    let mask = 0;
    for (const w of who) mask |= WHO[w]!;
    for (const op of m[2]!.match(/[-+=][rwxXstugo]*/g)!) {
      const perms = op.slice(1);
      let bits = 0;
      for (const p of perms) {
        if (p === 'r') bits |= 0o444;
        else if (p === 'w') bits |= 0o222;
        else if (p === 'x') bits |= 0o111;
        else if (p === 'X') bits |= isDir || (mode & 0o111) !== 0 ? 0o111 : 0;
        else if (p === 's') bits |= 0o6000;
        else if (p === 't') bits |= 0o1000;
        else {
          // copy another class's bits (u=g): spread them over all three positions, then mask
          const shift = p === 'u' ? 6 : p === 'g' ? 3 : 0;
          const src = (mode >> shift) & 0o7;
          bits |= (src << 6) | (src << 3) | src;
        }
      }
      bits &= mask;
      if (op[0] === '+') mode |= bits;
      else if (op[0] === '-') mode &= ~bits;
      else mode = (mode & ~(mask & ~(isDir ? 0o6000 & mask : 0))) | bits;
    }
  }
  return mode & 0o7777;
}

/** "0644", as Ansible's results show modes. */
export function formatMode(bits: number): string {
  return (bits & 0o7777).toString(8).padStart(4, '0');
}
