// include_vars: variables from YAML/JSON files on the controller become host facts for the tasks
// that follow (the action plugin lib/ansible/plugins/action/include_vars.py at v2.17.5: its arguments,
// search path, directory walk order, depth, files_matching/ignore_files and its messages).
import { readdir, stat } from 'node:fs/promises';
import { dirname, extname, isAbsolute, join, relative, sep } from 'node:path';
import { GxError } from '../engine/errors.js';
import { defineModule, type ModuleContext } from '../engine/module-contract.js';
import { parseYamlFile } from '../engine/load/yaml.js';
import { pyRegex } from './lib/py-regex.js';
import { mergeHash } from '../engine/vars/filters/collections.js';
import { pyJsonDumps } from '../engine/vars/filters/encoding.js';

export interface IncludeVarsArgs {
  file?: string | null;
  dir?: string;
  name?: string;
  depth: number;
  files_matching?: string;
  ignore_files?: string | string[];
  extensions: string[];
  ignore_unknown_extensions: boolean;
  hash_behaviour?: 'replace' | 'merge';
}

const DIR_ARGS = ['dir', 'depth', 'files_matching', 'ignore_files', 'extensions', 'ignore_unknown_extensions'] as const;

export const include_vars = defineModule<IncludeVarsArgs>({
  name: 'include_vars',
  summary: 'Load variables from YAML or JSON files on the controller into the host\'s variables.',
  description:
    'A relative `file` is looked up like Ansible: the role\'s vars/, the role, vars/ beside the task file, that directory, the playbook\'s vars/, the playbook directory. ' +
    'A relative `dir` is the role\'s vars/<dir> (or <dir> itself when it starts with vars/), else relative to the task file. ' +
    'Files of a directory are read in sorted order, subdirectories after their parent; a later file overrides an earlier one key by key. ' +
    'The variables are set like `set_fact` (gx ranks them with set_fact, just below Ansible\'s include_vars level), also in check mode. ' +
    'Values keep their templates, rendered when read.',
  freeForm: 'file',
  schema: {
    type: 'object',
    properties: {
      file: {
        type: ['string', 'null'],
        description: 'The file to load; also the free-form text (`include_vars: myvars.yml`). None (a first_found lookup that found nothing) fails the task as in Ansible.',
      },
      dir: { type: 'string', description: 'Load every matching file of this directory (recursively, see `depth`).' },
      name: { type: 'string', description: 'Put all the variables under this one variable instead of at the top level.' },
      depth: { type: 'integer', minimum: 0, default: 0, description: 'With `dir`: how deep to descend; 1 is the directory itself, 0 means no limit.' },
      files_matching: { type: 'string', description: 'With `dir`: only file names matching this regular expression (Python syntax).' },
      ignore_files: {
        anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
        description: 'With `dir`: file names to skip, regular expressions anchored at the end (a string is split on whitespace).',
      },
      extensions: { type: 'array', items: { type: 'string' }, default: ['yaml', 'yml', 'json'], description: 'With `dir`: the file extensions loaded.' },
      ignore_unknown_extensions: { type: 'boolean', default: false, description: 'With `dir`: skip files with other extensions instead of failing.' },
      hash_behaviour: {
        type: 'string',
        enum: ['replace', 'merge'],
        description:
          '`replace` (the default): a variable replaces the old one. `merge`: each loaded dictionary is merged recursively into the ' +
          'variable\'s current value (Ansible\'s combine_vars; lists are replaced); as in Ansible, that fails when either is not a dictionary.',
      },
    },
    additionalProperties: false,
  },
  examples: [
    `- name: Per-distribution settings
  include_vars: "{{ ansible_os_family }}.yml"`,
    `- name: Every file of vars/conf.d, under one name
  include_vars:
    dir: conf.d
    extensions: [yml]
    name: conf`,
  ],
  returns: {
    ansible_facts: { type: 'dict', description: 'The variables loaded.', returned: 'success' },
    ansible_included_var_files: { type: 'list', description: 'The files read, in order.', returned: 'always' },
  },
  controllerOnly: true,
  checkMode: true,
  check(a) {
    const raw = a as unknown as Record<string, unknown>;
    const dirArgs = DIR_ARGS.filter((k) => k !== 'depth' && k !== 'extensions' && k !== 'ignore_unknown_extensions' && raw[k] !== undefined);
    if (a.file !== undefined && (a.dir !== undefined || dirArgs.length > 0)) return ['You are mixing file only and dir only arguments, these are incompatible'];
    if (a.file === undefined && a.dir === undefined) return ['give a `file` (or free-form text) or a `dir` to load'];
    return [];
  },
  async plan(ctx, a) {
    const loaded: string[] = [];
    let vars: Record<string, unknown> = {};
    try {
      if (a.dir !== undefined) {
        const root = dirRoot(ctx, a.dir);
        const st = await stat(root).catch(() => null);
        if (!st) return failure(`${root} directory does not exist`, loaded);
        if (!st.isDirectory()) return failure(`${root} is not a directory`, loaded);
        const matcher = a.files_matching !== undefined ? pyRegex(a.files_matching) : undefined;
        const ignore = (typeof a.ignore_files === 'string' ? a.ignore_files.split(/\s+/).filter(Boolean) : (a.ignore_files ?? [])).map((p) => pyRegex(`(?:${p})$`));
        for (const [dir, names] of await walk(root, a.depth)) {
          for (const name of names) {
            const path = join(dir, name);
            // a role's vars/main.yml is already loaded with the role
            if (ctx.roleDir && path === join(ctx.roleDir, 'vars', 'main.yml')) continue;
            if (matcher && !matcher.test(name)) continue;
            if (ignore.some((r) => r.test(name))) continue;
            const ext = extname(name).slice(1);
            // Python's splitext: a name without one has the extension '', valid when extensions lists ''
            if (!a.extensions.includes(ext)) {
              if (a.ignore_unknown_extensions) continue;
              return failure(`${path} does not have a valid extension: ${a.extensions.join(', ')}`, loaded);
            }
            const r = loadFile(path);
            if (typeof r === 'string') return failure(r, loaded);
            loaded.push(path);
            vars = { ...vars, ...r };
          }
        }
      } else if (a.file === null || a.file === '') {
        return failure('Could not find file on the Ansible Controller.\nIf you are using a module and expect the file to exist on the remote, see the remote_src option', loaded);
      } else {
        const path = await ctx.findFile(a.file!.replace(/\n+$/, ''), 'vars');
        const r = loadFile(path);
        if (typeof r === 'string') return failure(r, loaded);
        loaded.push(path);
        vars = r;
      }
    } catch (err) {
      if (err instanceof GxError) return failure(err.message, loaded);
      throw err;
    }
    let facts: Record<string, unknown> = a.name !== undefined ? { [a.name]: vars } : vars;
    if (a.hash_behaviour === 'merge') {
      const merged = mergeIntoCurrent(ctx.vars, facts);
      if (typeof merged === 'string') return { changed: false, failed: true, msg: merged, data: { ansible_included_var_files: loaded } };
      facts = merged;
    }
    // values from files are templates, rendered when read (Ansible does not wrap include_vars' facts unsafe)
    return { changed: false, facts, factsAreTemplates: true, data: { ansible_facts: facts, ansible_included_var_files: loaded } };
  },
});

