// Compiles playbooks, roles and task files into the executor's task trees. Everything static is
// loaded and validated here — imports, roles, role dependencies, statically named includes,
// template syntax, condition syntax, handler names — and every problem is collected, so nothing
// touches a host until the whole playbook is known to be valid.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { ErrorList, GxError, PlaybookError, TemplateError } from '../errors.js';
import { locate, type SourceLocation } from '../load/source.js';
import { didYouMean } from '../load/suggest.js';
import { parseYamlFile } from '../load/yaml.js';
import { searchCandidates } from '../load/find-file.js';
import type { KnownModules } from '../load/known-modules.js';
import { validatePlaybook, validateRoleMeta, validateTasks, validateVarsFile } from '../load/validate.js';
import { compileExpr } from '../vars/expr.js';
import { hasTemplate, templateSyntaxErrors } from '../vars/template.js';
import { asList, bool, conditions, inherit, rootInherited, tagList, withVars } from './inherit.js';
import { TASK_KEYWORDS } from './keywords.js';
import type { BlockNode, CompiledPlay, CompiledPlaybook, Condition, IncludeNode, Inherited, ModuleTask, RoleInstance, TaskKeywords, TaskNode, Vars } from './types.js';

export interface CompileOptions {
  known: KnownModules;
  /** extra directories searched for roles (after the playbook's own roles/) */
  rolesPath?: string[];
  /** extra directories searched for templates, last (as the template module searches them at run time) */
  templateDirs?: string[];
}

type Raw = Record<string, unknown>;

interface PlayCtx {
  /** handlers of roles used in the play, collected as roles are loaded */
  roleHandlers: TaskNode[];
  /** roles already applied in this play (dedup by name + params) */
  appliedRoles: Set<string>;
  roles: RoleInstance[];
  /** the top playbook's directory and the current file's */
  topDir: string;
}

interface Where {
  file: string;
  /** directory relative task-file paths resolve against */
  dir: string;
  inh: Inherited;
  play: PlayCtx;
  /** task files on the include stack, to stop recursion */
  stack: string[];
  handlers?: boolean;
}

const isObj = (v: unknown): v is Raw => v !== null && typeof v === 'object' && !Array.isArray(v);

export class Compiler {
  readonly errors: GxError[] = [];
  private readonly opts: CompileOptions;
  private readonly fileCache = new Map<string, unknown>();
  private ids = 0;
  private readonly includeCache = new Map<string, { nodes: TaskNode[]; role?: RoleInstance }>();

  constructor(opts: CompileOptions) {
    this.opts = opts;
  }

  /** Compiles a playbook and everything it pulls in; throws ErrorList with every problem found. */
  compilePlaybook(file: string): CompiledPlaybook {
    const abs = resolve(file);
    const plays: CompiledPlay[] = [];
    this.playbookInto(abs, plays, [], rootInherited(), []);
    if (this.errors.length) throw new ErrorList(this.errors);
    return { file: abs, dir: dirname(abs), plays };
  }

  // ---- files -------------------------------------------------------------------------------

  private load(file: string, loc?: SourceLocation): unknown {
    if (this.fileCache.has(file)) return this.fileCache.get(file);
    let doc: unknown;
    if (!existsSync(file)) {
      this.errors.push(new PlaybookError(`file not found: ${file}`, { loc }));
      doc = undefined;
    } else {
      try {
        doc = parseYamlFile(file);
      } catch (err) {
        this.collect(err);
        doc = undefined;
      }
    }
    this.fileCache.set(file, doc);
    return doc;
  }

  private collect(err: unknown): void {
    if (err instanceof ErrorList) this.errors.push(...err.errors);
    else if (err instanceof GxError) this.errors.push(err);
    else throw err;
  }

  private nextId(loc: SourceLocation | undefined): string {
    this.ids += 1;
    return loc ? `${loc.file}:${loc.line}:${loc.col}#${this.ids}` : `task#${this.ids}`;
  }

  // ---- playbooks and plays -----------------------------------------------------------------

