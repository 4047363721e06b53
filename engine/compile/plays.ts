// Playbooks and plays: import_playbook (static, cycles refused, its tags, when and vars flowing into
// the imported plays), vars_files (the first that exists of a list entry), and a play's sections
// with its roles between pre_tasks and tasks, handlers of the play's roles last.
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { PlaybookError } from '../errors.js';
import { locate, type SourceLocation } from '../load/source.js';
import { splitIgnored, validatePlaybook, validateVarsFile } from '../load/validate.js';
import { searchCandidates } from '../load/find-file.js';
import { varsFileData } from '../load/vars-files.js';
import { hasTemplate } from '../vars/template.js';
import { notifyErrors, templateErrors } from './checks.js';
import { isObj, type CompileSession, type PlayCtx, type Raw, type Where } from './context.js';
import { loadTimeValue } from './load-time-values.js';
import { asList, bool, conditions, inherit, tagList } from './inherit.js';
import { HOST_PINNED, HOST_PINNED_WARNING, keywordValue } from './kw-value.js';
import type { CompiledPlay, Inherited, TaskNode, Vars } from './types.js';

/** Appends the plays of `file` (and of the playbooks it imports, in order) to `plays`. */
export function compilePlaybookInto(c: CompileSession, file: string, plays: CompiledPlay[], stack: string[], inh: Inherited, importVars: Vars[], from?: SourceLocation): void {
  if (stack.includes(file)) {
    c.errors.push(new PlaybookError(`import_playbook cycle: ${[...stack, file].join(' -> ')}`));
    return;
  }
  const doc = c.load(file, from);
  if (doc === undefined) return;
  const { errors: errs, warnings } = splitIgnored(validatePlaybook(doc, file, c.opts.known));
  c.warnings.push(...warnings);
  if (errs.length) {
    c.errors.push(...errs);
    return;
  }
  if (!Array.isArray(doc)) return;
  for (const item of doc) {
    if (!isObj(item)) continue;
    if (item.import_playbook !== undefined) {
      const loc = locate(item, 'import_playbook', 'value');
      // a templated path over the import's own vars (and the outer imports'), and -e
      const target = loadTimeValue(c, String(item.import_playbook), Object.assign({}, ...importVars, isObj(item.vars) ? item.vars : {}), 'import_playbook', loc);
      if (target === undefined) continue;
      const next = isAbsolute(target) ? target : join(dirname(file), target);
      const innerInh = inherit(inh, { tags: item.tags, when: item.when });
      // carry the import's `when` locations
      innerInh.when = [...inh.when, ...conditions(item, 'when')];
      compilePlaybookInto(c, next, plays, [...stack, file], innerInh, item.vars && isObj(item.vars) ? [...importVars, item.vars] : importVars, loc);
      continue;
    }
    const play = compilePlay(c, item, file, plays.length, inh, importVars);
    if (play) plays.push(play);
  }
}

/**
 * vars_prompt without a prompt: a value given with -e wins (as in Ansible, which then does not ask),
 * else the entry's default becomes a play variable; an entry with neither, or one asking gx to hash
 * the answer, is an error before anything runs. Returns the names whose values are private.
 */
function promptedVars(c: CompileSession, raw: Raw, vars: Vars): string[] {
  const given = new Set(c.opts.extraVarNames ?? []);
  const secrets: string[] = [];
  asList(raw.vars_prompt).forEach((entry, i) => {
    if (!isObj(entry) || typeof entry.name !== 'string') return;
    const loc = locate(raw.vars_prompt, i);
    if (entry.private === undefined || bool(entry.private)) secrets.push(entry.name);
    if (given.has(entry.name)) return;
    const question = entry.prompt !== undefined ? ` ('${String(entry.prompt)}')` : '';
    if (entry.encrypt !== undefined) {
      c.errors.push(new PlaybookError(`vars_prompt '${entry.name}' asks for an encrypted answer${question}; gx never prompts nor hashes`, { loc, hint: `pass the hashed value: -e ${entry.name}=...` }));
    } else if (entry.default !== undefined) {
      vars[entry.name] = entry.default;
    } else {
      c.errors.push(new PlaybookError(`vars_prompt '${entry.name}' has no default and gx never prompts${question}`, { loc, hint: `pass it: -e ${entry.name}=...` }));
    }
  });
  return secrets;
}

