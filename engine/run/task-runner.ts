// One module task on a set of hosts: conditions, loops, argument rendering, the module's plan and
// apply, until/retries, changed_when/failed_when, register, notify, and the events for all of it.
// A host's failure is a result; only bugs throw out of here.
import PQueue from 'p-queue';
import type { ModuleDefinition } from '../module-contract.js';
import type { ModuleTask, Vars } from '../compile/types.js';
import { ConnectionError, GxError } from '../errors.js';
import { formatLocation } from '../load/source.js';
import { sleep } from '../sleep.js';
import { executeModule, type ExecuteContext, type ModuleOutcome } from './execute-module.js';
import { evaluateCondition } from '../vars/expr.js';
import { hasTemplate, renderString, renderTemplateFile, renderValue, templateLoader, type Where } from '../vars/template.js';
import { isUnknown, UNKNOWN } from '../vars/unknown.js';
import type { HostResult } from '../report/events.js';
import { taskConnection } from '../connect/task-connection.js';
import { aggregate, statusOf, type ItemOutcome } from './results.js';
import { findFile } from '../load/find-file.js';
import type { RunContext } from './context.js';
import type { HostState } from './host-state.js';

function truthy(v: unknown): boolean {
  if (typeof v === 'string') return ['true', 'yes', 'on', '1', 'y'].includes(v.toLowerCase());
  return Boolean(v);
}

/** Conditions as a list, AND-ed; Unknown in check mode means "would run, maybe". */
function check(conds: { expr: unknown; loc?: Where['loc'] }[], scope: Vars, where: Where): boolean | 'unknown' {
  let unknown = false;
  for (const c of conds) {
    const v = evaluateCondition(c.expr, scope, { ...where, loc: c.loc ?? where.loc });
    if (isUnknown(v)) unknown = true;
    else if (!v) return false;
  }
  return unknown ? 'unknown' : true;
}

function stripOmit(v: unknown, omit: string): unknown {
  if (Array.isArray(v)) return v.filter((x) => x !== omit).map((x) => stripOmit(x, omit));
  if (v && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (x !== omit) out[k] = stripOmit(x, omit);
    return out;
  }
  return v;
}

function envOf(layers: unknown[], scope: Vars, where: Where): Record<string, string> | undefined {
  if (layers.length === 0) return undefined;
  const env: Record<string, string> = {};
  for (const layer of layers) {
    const r = renderValue(layer, scope, { ...where, what: 'environment' });
    if (r && typeof r === 'object') for (const [k, v] of Object.entries(r)) env[k] = String(v);
  }
  return env;
}

/** Strings of a no_log task's values become secrets: they must not surface later either. */
function secretLeaves(v: unknown, add: (s: string) => void, depth = 0): void {
  if (depth > 6) return;
  if (typeof v === 'string') {
    if (v.length >= 6) add(v);
  } else if (Array.isArray(v)) v.forEach((x) => secretLeaves(x, add, depth + 1));
  else if (v && typeof v === 'object') for (const x of Object.values(v)) secretLeaves(x, add, depth + 1);
}

/** What a TaskRunner needs of the play it runs in (PlayRun is one). */
export interface TaskPlay {
  readonly ctx: RunContext;
  /** the play's directory: files and templates are looked up from there */
  readonly play: { readonly dir: string };
  /** the variables a task sees on a host (with loop variables or a registered result as `extra`) */
  readonly scope: { forTask(host: string, task: ModuleTask | undefined, extra?: Vars): Vars };
  state(host: string): HostState;
  notify(task: ModuleTask, host: string): void;
  /** add_host: the inventory learns a host for later plays */
  addHost(name: string, groups: string[], vars: Record<string, unknown>): void;
  isSecretName(name: string): boolean;
}

/** What a task did on the hosts it ran on (one outcome per target, in order). */
export interface TaskOutcomes {
  targets: string[];
  results: ItemOutcome[];
}

export class TaskRunner {
  private readonly pr: TaskPlay;

  constructor(pr: TaskPlay) {
    this.pr = pr;
  }

