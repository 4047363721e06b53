// One play on one serial batch of hosts: sections, blocks, includes, handlers, strategies and the
// play-wide failure rules (any_errors_fatal, max_fail_percentage, all hosts failed).
import type { BlockNode, CompiledPlay, IncludeNode, ModuleTask, RoleInstance, TaskNode, Vars } from '../compile/types.js';
import { hasSelected } from '../compile/tags.js';
import { firstTaskConnects, preopenConnections } from '../connect/preopen.js';
import { ErrorList, GxError } from '../errors.js';
import { evaluateCondition } from '../vars/expr.js';
import { renderValue, type Where } from '../vars/template.js';
import { SECRET_NAME } from '../report/redact.js';
import { isUnknown } from '../vars/unknown.js';
import type { RunContext } from './context.js';
import { HostState } from './host-state.js';
import type { ItemOutcome } from './results.js';
import { PlayScope } from './scope-builder.js';
import { TaskRunner } from './task-runner.js';

export class PlayRun {
  readonly ctx: RunContext;
  readonly play: CompiledPlay;
  readonly scope: PlayScope;
  private readonly tasks: TaskRunner;
  private readonly handlers: ModuleTask[] = [];
  private readonly handlerIndex = new Map<string, ModuleTask[]>();
  private readonly notified = new Map<string, Set<string>>();
  private readonly secretNames: Set<string>;
  endPlay = false;
  private batch: string[] = [];

