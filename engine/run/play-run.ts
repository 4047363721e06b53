// One play on one serial batch of hosts: sections, blocks, includes, handlers, strategies and the
// play-wide failure rules (any_errors_fatal, max_fail_percentage, all hosts failed).
import type { BlockNode, CompiledPlay, IncludeNode, ModuleTask, RoleInstance, TaskNode, Vars } from '../compile/types.js';
import { hasSelected } from '../compile/tags.js';
import { firstTaskConnects, preopenConnections } from '../connect/preopen.js';
import { searchPathOf } from './search-path.js';
import { ErrorList, GxError } from '../errors.js';
import { keywordBool } from './keyword-values.js';
import { evaluateCondition } from '../vars/expr.js';
import { hasTemplate, renderValue, type Where } from '../vars/template.js';
import { SECRET_NAME } from '../report/redact.js';
import { isUnknown } from '../vars/unknown.js';
import type { RunContext } from './context.js';
import { HostState } from './host-state.js';
import type { ItemOutcome } from './results.js';
import { PlayScope } from './scope-builder.js';
import { PlayKeywords } from './play-keywords.js';
import { TaskRunner } from './task-runner.js';
import { markOpaque } from './lazy-scope.js';
import { hasLoop, loopItems, loopVarNames } from './loop-items.js';
import { gatherTask, hasGathered, isGatherTask, markGathered, mentionsVariables, readsMissingFacts, templateFileNames } from './fact-gathering.js';

export class PlayRun {
  readonly ctx: RunContext;
  readonly play: CompiledPlay;
  readonly scope: PlayScope;
  /** play keywords that may be templates (strategy, serial, max_fail_percentage, force_handlers) */
  readonly keywords: PlayKeywords;
  private readonly tasks: TaskRunner;
  private readonly handlers: ModuleTask[] = [];
  private readonly handlerIndex = new Map<string, ModuleTask[]>();
  private readonly handlerOwnNames = new Set<string>();
  private readonly notified = new Map<string, Set<string>>();
  private readonly secretNames: Set<string>;
  endPlay = false;
  /** counts meta: clear_host_errors, so a block's always section can tell one ran inside it */
  private clearEpoch = 0;
  /** any_errors_fatal or max_fail_percentage stopped the play: Ansible then ends the whole run */
  failedOut = false;
  /** meta: end_batch, until the next serial batch */
  private endBatch = false;
  private batch: string[] = [];
  private batchSize = 0;

  constructor(ctx: RunContext, play: CompiledPlay, playHosts: string[]) {
    this.ctx = ctx;
    this.play = play;
    this.scope = new PlayScope(ctx, play, playHosts);
    this.keywords = new PlayKeywords(ctx, play, this.scope);
    this.tasks = new TaskRunner(this);
    this.secretNames = new Set(play.secrets);
    this.addHandlers(play.sections.handlers);
  }

  state(host: string): HostState {
    const s = this.ctx.hosts.get(host);
    if (!s) throw new GxError('internal', `no state for host ${host}`);
    return s;
  }

  isSecretName(name: string): boolean {
    return this.secretNames.has(name) || SECRET_NAME.test(name);
  }

  private addHandlers(nodes: TaskNode[]): void {
    for (const h of nodes) {
      if (h.kind !== 'task' || this.handlers.includes(h)) continue;
      this.handlers.push(h);
      // a handler's own name (or role-qualified name) answers only for the first handler that has it, as in
      // Ansible (a second handler of the same name never runs by name); every listen topic reaches all its listeners
      const own = [h.name, ...(h.eff.role ? [`${h.eff.role.name} : ${h.name}`] : [])].filter((n) => !this.handlerOwnNames.has(n));
      for (const n of own) this.handlerOwnNames.add(n);
      const names = new Set([...own, ...(h.listen ?? [])]);
      for (const n of names) this.handlerIndex.set(n, [...(this.handlerIndex.get(n) ?? []), h]);
    }
  }

  /**
   * add_host, group_by: the inventory learns the host now; plays compiled later target it by pattern.
   * Changed when the host, one of its groups or one of its variables is new (the strategy's
   * _add_host/_add_group, plugins/strategy/__init__.py v2.14).
   */
  addHost(name: string, groups: string[], vars: Record<string, unknown>, parents?: string[]): boolean {
    const before = this.ctx.inventory.host(name);
    const was = before && { groups: [...before.groups], vars: JSON.stringify(before.vars) };
    const after = this.ctx.inventory.addHost(name, groups, vars, parents);
    const changed = !was || after.groups.some((g) => !was.groups.includes(g)) || JSON.stringify(after.vars) !== was.vars;
    if (changed) this.scope.refreshGroups();
    if (!this.ctx.hosts.has(name)) this.ctx.hosts.set(name, new HostState(name));
    this.ctx.bus.counter.touch(name);
    return changed;
  }