  /** Runs `task` on `hosts` (linear: all of them before returning). */
  async run(task: ModuleTask, hosts: string[], rescuable: boolean): Promise<TaskOutcomes> {
    const { ctx } = this.pr;
    const start = Date.now();
    const def = ctx.modules.get(task.module);
    const runOnce = task.eff.runOnce || def?.bypassHostLoop === true;
    const targets = runOnce ? hosts.slice(0, 1) : hosts;
    ctx.bus.emit({ type: 'task.start', id: task.id, name: this.displayName(task), module: task.module, handler: Boolean(task.handler), loc: task.loc, hosts: targets, time: Date.now() });
    const throttle = task.kw.throttle && task.kw.throttle > 0 ? new PQueue({ concurrency: task.kw.throttle }) : undefined;
    const results = await Promise.all(
      targets.map((host) => {
        const job = (): Promise<ItemOutcome> => ctx.queue.add(() => this.onHost(task, def, host, rescuable)) as Promise<ItemOutcome>;
        return throttle ? (throttle.add(job) as Promise<ItemOutcome>) : job();
      }),
    );
    if (runOnce) {
      // run_once: every host of the batch gets the registered value and the notification
      const [r] = results;
      for (const host of hosts.slice(1)) {
        if (r && task.kw.register) this.pr.state(host).facts[task.kw.register] = r.data;
        if (r?.notify && task.kw.notify) this.pr.notify(task, host);
      }
    }
    ctx.bus.emit({ type: 'task.end', id: task.id, durationMs: Date.now() - start, time: Date.now() });
    return { targets, results };
  }

  private displayName(task: ModuleTask): string {
    return task.eff.role ? `${task.eff.role.name} : ${task.name}` : task.name;
  }

  private async onHost(task: ModuleTask, def: ModuleDefinition<any, any> | undefined, host: string, rescuable: boolean): Promise<ItemOutcome> {
    const { ctx } = this.pr;
    const started = Date.now();
    const where: Where = { task: task.name, loc: task.loc, host };
    let outcome: ItemOutcome;
    ctx.bus.emit({ type: 'host.progress', host, task: this.displayName(task), time: Date.now() });
    try {
      outcome = await this.hostBody(task, def, host, where);
    } catch (err) {
      outcome = this.errorOutcome(err, where);
    }
    if (ctx.signal.aborted) outcome = { ...outcome, status: 'failed', msg: 'interrupted' };
    const state = this.pr.state(host);
    const failed = outcome.status === 'failed' && !outcome.ignored;
    if (task.kw.register) state.facts[task.kw.register] = outcome.data;
    if (outcome.status === 'unreachable') {
      if (!task.eff.ignoreUnreachable) state.unreachable = true;
    } else if (failed) {
      state.failed = true;
    }
    if (outcome.notify && !failed && outcome.status !== 'unreachable') this.pr.notify(task, host);
    const censored = this.noLog(task, host);
    // a skipped no_log task produced nothing but the engine's own reason: nothing to hide later
    if (censored && outcome.status !== 'skipped') {
      secretLeaves(outcome.data, (s) => ctx.bus.secret(s));
    }
    const result: HostResult = {
      host,
      status: outcome.status,
      ignored: outcome.ignored || undefined,
      rescued: failed && rescuable ? true : undefined,
      msg: outcome.msg,
      diff: outcome.diff,
      data: outcome.data,
      check: outcome.check || undefined,
      skipReason: outcome.skipReason,
      durationMs: Date.now() - started,
      censored: censored || undefined,
    };
    ctx.bus.emit({ type: 'host.result', taskId: task.id, result, time: Date.now() });
    return outcome;
  }

  private noLog(task: ModuleTask, host: string): boolean {
    const v = task.eff.noLog;
    if (v === undefined) return false;
    if (typeof v === 'string' && hasTemplate(v)) {
      try {
        return truthy(renderValue(v, this.pr.scope.forTask(host, task), { host, task: task.name, loc: task.loc }));
      } catch {
        return true; // when in doubt, hide
      }
    }
    return truthy(v);
  }

