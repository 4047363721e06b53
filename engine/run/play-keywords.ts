// Play keywords that may be templates — strategy, serial, max_fail_percentage, force_handlers —
// rendered once when the play needs them, with the first host's variables (play vars, vars_files,
// -e, its inventory), as Ansible post-validates a play before running it.
import type { CompiledPlay } from '../compile/types.js';
import { PlaybookError } from '../errors.js';
import { hasTemplate } from '../vars/template.js';
import { HOST_PINNED, HOST_PINNED_WARNING } from '../compile/kw-value.js';
import type { RunContext } from './context.js';
import { keywordBool, keywordNumber, keywordRaw, type KeywordScope } from './keyword-values.js';
import type { PlayScope } from './scope-builder.js';

export class PlayKeywords {
  private strategyCache: 'linear' | 'free' | undefined;
  private maxFailCache: number | null | undefined;
  private forceHandlersCache: boolean | undefined;

  constructor(
    private readonly ctx: RunContext,
    private readonly play: CompiledPlay,
    private readonly scope: PlayScope,
  ) {}

  /** linear or free; any other name is Ansible's "Invalid play strategy specified" with the nearest */
  strategy(): 'linear' | 'free' {
    if (this.strategyCache) return this.strategyCache;
    const raw = keywordRaw(this.play.strategy, this.keywordScope('strategy'));
    let name = raw === undefined || raw === null ? 'linear' : String(raw).trim();
    // a template giving host_pinned (a literal one was read as free when compiled, with the warning)
    if (name === HOST_PINNED) {
      this.ctx.bus.emit({ type: 'warning', msg: HOST_PINNED_WARNING, loc: this.play.loc, time: Date.now() });
      name = 'free';
    }
    if (name !== 'linear' && name !== 'free') {
      throw new PlaybookError(`Invalid play strategy specified: '${name}'; gx has the linear and free strategies`, {
        loc: this.play.loc,
        hint: 'write strategy: linear (the default), free or host_pinned (which gx runs as free)',
      });
    }
    return (this.strategyCache = name);
  }

  forceHandlers(): boolean {
    this.forceHandlersCache ??= keywordBool(this.play.forceHandlers, this.keywordScope('force_handlers'), 'force_handlers') === true;
    return this.forceHandlersCache;
  }

  maxFailPercentage(): number | undefined {
    if (this.maxFailCache === undefined && this.play.maxFailPercentage !== undefined) {
      this.maxFailCache = keywordNumber(this.play.maxFailPercentage, this.keywordScope('max_fail_percentage'), 'max_fail_percentage') ?? null;
    }
    return this.maxFailCache ?? undefined;
  }

  /** serial, its templates rendered (a template may give a whole list) */
  serial(): (number | string)[] | undefined {
    const raw = this.play.serial;
    if (!raw || !raw.some((x) => typeof x === 'string' && hasTemplate(x))) return raw;
    const ks = this.keywordScope('serial');
    return raw.flatMap((x) => {
      const v = typeof x === 'string' && hasTemplate(x) ? keywordRaw({ templated: true, keyword: 'serial', template: x, parent: undefined }, ks) : x;
      return (Array.isArray(v) ? v : [v]).filter((y): y is number | string => typeof y === 'number' || typeof y === 'string');
    });
  }

  private keywordScope(what: string): KeywordScope {
    return { scope: this.scope.forTask(this.scope.playHosts[0] ?? 'localhost', undefined), where: { loc: this.play.loc, what }, omit: this.ctx.omit };
  }
}