  notify(task: ModuleTask, host: string): void {
    for (const raw of task.kw.notify ?? []) {
      const name = hasTemplate(raw) ? String(renderValue(raw, this.scope.forTask(host, task), { host, task: task.name, loc: task.loc })) : raw;
      const matches = this.handlerIndex.get(name) ?? [];
      if (matches.length === 0) {
        this.ctx.bus.emit({ type: 'warning', msg: `notify: no handler named '${name}'`, host, loc: task.loc, time: Date.now() });
      }
      for (const h of matches) {
        let set = this.notified.get(h.id);
        if (!set) this.notified.set(h.id, (set = new Set()));
        set.add(host);
      }
    }
  }

  /** Registers every secret variable's value with the redactor before anything is printed. */
  private registerSecrets(hosts: string[]): void {
    for (const host of hosts) {
      const level = this.scope.hostLevel(host);
      const scope = this.scope.forTask(host, undefined);
      for (const key of Object.keys(level)) {
        if (!this.isSecretName(key)) continue;
        try {
          const v = scope[key];
          if (typeof v === 'string' || typeof v === 'number') this.ctx.bus.secret(String(v));
        } catch {
          // a secret that cannot be rendered yet is registered when a task renders it
        }
      }
    }
  }

  // ---- batches and sections ----------------------------------------------------------------

  /**
   * Runs one serial batch: `batch` are its hosts still in the play; `size` counts the batch as
   * Ansible cuts it, hosts that failed in earlier plays included (max_fail_percentage divides by it).
   */
  async runBatch(batch: string[], size = batch.length): Promise<void> {
    this.batch = batch;
    this.batchSize = size;
    this.endBatch = false;
    this.scope.batch = batch;
    this.registerSecrets(batch);
    // the batch's connections open now, all at once, not inside the first task (issue 16)
    if (firstTaskConnects(this.play, this.ctx.modules)) void preopenConnections(this.ctx.connections, batch, (h) => this.scope.forTask(h, undefined), this.ctx.settings.forks);
    if (this.play.gatherFacts === true) await this.gatherFacts(batch);
    const sections: (keyof CompiledPlay['sections'])[] = ['pre_tasks', 'tasks', 'post_tasks'];
    for (const s of sections) {
      if (this.stopped || this.ctx.signal.aborted) break;
      await this.runSection(this.play.sections[s], batch);
      if (this.ctx.signal.aborted) break;
      await this.flushHandlers(batch);
    }
    if (this.keywords.forceHandlers() || this.ctx.settings.forceHandlers) await this.flushHandlers(batch, true);
  }

  /** end_play or end_batch: nothing more runs in this batch */
  private get stopped(): boolean {
    return this.endPlay || this.endBatch;
  }

  private active(hosts: string[]): string[] {
    return hosts.filter((h) => this.state(h).active);
  }

  private async runSection(nodes: TaskNode[], hosts: string[]): Promise<void> {
    if (this.keywords.strategy() === 'free') {
      // every host walks the list at its own pace; forks still bound the work in flight
      await Promise.all(this.active(hosts).map((h) => this.runNodes(nodes, [h], false)));
    } else {
      await this.runNodes(nodes, hosts, false);
    }
  }

  async runNodes(nodes: TaskNode[], hosts: string[], rescuable: boolean): Promise<void> {
    for (const node of nodes) {
      if (this.stopped || this.ctx.signal.aborted) return;
      const live = this.active(hosts);
      if (live.length === 0) return;
      if (!hasSelected(node, this.ctx.settings.tags)) continue;
      switch (node.kind) {
        case 'task':
          if (!this.ctx.started) {
            if (!matchesStart(node.name, this.ctx.settings.startAtTask)) continue;
            this.ctx.started = true;
          }
          await this.runTask(node, live, rescuable);
          break;
        case 'block':
          await this.runBlock(node, live, rescuable);
          break;
        case 'include':
          await this.runInclude(node, live, rescuable);
          break;
      }
    }
  }

