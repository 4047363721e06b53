// Compiles playbooks, roles and task files into the executor's task trees. Everything static is
// loaded and validated here — imports, roles, role dependencies, statically named includes,
// template syntax, condition syntax, handler names — and every problem is collected, so nothing
// touches a host until the whole playbook is known to be valid.
//
// The Compiler holds the session (files parsed once, problems, ids) and wires the jobs together:
// plays.ts (playbooks, import_playbook, plays), tasks.ts (task lists, imports, includes, module
// tasks), roles.ts (finding and loading roles, dependencies, dedup), checks.ts (condition,
// template and notify checks); inherit.ts and tags.ts say how keywords and tags flow down.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ErrorList, GxError, PlaybookError } from '../errors.js';
import type { SourceLocation } from '../load/source.js';
import { looseBoolean } from '../load/module-args.js';
import { parseYamlFile } from '../load/yaml.js';
import type { CompileOptions, CompileSession, LoadedRole, PlayCtx, Raw, Where } from './context.js';
import { rootInherited } from './inherit.js';
import { compilePlaybookInto } from './plays.js';
import { loadRole, roleTasks } from './roles.js';
import { compileTaskFile, compileTaskList, includedInherited, resolveTaskFile } from './tasks.js';
import type { CompiledPlay, CompiledPlaybook, IncludeNode, RoleInstance, TaskNode } from './types.js';

export type { CompileOptions } from './context.js';

export class Compiler implements CompileSession {
  readonly errors: GxError[] = [];
  readonly warnings: GxError[] = [];
  readonly opts: CompileOptions;
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
    compilePlaybookInto(this, abs, plays, [], rootInherited(), []);
    if (this.errors.length) throw new ErrorList(this.errors);
    return { file: abs, dir: dirname(abs), plays };
  }

  /**
   * An include resolved at run time (templated name, or looped): compiled in the include's context.
   * Throws ErrorList; the executor fails the hosts that asked for it.
   */
  compileInclude(node: IncludeNode, target: string, roleOpts: IncludeNode['roleOpts'] = node.roleOpts): { nodes: TaskNode[]; role?: RoleInstance } {
    const key = `${node.id}\u0000${target}\u0000${JSON.stringify(roleOpts ?? {})}`;
    const cached = this.includeCache.get(key);
    if (cached) return cached;
    const before = this.errors.length;
    const play: PlayCtx = { roleHandlers: [], appliedRoles: new Set(), roles: [], topDir: node.playDir ?? node.baseDir };
    const w: Where = { file: node.loc?.file ?? join(node.baseDir, 'include'), dir: node.baseDir, inh: includedInherited(node.eff, node.apply), play, stack: [] };
    let out: { nodes: TaskNode[]; role?: RoleInstance };
    if (node.what === 'role') {
      const r = this.loadRole(target, { tasks_from: roleOpts?.tasksFrom, vars_from: roleOpts?.varsFrom, defaults_from: roleOpts?.defaultsFrom, handlers_from: roleOpts?.handlersFrom }, w, node.loc);
      if (r) r.role.public = looseBoolean(node.roleOpts?.public) === true;
      out = r ? { nodes: r.nodes, role: r.role } : { nodes: [] };
    } else {
      out = { nodes: this.taskFile(resolveTaskFile(target, w), w, node.loc) };
    }
    const errs = this.errors.splice(before);
    if (errs.length) throw new ErrorList(errs);
    this.includeCache.set(key, out);
    return out;
  }

  // ---- the session: files parsed once, problems collected, ids ------------------------------

  load(file: string, loc?: SourceLocation): unknown {
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

  nextId(loc: SourceLocation | undefined): string {
    this.ids += 1;
    return loc ? `${loc.file}:${loc.line}:${loc.col}#${this.ids}` : `task#${this.ids}`;
  }

  // ---- the jobs, reached through the session ------------------------------------------------

  taskList(list: unknown, w: Where): TaskNode[] {
    return compileTaskList(this, list, w);
  }

  taskFile(file: string, w: Where, loc?: SourceLocation): TaskNode[] {
    return compileTaskFile(this, file, w, loc);
  }

  loadRole(name: string, spec: Raw, w: Where, loc: SourceLocation | undefined, chain: string[] = []): LoadedRole | undefined {
    return loadRole(this, name, spec, w, loc, chain);
  }

  roleTasks(name: string, spec: Raw, w: Where, loc: SourceLocation | undefined, explicit = false, chain: string[] = []): TaskNode[] {
    return roleTasks(this, name, spec, w, loc, explicit, chain);
  }
}
