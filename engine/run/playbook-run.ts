// The top of the executor: plays in order, hosts resolved from patterns and --limit, serial
// batches, and the recap. Hosts that fail or become unreachable sit out the rest of the playbook,
// as in Ansible.
import type { CompiledPlay, CompiledPlaybook } from '../compile/types.js';
import { hasTemplate, renderValue } from '../vars/template.js';
import type { RunContext } from './context.js';
import { HostState } from './host-state.js';
import { PlayRun } from './play-run.js';

/** Splits hosts into serial batches: numbers, percentages, or a list of them (the last repeats). */
export function serialBatches(hosts: string[], serial: (number | string)[] | undefined): string[][] {
  if (!serial || serial.length === 0) return [hosts];
  const sizes = serial.map((s) => {
    const str = String(s).trim();
    const n = str.endsWith('%') ? Math.floor((hosts.length * Number(str.slice(0, -1))) / 100) : Number(str);
    return Number.isFinite(n) && n > 0 ? n : hosts.length;
  });
  const out: string[][] = [];
  let i = 0;
  let k = 0;
  while (i < hosts.length) {
    const size = sizes[Math.min(k, sizes.length - 1)]!;
    out.push(hosts.slice(i, i + size));
    i += size;
    k++;
  }
  return out;
}

export function playHosts(ctx: RunContext, play: CompiledPlay): string[] {
  const patterns = play.hosts.map((h) => (hasTemplate(h) ? String(renderValue(h, ctx.settings.extraVars, { what: 'hosts' })) : h));
  let hosts = ctx.inventory.select(patterns);
  if (ctx.settings.limit) {
    const allowed = new Set(ctx.inventory.select(ctx.settings.limit));
    hosts = hosts.filter((h) => allowed.has(h));
  }
  return orderHosts(hosts, play.order);
}

/** A play's `order:` (Ansible's inventory, reverse_inventory, sorted, reverse_sorted, shuffle). */
export function orderHosts(hosts: string[], order: CompiledPlay['order']): string[] {
  switch (order) {
    case 'reverse_inventory':
      return [...hosts].reverse();
    case 'sorted':
      return [...hosts].sort();
    case 'reverse_sorted':
      return [...hosts].sort().reverse();
    case 'shuffle': {
      const out = [...hosts];
      for (let i = out.length - 1; i > 0; i--) {
        const j = Math.floor(Math.random() * (i + 1));
        [out[i], out[j]] = [out[j]!, out[i]!];
      }
      return out;
    }
    default:
      return hosts;
  }
}

/** Failed or unreachable for the run (not ended, not cleared by meta: clear_host_errors). */
function isDown(ctx: RunContext, host: string): boolean {
  const st = ctx.hosts.get(host)!;
  return (st.failed || st.unreachable) && !st.cleared;
}

export async function runPlaybook(pb: CompiledPlaybook, ctx: RunContext): Promise<void> {
  const started = Date.now();
  ctx.bus.emit({ type: 'run.start', playbook: pb.file, check: ctx.settings.check, diff: ctx.settings.diff, time: started });
  for (const play of pb.plays) {
    if (ctx.signal.aborted) break;
    const all = playHosts(ctx, play);
    for (const h of all) {
      if (!ctx.hosts.has(h)) ctx.hosts.set(h, new HostState(h));
      ctx.bus.counter.touch(h);
    }
    // hosts that failed in an earlier play do not take part in later ones, unless
    // meta: clear_host_errors cleared them
    for (const h of all) {
      const st = ctx.hosts.get(h)!;
      if (st.cleared) Object.assign(st, { failed: false, unreachable: false, cleared: false });
    }
    const hosts = all.filter((h) => ctx.hosts.get(h)!.active || ctx.hosts.get(h)!.ended);
    for (const h of hosts) ctx.hosts.get(h)!.ended = false;
    ctx.bus.emit({ type: 'play.start', name: play.name, hosts, loc: play.loc, time: Date.now() });
    if (all.length === 0) {
      // like Ansible: a pattern naming nothing the inventory knows is a warning; a group without
      // hosts (e.g. one that add_host fills only when asked: the gauntlet's k3s_agents) is a plain skip
      const emptyGroups = play.hosts.every((p) => ctx.inventory.groups.has(p));
      if (emptyGroups) ctx.bus.emit({ type: 'log', level: 1, msg: `skipping: no hosts matched '${play.hosts.join(',')}'`, time: Date.now() });
      else ctx.bus.emit({ type: 'warning', msg: `no hosts matched '${play.hosts.join(',')}'; skipping this play`, loc: play.loc, time: Date.now() });
    }
    // Ansible's PlaybookExecutor: a batch whose every host failed, any_errors_fatal or
    // max_fail_percentage end the whole run (meta: end_play only this play)
    let breakRun = false;
    if (hosts.length > 0) {
      const run = new PlayRun(ctx, play, hosts);
      const inPlay = new Set(hosts);
      // batches are cut from every host of the play, those failed in earlier plays included, as
      // Ansible's _get_serialized_batches does; they then sit the batch out
      for (const batch of serialBatches(all, run.keywords.serial())) {
        if (ctx.signal.aborted) break;
        const live = batch.filter((h) => inPlay.has(h));
        if (live.length === 0) continue;
        await run.runBatch(live, batch.length);
        const down = live.filter((h) => isDown(ctx, h)).length;
        if (run.failedOut || down === batch.length) breakRun = true;
        if (run.endPlay || breakRun) break;
      }
    }
    ctx.bus.emit({ type: 'play.end', name: play.name, time: Date.now() });
    if (breakRun || (hosts.length > 0 && hosts.every((h) => isDown(ctx, h)))) break;
  }
  ctx.bus.emit({ type: 'recap', hosts: ctx.bus.counter.snapshot(), durationMs: Date.now() - started, interrupted: ctx.signal.aborted, time: Date.now() });
}
