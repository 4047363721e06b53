// One module task on a set of hosts: conditions, loops, argument rendering, the module's plan and
// apply, until/retries, changed_when/failed_when, register, notify, and the events for all of it.
// A host's failure is a result; only bugs throw out of here.
import { existsSync } from 'node:fs';
import PQueue from 'p-queue';
import type { ModuleDefinition } from '../module-contract.js';
import type { ModuleTask, Vars } from '../compile/types.js';
import { templateMagicVars } from '../vars/template-vars.js';
import { ConnectionError, GxError, TemplateError } from '../errors.js';
import { ansibleBuiltin } from '../load/ansible-builtins.js';
import { formatLocation } from '../load/source.js';
import { sleep } from '../sleep.js';
import { executeModule, type ExecuteContext, type ModuleOutcome } from './execute-module.js';
import { evaluateCondition } from '../vars/expr.js';
import { hasTemplate, renderString, renderTemplateFile, renderValue, templateLoader, type Where } from '../vars/template.js';
import { isUnknown, UNKNOWN, type Unknown } from '../vars/unknown.js';
import type { HostResult } from '../report/events.js';
import { taskConnection } from '../connect/task-connection.js';
import { aggregate, statusOf, type ItemOutcome } from './results.js';
import { findFile } from '../load/find-file.js';
import type { RunContext } from './context.js';
import { HostState } from './host-state.js';
import { runAsync } from './async-task.js';
import { withTimeLimit } from './time-limit.js';
import { markOpaque } from './lazy-scope.js';
import { isGatherTask } from './fact-gathering.js';
import { keywordValue } from '../compile/kw-value.js';
import { hasLoop, loopItems, loopVarNames } from './loop-items.js';
import { looseBoolean } from '../load/module-args.js';
import { searchPathOf } from './search-path.js';
import { keywordBool, keywordNumber, keywordString, type KeywordScope } from './keyword-values.js';

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

/**
 * The task's environment, outer layers first; a variable set to `omit` is left out. A variable whose
 * value needs the `ansible_env` fact before facts exist is left out too (Ansible's Task
 * _post_validate_environment, v2.14: "ignore as fact gathering is required for 'env' facts").
 */
