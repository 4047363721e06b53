// POSIX-shell-like word splitting, the one rule set for everything gx reads that way: `-e 'k=v
// k2="a b"'` on the command line, and the ExecStart and EnvironmentFile lines the k3s install
// script writes. Whitespace separates words; single quotes keep everything literally; double
// quotes group and a backslash inside them, or outside any quote, takes the next character as is.

export interface ShellWords {
  words: string[];
  /** The quote character left open at the end of the text, '' when every quote was closed. */
  openQuote: string;
}

export function splitShellWords(text: string): ShellWords {
  const words: string[] = [];
  let cur = '';
  let quote = '';
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\' && i + 1 < text.length && quote !== "'") {
      cur += text[++i];
      inWord = true;
    } else if (quote) {
      if (c === quote) quote = '';
      else cur += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (inWord) words.push(cur);
  return { words, openQuote: quote };
}
