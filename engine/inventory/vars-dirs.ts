// group_vars/ and host_vars/ beside an inventory source or a playbook. For an entity NAME, Ansible
// reads NAME, NAME.yml, NAME.yaml, NAME.json, and a directory NAME/ whose files (recursively,
// alphabetically) are merged in order; every file must hold a mapping (or nothing) of valid variable names.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { GxError } from '../errors.js';
import { validateVarsFile } from '../load/validate.js';
import { parseYamlFile } from '../load/yaml.js';
import { templateErrorsIn } from '../vars/template.js';
import { collectErrors } from './errors-util.js';

const EXTENSIONS = ['', '.yml', '.yaml', '.json'];
const DIR_FILE = /\.(ya?ml|json)$|^[^.]+$/;

type Vars = Record<string, unknown>;

function kindOf(path: string): 'file' | 'dir' | undefined {
  try {
    const st = statSync(path);
    return st.isDirectory() ? 'dir' : st.isFile() ? 'file' : undefined;
  } catch {
    return undefined;
  }
}

function filesIn(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir).sort()) {
    if (entry.startsWith('.')) continue;
    const p = join(dir, entry);
    const k = kindOf(p);
    if (k === 'dir') out.push(...filesIn(p));
    else if (k === 'file' && DIR_FILE.test(entry)) out.push(p);
  }
  return out;
}

/** Reads group_vars/NAME or host_vars/NAME under one base directory, caching by path. */
export class VarsDir {
  private readonly cache = new Map<string, Vars | undefined>();
  private readonly roots = new Map<string, boolean>();
  constructor(
    readonly base: string,
    private readonly errors: GxError[],
  ) {}

  group(name: string): Vars | undefined {
    return this.entity('group_vars', name);
  }

  host(name: string): Vars | undefined {
    return this.entity('host_vars', name);
  }

  private entity(sub: 'group_vars' | 'host_vars', name: string): Vars | undefined {
    const root = join(this.base, sub);
    let present = this.roots.get(sub);
    if (present === undefined) this.roots.set(sub, (present = kindOf(root) === 'dir'));
    // most inventories have no host_vars/ at all: no lookups then
    if (!present) return undefined;
    const key = `${sub}/${name}`;
    if (this.cache.has(key)) return this.cache.get(key);
    let result: Vars | undefined;
    if (!name.includes('/') && name !== '..' && name !== '.') {
      for (const ext of EXTENSIONS) {
        const p = join(root, name + ext);
        const k = kindOf(p);
        const files = k === 'file' ? [p] : k === 'dir' && ext === '' ? filesIn(p) : [];
        for (const f of files) {
          const vars = this.readFile(f);
          if (vars) result = { ...(result ?? {}), ...vars };
        }
      }
    }
    this.cache.set(key, result);
    return result;
  }

  private readFile(file: string): Vars | undefined {
    let doc: unknown;
    try {
      doc = parseYamlFile(file);
    } catch (err) {
      collectErrors(err, this.errors);
      return undefined;
    }
    const problems = validateVarsFile(doc, file);
    if (problems.length > 0) {
      this.errors.push(...problems);
      return undefined;
    }
    if (doc && typeof doc === 'object') this.errors.push(...templateErrorsIn(doc, { doc }, 'doc'));
    return (doc ?? undefined) as Vars | undefined;
  }
}