  private playbookInto(file: string, plays: CompiledPlay[], stack: string[], inh: Inherited, importVars: Vars[], from?: SourceLocation): void {
    if (stack.includes(file)) {
      this.errors.push(new PlaybookError(`import_playbook cycle: ${[...stack, file].join(' -> ')}`));
      return;
    }
    const doc = this.load(file, from);
    if (doc === undefined) return;
    const errs = validatePlaybook(doc, file, this.opts.known);
    if (errs.length) {
      this.errors.push(...errs);
      return;
    }
    if (!Array.isArray(doc)) return;
    for (const item of doc) {
      if (!isObj(item)) continue;
      if (item.import_playbook !== undefined) {
        const target = String(item.import_playbook);
        const loc = locate(item, 'import_playbook', 'value');
        if (hasTemplate(target)) {
          this.errors.push(new PlaybookError('import_playbook takes a static path (templates are not allowed here)', { loc }));
          continue;
        }
        const next = isAbsolute(target) ? target : join(dirname(file), target);
        const innerInh = inherit(inh, { tags: item.tags, when: item.when });
        // carry the import's `when` locations
        innerInh.when = [...inh.when, ...conditions(item, 'when')];
        this.playbookInto(next, plays, [...stack, file], innerInh, item.vars && isObj(item.vars) ? [...importVars, item.vars] : importVars, loc);
        continue;
      }
      const play = this.play(item, file, plays.length, inh, importVars);
      if (play) plays.push(play);
    }
  }

  private play(raw: Raw, file: string, index: number, outer: Inherited, importVars: Vars[]): CompiledPlay | undefined {
    const dir = dirname(file);
    const loc = locate(raw);
    // import_playbook's `when` and tags flow into every task of the imported plays
    const inh = inherit(outer, { ...raw, when: undefined });
    const pctx: PlayCtx = { roleHandlers: [], appliedRoles: new Set(), roles: [], topDir: dir };
    const where = (w: Partial<Where> = {}): Where => ({ file, dir, inh, play: pctx, stack: [file], ...w });

    const vars: Vars = Object.assign({}, ...importVars, isObj(raw.vars) ? raw.vars : {});
    if (isObj(raw.vars)) this.checkTemplates(raw.vars, raw, 'vars');

    const varsFiles: CompiledPlay['varsFiles'] = [];
    asList(raw.vars_files).forEach((entry, i) => {
      const vloc = locate(raw.vars_files, i) ?? locate(raw, 'vars_files', 'value');
      // a list entry inside vars_files means "first file that exists", like Ansible
      const candidates = asList(entry).map(String);
      if (candidates.some(hasTemplate)) {
        varsFiles.push({ path: entry, loc: vloc });
        return;
      }
      const found = candidates.map((c) => (isAbsolute(c) ? c : join(dir, c))).find((p) => existsSync(p));
      if (!found) {
        this.errors.push(new PlaybookError(`vars file not found: ${candidates.join(' or ')}`, { loc: vloc }));
        return;
      }
      const data = this.load(found, vloc);
      const errs = validateVarsFile(data, found);
      if (errs.length) this.errors.push(...errs);
      else varsFiles.push({ path: found, data: (data ?? {}) as Vars, loc: vloc });
    });

    const section = (key: string): TaskNode[] => {
      const list = raw[key];
      if (list === undefined || list === null) return [];
      return this.taskList(list, where({ handlers: key === 'handlers' }));
    };

    const pre = section('pre_tasks');
    const roleNodes: TaskNode[] = [];
    asList(raw.roles).forEach((entry, i) => {
      const eloc = locate(raw.roles, i);
      const spec = typeof entry === 'string' ? { role: entry } : isObj(entry) ? entry : undefined;
      if (!spec) return;
      const name = String(spec.role ?? spec.name ?? '');
      roleNodes.push(...this.roleTasks(name, spec, where(), eloc));
    });
    const tasks = section('tasks');
    const post = section('post_tasks');
    const handlers = [...section('handlers'), ...pctx.roleHandlers];

    const play: CompiledPlay = {
      index,
      name: raw.name !== undefined ? String(raw.name) : asList(raw.hosts).join(','),
      hosts: asList(raw.hosts).flatMap((h) => String(h).split(',')).map((h) => h.trim()).filter(Boolean),
      loc,
      file,
      dir,
      vars,
      varsFiles,
      sections: { pre_tasks: pre, tasks: [...roleNodes, ...tasks], post_tasks: post, handlers },
      roles: pctx.roles,
      strategy: raw.strategy === 'free' ? 'free' : 'linear',
      serial: raw.serial === undefined ? undefined : (asList(raw.serial) as (number | string)[]),
      anyErrorsFatal: bool(raw.any_errors_fatal),
      maxFailPercentage: raw.max_fail_percentage === undefined ? undefined : Number(raw.max_fail_percentage),
      forceHandlers: bool(raw.force_handlers),
      gatherFacts: bool(raw.gather_facts),
      tags: tagList(raw.tags),
      secrets: asList(raw.secrets).map(String),
      connection: raw.connection === undefined ? undefined : String(raw.connection),
    };
    this.checkNotify(play);
    return play;
  }