  private async runBlock(b: BlockNode, hosts: string[], rescuable: boolean): Promise<void> {
    const hasRescue = b.rescue.length > 0;
    await this.runNodes(b.block, hosts, rescuable || hasRescue);
    const failed = hosts.filter((h) => this.state(h).failed && !this.state(h).unreachable);
    let stillFailed = failed;
    if (hasRescue && failed.length > 0 && !this.stopped) {
      for (const h of failed) this.state(h).failed = false;
      await this.runNodes(b.rescue, failed, rescuable);
      stillFailed = failed.filter((h) => this.state(h).failed);
    }
    if (b.always.length > 0 && !this.ctx.signal.aborted) {
      // always runs for hosts that failed in the block too; they stay failed afterwards
      for (const h of stillFailed) this.state(h).failed = false;
      const epoch = this.clearEpoch;
      await this.runNodes(b.always, hosts.filter((h) => !this.state(h).unreachable && !this.state(h).ended), rescuable);
      // meta: clear_host_errors in always clears the block's failure too: the host goes on after it
      if (this.clearEpoch === epoch) for (const h of stillFailed) this.state(h).failed = true;
      else for (const h of stillFailed) this.ctx.bus.counter.forgive(h);
    }
  }

  private async runInclude(node: IncludeNode, hosts: string[], rescuable: boolean): Promise<void> {
    const { ctx } = this;
    const before = await this.factsBefore(node, hosts);
    hosts = before.hosts;
    if (hosts.length === 0) return;
    const started = Date.now();
    ctx.bus.emit({ type: 'task.start', id: node.id, name: node.name, module: node.what === 'role' ? 'include_role' : 'include_tasks', handler: false, loc: node.loc, hosts, time: started });
    const groups = new Map<string, { nodes: TaskNode[]; role?: RoleInstance; hosts: string[]; layer: Vars }>();
    for (const host of hosts) {
      const where: Where = { host, task: node.name, loc: node.loc };
      try {
        const scope = before.scopes?.get(host) ?? this.scope.forTask(host, node);
        const cond = node.eff.when.every((c) => {
          const v = evaluateCondition(c.expr, scope, { ...where, loc: c.loc ?? node.loc });
          return isUnknown(v) || v === true;
        });
        if (!cond) {
          ctx.bus.emit({ type: 'host.result', taskId: node.id, result: { host, status: 'skipped', skipReason: 'Conditional result was False', durationMs: 0 }, time: Date.now() });
          if (node.kw.register) this.state(host).facts[node.kw.register] = markOpaque({ changed: false, skipped: true, skip_reason: 'Conditional result was False' });
          continue;
        }
        const looped = hasLoop(node.kw);
        const got = looped ? loopItems(node.kw, scope, where, searchPathOf(node, this.play.dir, this.ctx.settings.templateDirs)) : [undefined];
        const items: unknown[] = isUnknown(got) ? [] : got;
        const { loopVar, indexVar } = looped ? loopVarNames(node.kw, scope, where) : { loopVar: 'item', indexVar: undefined };
        const registered: Vars[] = [];
        items.forEach((item, i) => {
          const layer: Vars = { ...node.vars };
          if (looped) {
            layer[loopVar] = item;
            layer.ansible_loop_var = loopVar;
            layer.ansible_loop = { index: i + 1, index0: i, first: i === 0, last: i === items.length - 1, length: items.length, revindex: items.length - i, revindex0: items.length - i - 1, ...(i > 0 ? { previtem: items[i - 1] } : {}), ...(i < items.length - 1 ? { nextitem: items[i + 1] } : {}), allitems: items };
            if (indexVar) layer[indexVar] = i;
          }
          const itemScope = looped ? this.scope.forTask(host, node, layer) : scope;
          const target = String(renderValue(node.target, itemScope, where));
          // Ansible 2.14's registered include result: include and include_args (the include's own arguments, not its vars)
          registered.push(looped ? { include: target, include_args: {}, [loopVar]: item, ansible_loop_var: loopVar } : { changed: false, include: target, include_args: {} });
          // include_role's tasks_from/vars_from/… may be templates too
          const roleOpts = node.roleOpts ? (renderValue(node.roleOpts, itemScope, where) as IncludeNode['roleOpts']) : undefined;
          const key = `${target}\u0000${looped ? JSON.stringify(item) : ''}\u0000${roleOpts ? JSON.stringify(roleOpts) : ''}`;
          let g = groups.get(key);
          if (!g) {
            const compiled = node.precompiled && !looped ? node.precompiled : ctx.compiler.compileInclude(node, target, roleOpts);
            g = { nodes: compiled.nodes, role: compiled.role, hosts: [], layer };
            groups.set(key, g);
          }
          g.hosts.push(host);
        });
        if (node.kw.register) this.state(host).facts[node.kw.register] = markOpaque(looped ? { changed: false, msg: 'All items completed', results: registered, skipped: false } : registered[0]!);
        if (looped && items.length === 0) {
          ctx.bus.emit({ type: 'host.result', taskId: node.id, result: { host, status: 'skipped', skipReason: 'No items in the list', durationMs: Date.now() - started }, time: Date.now() });
        }
        // one result per file included (per loop item), as Ansible counts each included file as ok;
        // an included role is neither shown nor counted (Ansible expands it outside its stats)
        const silent = node.what === 'role' || undefined;
        for (const r of registered) {
          ctx.bus.emit({ type: 'host.result', taskId: node.id, result: { host, status: 'ok', msg: `included: ${String(r.include)}`, silent, durationMs: Date.now() - started }, time: Date.now() });
        }
      } catch (err) {
        const msg = err instanceof ErrorList ? err.errors.map((e) => e.message).join('; ') : err instanceof Error ? err.message : String(err);
        // ignore_errors covers an include that could not be expanded, as any other failure
        const ignored = this.includeIgnoresErrors(node, host);
        if (!ignored) this.state(host).failed = true;
        // what `register` holds for an include that could not run: Ansible's failed result
        if (node.kw.register) this.state(host).facts[node.kw.register] = markOpaque({ changed: false, failed: true, msg });
        ctx.bus.emit({ type: 'host.result', taskId: node.id, result: { host, status: 'failed', msg, ignored: ignored || undefined, rescued: (!ignored && rescuable) || undefined, durationMs: Date.now() - started }, time: Date.now() });
      }
    }
    ctx.bus.emit({ type: 'task.end', id: node.id, durationMs: Date.now() - started, time: Date.now() });
    for (const g of groups.values()) {
      if (g.role) {
        this.addHandlers(g.role.handlers);
        // an included role joins the play's roles, as Ansible's include_role appends to play.roles
        if (!g.role.dependency) this.scope.roleNames.direct.add(g.role.name);
        // include_role with public: true shows its defaults and vars to the rest of the play, as Ansible appends it to play.roles
        if (g.role.public && !this.play.roles.includes(g.role)) this.play.roles.push(g.role);
      }
      const nodes = Object.keys(g.layer).length ? withLayer(g.nodes, g.layer) : g.nodes;
      await this.runNodes(nodes, g.hosts, rescuable);
    }
  }

