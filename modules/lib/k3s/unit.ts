// What the k3s install script leaves behind and gx compares against: the ExecStart of
// SYSTEMD_DIR/k3s.service (k3s-agent.service for agents) and its EnvironmentFile SERVICE.env.
// The script writes the command as `ExecStart=BIN_DIR/k3s \` followed by one quoted word per line
// (`\t'--disable=traefik' \`), and the env file as one KEY='value' line per K3S_*/CONTAINERD_*
// variable it was run with. Reading those back is how a re-run knows the flags k3s runs with.

/** The words after the binary in ExecStart, unquoted; undefined when there is no ExecStart. */
export function parseExecStart(unit: string): { binary: string; args: string[] } | undefined {
  const lines = unit.split('\n');
  const start = lines.findIndex((l) => l.startsWith('ExecStart='));
  if (start < 0) return undefined;
  let text = lines[start]!.slice('ExecStart='.length);
  for (let i = start; lines[i]!.trimEnd().endsWith('\\') && i + 1 < lines.length; i++) {
    text = text.trimEnd().slice(0, -1) + ' ' + lines[i + 1];
  }
  const words = splitWords(text);
  if (words.length === 0) return undefined;
  return { binary: words[0]!, args: words.slice(1) };
}

/** POSIX-shell-like word splitting with single and double quotes, enough for what the script writes. */
export function splitWords(text: string): string[] {
  const words: string[] = [];
  let cur = '';
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === "'") {
      const end = text.indexOf("'", i + 1);
      cur += text.slice(i + 1, end < 0 ? text.length : end);
      i = end < 0 ? text.length : end;
      inWord = true;
    } else if (c === '"') {
      let j = i + 1;
      for (; j < text.length && text[j] !== '"'; j++) {
        if (text[j] === '\\' && j + 1 < text.length) j++;
        cur += text[j];
      }
      i = j;
      inWord = true;
    } else if (c === '\\' && i + 1 < text.length) {
      cur += text[++i];
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
  return words;
}

/** KEY=value pairs of an EnvironmentFile (values quoted with ' or " or bare). */
export function parseEnvFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (!m) continue;
    out[m[1]!] = splitWords(m[2]!).join(' ');
  }
  return out;
}

/** The ExecStart block as the install script writes it, for diffs. */
export function formatExecStart(binary: string, args: string[]): string {
  const q = (w: string) => `'${w.replace(/'/g, `'\\''`)}'`;
  return [`ExecStart=${binary} \\`, ...args.map((a, i) => (i === 0 ? `    ${a} \\` : `\t${q(a)} \\`))].join('\n') + '\n';
}
