// Jinja delimiter options (variable_start_string, block_*, comment_*), shared by the template lookup
// and the template module (Ansible's template_common doc fragment names them).
import { pyStr } from './values.js';

const DELIMITERS: [string, string, string][] = [
  ['variable_start_string', 'variable_end_string', '{{ }}'],
  ['block_start_string', 'block_end_string', '{% %}'],
  ['comment_start_string', 'comment_end_string', '{# #}'],
];

/**
 * The template lookup's and template module's variable_start_string=… options: the text is rewritten to the standard
 * delimiters (the standard ones of a rewritten kind first kept as literal text), so the one Jinja
 * renderer reads it.
 */
export function withDelimiters(text: string, kw: Record<string, unknown>): string {
  const swaps: [string, string][] = [];
  for (const [startOpt, endOpt, std] of DELIMITERS) {
    const [s0, e0] = std.split(' ') as [string, string];
    const s = kw[startOpt] === undefined ? s0 : pyStr(kw[startOpt]);
    const e = kw[endOpt] === undefined ? e0 : pyStr(kw[endOpt]);
    if (s !== s0 || e !== e0) swaps.push([s0, s], [e0, e]);
  }
  if (!swaps.length) return text;
  const held: string[] = [];
  let out = text;
  // 1. the standard delimiters of a rewritten kind are text now: hold them aside
  for (const [std] of swaps) out = out.split(std).join(`\u0000${held.push(std) - 1}\u0000`);
  // 2. the custom ones become standard
  for (const [std, custom] of swaps) out = out.split(custom).join(std);
  // 3. the held text comes back as literal Jinja text
  return out.replace(/\u0000(\d+)\u0000/g, (_m, i: string) => `{{ '${held[Number(i)]}' }}`);
}
