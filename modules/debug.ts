import { GxError } from '../engine/errors.js';
import { defineModule } from '../engine/module-contract.js';
import { evaluate, evaluateCondition } from '../engine/vars/expr.js';
import { isUnknown } from '../engine/vars/unknown.js';

export interface DebugArgs {
  msg?: unknown;
  var?: string;
  verbosity: number;
}

export const debug = defineModule<DebugArgs>({
  name: 'debug',
  summary: 'Print a message or the value of a variable.',
  description:
    'With `var`, the value of that expression (a variable name, `result.stdout_lines`, `groups.all | length`) is shown, or ' +
    '`VARIABLE IS NOT DEFINED!`. With `verbosity: N` the task only shows at -v×N or more (and is skipped otherwise). Never changes anything.',
  schema: {
    type: 'object',
    properties: {
      msg: { description: 'The message: text, or any value (a list or mapping is shown as such). Default "Hello world!".' },
      var: { type: 'string', description: 'An expression whose value to show instead of msg, written without {{ }}.' },
      verbosity: { type: 'integer', minimum: 0, default: 0, description: 'Show only when gx runs with at least this many -v.' },
    },
    additionalProperties: false,
  },
  examples: [
    `- name: Say where we are
  debug:
    msg: "Deploying {{ app_version }} to {{ inventory_hostname }}"`,
    `- name: Show what the command printed
  debug:
    var: result.stdout_lines
    verbosity: 1`,
  ],
  returns: {
    msg: {
      type: 'any',
      description: "The message shown. With var there is no msg: the value is registered under the expression's own text as key.",
      returned: 'without var',
    },
  },
  controllerOnly: true,
  checkMode: true,
  // it only shows the message: text with a part unknown in check mode is shown with the marker
  acceptsUnknown: true,
  check: (a) => (a.var !== undefined && a.msg !== undefined ? ['msg and var cannot be used together'] : []),
  async plan(ctx, a) {
    const level = Number(ctx.vars.ansible_verbosity ?? 0);
    if (a.verbosity > level) return { changed: false, skipped: `verbosity threshold not met (needs ${a.verbosity}, running at ${level})` };
    if (a.var !== undefined) {
      const where = { loc: ctx.loc, host: ctx.host, what: 'debug var' };
      const scope = ctx.vars as Record<string, unknown>;
      // anything undefined on the way, also inside the variable's own value (`mytest: "{{ und }}"`),
      // is Ansible's "VARIABLE IS NOT DEFINED!" (plugins/action/debug.py), with the reason at -v
      const notDefined = (why?: string): string => `VARIABLE IS NOT DEFINED!${why && level > 0 ? `: ${why}` : ''}`;
      let value: unknown;
      try {
        const defined = evaluateCondition(`(${a.var}) is defined`, scope, where);
        value = defined === false ? notDefined() : evaluate(a.var, scope, where);
      } catch (err) {
        if (!(err instanceof GxError) || !/is undefined/.test(err.message)) throw err;
        value = notDefined(err.message);
      }
      return { changed: false, data: { [a.var]: value } };
    }
    const msg = a.msg ?? 'Hello world!';
    // a message that is nothing but an unknown value has nothing to show yet
    if (isUnknown(msg) && msg.text === undefined) return { changed: false, skipped: `cannot show in check mode: 'msg' is not known yet (${msg.reason})` };
    return { changed: false, msg: typeof msg === 'string' || isUnknown(msg) ? String(msg) : JSON.stringify(msg), data: { msg } };
  },
});

export default debug;