function envOf(layers: unknown[], scope: Vars, where: Where, omit: string, gathering = false): Record<string, string> | undefined {
  if (layers.length === 0) return undefined;
  const env: Record<string, string> = {};
  const w = { ...where, what: 'environment' };
  for (const layer of layers) {
    let r: unknown;
    if (layer && typeof layer === 'object' && !Array.isArray(layer)) {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(layer)) {
        try {
          out[k] = renderValue(v, scope, w);
        } catch (err) {
          const m = err instanceof GxError ? err.message : '';
          if (/undefined/.test(m) && (m.includes('ansible_env') || (gathering && m.includes('ansible_facts.env')))) continue;
          throw err;
        }
      }
      r = out;
    } else r = renderValue(layer, scope, w);
    if (r && typeof r === 'object') {
      for (const [k, v] of Object.entries(r)) {
        if (v === omit) delete env[k];
        else env[k] = String(v);
      }
    }
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
  addHost(name: string, groups: string[], vars: Record<string, unknown>, parents?: string[]): boolean;
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

  /** Runs `task` on `hosts` (linear: all of them before returning); `scopes`: hosts' scopes for the task already built as it starts. */
  async run(task: ModuleTask, hosts: string[], rescuable: boolean, scopes?: ReadonlyMap<string, Vars>): Promise<TaskOutcomes> {
    const { ctx } = this.pr;
    const start = Date.now();
    const def = ctx.modules.get(task.module);
    let taskError: unknown;
    let runOnce = def?.bypassHostLoop === true;
    if (!runOnce && task.eff.runOnce !== undefined && hosts.length > 0) {
      try {
        runOnce = this.kwBool(task, hosts[0]!, 'runOnce') === true;
      } catch (err) {
        taskError = err; // every host reports it: the task cannot be decided
      }
    }
    const targets = runOnce ? hosts.slice(0, 1) : hosts;
    ctx.bus.emit({ type: 'task.start', id: task.id, name: this.displayName(task), module: task.module, handler: Boolean(task.handler), loc: task.loc, hosts: targets, time: Date.now() });
    // throttle is the task's (rendered with the first host's variables, as Ansible does per batch)
    let throttleN: number | undefined;
    try {
      const throttleKw = task.eff.throttle;
      // building a scope costs: only for tasks that have a throttle
      throttleN = throttleKw !== undefined && hosts.length > 0 ? keywordNumber(throttleKw, this.kwScope(task, hosts[0]!), 'throttle') : undefined;
    } catch (err) {
      taskError ??= err;
    }
    const throttle = throttleN && throttleN > 0 ? new PQueue({ concurrency: throttleN }) : undefined;
    const results = await Promise.all(
      targets.map((host) => {
        const job = (): Promise<ItemOutcome> => ctx.queue.add(() => this.onHost(task, def, host, rescuable, taskError, scopes?.get(host))) as Promise<ItemOutcome>;
        return throttle ? (throttle.add(job) as Promise<ItemOutcome>) : job();
      }),
    );
    if (runOnce) {
      // run_once: every host of the batch gets the registered value and the notification
      const [r] = results;
      for (const host of hosts.slice(1)) {
        if (r && task.kw.register) this.pr.state(host).facts[task.kw.register] = markOpaque(r.data);
        if (r?.notify && task.kw.notify) this.pr.notify(task, host);
      }
    }
    ctx.bus.emit({ type: 'task.end', id: task.id, durationMs: Date.now() - start, time: Date.now() });
    return { targets, results };
  }

  private displayName(task: ModuleTask): string {
    return task.eff.role ? `${task.eff.role.name} : ${task.name}` : task.name;
  }

  /**
   * What a keyword renders to on `host` (templated keywords are settled per host). Without a
   * scope given, the host's is built only if a keyword is a template: a plain `no_log: true`
   * needs none, and kwBool runs for every host and loop item.
   */
  kwScope(task: ModuleTask, host: string, scope?: Vars): KeywordScope {
    let built = scope;
    const forTask = (): Vars => this.pr.scope.forTask(host, task);
    return {
      get scope(): Vars {
        return (built ??= forTask());
      },
      where: { host, task: task.name, loc: task.loc },
      omit: this.pr.ctx.omit,
    };
  }

  kwBool(task: ModuleTask, host: string, key: 'runOnce' | 'checkMode' | 'diff' | 'become' | 'ignoreErrors' | 'ignoreUnreachable' | 'noLog' | 'anyErrorsFatal' | 'delegateFacts', scope?: Vars): boolean | undefined {
    const names = { runOnce: 'run_once', checkMode: 'check_mode', diff: 'diff', become: 'become', ignoreErrors: 'ignore_errors', ignoreUnreachable: 'ignore_unreachable', noLog: 'no_log', anyErrorsFatal: 'any_errors_fatal', delegateFacts: 'delegate_facts' } as const;
    if (task.eff[key] === undefined) return undefined;
    const v = keywordBool(task.eff[key], this.kwScope(task, host, scope), names[key]);
    if (isUnknown(v)) throw new GxError('template', `${names[key]} is not known in check mode: ${v.reason}`, { loc: task.loc });
    return v;
  }

  private async onHost(task: ModuleTask, def: ModuleDefinition<any, any> | undefined, host: string, rescuable: boolean, preError?: unknown, built?: Vars): Promise<ItemOutcome> {
    const { ctx } = this.pr;
    const started = Date.now();
    const where: Where = { task: task.name, loc: task.loc, host };
    let outcome: ItemOutcome;
    ctx.bus.emit({ type: 'host.progress', host, task: this.displayName(task), time: Date.now() });
    try {
      if (preError !== undefined) throw preError;
      outcome = await this.hostBody(task, def, host, where, built);
    } catch (err) {
      outcome = this.errorOutcome(err, where, task);
    }
    if (ctx.signal.aborted) outcome = { ...outcome, status: 'failed', msg: 'interrupted' };
    const state = this.pr.state(host);
    const failed = outcome.status === 'failed' && !outcome.ignored;
    // a result is data, never a template: a stdout holding `{{` must read back as written (Ansible marks results unsafe)
    if (task.kw.register) state.facts[task.kw.register] = markOpaque(outcome.data);
    if (outcome.status === 'unreachable') {
      // ignore_unreachable: Ansible prints ...ignoring and counts it as ok and ignored
      if (this.safely(() => this.kwBool(task, host, 'ignoreUnreachable'), false)) outcome.ignored = true;
      else state.unreachable = true;
    } else if (failed) {
      state.failed = true;
      if (rescuable) {
        // what the rescue section reads (Ansible's set_nonpersistent_facts in the strategy)
        state.facts.ansible_failed_task = failedTaskView(task);
        state.facts.ansible_failed_result = markOpaque(outcome.data);
      }
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
      silent: def?.name === 'meta' || undefined,
    };
    ctx.bus.emit({ type: 'host.result', taskId: task.id, result, time: Date.now() });
    return outcome;
  }

  private noLog(task: ModuleTask, host: string): boolean {
    // when in doubt, hide
    return this.safely(() => this.kwBool(task, host, 'noLog'), true) ?? false;
  }

  /** A keyword read where a failure cannot be reported: `fallback` when it cannot be decided. */
  private safely<T>(read: () => T, fallback: T): T {
    try {
      return read();
    } catch {
      return fallback;
    }
  }

  /**
   * A task that could not even run (an undefined variable, bad arguments): a failed result, which
   * ignore_errors covers like any other failure (Ansible reports it and prints ...ignoring).
   */
  private errorOutcome(err: unknown, where: Where, task: ModuleTask, scope?: Vars): ItemOutcome {
    const o = this.failureOf(err, where);
    if (o.status === 'failed' && where.host && this.safely(() => this.kwBool(task, where.host!, 'ignoreErrors', scope) === true, false)) o.ignored = true;
    return o;
  }

  private failureOf(err: unknown, where: Where): ItemOutcome {
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
      // the registered result words it as Ansible's task executor does (tests look for 'undefined variable')
      if (err instanceof TemplateError && /\bis undefined\b/.test(err.message)) {
        const data = `The task includes an option with an undefined variable. The error was: ${msg}`;
        return { status: 'failed', msg, data: { failed: true, changed: false, msg: data } };
      }
    } else {
      msg = `internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`;
    }
    return { status: 'failed', msg, data: { failed: true, changed: false, msg } };
  }

  private async hostBody(task: ModuleTask, def: ModuleDefinition<any, any> | undefined, host: string, where: Where, built?: Vars): Promise<ItemOutcome> {
    const scope = built ?? this.pr.scope.forTask(host, task);
    if (!hasLoop(task.kw)) {
      const cond = check(task.eff.when, scope, where);
      if (cond === false) return { status: 'skipped', data: { changed: false, skipped: true, skip_reason: 'Conditional result was False' }, skipReason: 'Conditional result was False' };
      return this.once(task, def, host, scope, where, cond === 'unknown');
    }

    let items: unknown[] | Unknown;
    try {
      items = loopItems(task.kw, scope, where, searchPathOf(task, this.pr.play.dir, this.pr.ctx.settings.templateDirs), { module: task.module });
    } catch (err) {
      // Ansible's task executor keeps a loop's undefined-variable error until the task's `when`,
      // checked without an item, says the task runs at all (`with_items: "{{ x }}"` + `when: x is defined`)
      let skip = false;
      try {
        skip = err instanceof GxError && /undefined/.test(err.message) && check(task.eff.when, scope, where) === false;
      } catch {
        // the condition needs the item itself: the loop's error stands
      }
      if (skip) return { status: 'skipped', data: { changed: false, skipped: true, skip_reason: 'Conditional result was False' }, skipReason: 'Conditional result was False' };
      // the result's msg is the lookup's own message, as Ansible's (a rescue compares
      // ansible_failed_result.msg with it); the output still names the task's place
      const o = this.errorOutcome(err, where, task, scope);
      if (err instanceof GxError && o.data && typeof o.data === 'object') (o.data as Record<string, unknown>).msg = err.message;
      return o;
    }
    if (isUnknown(items)) {
      return { status: 'skipped', data: { changed: false, skipped: true, results: UNKNOWN }, skipReason: 'loop items unknown in check mode', check: true };
    }
    const list = items;
    const lc = task.kw.loopControl ?? {};
    const { loopVar, indexVar } = loopVarNames(task.kw, scope, where);
    const outcomes: ItemOutcome[] = [];
    for (let i = 0; i < list.length; i++) {
      if (this.pr.ctx.signal.aborted) break;
      const item = list[i];
      const extra: Vars = {
        [loopVar]: item,
        ansible_loop_var: loopVar,
        ansible_loop: { index: i + 1, index0: i, first: i === 0, last: i === list.length - 1, length: list.length, revindex: list.length - i, revindex0: list.length - i - 1, ...(i > 0 ? { previtem: list[i - 1] } : {}), ...(i < list.length - 1 ? { nextitem: list[i + 1] } : {}), ...(lc.extended_allitems === false ? {} : { allitems: list }) },
      };
      if (indexVar) {
        extra[indexVar] = i;
        extra.ansible_index_var = indexVar;
      }
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
        o = this.errorOutcome(err, where, task, itemScope);
      }
      o.data = { ...o.data, [loopVar]: item, ansible_loop_var: loopVar };
      if (indexVar) {
        o.data[indexVar] = i;
        o.data.ansible_index_var = indexVar;
      }
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
      if (lc.pause !== undefined && i < list.length - 1) {
        // loop_control.pause may be a template too
        const pause = keywordNumber(keywordValue('pause', lc.pause, undefined, Number), this.kwScope(task, host, scope), 'loop_control.pause') ?? 0;
        if (pause > 0) await sleep(pause * 1000, this.pr.ctx.signal);
      }
    }
    return aggregate(outcomes);
  }

  /** One execution of the module (one loop item), with until/retries and the result keywords. */
  private async once(task: ModuleTask, def: ModuleDefinition<any, any> | undefined, host: string, scope: Vars, where: Where, conditionUnknown: boolean): Promise<ItemOutcome> {
    const { ctx } = this.pr;
    if (!def) {
      const builtin = ansibleBuiltin(task.module);
      throw new GxError('module', builtin ? `module '${task.module}' is an Ansible built-in that gx does not have` : `unknown module '${task.module}'`, { loc: task.loc });
    }
    const ks = this.kwScope(task, host, scope);
    // a check_mode that renders to anything but a boolean fails the task (it never runs it for
    // real); one only --check leaves unknown keeps the task in check mode: the safe side
    const cm = keywordBool(task.eff.checkMode, ks, 'check_mode');
    const checkMode = isUnknown(cm) ? true : (cm ?? ctx.settings.check);
    const diffMode = this.kwBool(task, host, 'diff', scope) ?? ctx.settings.diff;
    const delegated = keywordString(task.eff.delegateTo, ks, 'delegate_to');
    // --check: the host to delegate to comes from a command that did not run
    if (isUnknown(delegated)) return wouldRun(`would run: the delegate_to host is not known in check mode (${delegated.reason})`, def);
    const delegateTo = delegated;
    // ansible_delegated_vars: the delegate's variables, under its name, with the task's own
    // inventory_hostname (vars/manager.py _get_delegated_vars, v2.14)
    if (delegateTo !== undefined) {
      scope = this.pr.scope.forTask(host, task, { ...extraFrom(scope), ansible_delegated_vars: { [delegateTo]: delegatedView(this.pr.scope.forTask(delegateTo, task), host) } });
    }
    const args = stripOmit(renderValue(task.args, scope, where), ctx.omit);

    // --check before the machine exists (add_host with an address an earlier task would produce):
    // the task would run there; there is nothing to connect to yet
    // (the host itself, or the host a task is delegated to)
    const target = delegateTo ?? host;
    const targetScope = target === host ? scope : this.pr.scope.forTask(target, undefined);
    if (ctx.settings.check && !def.controllerOnly && isUnknown(targetScope.ansible_host)) {
      return wouldRun(`would run: ${target} does not exist yet (check mode)`, def);
    }
    // delegate_to: the delegate's connection, the original host's variables
    const remoteUser = known(keywordString(task.eff.remoteUser, ks, 'remote_user'), 'remote_user');
    let connVars = targetScope;
    // remote_user is ansible_user for this task (a host's own ansible_user still wins, as in Ansible)
    if (remoteUser !== undefined && connVars.ansible_user === undefined) connVars = { ...connVars, ansible_user: remoteUser };
    const base = def.controllerOnly ? ctx.local : await ctx.connections.get(target, connVars);
    const becomeOn = this.kwBool(task, host, 'become', scope) ?? looseBoolean(scope.ansible_become) ?? false;
    const becomeUser = known(keywordString(task.eff.becomeUser, ks, 'become_user'), 'become_user') ?? (scope.ansible_become_user as string | undefined) ?? 'root';
    const become = becomeOn ? { user: becomeUser, password: (scope.ansible_become_password ?? scope.ansible_become_pass ?? scope.gx_become_password) as string | undefined } : undefined;
    if (become?.password) ctx.bus.secret(String(become.password));
    const conn = taskConnection(base, envOf(task.eff.environment, scope, where, ctx.omit, isGatherTask(task)), become);

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
      findFile: (name, kind) => findFile(name, kind, searchPathOf(task, this.pr.play.dir, ctx.settings.templateDirs)),
      renderTemplate: (text, extra, options) => {
        const path = extra?.template_path;
        // a file's template_* variables (template_path is the src as written when the module gives it)
        const magic = typeof path === 'string' && existsSync(path) ? templateMagicVars(path, typeof extra?.template_src === 'string' ? extra.template_src : undefined) : {};
        const { template_src: _src, ...own } = extra ?? {};
        const vars = extra ? this.pr.scope.forTask(host, task, { ...extraFrom(scope), ...own, ...magic }) : scope;
        if (typeof path !== 'string') return renderString(text, vars, { ...where, what: 'template' });
        const search = searchPathOf(task, this.pr.play.dir, ctx.settings.templateDirs);
        return renderTemplateFile(text, vars, { path, where: { ...where, what: `template ${path}` }, load: templateLoader(path, search), options });
      },
      log: (msg) => ctx.bus.emit({ type: 'log', level: 3, msg, host, time: Date.now() }),
      secret: (v) => ctx.bus.secret(v),
      signal: ctx.signal,
    };

    const retries = task.kw.until ? (keywordNumber(task.kw.retries, ks, 'retries') ?? 3) : 0;
    const delay = (keywordNumber(task.kw.delay, ks, 'delay') ?? 5) * 1000;
    const timeout = keywordNumber(task.kw.timeout, ks, 'timeout');
    const asyncLimit = keywordNumber(task.kw.async, ks, 'async');
    // Ansible's default poll: DEFAULT_POLL_INTERVAL, 15 seconds (config/base.yml v2.17.5)
    const background = asyncLimit !== undefined && asyncLimit > 0 ? { limit: asyncLimit, poll: keywordNumber(task.kw.poll, ks, 'poll') ?? 15 } : undefined;
    // delegate_facts: what the task sets as facts belongs to the delegated host
    const factHost = delegateTo !== undefined && this.kwBool(task, host, 'delegateFacts', scope) === true ? delegateTo : host;
    let outcome!: ModuleOutcome;
    let attempts = 0;
    let status: ItemOutcome['status'] = 'ok';
    let data: Record<string, unknown> = {};
    for (;;) {
      attempts += 1;
      outcome = await withTimeLimit(background ? runAsync(def, args, mctx, background) : executeModule(def, args, mctx), timeout, `task '${task.name}' timed out after ${timeout}s`);
      for (const w of outcome.warnings ?? []) ctx.bus.emit({ type: 'warning', msg: w, host, loc: task.loc, time: Date.now() });
      if (outcome.addHosts) {
        let joined = false;
        for (const h of outcome.addHosts) joined = this.pr.addHost(h.name, h.groups, h.vars, h.parents) || joined;
        outcome = { ...outcome, changed: joined };
      }
      if (outcome.facts) {
        const state = this.factState(factHost);
        Object.assign(state.facts, outcome.facts);
        // facts the module says are templates (include_vars) render when read; every other fact is data
        for (const k of Object.keys(outcome.facts)) {
          if (outcome.factsAreTemplates) state.templatedFacts.add(k);
          else state.templatedFacts.delete(k);
        }
        for (const [k, v] of Object.entries(outcome.facts)) if (this.pr.isSecretName(k) && v !== undefined && v !== null) ctx.bus.secret(String(v));
      }
      data = { ...outcome.data };
      if (checkMode) fillUnknown(data, def);
      // with until, changed_when/failed_when see the attempt count too (task_executor sets it first)
      if (task.kw.until && !outcome.skipped) data.attempts = attempts;
      let changed = outcome.changed;
      let failed = outcome.failed;
      // built only for a condition that reads it: a whole scope per task and host otherwise (issue 16)
      let regScopeMemo: Vars | undefined;
      const regScope = (): Vars => (regScopeMemo ??= task.kw.register ? this.pr.scope.forTask(host, task, { ...extraFrom(scope), [task.kw.register]: data }) : this.pr.scope.forTask(host, task, { ...extraFrom(scope), result: data }));
      // a condition that cannot be evaluated fails the task and keeps the module's result, the
      // error in changed_when_result/failed_when_result (Ansible's task_executor, v2.14: `condname`)
      let condName = 'changed';
      try {
        if (task.kw.changedWhen && !outcome.skipped) {
          const c = check(task.kw.changedWhen, regScope(), where);
          changed = c === 'unknown' ? changed : c;
        }
        condName = 'failed';
        if (task.kw.failedWhen && !outcome.skipped) {
          const c = check(task.kw.failedWhen, regScope(), where);
          failed = c === 'unknown' ? failed : c;
          // Ansible's task_executor: result['failed_when_result'] = result['failed'] = <the condition>
          if (c !== 'unknown') data.failed_when_result = c;
        }
      } catch (err) {
        if (!(err instanceof GxError)) throw err;
        const conds = (condName === 'changed' ? task.kw.changedWhen : task.kw.failedWhen) ?? [];
        const text = `The conditional check '${conds.map((c) => String(c.expr)).join(' and ')}' failed. The error was: ${err.message}`;
        data[`${condName}_when_result`] = text;
        failed = true;
        if (!outcome.msg) outcome = { ...outcome, msg: text };
      }
      data.changed = changed;
      data.failed = failed;
      status = statusOf({ changed, failed, skipped: outcome.skipped });
      if (!task.kw.until || outcome.skipped) break;
      const u = check(task.kw.until, regScope(), where);
      data.attempts = attempts;
      if (u === true || u === 'unknown') break;
      if (attempts > retries) {
        data.failed = true;
        // a failed_when that held its own verdict decides the task's state (Ansible's
        // TaskResult.is_failed reads failed_when_result first); the result still says failed
        const verdict = data.failed_when_result;
        status = typeof verdict === 'boolean' ? statusOf({ changed: Boolean(data.changed), failed: verdict, skipped: false }) : 'failed';
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

  /** The state facts are set on: a delegated host outside the play gets one, as in Ansible's hostvars. */
  private factState(host: string): HostState {
    const { ctx } = this.pr;
    let st = ctx.hosts.get(host);
    if (!st) ctx.hosts.set(host, (st = new HostState(host)));
    return st;
  }

  private ignoreErrors(task: ModuleTask, scope: Vars, where: Where): boolean {
    return this.kwBool(task, where.host ?? '', 'ignoreErrors', scope) === true;
  }

}

/** ansible_failed_task: the fields of Ansible's serialized task that rescue sections read. */
function failedTaskView(task: ModuleTask): Record<string, unknown> {
  return markOpaque({
    name: task.name,
    action: task.module,
    args: task.args,
    tags: task.eff.tags,
    when: task.eff.when.map((c) => c.expr),
    register: task.kw.register,
    path: task.loc ? `${task.loc.file}:${task.loc.line}` : undefined,
  });
}

/** A keyword value the task needs now: unknown in check mode is an error naming it. */
function known(v: string | Unknown | undefined, name: string): string | undefined {
  if (isUnknown(v)) throw new GxError('template', `${name} is not known in check mode: ${v.reason}`);
  return v;
}


/** A task --check cannot plan yet: skipped with the reason; what it would register is unknown, not missing. */
function wouldRun(reason: string, def: ModuleDefinition<any, any>): ItemOutcome {
  const data: Record<string, unknown> = { changed: false, skipped: true, skip_reason: reason };
  fillUnknown(data, def);
  return { status: 'skipped', skipReason: reason, msg: reason, check: true, data };
}

/** In check mode, a registered value has the shape of a real run: what the module could not know is Unknown. */
function fillUnknown(data: Record<string, unknown>, def: ModuleDefinition<any, any>): void {
  for (const key of Object.keys(def.returns ?? {})) if (!(key in data)) data[key] = UNKNOWN;
}

/** A delegate's variables as ansible_delegated_vars shows them: inventory_hostname stays the task's host. */
function delegatedView(vars: Vars, host: string): Vars {
  return markOpaque(
    new Proxy(vars, {
      get: (t, k) => (k === 'inventory_hostname' ? host : Reflect.get(t, k)),
      has: (t, k) => k === 'inventory_hostname' || Reflect.has(t, k),
      getOwnPropertyDescriptor: (t, k) => (k === 'inventory_hostname' ? { configurable: true, enumerable: true, value: host } : Reflect.getOwnPropertyDescriptor(t, k)),
      ownKeys: (t) => [...new Set([...Reflect.ownKeys(t), 'inventory_hostname'])],
    }),
  );
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
  // loop_control.index_var, seen by until/changed_when/failed_when too
  const iv = scope.ansible_index_var as string | undefined;
  if (iv && iv in scope) {
    out[iv] = scope[iv];
    out.ansible_index_var = iv;
  }
  return out;
}