  private errorOutcome(err: unknown, where: Where): ItemOutcome {
    if (err instanceof ConnectionError) {
      return { status: 'unreachable', msg: err.message, data: { unreachable: true, changed: false, msg: err.message } };
    }
    let msg: string;
    if (err instanceof GxError) {
      // the task's own place (an error's loc may be inside a template file); messages that already
      // name it (template errors do) get nothing appended
      const loc = where.loc ?? err.loc;
      const place = loc && !err.message.includes(formatLocation(loc)) ? ` (task '${where.task}' at ${formatLocation(loc)})` : '';
      msg = `${err.message}${place}${err.hint ? `; ${err.hint}` : ''}`;
    } else {
      msg = `internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`;
    }
    return { status: 'failed', msg, data: { failed: true, changed: false, msg } };
  }

  private async hostBody(task: ModuleTask, def: ModuleDefinition<any, any> | undefined, host: string, where: Where): Promise<ItemOutcome> {
    const scope = this.pr.scope.forTask(host, task);
    const hasLoop = task.kw.loop !== undefined || task.kw.withItems !== undefined;
    if (!hasLoop) {
      const cond = check(task.eff.when, scope, where);
      if (cond === false) return { status: 'skipped', data: { changed: false, skipped: true, skip_reason: 'Conditional result was False' }, skipReason: 'Conditional result was False' };
      return this.once(task, def, host, scope, where, cond === 'unknown');
    }

    let items = renderValue(task.kw.loop ?? task.kw.withItems, scope, { ...where, what: 'loop' });
    if (isUnknown(items)) {
      return { status: 'skipped', data: { changed: false, skipped: true, results: UNKNOWN }, skipReason: 'loop items unknown in check mode', check: true };
    }
    if (typeof items === 'string') items = [items];
    if (!Array.isArray(items)) throw new GxError('module', `loop needs a list, got ${typeof items}`, { loc: task.loc });
    if (task.kw.withItems !== undefined) items = items.flatMap((i) => (Array.isArray(i) ? i : [i]));
    const list = items as unknown[];
    const lc = task.kw.loopControl ?? {};
    const loopVar = lc.loop_var ?? 'item';
    const outcomes: ItemOutcome[] = [];
    for (let i = 0; i < list.length; i++) {
      if (this.pr.ctx.signal.aborted) break;
      const item = list[i];
      const extra: Vars = {
        [loopVar]: item,
        ansible_loop_var: loopVar,
        ansible_loop: { index: i + 1, index0: i, first: i === 0, last: i === list.length - 1, length: list.length, revindex: list.length - i, revindex0: list.length - i - 1, previtem: list[i - 1], nextitem: list[i + 1], allitems: list },
      };
      if (lc.index_var) extra[lc.index_var] = i;
      const itemScope = this.pr.scope.forTask(host, task, extra);
      let label: unknown = item;
      if (lc.label !== undefined) label = renderValue(lc.label, itemScope, where);
      this.pr.ctx.bus.emit({ type: 'host.progress', host, task: task.name, item: label, time: Date.now() });
      const started = Date.now();
      let o: ItemOutcome;
      try {
        const cond = check(task.eff.when, itemScope, where);
        o =
          cond === false
            ? { status: 'skipped', data: { changed: false, skipped: true, skip_reason: 'Conditional result was False' }, skipReason: 'Conditional result was False' }
            : await this.once(task, def, host, itemScope, where, cond === 'unknown');
      } catch (err) {
        o = this.errorOutcome(err, where);
      }
      o.data = { ...o.data, [loopVar]: item, ansible_loop_var: loopVar };
      if (lc.index_var) o.data[lc.index_var] = i;
      o.item = item;
      o.label = label;
      outcomes.push(o);
      this.pr.ctx.bus.emit({
        type: 'item.result',
        taskId: task.id,
        result: { host, status: o.status, item: label, msg: o.msg, diff: o.diff, data: o.data, ignored: o.ignored || undefined, check: o.check || undefined, skipReason: o.skipReason, durationMs: Date.now() - started, censored: this.noLog(task, host) || undefined },
        time: Date.now(),
      });
      if (o.status === 'unreachable') break;
      if (lc.pause && i < list.length - 1) await sleep(lc.pause * 1000, this.pr.ctx.signal);
    }
    return aggregate(outcomes);
  }