export function compilePlay(c: CompileSession, raw: Raw, file: string, index: number, outer: Inherited, importVars: Vars[]): CompiledPlay | undefined {
  const dir = dirname(file);
  const loc = locate(raw);
  // import_playbook's `when` and tags flow into every task of the imported plays
  const inh = inherit(outer, { ...raw, when: undefined });
  const pctx: PlayCtx = { roleHandlers: [], appliedRoles: new Set(), roles: [], topDir: dir };
  const where = (w: Partial<Where> = {}): Where => ({ file, dir, inh, play: pctx, stack: [file], ...w });

  const vars: Vars = Object.assign({}, ...importVars, isObj(raw.vars) ? raw.vars : {});
  const promptSecrets = promptedVars(c, raw, vars);
  if (isObj(raw.vars)) c.errors.push(...templateErrors(raw.vars, raw, 'vars'));

  const varsFiles: CompiledPlay['varsFiles'] = [];
  asList(raw.vars_files).forEach((entry, i) => {
    const vloc = locate(raw.vars_files, i) ?? locate(raw, 'vars_files', 'value');
    // a list entry inside vars_files means "first file that exists", like Ansible
    const candidates = asList(entry).map(String);
    if (candidates.some(hasTemplate)) {
      varsFiles.push({ path: entry, loc: vloc });
      return;
    }
    const found = candidates.flatMap((x) => searchCandidates(x, 'vars', { playbookDir: dir })).find((p) => existsSync(p));
    if (!found) {
      c.errors.push(new PlaybookError(`vars file not found: ${candidates.join(' or ')}`, { loc: vloc }));
      return;
    }
    const data = varsFileData(c.load(found, vloc));
    const errs = validateVarsFile(data, found);
    if (errs.length) c.errors.push(...errs);
    else {
      if (isObj(data)) c.errors.push(...templateErrors(data, { vars_file: data }, 'vars_file'));
      varsFiles.push({ path: found, data: (data ?? {}) as Vars, loc: vloc });
    }
  });

  const section = (key: string): TaskNode[] => {
    const list = raw[key];
    if (list === undefined || list === null) return [];
    return c.taskList(list, where({ handlers: key === 'handlers' }));
  };

  // what templated import names may use: the play's vars, then its static vars_files (as Ansible's play vars)
  pctx.vars = Object.assign({}, vars, ...varsFiles.map((f) => f.data ?? {}));
  const pre = section('pre_tasks');
  const roleNodes: TaskNode[] = [];
  asList(raw.roles).forEach((entry, i) => {
    const eloc = locate(raw.roles, i);
    const spec = typeof entry === 'string' ? { role: entry } : isObj(entry) ? entry : undefined;
    if (!spec) return;
    const name = loadTimeValue(c, String(spec.role ?? spec.name ?? ''), pctx.vars, 'role', eloc);
    if (name === undefined) return;
    roleNodes.push(...c.roleTasks(name, spec, where(), eloc));
  });
  const tasks = section('tasks');
  const post = section('post_tasks');
  const handlers = [...section('handlers'), ...pctx.roleHandlers];

  const play: CompiledPlay = {
    index,
    name: raw.name !== undefined ? String(raw.name) : asList(raw.hosts).join(','),
    // a templated pattern stays whole (`{{ groups.a | join(',') }}`): it is split once rendered
    hosts: asList(raw.hosts).flatMap((h) => (hasTemplate(String(h)) ? [String(h)] : String(h).split(','))).map((h) => h.trim()).filter(Boolean),
    loc,
    file,
    dir,
    vars,
    varsFiles,
    sections: { pre_tasks: pre, tasks: [...roleNodes, ...tasks], post_tasks: post, handlers },
    roles: pctx.roles,
    strategy: keywordValue('strategy', raw.strategy, undefined, (v) => {
      if (v !== HOST_PINNED) return v === 'free' ? 'free' : 'linear';
      c.warnings.push(new PlaybookError(HOST_PINNED_WARNING, { loc: locate(raw, 'strategy', 'value') }));
      return 'free';
    }),
    order: raw.order === undefined ? undefined : (String(raw.order) as CompiledPlay['order']),
    serial: raw.serial === undefined ? undefined : (asList(raw.serial) as (number | string)[]),
    anyErrorsFatal: bool(raw.any_errors_fatal),
    maxFailPercentage: raw.max_fail_percentage === undefined ? undefined : keywordValue('max_fail_percentage', raw.max_fail_percentage, undefined, Number),
    forceHandlers: raw.force_handlers === undefined ? false : keywordValue('force_handlers', raw.force_handlers, undefined, bool),
    gatherFacts: raw.gather_facts === undefined || raw.gather_facts === null ? undefined : bool(raw.gather_facts),
    gatherArgs: gatherArgs(raw),
    environment: raw.environment,
    tags: tagList(raw.tags),
    secrets: [...asList(raw.secrets).map(String), ...promptSecrets],
    connection: raw.connection === undefined ? undefined : String(raw.connection),
  };
  c.errors.push(...notifyErrors(play));
  return play;
}

/** The setup arguments of a play's fact gathering (its gather_subset and gather_timeout keywords). */
function gatherArgs(raw: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (raw.gather_subset !== undefined) out.gather_subset = raw.gather_subset;
  if (raw.gather_timeout !== undefined) out.gather_timeout = Number(raw.gather_timeout);
  if (raw.fact_path !== undefined) out.fact_path = raw.fact_path;
  return out;
}