  // ---- task lists --------------------------------------------------------------------------

  taskList(list: unknown, w: Where): TaskNode[] {
    if (!Array.isArray(list)) return [];
    const out: TaskNode[] = [];
    for (const raw of list) {
      if (!isObj(raw)) continue;
      out.push(...this.task(raw, w));
    }
    return out;
  }

  private task(raw: Raw, w: Where): TaskNode[] {
    const loc = locate(raw);
    const name = raw.name !== undefined ? String(raw.name) : '';
    this.checkConditions(raw);

    if (raw.block !== undefined) {
      const inh = withVars(inherit(w.inh, raw), raw.vars);
      const inner = { ...w, inh };
      const node: BlockNode = {
        kind: 'block',
        id: this.nextId(loc),
        name,
        loc,
        eff: inh,
        vars: {},
        block: this.taskList(raw.block, inner),
        rescue: this.taskList(raw.rescue, inner),
        always: this.taskList(raw.always, inner),
      };
      return [node];
    }

    if (raw.import_tasks !== undefined) {
      const target = String(isObj(raw.import_tasks) ? raw.import_tasks.file : raw.import_tasks);
      const tloc = locate(raw, 'import_tasks', 'value');
      if (hasTemplate(target)) {
        this.errors.push(new PlaybookError('import_tasks takes a static path; use include_tasks for a templated one', { loc: tloc }));
        return [];
      }
      const inh = withVars(inherit(w.inh, raw), raw.vars);
      return this.taskFile(this.resolveTaskFile(target, w), { ...w, inh }, tloc);
    }

    if (raw.import_role !== undefined) {
      const spec = isObj(raw.import_role) ? raw.import_role : { name: raw.import_role };
      const inh = withVars(inherit(w.inh, raw), raw.vars);
      return this.roleTasks(String(spec.name ?? ''), { ...spec, vars: raw.vars }, { ...w, inh: inh }, locate(raw, 'import_role', 'value'), true);
    }

    if (raw.include_tasks !== undefined || raw.include_role !== undefined) return [this.include(raw, w)];

    const action = Object.keys(raw).find((k) => !TASK_KEYWORDS.has(k));
    if (!action) return []; // the validator has reported it
    const def = this.opts.known.names.has(action) ? action : undefined;
    if (!def) return [];
    const args = this.moduleArgs(raw, action);
    this.checkTemplates(args, raw, action);
    this.checkTemplateFile(action, args, raw, w);
    const inh = inherit(w.inh, raw);
    const node: ModuleTask = {
      kind: 'task',
      id: this.nextId(loc),
      name: name || action,
      loc,
      eff: inh,
      vars: isObj(raw.vars) ? raw.vars : {},
      module: action,
      args,
      kw: this.keywords(raw),
    };
    if (w.handlers) {
      node.handler = true;
      node.listen = asList(raw.listen).map(String);
    }
    return [node];
  }

