// A keyword written as a template (`check_mode: "{{ dry }}"`) cannot be decided at compile time:
// it is kept with the value it would have inherited, and the executor renders it per host
// (engine/run/keyword-values.ts). When it renders to `omit`, the inherited value applies, as in
// Ansible (Base.post_validate → set_to_context). Reading a template as a plain boolean here was
// how `check_mode: "{{ omit }}"` once turned into `false` and wrote files under --check.
import { hasTemplate } from '../vars/template.js';

export interface TemplatedKeyword {
  readonly templated: true;
  /** the keyword's name, for messages ("check_mode") */
  readonly keyword: string;
  readonly template: string;
  /** what the keyword would be without this node's value (omit falls back to it) */
  readonly parent: unknown;
}

/** A keyword value: settled at compile time, or a template the executor renders. */
export type Kw<T> = T | TemplatedKeyword;

export function isTemplatedKeyword(v: unknown): v is TemplatedKeyword {
  return typeof v === 'object' && v !== null && (v as { templated?: unknown }).templated === true;
}

/** `raw` (a node's own keyword) over `parent`; templates stay templates, literals go through `convert`. */
export function keywordValue<T>(keyword: string, raw: unknown, parent: Kw<T> | undefined, convert: (v: unknown) => T): Kw<T> {
  if (typeof raw === 'string' && hasTemplate(raw)) return { templated: true, keyword, template: raw, parent };
  return convert(raw);
}

/**
 * Ansible's host_pinned is the free strategy with each fork pinned to one host until that host is
 * done (plugins/strategy/host_pinned.py); gx's free strategy already lets each host go at its own
 * pace, so host_pinned runs as free.
 */
export const HOST_PINNED = 'host_pinned';
export const HOST_PINNED_WARNING = "strategy 'host_pinned' runs as 'free' in gx (each host at its own pace; hosts are not pinned to forks)";
