// POSIX-shell word splitting, the one rule set for everything gx reads that way: `-e 'k=v k2="a b"'`
// on the command line, `key=value` module arguments and the free-form text of command, a `validate`
// command, and the ExecStart and EnvironmentFile lines the k3s install script writes. Nothing is
// expanded ($HOME stays $HOME); the quoting is the shell's (POSIX XCU 2.2):
// - blanks (space, tab) and newlines separate words;
// - outside quotes a backslash keeps the next character literally (backslash-newline is removed);
// - inside single quotes nothing is special, not even a backslash;
// - inside double quotes a backslash is special only before $ ` " \ and newline (backslash-newline
//   is removed); before any other character it stays, with that character.
// `shellQuote` is the inverse: a word written so that this splitter, and /bin/sh, read it back as is.

export interface ShellWord {
  /** the word with its quoting removed */
  value: string;
  /** the word as written, quotes included */
  raw: string;
  /** where it starts and ends in the text */
  start: number;
  end: number;
}

/** The text ends inside a quote (or right after an escaping backslash, which counts as `\`). */
export class UnterminatedQuote extends Error {
  readonly quote: string;
  constructor(quote: string, text: string) {
    super(`unterminated ${quote} quote in: ${text}`);
    this.quote = quote;
    this.name = 'UnterminatedQuote';
  }
}

const isSeparator = (c: string): boolean => c === ' ' || c === '\t' || c === '\n';

/** The words of `text`, with where each is; throws UnterminatedQuote when a quote is left open. */
export function shellWords(text: string): ShellWord[] {
  const words: ShellWord[] = [];
  const n = text.length;
  let i = 0;
  for (;;) {
    while (i < n && (isSeparator(text[i]!) || (text[i] === '\\' && text[i + 1] === '\n'))) i += text[i] === '\\' ? 2 : 1;
    if (i >= n) break;
    const start = i;
    let value = '';
    while (i < n && !isSeparator(text[i]!)) {
      const c = text[i]!;
      if (c === "'") {
        const close = text.indexOf("'", i + 1);
        if (close < 0) throw new UnterminatedQuote("'", text);
        value += text.slice(i + 1, close);
        i = close + 1;
      } else if (c === '"') {
        i++;
        while (i < n && text[i] !== '"') {
          if (text[i] === '\\' && i + 1 < n && '$`"\\\n'.includes(text[i + 1]!)) {
            if (text[i + 1] !== '\n') value += text[i + 1];
            i += 2;
          } else value += text[i++];
        }
        if (i >= n) throw new UnterminatedQuote('"', text);
        i++;
      } else if (c === '\\') {
        // a backslash at the very end escapes nothing: sh keeps it as a character
        if (i + 1 >= n) value += c;
        else if (text[i + 1] !== '\n') value += text[i + 1];
        i += 2;
      } else {
        value += c;
        i++;
      }
    }
    words.push({ value, raw: text.slice(start, i), start, end: i });
  }
  return words;
}

/** The words of `text`, unquoted; throws UnterminatedQuote when a quote is left open. */
export function shellSplit(text: string): string[] {
  return shellWords(text).map((w) => w.value);
}

/** `word` quoted for a POSIX shell (and shellSplit): bare when it is only safe characters, else in single quotes. */
export function shellQuote(word: string): string {
  if (word !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** Words joined into one command line that splits back into them. */
export function shellJoin(words: readonly string[]): string {
  return words.map(shellQuote).join(' ');
}
