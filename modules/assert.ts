import { defineModule } from '../engine/module-contract.js';
import { evaluateCondition } from '../engine/vars/expr.js';

export interface AssertArgs {
  that: unknown[];
  fail_msg?: unknown;
  msg?: unknown;
  success_msg: unknown;
  quiet: boolean;
}

export const assert = defineModule<AssertArgs>({
  name: 'assert',
  summary: 'Fail unless the given conditions hold.',
  description:
    'Each item of `that` is an expression like a `when` (no {{ }}). The first one that is false fails the task. ' +
    'In check mode a condition that depends on a value not known yet (a command that did not run) neither passes nor fails: the task is skipped with the reason.',
  schema: {
    type: 'object',
    properties: {
      that: {
        type: 'array',
        items: { type: ['string', 'boolean'] },
        minItems: 1,
        description: 'The conditions, as expressions (a single one may be given as a string).',
      },
      fail_msg: { description: 'The message when a condition is false (also accepted as msg).' },
      msg: { description: 'Another name for fail_msg.' },
      success_msg: { default: 'All assertions passed', description: 'The message when all conditions hold.' },
      quiet: { type: 'boolean', default: false, description: 'Do not show the success message.' },
    },
    required: ['that'],
    additionalProperties: false,
  },
  examples: [
    `- name: The API answers
  assert:
    that:
      - health.status == 200
      - "'ok' in health.content"
    fail_msg: "the API is not healthy: {{ health.status }}"`,
  ],
  returns: {
    assertion: { type: 'str', description: 'The condition that failed.', returned: 'on failure' },
    evaluated_to: { type: 'bool', description: 'What it evaluated to.', returned: 'on failure' },
    msg: { type: 'any', description: 'fail_msg or success_msg.', returned: 'always' },
  },
  controllerOnly: true,
  checkMode: true,
  async plan(ctx, a) {
    const scope = ctx.vars as Record<string, unknown>;
    for (const cond of a.that) {
      const r = evaluateCondition(cond, scope, { loc: ctx.loc, host: ctx.host, what: 'assert that' });
      if (r === true) continue;
      if (r === false) {
        const msg = a.fail_msg ?? a.msg ?? 'Assertion failed';
        return { changed: false, failed: true, msg: text(msg), data: { assertion: cond, evaluated_to: false, msg } };
      }
      return { changed: false, skipped: `cannot check '${String(cond)}' in check mode: ${r.reason}` };
    }
    return { changed: false, msg: a.quiet ? undefined : text(a.success_msg), data: a.quiet ? {} : { msg: a.success_msg } };
  },
});

function text(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

export default assert;