export default include_vars;

/**
 * hash_behaviour: merge — each variable merged recursively into its current value (the action's
 * combine_vars(task_vars.get(key), value, merge=True), v2.14); a value that is not a dictionary on
 * either side is Ansible's "failed to combine variables" error.
 */
function mergeIntoCurrent(current: Record<string, unknown>, loaded: Record<string, unknown>): Record<string, unknown> | string {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(loaded)) {
    const old = current[k];
    if (!isMapping(old) || !isMapping(v)) {
      return `failed to combine variables, expected dicts but got a '${pyTypeName(old)}' and a '${pyTypeName(v)}': \n${pyJsonDumps(old ?? null)}\n${pyJsonDumps(v)}`;
    }
    out[k] = mergeHash(old, v, true, 'replace');
  }
  return out;
}

function isMapping(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function pyTypeName(v: unknown): string {
  if (v === null || v === undefined) return 'NoneType';
  if (typeof v === 'string') return 'str';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  return Array.isArray(v) ? 'list' : 'dict';
}

function failure(msg: string, loaded: string[]) {
  return { changed: false, failed: true, msg, data: { message: msg, ansible_included_var_files: loaded } };
}

/** A file's variables, or why it cannot give any. */
function loadFile(path: string): Record<string, unknown> | string {
  const data = parseYamlFile(path);
  if (data === null || data === undefined) return {};
  if (typeof data !== 'object' || Array.isArray(data)) return `${path} must be stored as a dictionary/hash`;
  return data as Record<string, unknown>;
}

function dirRoot(ctx: ModuleContext, dir: string): string {
  if (isAbsolute(dir)) return dir;
  if (ctx.roleDir) return dir.split('/')[0] === 'vars' ? join(ctx.roleDir, dir) : join(ctx.roleDir, 'vars', dir);
  return join(ctx.loc?.file ? dirname(ctx.loc.file) : ctx.playbookDir, dir);
}

/** Like Python's sorted os.walk(followlinks=True): every directory (sorted by path) with its sorted file names, down to `depth` (0: all). */
async function walk(root: string, depth: number): Promise<[string, string[]][]> {
  const out: [string, string[]][] = [];
  const visit = async (dir: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true });
    const files: string[] = [];
    for (const e of entries) {
      const full = join(dir, e.name);
      const isDir = e.isDirectory() || (e.isSymbolicLink() && (await stat(full).catch(() => null))?.isDirectory());
      if (isDir) await visit(full);
      else files.push(e.name);
    }
    out.push([dir, files.sort()]);
  };
  await visit(root);
  out.sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
  return out.filter(([dir]) => depth === 0 || (dir === root ? 1 : relative(root, dir).split(sep).length + 1) <= depth);
}
