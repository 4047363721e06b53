// Ansible users write Python regular expressions. The common Python-only spellings are turned into
// their JavaScript equivalents; anything else is handed to RegExp as it is.
import { ModuleError } from '../../engine/errors.js';

export function pyRegex(source: string, flags = '', what = 'regexp'): RegExp {
  const js = source
    .replace(/\(\?P<([A-Za-z_][A-Za-z0-9_]*)>/g, '(?<$1>')
    .replace(/\(\?P=([A-Za-z_][A-Za-z0-9_]*)\)/g, '\\k<$1>')
    .replace(/\\A/g, '^')
    .replace(/\\Z/g, '$');
  try {
    return new RegExp(js, flags);
  } catch (err) {
    throw new ModuleError(`${what} is not a valid regular expression: ${(err as Error).message}`);
  }
}

/** Python's Match.expand: \1, \g<1> and \g<name> in `template` become the groups of `m`. */
export function expandMatch(template: string, m: RegExpExecArray): string {
  return template.replace(/\\(?:g<([A-Za-z0-9_]+)>|(\d{1,2}))/g, (_all, g: string | undefined, n: string | undefined) => {
    const key = g ?? n!;
    const v = /^\d+$/.test(key) ? m[Number(key)] : m.groups?.[key];
    return v ?? '';
  });
}
