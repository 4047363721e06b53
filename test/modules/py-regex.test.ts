// Python regular expressions as Ansible users write them, translated for JavaScript
// (modules/lib/py-regex.ts): each case is what Python's re module does with the same pattern.
import { expect } from 'chai';
import { expandMatch, PyRegexError, pyRegex, translatePyRegex } from '../../modules/lib/py-regex.js';
import { ModuleError } from '../../engine/errors.js';

const search = (re: string, s: string, flags = ''): string | null => pyRegex(re, flags).exec(s)?.[0] ?? null;

describe('modules/lib/py-regex', () => {
  const CASES: [string, string, string | null, string?][] = [
    // [pattern, text, re.search(...).group(0) in Python, flags]
    ['(?P<major>\\d+)\\.(?P=major)', 'v1.1', '1.1'],
    ['\\Aab', 'ab\nab', 'ab'],
    ['ab\\Z', 'ab\nab', 'ab'],
    ['\\Aab', 'xab', null],
    ['b$', 'ab\n', 'b'],
    ['b$', 'ab\nc', null],
    ['^b$', 'a\nb\nc', 'b', 'm'],
    ['(?m)^b$', 'a\nb\nc', 'b'],
    ['(?i)HELLO', 'say hello', 'hello'],
    ['(?s)a.b', 'a\nb', 'a\nb'],
    ['(?x) a  b # comment\n c', 'abc', 'abc'],
    ['(?x)a[ ]b', 'a b', 'a b'],
    ['a{,2}', 'aaa', 'aa'],
    ['a(?#note)b', 'ab', 'ab'],
    ['[]a]+', 'x]a]', ']a]'],
    ['[^]a]+', ']]xy', 'xy'],
    ['(?<=a)b', 'ab', 'b'],
    ['(?ai)X', 'x', 'x'],
  ];
  for (const [re, s, want, flags] of CASES) it(`${JSON.stringify(re)} on ${JSON.stringify(s)}`, () => expect(search(re, s, flags)).to.equal(want));

  it('refuses what JavaScript cannot do, naming the construct', () => {
    const refused: [string, RegExp][] = [
      ['(?i:a)b', /scoped inline flags \(\?i:…\) are not supported; put the flag at the start/],
      ['a(?i)b', /inline flags \(\?i\) must be at the start/],
      ['(?>a)', /atomic groups/],
      ['a++', /possessive quantifiers/],
      ['(a)?(?(1)b|c)', /conditional groups/],
      ['(?L)a', /locale flag/],
    ];
    for (const [re, msg] of refused) {
      expect(() => translatePyRegex(re)).to.throw(PyRegexError, msg);
      expect(() => pyRegex(re, '', 'regexp')).to.throw(ModuleError, /regexp is not a valid regular expression/);
    }
  });

  it("expands Python's replacement template", () => {
    const m = pyRegex('(?P<k>\\w+)=(\\w+)').exec('a=b')!;
    expect(expandMatch('\\2:\\g<k>:\\g<1>\\n\\\\', m)).to.equal('b:a:a\n\\');
  });
});