  private includeIgnoresErrors(node: IncludeNode, host: string): boolean {
    if (node.eff.ignoreErrors === undefined) return false;
    try {
      const v = keywordBool(node.eff.ignoreErrors, { scope: this.scope.forTask(host, node), where: { host, task: node.name, loc: node.loc }, omit: this.ctx.omit }, 'ignore_errors');
      return v === true;
    } catch {
      return false;
    }
  }

  // ---- each task and what follows it --------------------------------------------------------

  private async runTask(task: ModuleTask, hosts: string[], rescuable: boolean): Promise<void> {
    const before = await this.factsBefore(task, hosts);
    hosts = before.hosts;
    if (hosts.length === 0) return;
    const { targets, results } = await this.tasks.run(task, hosts, rescuable, before.scopes);
    await this.afterTask(task, targets, results, rescuable);
  }

  // ---- facts (fact-gathering.ts) -------------------------------------------------------------

  /** The play's "Gathering Facts" task on the active `hosts`; each is gathered once, whatever the result. */
  private async gatherFacts(hosts: string[]): Promise<void> {
    const live = this.active(hosts);
    if (live.length === 0) return;
    for (const h of live) markGathered(this.state(h));
    const task = gatherTask(this.play);
    const { targets, results } = await this.tasks.run(task, live, false);
    await this.afterTask(task, targets, results, false);
  }

  /**
   * Without gather_facts: gathers on the hosts where `node` reads a fact they lack; gives `hosts`
   * minus those the gathering failed, and the scopes it built to look, for the task to start
   * from (issue 16: building every host's scope twice per task was ~0.15-0.2 ms of CPU per task
   * and host). A host that gathered gets none: its facts changed. Like Ansible's task variables,
   * a scope is the host's as the task starts.
   */
  private async factsBefore(node: TaskNode, hosts: string[]): Promise<{ hosts: string[]; scopes?: Map<string, Vars> }> {
    if (this.play.gatherFacts !== undefined || isGatherTask(node) || !mentionsVariables(node)) return { hosts };
    const fromFile = await templateFileNames(node, searchPathOf(node, this.play.dir, this.ctx.settings.templateDirs));
    const scopes = new Map<string, Vars>();
    const need = hosts.filter((h) => {
      if (hasGathered(this.state(h)) || !this.state(h).active) return false;
      try {
        const scope = this.scope.forTask(h, node);
        scopes.set(h, scope);
        return readsMissingFacts(node, scope, fromFile);
      } catch {
        return false; // the task itself will report what is wrong with its scope
      }
    });
    if (need.length === 0) return { hosts, scopes };
    for (const h of need) scopes.delete(h);
    await this.gatherFacts(need);
    return { hosts: hosts.filter((h) => !need.includes(h) || this.state(h).active), scopes };
  }