  private moduleArgs(raw: Raw, action: string): unknown {
    const value = raw[action];
    const extra = isObj(raw.args) ? raw.args : undefined;
    if (typeof value === 'string' || value === null || value === undefined) {
      if (!extra) return value ?? {};
      const free = this.opts.known.freeFormOf(action);
      return { ...extra, ...(value && free ? { [free]: value } : {}) };
    }
    return extra ? { ...extra, ...(value as Raw) } : value;
  }

  private keywords(raw: Raw): TaskKeywords {
    const kw: TaskKeywords = {};
    if (raw.loop !== undefined) kw.loop = raw.loop;
    if (raw.with_items !== undefined) kw.withItems = raw.with_items;
    if (isObj(raw.loop_control)) kw.loopControl = raw.loop_control as TaskKeywords['loopControl'];
    if (raw.register !== undefined) kw.register = String(raw.register);
    if (raw.notify !== undefined) {
      kw.notify = asList(raw.notify).map(String);
      kw.notifyLoc = locate(raw, 'notify', 'value');
    }
    if (raw.changed_when !== undefined) kw.changedWhen = conditions(raw, 'changed_when');
    if (raw.failed_when !== undefined) kw.failedWhen = conditions(raw, 'failed_when');
    if (raw.until !== undefined) kw.until = conditions(raw, 'until');
    if (raw.retries !== undefined) kw.retries = Number(raw.retries);
    if (raw.delay !== undefined) kw.delay = Number(raw.delay);
    if (raw.timeout !== undefined) kw.timeout = Number(raw.timeout);
    if (raw.throttle !== undefined) kw.throttle = Number(raw.throttle);
    return kw;
  }

  private include(raw: Raw, w: Where): IncludeNode {
    const loc = locate(raw);
    const isRole = raw.include_role !== undefined;
    const spec = isRole ? (isObj(raw.include_role) ? raw.include_role : { name: raw.include_role }) : undefined;
    const targetRaw = isRole ? spec!.name : isObj(raw.include_tasks) ? raw.include_tasks.file : raw.include_tasks;
    const inh = inherit(w.inh, raw);
    const node: IncludeNode = {
      kind: 'include',
      id: this.nextId(loc),
      name: raw.name !== undefined ? String(raw.name) : isRole ? `include_role : ${String(targetRaw)}` : `include_tasks : ${String(targetRaw)}`,
      loc,
      eff: inh,
      vars: isObj(raw.vars) ? raw.vars : {},
      what: isRole ? 'role' : 'tasks',
      target: targetRaw,
      kw: this.keywords(raw),
      baseDir: w.dir,
    };
    if (spec) {
      node.roleOpts = {
        tasksFrom: spec.tasks_from as string | undefined,
        varsFrom: spec.vars_from as string | undefined,
        defaultsFrom: spec.defaults_from as string | undefined,
        handlersFrom: spec.handlers_from as string | undefined,
      };
    }
    const target = String(targetRaw ?? '');
    if (!hasTemplate(target) && raw.loop === undefined && raw.with_items === undefined) {
      // statically named: compile now so it is validated before anything runs; the executor reuses it
      const inner: Where = { ...w, inh: { ...inh, when: [] } };
      if (isRole) {
        const before = this.errors.length;
        const role = this.loadRole(target, spec ?? {}, inner, locate(raw, 'include_role', 'value'));
        if (role && this.errors.length === before) {
          node.precompiled = { nodes: role.nodes, role: role.role };
          // its handlers are the play's too, so notify checks and flushes know them
          w.play.roleHandlers.push(...role.role.handlers);
        }
      } else {
        node.precompiled = { nodes: this.taskFile(this.resolveTaskFile(target, w), inner, locate(raw, 'include_tasks', 'value')) };
      }
    } else if (!hasTemplate(target) && !isRole) {
      // looped include of a static file: still validate it once
      this.taskFile(this.resolveTaskFile(target, w), { ...w, inh: { ...inh, when: [] } }, locate(raw, 'include_tasks', 'value'));
    }
    return node;
  }

