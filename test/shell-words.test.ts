// engine/shell-words.ts: the one POSIX word splitter, checked against /bin/sh itself. The reference
// is `sh -c "printf '%s\0' x TEXT"`: the words sh makes of TEXT, NUL-separated (x keeps an empty
// TEXT from printing one empty word).
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { shellJoin, shellQuote, shellSplit, shellWords, UnterminatedQuote } from '../engine/shell-words.js';

/** The words /bin/sh makes of `text`, or undefined when sh refuses it (a quote left open). */
function shWords(text: string): string[] | undefined {
  const r = spawnSync('/bin/sh', ['-c', `printf '%s\\0' x ${text}`], { encoding: 'utf8', env: {} });
  if (r.status !== 0) return undefined;
  return r.stdout.split('\0').slice(1, -1);
}

function splitOrUndefined(text: string): string[] | undefined {
  try {
    return shellSplit(text);
  } catch (err) {
    if (err instanceof UnterminatedQuote) return undefined;
    throw err;
  }
}

describe('shell words: one POSIX splitter', () => {
  it('splits like sh, without expanding', () => {
    expect(shellSplit(`a "b c" 'd "e"' f\\ g "h\\"i" $HOME 'j''k' "\\$x"`)).to.deep.equal(['a', 'b c', 'd "e"', 'f g', 'h"i', '$HOME', 'jk', '$x']);
    expect(shellSplit('  ')).to.deep.equal([]);
    expect(shellSplit("''")).to.deep.equal(['']);
    expect(() => shellSplit(`echo 'open`)).to.throw(UnterminatedQuote, /unterminated ' quote/);
    expect(() => shellSplit(`echo "open`)).to.throw(UnterminatedQuote, /unterminated " quote/);
  });

  it('backslash: escapes anything outside quotes, only $ ` " \\ and newline inside double quotes, nothing inside single quotes', () => {
    expect(shellSplit('a\\b \\\'c')).to.deep.equal(['ab', "'c"]);
    expect(shellSplit('"a\\b" "\\\\" "\\`"')).to.deep.equal(['a\\b', '\\', '`']);
    expect(shellSplit("'a\\b' 'c\\'")).to.deep.equal(['a\\b', 'c\\']);
    expect(shellSplit('a\\\nb "c\\\nd"')).to.deep.equal(['ab', 'cd']);
  });

  it('knows where each word is, as written', () => {
    const text = ` ls  -l "my dir"\tx='1 2'`;
    for (const w of shellWords(text)) expect(text.slice(w.start, w.end)).to.equal(w.raw);
    expect(shellWords(text).map((w) => w.raw)).to.deep.equal(['ls', '-l', '"my dir"', "x='1 2'"]);
  });

  it('quotes only what needs it', () => {
    expect(shellQuote('plain/path-1.2:x=y')).to.equal('plain/path-1.2:x=y');
    expect(shellQuote('')).to.equal("''");
    expect(shellQuote("it's")).to.equal(`'it'\\''s'`);
    expect(shellJoin(['a b', '$x'])).to.equal(`'a b' '$x'`);
  });

  it('property: any words, quoted by shellQuote, come back the same from sh and from shellSplit', () => {
    const word = fc.string({ unit: 'binary', maxLength: 12 }).map((s) => s.replace(/\0/g, ''));
    fc.assert(
      fc.property(fc.array(word, { maxLength: 5 }), (words) => {
        const line = shellJoin(words);
        expect(shellSplit(line), line).to.deep.equal(words);
        expect(shWords(line), line).to.deep.equal(words);
      }),
      { numRuns: 150 },
    );
  });

  it('property: any text of quotes, backslashes and blanks splits as sh splits it (or is refused where sh refuses it)', () => {
    // no $, `, globs, #, ~ or newlines: sh would expand or run those (a backslash-newline, after a
    // random backslash, would be one), the splitter keeps them as text
    const piece = fc.constantFrom('a', 'b', '=', '-', ' ', '  ', '\t', "'", '"', '\\', '\\\\', "\\'", '\\"', '"\\$"', '"\\`"', 'x y');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 14 }), (pieces) => {
        const text = pieces.join('');
        expect(splitOrUndefined(text), JSON.stringify(text)).to.deep.equal(shWords(text));
      }),
      { numRuns: 300 },
    );
  });
});