  constructor(ctx: RunContext, play: CompiledPlay, playHosts: string[]) {
    this.ctx = ctx;
    this.play = play;
    this.scope = new PlayScope(ctx, play, playHosts);
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
      const names = new Set([h.name, ...(h.listen ?? [])]);
      if (h.eff.role) names.add(`${h.eff.role.name} : ${h.name}`);
      for (const n of names) this.handlerIndex.set(n, [...(this.handlerIndex.get(n) ?? []), h]);
    }
  }

  /** add_host: the inventory learns the host now; plays compiled later target it by pattern. */
  addHost(name: string, groups: string[], vars: Record<string, unknown>): void {
    this.ctx.inventory.addHost(name, groups, vars);
    if (!this.ctx.hosts.has(name)) this.ctx.hosts.set(name, new HostState(name));
    this.ctx.bus.counter.touch(name);
  }

  notify(task: ModuleTask, host: string): void {
    for (const raw of task.kw.notify ?? []) {
      const name = raw.includes('{{') ? String(renderValue(raw, this.scope.forTask(host, task), { host, task: task.name, loc: task.loc })) : raw;
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

  async runBatch(batch: string[]): Promise<void> {
    this.batch = batch;
    this.scope.batch = batch;
    this.registerSecrets(batch);
    // the batch's connections open now, all at once, not inside the first task (issue 16)
    if (firstTaskConnects(this.play, this.ctx.modules)) void preopenConnections(this.ctx.connections, batch, (h) => this.scope.forTask(h, undefined), this.ctx.settings.forks);
    const sections: (keyof CompiledPlay['sections'])[] = ['pre_tasks', 'tasks', 'post_tasks'];
    for (const s of sections) {
      if (this.endPlay || this.ctx.signal.aborted) break;
      await this.runSection(this.play.sections[s], batch);
      if (this.ctx.signal.aborted) break;
      await this.flushHandlers(batch);
    }
    if (this.play.forceHandlers || this.ctx.settings.forceHandlers) await this.flushHandlers(batch, true);
  }

  private active(hosts: string[]): string[] {
    return hosts.filter((h) => this.state(h).active);
  }

  private async runSection(nodes: TaskNode[], hosts: string[]): Promise<void> {
    if (this.play.strategy === 'free') {
      // every host walks the list at its own pace; forks still bound the work in flight
      await Promise.all(this.active(hosts).map((h) => this.runNodes(nodes, [h], false)));
    } else {
      await this.runNodes(nodes, hosts, false);
    }
  }

  async runNodes(nodes: TaskNode[], hosts: string[], rescuable: boolean): Promise<void> {
    for (const node of nodes) {
      if (this.endPlay || this.ctx.signal.aborted) return;
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
    if (hasRescue && failed.length > 0 && !this.endPlay) {
      for (const h of failed) this.state(h).failed = false;
      await this.runNodes(b.rescue, failed, rescuable);
      stillFailed = failed.filter((h) => this.state(h).failed);
    }
    if (b.always.length > 0 && !this.ctx.signal.aborted) {
      // always runs for hosts that failed in the block too; they stay failed afterwards
      for (const h of stillFailed) this.state(h).failed = false;
      await this.runNodes(b.always, hosts.filter((h) => !this.state(h).unreachable && !this.state(h).ended), rescuable);
      for (const h of stillFailed) this.state(h).failed = true;
    }
  }

  private async runInclude(node: IncludeNode, hosts: string[], rescuable: boolean): Promise<void> {
    const { ctx } = this;
    const started = Date.now();
    ctx.bus.emit({ type: 'task.start', id: node.id, name: node.name, module: node.what === 'role' ? 'include_role' : 'include_tasks', handler: false, loc: node.loc, hosts, time: started });
    const groups = new Map<string, { nodes: TaskNode[]; role?: RoleInstance; hosts: string[]; layer: Vars }>();
    for (const host of hosts) {
      const where: Where = { host, task: node.name, loc: node.loc };
      try {
        const scope = this.scope.forTask(host, node);
        const cond = node.eff.when.every((c) => {
          const v = evaluateCondition(c.expr, scope, { ...where, loc: c.loc ?? node.loc });
          return isUnknown(v) || v === true;
        });
        if (!cond) {
          ctx.bus.emit({ type: 'host.result', taskId: node.id, result: { host, status: 'skipped', skipReason: 'Conditional result was False', durationMs: 0 }, time: Date.now() });
          continue;
        }
        const hasLoop = node.kw.loop !== undefined || node.kw.withItems !== undefined;
        const items: unknown[] = hasLoop ? toList(renderValue(node.kw.loop ?? node.kw.withItems, scope, where)) : [undefined];
        const loopVar = node.kw.loopControl?.loop_var ?? 'item';
        items.forEach((item, i) => {
          const layer: Vars = { ...node.vars };
          if (hasLoop) {
            layer[loopVar] = item;
            layer.ansible_loop_var = loopVar;
            if (node.kw.loopControl?.index_var) layer[node.kw.loopControl.index_var] = i;
          }
          const itemScope = hasLoop ? this.scope.forTask(host, node, layer) : scope;
          const target = String(renderValue(node.target, itemScope, where));
          const key = `${target}\u0000${hasLoop ? JSON.stringify(item) : ''}`;
          let g = groups.get(key);
          if (!g) {
            const compiled = node.precompiled && !hasLoop ? node.precompiled : ctx.compiler.compileInclude(node, target);
            g = { nodes: compiled.nodes, role: compiled.role, hosts: [], layer };
            groups.set(key, g);
          }
          g.hosts.push(host);
        });
        ctx.bus.emit({ type: 'host.result', taskId: node.id, result: { host, status: 'ok', msg: `included: ${String(node.target)}`, durationMs: Date.now() - started }, time: Date.now() });
      } catch (err) {
        const msg = err instanceof ErrorList ? err.errors.map((e) => e.message).join('; ') : err instanceof Error ? err.message : String(err);
        this.state(host).failed = true;
        ctx.bus.emit({ type: 'host.result', taskId: node.id, result: { host, status: 'failed', msg, rescued: rescuable || undefined, durationMs: Date.now() - started }, time: Date.now() });
      }
    }
    ctx.bus.emit({ type: 'task.end', id: node.id, durationMs: Date.now() - started, time: Date.now() });
    for (const g of groups.values()) {
      if (g.role) this.addHandlers(g.role.handlers);
      const nodes = Object.keys(g.layer).length ? withLayer(g.nodes, g.layer) : g.nodes;
      await this.runNodes(nodes, g.hosts, rescuable);
    }
  }

  // ---- each task and what follows it --------------------------------------------------------

  private async runTask(task: ModuleTask, hosts: string[], rescuable: boolean): Promise<void> {
    const { targets, results } = await this.tasks.run(task, hosts, rescuable);
    await this.afterTask(task, targets, results, rescuable);
  }

  private async afterTask(task: ModuleTask, hosts: string[], results: ItemOutcome[], rescuable: boolean): Promise<void> {
    const controls = new Set(results.map((r) => r.control).filter(Boolean));
    if (controls.has('end_host')) results.forEach((r, i) => r.control === 'end_host' && (this.state(hosts[i]!).ended = true));
    if (controls.has('clear_host_errors')) for (const h of this.batch) this.state(h).failed = false;
    if (controls.has('end_play')) this.endPlay = true;
    if (controls.has('flush_handlers')) await this.flushHandlers(this.batch);

    const failedNow = results.some((r) => (r.status === 'failed' && !r.ignored) || r.status === 'unreachable');
    // a failure a rescue section will handle is not fatal to the play
    if (failedNow && (task.eff.anyErrorsFatal ?? this.play.anyErrorsFatal) && !rescuable) this.endPlay = true;
    if (this.play.maxFailPercentage !== undefined && this.batch.length > 0) {
      const down = this.batch.filter((h) => this.state(h).failed || this.state(h).unreachable).length;
      if ((down / this.batch.length) * 100 > this.play.maxFailPercentage) this.endPlay = true;
    }
  }

  async flushHandlers(hosts: string[], force = false): Promise<void> {
    const allowFailed = force || this.play.forceHandlers || this.ctx.settings.forceHandlers;
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

function toList(v: unknown): unknown[] {
  if (Array.isArray(v)) return v;
  if (v === undefined || v === null) return [];
  return [v];
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
