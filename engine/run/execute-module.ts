// One module call on one host: validate the arguments, let the module plan, stop there in check
// mode (with the predicted result), otherwise apply what was planned. The executor calls exactly
// this, and so does the module test harness, so tests exercise the real path.
//
// Errors: a ModuleArgsError (bad arguments) and a ConnectionError (host unreachable) are thrown for
// the executor to classify; a ModuleError from the module (it could not do its work) becomes a
// failed outcome with its message, because a host failure is a result, not an exception.
import { ModuleError } from '../errors.js';
import { diffEntries, type Diff, type DiffEntry, type ModuleContext, type ModuleDefinition, type Plan } from '../module-contract.js';
import { isUnknown } from '../vars/unknown.js';
import { compileArgs } from '../load/module-args.js';

export interface ModuleOutcome {
  changed: boolean;
  failed: boolean;
  skipped: boolean;
  skipReason?: string;
  msg?: string;
  /** what `register` stores; always carries changed and failed (and skipped, msg when set), like Ansible's results */
  data: Record<string, unknown>;
  diff?: DiffEntry[];
  facts?: Record<string, unknown>;
  factsAreTemplates?: boolean;
  addHosts?: Plan['addHosts'];
  control?: Plan['control'];
  warnings?: string[];
}

/** What the engine gives executeModule: the module's context, and --diff, which only the engine reads. */
export interface ExecuteContext extends ModuleContext {
  /** --diff (or the task's `diff:`): the outcome carries the module's diff; without it a lazy diff is never read */
  diff: boolean;
}

export async function executeModule(def: ModuleDefinition<any, any>, rawArgs: unknown, ectx: ExecuteContext): Promise<ModuleOutcome> {
  const { diff: showDiff, ...ctx } = ectx;
  const shown = async (d: Diff | undefined): Promise<DiffEntry[] | undefined> => (showDiff ? diffEntries(d) : undefined);
  if (ctx.check && !def.acceptsUnknown) {
    // an argument that is a value unknown in check mode (a command that did not run) cannot be planned with
    const unknown = unknownPaths(rawArgs, '');
    if (unknown.length > 0) {
      const why = [...new Set(unknown.map((u) => u.reason))].join('; ');
      const reason = `cannot plan in check mode: ${unknown.map((u) => `'${u.path}'`).join(', ')} ${unknown.length === 1 ? 'is' : 'are'} not known yet (${why})`;
      return outcome({ changed: false, failed: false, skipped: true, skipReason: reason });
    }
  }
  const args = compileArgs(def)(rawArgs, ctx.loc);
  if (ctx.check && def.checkMode === false) {
    return outcome({ changed: false, failed: false, skipped: true, skipReason: `${def.name} does not support check mode` });
  }
  let plan: Plan<Record<string, unknown>>;
  try {
    plan = await def.plan(ctx, args);
  } catch (err) {
    if (err instanceof ModuleError) return outcome({ changed: false, failed: true, skipped: false, msg: err.message });
    throw err;
  }
  const base = { facts: plan.facts, factsAreTemplates: plan.factsAreTemplates, addHosts: plan.addHosts, control: plan.control, warnings: plan.warnings, diff: await shown(plan.diff) };
  if (plan.skipped !== undefined) {
    return outcome({ ...base, changed: false, failed: false, skipped: true, skipReason: plan.skipped, msg: plan.msg ?? plan.skipped, data: plan.data });
  }
  if (plan.failed) {
    return outcome({ ...base, changed: false, failed: true, skipped: false, msg: plan.msg, data: plan.data });
  }
  if (ctx.check || !plan.changed || !plan.apply) {
    return outcome({ ...base, changed: plan.changed, failed: false, skipped: false, msg: plan.msg, data: plan.data });
  }
  let applied;
  try {
    applied = await plan.apply();
  } catch (err) {
    if (err instanceof ModuleError) return outcome({ ...base, changed: false, failed: true, skipped: false, msg: err.message, data: plan.data });
    throw err;
  }
  return outcome({
    ...base,
    changed: applied.changed ?? true,
    failed: applied.failed ?? false,
    skipped: false,
    msg: applied.msg ?? plan.msg,
    data: applied.data ?? plan.data,
    diff: applied.diff !== undefined ? await shown(applied.diff) : base.diff,
  });
}

function unknownPaths(v: unknown, path: string): Array<{ path: string; reason: string }> {
  if (isUnknown(v)) return [{ path: path || 'arguments', reason: v.reason }];
  if (Array.isArray(v)) return v.flatMap((x, i) => unknownPaths(x, `${path}[${i}]`));
  if (v !== null && typeof v === 'object') return Object.entries(v).flatMap(([k, x]) => unknownPaths(x, path ? `${path}.${k}` : k));
  return [];
}

type Parts = Omit<ModuleOutcome, 'data'> & { data?: Record<string, unknown> };

function outcome(p: Parts): ModuleOutcome {
  const data: Record<string, unknown> = { ...(p.data ?? {}), changed: p.changed, failed: p.failed };
  if (p.skipped) data.skipped = true;
  // a module's own msg (debug's can be any value) wins over the outcome's text
  if (p.msg !== undefined && !('msg' in data)) data.msg = p.msg;
  const out: ModuleOutcome = { changed: p.changed, failed: p.failed, skipped: p.skipped, data };
  if (p.skipReason !== undefined) out.skipReason = p.skipReason;
  if (p.msg !== undefined) out.msg = p.msg;
  if (p.diff && p.diff.length > 0) out.diff = p.diff;
  if (p.facts) out.facts = p.facts;
  if (p.factsAreTemplates) out.factsAreTemplates = true;
  if (p.addHosts) out.addHosts = p.addHosts;
  if (p.control) out.control = p.control;
  if (p.warnings && p.warnings.length > 0) {
    out.warnings = p.warnings;
    data.warnings = p.warnings;
  }
  return out;
}
