// docs/expressions.md names every filter, test, function and lookup gx knows, so the reference
// cannot fall behind the code.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { FILTERS, TESTS } from '../../engine/vars/expr-builtins.js';
import { FUNCTION_NAMES } from '../../engine/vars/functions.js';
import { LOOKUP_NAMES } from '../../engine/vars/lookups/index.js';

const doc = readFileSync(new URL('../../docs/expressions.md', import.meta.url), 'utf8');
const named = (name: string): boolean => doc.includes(`\`${name}\``) || doc.includes(`\`${name}(`) || new RegExp(`[\`/]${name.replace(/[^\w]/g, '\\$&')}[\`/(]`).test(doc);
// collection aliases (ansible.builtin.x, ansible.utils.x) are the same filters under another name
const own = (names: string[]): string[] => names.filter((n) => !n.includes('.'));

describe('docs/expressions.md', () => {
  for (const [what, names] of [
    ['filter', own(Object.keys(FILTERS))],
    ['test', own(Object.keys(TESTS))],
    ['function', FUNCTION_NAMES],
    ['lookup', LOOKUP_NAMES],
  ] as const) {
    it(`names every ${what}`, () => expect(names.filter((n) => !named(n))).to.deep.equal([]));
  }
});
