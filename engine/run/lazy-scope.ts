// Variables are templated lazily, as in Ansible: `base: "/srv/{{ inventory_hostname }}"` is
// rendered when something reads `base`, against the same scope, so variables can refer to each
// other in any order and per host. Rendered values are cached for the life of the scope object
// (one host, one task), and a variable that refers to itself is a clear error, not a stack overflow.
import { TemplateError } from '../errors.js';
import { hasTemplate, renderValue, type Where } from '../vars/template.js';

type Vars = Record<string, unknown>;

/**
 * Scopes and hostvars views are never walked for templates: they render on read themselves, and
 * walking them would recurse forever (hostvars → a host's scope → hostvars …).
 */
const opaque = new WeakSet<object>();

/** A scope's variables as written, before rendering (fact-gathering.ts reads what a template refers to). */
const raws = new WeakMap<object, Vars>();

export function rawVars(scope: Vars): Vars | undefined {
  return raws.get(scope);
}

export function markOpaque<T extends object>(o: T): T {
  opaque.add(o);
  return o;
}

function needsRender(v: unknown, depth = 0): boolean {
  if (typeof v === 'string') return hasTemplate(v);
  if (depth > 8 || v === null || typeof v !== 'object' || opaque.has(v)) return false;
  if (Array.isArray(v)) return v.some((x) => needsRender(x, depth + 1));
  if (Object.getPrototypeOf(v) !== Object.prototype) return false;
  for (const x of Object.values(v)) if (needsRender(x, depth + 1)) return true;
  return false;
}

/**
 * A read-only view of `flat` whose templated values render on first read. `where` names the task
 * for error messages. `isRaw(key)` names values that are data, never templates: what a task
 * registered or set_fact stored (Ansible marks them unsafe), so a command's output holding `{{` or
 * `{#` is shown as it is rather than rendered.
 */
export function lazyScope(flat: Vars, where?: Where, isRaw?: (key: string) => boolean): Vars {
  const cache = new Map<string, unknown>();
  const rendering = new Set<string>();
  const proxy: Vars = new Proxy(flat, {
    get(target, key) {
      if (typeof key !== 'string') return undefined;
      if (!Object.prototype.hasOwnProperty.call(target, key)) return undefined;
      if (cache.has(key)) return cache.get(key);
      const raw = target[key];
      if (!needsRender(raw) || isRaw?.(key)) {
        cache.set(key, raw);
        return raw;
      }
      if (rendering.has(key)) {
        throw new TemplateError(`variable '${key}' refers to itself (${[...rendering, key].join(' -> ')})`, { loc: where?.loc });
      }
      rendering.add(key);
      try {
        const value = renderValue(raw, proxy, { ...where, what: `variable '${key}'` });
        cache.set(key, value);
        return value;
      } finally {
        rendering.delete(key);
      }
    },
    has(target, key) {
      return typeof key === 'string' && Object.prototype.hasOwnProperty.call(target, key);
    },
    set() {
      return false;
    },
    deleteProperty() {
      return false;
    },
    ownKeys(target) {
      return Reflect.ownKeys(target);
    },
    getOwnPropertyDescriptor(target, key) {
      if (typeof key !== 'string' || !Object.prototype.hasOwnProperty.call(target, key)) return undefined;
      // an accessor, so listing the names (Object.keys for a did-you-mean) renders nothing: a
      // variable that cannot render must not hide the undefined one being reported
      return { configurable: true, enumerable: Object.getOwnPropertyDescriptor(target, key)!.enumerable !== false, get: () => proxy[key] };
    },
  });
  raws.set(proxy, flat);
  return markOpaque(proxy);
}