  resolveTaskFile(target: string, w: Pick<Where, 'dir' | 'inh'>): string {
    if (isAbsolute(target)) return target;
    const candidates = [join(w.dir, target)];
    if (w.inh.role) candidates.push(join(w.inh.role.dir, 'tasks', target));
    return candidates.find((c) => existsSync(c)) ?? candidates[0]!;
  }

  /** Compiles a task file with the given context (used for imports and, at run time, includes). */
  taskFile(file: string, w: Where, loc?: SourceLocation): TaskNode[] {
    if (w.stack.includes(file)) {
      this.errors.push(new PlaybookError(`task file includes itself: ${[...w.stack, file].join(' -> ')}`, { loc }));
      return [];
    }
    const doc = this.load(file, loc);
    if (doc === undefined || doc === null) return [];
    const errs = validateTasks(doc, file, this.opts.known, { handlers: w.handlers });
    if (errs.length) {
      this.errors.push(...errs);
      return [];
    }
    return this.taskList(doc, { ...w, file, dir: dirname(file), stack: [...w.stack, file] });
  }

  /**
   * An include resolved at run time (templated name, or looped): compiled in the include's context.
   * Throws ErrorList; the executor fails the hosts that asked for it.
   */
  compileInclude(node: IncludeNode, target: string): { nodes: TaskNode[]; role?: RoleInstance } {
    const key = `${node.id}\u0000${target}`;
    const cached = this.includeCache.get(key);
    if (cached) return cached;
    const before = this.errors.length;
    const play: PlayCtx = { roleHandlers: [], appliedRoles: new Set(), roles: [], topDir: node.baseDir };
    const w: Where = { file: node.loc?.file ?? join(node.baseDir, 'include'), dir: node.baseDir, inh: { ...node.eff, when: [] }, play, stack: [] };
    let out: { nodes: TaskNode[]; role?: RoleInstance };
    if (node.what === 'role') {
      const r = this.loadRole(target, { tasks_from: node.roleOpts?.tasksFrom, vars_from: node.roleOpts?.varsFrom, defaults_from: node.roleOpts?.defaultsFrom, handlers_from: node.roleOpts?.handlersFrom }, w, node.loc);
      out = r ? { nodes: r.nodes, role: r.role } : { nodes: [] };
    } else {
      out = { nodes: this.taskFile(this.resolveTaskFile(target, w), w, node.loc) };
    }
    const errs = this.errors.splice(before);
    if (errs.length) throw new ErrorList(errs);
    this.includeCache.set(key, out);
    return out;
  }

  // ---- roles -------------------------------------------------------------------------------

  findRole(name: string, w: Pick<Where, 'file' | 'play'>): string | undefined {
    const dirs = [join(dirname(w.file), 'roles'), join(w.play.topDir, 'roles'), ...(this.opts.rolesPath ?? []), dirname(w.file), w.play.topDir];
    for (const d of dirs) {
      const p = isAbsolute(name) ? name : join(d, name);
      if (existsSync(p) && statSync(p).isDirectory()) return p;
    }
    return undefined;
  }

  private roleFile(dir: string, sub: string, base = 'main'): string | undefined {
    for (const ext of ['.yaml', '.yml', '.json', '']) {
      const p = join(dir, sub, base + ext);
      if (existsSync(p) && statSync(p).isFile()) return p;
    }
    return undefined;
  }