  /** One execution of the module (one loop item), with until/retries and the result keywords. */
  private async once(task: ModuleTask, def: ModuleDefinition<any, any> | undefined, host: string, scope: Vars, where: Where, conditionUnknown: boolean): Promise<ItemOutcome> {
    const { ctx } = this.pr;
    if (!def) throw new GxError('module', `unknown module '${task.module}'`, { loc: task.loc });
    const checkMode = task.eff.checkMode ?? ctx.settings.check;
    const diffMode = task.eff.diff ?? ctx.settings.diff;
    const args = stripOmit(renderValue(task.args, scope, where), ctx.omit);

    // --check before the machine exists (add_host with an address an earlier task would produce):
    // the task would run there; there is nothing to connect to yet
    if (ctx.settings.check && !def.controllerOnly && task.eff.delegateTo === undefined && isUnknown(scope.ansible_host)) {
      const reason = `would run: ${host} does not exist yet (check mode)`;
      const data: Record<string, unknown> = { changed: false, skipped: true, skip_reason: reason };
      // what the task would have registered is unknown, not missing: later conditions plan with it
      fillUnknown(data, def);
      return { status: 'skipped', skipReason: reason, msg: reason, check: true, data };
    }
    // delegate_to: the delegate's connection, the original host's variables
    let target = host;
    if (task.eff.delegateTo !== undefined) target = String(renderValue(task.eff.delegateTo, scope, { ...where, what: 'delegate_to' }));
    const base = def.controllerOnly ? ctx.local : await ctx.connections.get(target, target === host ? scope : this.pr.scope.forTask(target, undefined));
    const become = (task.eff.become ?? scope.ansible_become === true) ? { user: task.eff.becomeUser ?? (scope.ansible_become_user as string | undefined) ?? 'root', password: (scope.ansible_become_password ?? scope.ansible_become_pass ?? scope.gx_become_password) as string | undefined } : undefined;
    if (become?.password) ctx.bus.secret(String(become.password));
    const conn = taskConnection(base, envOf(task.eff.environment, scope, where), become);

    const mctx: ExecuteContext = {
      conn,
      local: ctx.local,
      host,
      check: checkMode,
      diff: diffMode,
      vars: scope,
      loc: task.loc,
      playbookDir: this.pr.play.dir,
      roleDir: task.eff.role?.dir,
      findFile: (name, kind) => findFile(name, kind, { roleDir: task.eff.role?.dir, playbookDir: this.pr.play.dir, taskFile: task.loc?.file, templateDirs: ctx.settings.templateDirs }),
      renderTemplate: (text, extra, options) => {
        const vars = extra ? this.pr.scope.forTask(host, task, { ...extraFrom(scope), ...extra }) : scope;
        const path = extra?.template_path;
        if (typeof path !== 'string') return renderString(text, vars, { ...where, what: 'template' });
        const search = { roleDir: task.eff.role?.dir, playbookDir: this.pr.play.dir, taskFile: task.loc?.file, templateDirs: ctx.settings.templateDirs };
        return renderTemplateFile(text, vars, { path, where: { ...where, what: `template ${path}` }, load: templateLoader(path, search), options });
      },
      log: (msg) => ctx.bus.emit({ type: 'log', level: 3, msg, host, time: Date.now() }),
      secret: (v) => ctx.bus.secret(v),
      signal: ctx.signal,
    };

    const retries = task.kw.until ? (task.kw.retries ?? 3) : 0;
    const delay = (task.kw.delay ?? 5) * 1000;
    let outcome!: ModuleOutcome;
    let attempts = 0;
    let status: ItemOutcome['status'] = 'ok';
    let data: Record<string, unknown> = {};
    for (;;) {
      attempts += 1;
      outcome = await this.withTimeout(executeModule(def, args, mctx), task.kw.timeout, task.name);
      if (outcome.addHosts) for (const h of outcome.addHosts) this.pr.addHost(h.name, h.groups, h.vars);
      if (outcome.facts) {
        const state = this.pr.state(host);
        Object.assign(state.facts, outcome.facts);
        for (const [k, v] of Object.entries(outcome.facts)) if (this.pr.isSecretName(k) && v !== undefined && v !== null) ctx.bus.secret(String(v));
      }
      data = { ...outcome.data };
      if (checkMode) fillUnknown(data, def);
      let changed = outcome.changed;
      let failed = outcome.failed;
      const regScope = task.kw.register ? this.pr.scope.forTask(host, task, { ...extraFrom(scope), [task.kw.register]: data }) : this.pr.scope.forTask(host, task, { ...extraFrom(scope), result: data });
      if (task.kw.changedWhen && !outcome.skipped) {
        const c = check(task.kw.changedWhen, regScope, where);
        changed = c === 'unknown' ? changed : c;
      }
      if (task.kw.failedWhen && !outcome.skipped) {
        const c = check(task.kw.failedWhen, regScope, where);
        failed = c === 'unknown' ? failed : c;
      }
      data.changed = changed;
      data.failed = failed;
      status = statusOf({ changed, failed, skipped: outcome.skipped });
      if (!task.kw.until || outcome.skipped) break;
      const u = check(task.kw.until, regScope, where);
      data.attempts = attempts;
      if (u === true || u === 'unknown') break;
      if (attempts > retries) {
        status = 'failed';
        data.failed = true;
        outcome = { ...outcome, msg: `until condition not met after ${attempts} attempts${outcome.msg ? `: ${outcome.msg}` : ''}` };
        break;
      }
      ctx.bus.emit({ type: 'log', level: 1, msg: `FAILED - RETRYING: ${task.name} (${retries - attempts + 1} retries left)`, host, time: Date.now() });
      await sleep(delay, ctx.signal);
      if (ctx.signal.aborted) break;
    }
    let msg = outcome.msg;
    if (conditionUnknown) msg = `condition unknown in check mode; planned as if true${msg ? `: ${msg}` : ''}`;
    const ignored = status === 'failed' && this.ignoreErrors(task, scope, where);
    return {
      status,
      msg,
      data,
      diff: outcome.diff,
      skipReason: outcome.skipReason,
      ignored,
      check: checkMode && status === 'changed',
      notify: status === 'changed',
      control: outcome.control,
    };
  }

