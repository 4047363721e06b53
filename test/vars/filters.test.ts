// The expression language's vocabulary, case by case against what Ansible returns
// (test/vars/conformance/table.ts; `node --import tsx test/vars/conformance/check-with-ansible.ts`
// asks a real ansible-core the same questions).
import { expect } from 'chai';
import { TemplateError } from '../../engine/errors.js';
import { evaluate } from '../../engine/vars/expr.js';
import { CASES, SCOPE } from './conformance/table.js';

describe('vars/filters, tests, functions and methods (Ansible conformance table)', () => {
  for (const c of CASES) {
    it(`${c.expr}  →  ${c.error ? `error: ${c.error}` : JSON.stringify(c.want)}`, () => {
      if (c.error) {
        expect(() => evaluate(c.expr, SCOPE)).to.throw(TemplateError).with.property('message').that.contains(c.error);
      } else {
        expect(evaluate(c.expr, SCOPE)).to.deep.equal(c.want);
      }
    });
  }
});