  /** Loads a role (and, first, its dependencies) and returns its tasks compiled in the role's context. */
  loadRole(
    name: string,
    spec: Raw,
    w: Where,
    loc: SourceLocation | undefined,
    chain: string[] = [],
  ): { nodes: TaskNode[]; role: RoleInstance } | undefined {
    if (!name) {
      this.errors.push(new PlaybookError('role entry has no name', { loc }));
      return undefined;
    }
    if (chain.includes(name)) {
      this.errors.push(new PlaybookError(`role dependency cycle: ${[...chain, name].join(' -> ')}`, { loc }));
      return undefined;
    }
    const dir = this.findRole(name, w);
    if (!dir) {
      this.errors.push(new PlaybookError(`role '${name}' not found (looked in roles/ beside the playbook and the roles path)`, { loc }));
      return undefined;
    }
    const params: Vars = {};
    for (const [k, v] of Object.entries(spec)) {
      if (!['role', 'name', 'tags', 'when', 'vars', 'become', 'become_user', 'become_method', 'environment', 'tasks_from', 'vars_from', 'defaults_from', 'handlers_from', 'apply', 'public', 'allow_duplicates', 'no_log', 'ignore_errors', 'delegate_to', 'run_once', 'check_mode', 'diff', 'any_errors_fatal'].includes(k)) params[k] = v;
    }
    if (isObj(spec.vars)) Object.assign(params, spec.vars);

    const varsOf = (sub: string, base?: string): Vars => {
      const f = this.roleFile(dir, sub, base);
      if (!f) return {};
      const d = this.load(f);
      const errs = validateVarsFile(d, f);
      if (errs.length) this.errors.push(...errs);
      return (isObj(d) ? d : {}) as Vars;
    };
    const role: RoleInstance = {
      name,
      dir,
      defaults: varsOf('defaults', spec.defaults_from as string | undefined),
      vars: varsOf('vars', spec.vars_from as string | undefined),
      params,
      handlers: [],
    };

    const nodes: TaskNode[] = [];
    // dependencies first, each with its own context
    const metaFile = this.roleFile(dir, 'meta');
    if (metaFile) {
      const meta = this.load(metaFile);
      const errs = validateRoleMeta(meta, metaFile);
      if (errs.length) this.errors.push(...errs);
      else if (isObj(meta)) {
        asList(meta.dependencies).forEach((dep, i) => {
          const dspec = typeof dep === 'string' ? { role: dep } : isObj(dep) ? dep : undefined;
          if (!dspec) return;
          const dname = String(dspec.role ?? dspec.name ?? '');
          const dloc = locate(meta.dependencies, i);
          nodes.push(...this.roleTasks(dname, dspec, w, dloc, false, [...chain, name]));
        });
      }
    }

    const rw: Where = { ...w, file: join(dir, 'tasks', 'main.yaml'), dir: join(dir, 'tasks'), inh: { ...inherit(w.inh, {}, role) }, stack: [] };
    const tasksFile = this.roleFile(dir, 'tasks', (spec.tasks_from as string | undefined) ?? 'main');
    if (tasksFile) nodes.push(...this.taskFile(tasksFile, { ...rw, file: tasksFile, dir: dirname(tasksFile) }));
    else if (spec.tasks_from) this.errors.push(new PlaybookError(`role '${name}' has no tasks file '${String(spec.tasks_from)}'`, { loc }));

    const handlersFile = this.roleFile(dir, 'handlers', (spec.handlers_from as string | undefined) ?? 'main');
    if (handlersFile) {
      const hnodes = this.taskFile(handlersFile, { ...rw, file: handlersFile, dir: dirname(handlersFile), handlers: true, inh: { ...rootInherited(), role } });
      role.handlers = hnodes;
    }
    return { nodes, role };
  }

  /** A role applied in a play (roles:, import_role, meta dependency): deduplicated like Ansible. */
  private roleTasks(name: string, spec: Raw, w: Where, loc: SourceLocation | undefined, explicit = false, chain: string[] = []): TaskNode[] {
    const roleInh = inherit(w.inh, { ...spec, vars: undefined });
    if (chain.includes(name)) {
      this.errors.push(new PlaybookError(`role dependency cycle: ${[...chain, name].join(' -> ')}`, { loc }));
      return [];
    }
    const key = `${name}|${JSON.stringify(Object.entries(spec).filter(([k]) => !['tags', 'when', 'role', 'name'].includes(k)))}`;
    if (!explicit && !spec.allow_duplicates && w.play.appliedRoles.has(key)) return [];
    w.play.appliedRoles.add(key);
    const loaded = this.loadRole(name, spec, { ...w, inh: roleInh }, loc, chain);
    if (!loaded) return [];
    w.play.roles.push(loaded.role);
    w.play.roleHandlers.push(...loaded.role.handlers);
    return loaded.nodes;
  }