  private async afterTask(task: ModuleTask, hosts: string[], results: ItemOutcome[], rescuable: boolean): Promise<void> {
    const controls = new Set(results.map((r) => r.control).filter(Boolean));
    if (controls.has('end_host')) results.forEach((r, i) => r.control === 'end_host' && (this.state(hosts[i]!).ended = true));
    if (controls.has('reset_connection') && this.ctx.connections.reset) {
      for (const [i, r] of results.entries()) if (r.control === 'reset_connection') await this.ctx.connections.reset(hosts[i]!);
    }
    if (controls.has('clear_host_errors')) {
      // Ansible (strategy _execute_meta, play_iterator.clear_host_errors at v2.17.5) clears the
      // failed and unreachable hosts of the play: they are not failed for the run any more, yet a
      // host that failed outside a block is done with this play; it comes back in the next one
      this.clearEpoch++;
      for (const h of this.scope.playHosts) {
        const st = this.state(h);
        if (st.failed || st.unreachable) {
          st.cleared = true;
          this.ctx.bus.counter.forgive(h);
        }
      }
    }
    if (controls.has('end_play')) this.endPlay = true;
    if (controls.has('end_batch')) this.endBatch = true;
    if (controls.has('flush_handlers')) await this.flushHandlers(this.batch);

    const failedNow = results.some((r) => (r.status === 'failed' || r.status === 'unreachable') && !r.ignored);
    // a failure a rescue section will handle is not fatal to the play
    if (failedNow && !rescuable && this.anyErrorsFatal(task, hosts)) this.endPlay = this.failedOut = true;
    const maxFail = this.keywords.maxFailPercentage();
    if (maxFail !== undefined && this.batchSize > 0) {
      const down = this.batch.filter((h) => this.state(h).failed || this.state(h).unreachable).length;
      if ((down / this.batchSize) * 100 > maxFail) this.endPlay = this.failedOut = true;
    }
  }

  /** any_errors_fatal as the first host renders it; one that cannot be decided stops the play (the safe side). */
  private anyErrorsFatal(task: ModuleTask, hosts: string[]): boolean {
    if (task.eff.anyErrorsFatal === undefined || hosts.length === 0) return this.play.anyErrorsFatal;
    try {
      return this.tasks.kwBool(task, hosts[0]!, 'anyErrorsFatal') ?? this.play.anyErrorsFatal;
    } catch {
      return true;
    }
  }

  async flushHandlers(hosts: string[], force = false): Promise<void> {
    const allowFailed = force || this.keywords.forceHandlers() || this.ctx.settings.forceHandlers;
    for (let pass = 0; pass < 10; pass++) {
      let ran = false;
      for (const h of this.handlers) {
        const set = this.notified.get(h.id);
        if (!set || set.size === 0) continue;
        const targets = hosts.filter((x) => set.has(x) && (this.state(x).active || (allowFailed && !this.state(x).unreachable)));
        if (targets.length === 0) continue;
        for (const x of targets) set.delete(x);
        ran = true;
        await this.runTask(h, targets, false);
        if (this.ctx.signal.aborted) return;
      }
      if (!ran) return;
    }
  }
}

function matchesStart(name: string, start: string | undefined): boolean {
  if (!start) return true;
  return name === start || (start.includes('*') && new RegExp(`^${start.split('*').map(escapeRe).join('.*')}$`).test(name));
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Included tasks see the include's vars (and loop item) as an extra layer. */
function withLayer(nodes: TaskNode[], layer: Vars): TaskNode[] {
  return nodes.map((n) => {
    const eff = { ...n.eff, vars: [layer, ...n.eff.vars] };
    if (n.kind === 'block') return { ...n, eff, block: withLayer(n.block, layer), rescue: withLayer(n.rescue, layer), always: withLayer(n.always, layer) };
    if (n.kind === 'include' && n.precompiled) return { ...n, eff, precompiled: { ...n.precompiled, nodes: withLayer(n.precompiled.nodes, layer) } };
    return { ...n, eff };
  });
}