  private ignoreErrors(task: ModuleTask, scope: Vars, where: Where): boolean {
    const v = task.eff.ignoreErrors;
    if (v === undefined) return false;
    if (typeof v === 'string' && hasTemplate(v)) return truthy(renderValue(v, scope, where));
    return truthy(v);
  }

  private async withTimeout<T>(p: Promise<T>, seconds: number | undefined, name: string): Promise<T> {
    if (!seconds || seconds <= 0) return p;
    let timer: NodeJS.Timeout | undefined;
    const t = new Promise<never>((_, rej) => {
      timer = setTimeout(() => rej(new GxError('module', `task '${name}' timed out after ${seconds}s`)), seconds * 1000);
    });
    try {
      return await Promise.race([p, t]);
    } finally {
      clearTimeout(timer);
    }
  }
}

/** In check mode, a registered value has the shape of a real run: what the module could not know is Unknown. */
function fillUnknown(data: Record<string, unknown>, def: ModuleDefinition<any, any>): void {
  for (const key of Object.keys(def.returns ?? {})) if (!(key in data)) data[key] = UNKNOWN;
}

/** The loop variables of a scope, to carry them into a derived scope. */
function extraFrom(scope: Vars): Vars {
  const out: Vars = {};
  const lv = (scope.ansible_loop_var as string | undefined) ?? undefined;
  if (lv && lv in scope) {
    out[lv] = scope[lv];
    out.ansible_loop_var = lv;
    out.ansible_loop = scope.ansible_loop;
  }
  return out;
}