  // ---- static checks -----------------------------------------------------------------------

  private checkConditions(raw: Raw): void {
    for (const key of ['when', 'changed_when', 'failed_when', 'until']) {
      for (const c of conditions(raw, key)) this.checkCondition(c);
    }
  }

  private checkCondition(c: Condition): void {
    if (typeof c.expr !== 'string') return;
    try {
      compileExpr(c.expr);
    } catch (err) {
      if (err instanceof GxError) {
        err.loc ??= c.loc;
        this.errors.push(err);
      } else throw err;
    }
  }

  /** Handlebars syntax errors are found now, not on the first host that renders the string. */
  private checkTemplates(value: unknown, parent: Raw, key: string): void {
    const walk = (v: unknown, owner: unknown, k: string | number): void => {
      if (typeof v === 'string') {
        if (!v.includes('{{') && !v.includes('{%')) return;
        const problem = templateSyntaxErrors(v);
        if (problem) this.errors.push(new TemplateError(`template syntax error: ${problem}`, { loc: locate(owner, k, 'value') }));
      } else if (Array.isArray(v)) v.forEach((x, i) => walk(x, v, i));
      else if (isObj(v)) for (const [kk, x] of Object.entries(v)) walk(x, v, kk);
    };
    walk(value, parent, key);
  }

  /** A `template:` task with a static src: the file's Handlebars syntax is checked now too. */
  private checkTemplateFile(action: string, args: unknown, raw: Raw, w: Where): void {
    if (action !== 'template' && action !== 'ansible.builtin.template') return;
    const src = isObj(args) ? args.src : undefined;
    if (typeof src !== 'string' || hasTemplate(src)) return;
    // the places the template module will look, in its order
    const search = { roleDir: w.inh.role?.dir, taskFile: w.file, playbookDir: w.play.topDir, templateDirs: this.opts.templateDirs };
    const file = searchCandidates(src, 'templates', search).find((p) => existsSync(p) && statSync(p).isFile());
    if (!file || !existsSync(file)) return; // the module reports a missing file with every place it looked
    const problem = templateSyntaxErrors(readFileSync(file, 'utf8'));
    if (!problem) return;
    const m = /line (\d+), col (\d+)/.exec(problem);
    const loc = m ? { file, line: Number(m[1]), col: Number(m[2]) } : locate(args, 'src', 'value') ?? locate(raw);
    this.errors.push(new TemplateError(`template syntax error in ${src}: ${problem}`, { loc }));
  }

  private checkNotify(play: CompiledPlay): void {
    const names = new Set<string>();
    const collect = (nodes: TaskNode[]): void => {
      for (const n of nodes) {
        if (n.kind !== 'task') continue;
        names.add(n.name);
        if (n.eff.role) names.add(`${n.eff.role.name} : ${n.name}`);
        for (const l of n.listen ?? []) names.add(l);
      }
    };
    collect(play.sections.handlers);
    const visit = (nodes: TaskNode[]): void => {
      for (const n of nodes) {
        if (n.kind === 'block') visit([...n.block, ...n.rescue, ...n.always]);
        else if (n.kind === 'include') visit(n.precompiled?.nodes ?? []);
        else
          for (const h of n.kw.notify ?? []) {
            if (hasTemplate(h) || names.has(h)) continue;
            const hint = didYouMean(h, names);
            this.errors.push(new PlaybookError(`notify: no handler named '${h}' in this play`, { loc: n.kw.notifyLoc ?? n.loc, hint }));
          }
      }
    };
    const s = play.sections;
    visit([...s.pre_tasks, ...s.tasks, ...s.post_tasks, ...s.handlers]);
  }
}
