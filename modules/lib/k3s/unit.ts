// What the k3s install script leaves behind and gx compares against: the ExecStart of
// SYSTEMD_DIR/k3s.service (k3s-agent.service for agents) and its EnvironmentFile SERVICE.env.
// The script writes the command as `ExecStart=BIN_DIR/k3s \` followed by one quoted word per line
// (`\t'--disable=traefik' \`), and the env file as one KEY='value' line per K3S_*/CONTAINERD_*
// variable it was run with. Reading those back is how a re-run knows the flags k3s runs with.

import { shellSplit, UnterminatedQuote } from '../../../engine/shell-words.js';

/** The words of a line the install script wrote; a quote left open (a damaged file) leaves none. */
function wordsOf(text: string): string[] | undefined {
  try {
    return shellSplit(text);
  } catch (err) {
    if (err instanceof UnterminatedQuote) return undefined;
    throw err;
  }
}

/** The words after the binary in ExecStart, unquoted; undefined when there is no ExecStart. */
export function parseExecStart(unit: string): { binary: string; args: string[] } | undefined {
  const lines = unit.split('\n');
  const start = lines.findIndex((l) => l.startsWith('ExecStart='));
  if (start < 0) return undefined;
  let text = lines[start]!.slice('ExecStart='.length);
  for (let i = start; lines[i]!.trimEnd().endsWith('\\') && i + 1 < lines.length; i++) {
    text = text.trimEnd().slice(0, -1) + ' ' + lines[i + 1];
  }
  const words = wordsOf(text);
  if (!words || words.length === 0) return undefined;
  return { binary: words[0]!, args: words.slice(1) };
}

/** KEY=value pairs of an EnvironmentFile (values quoted with ' or " or bare). */
export function parseEnvFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (!m) continue;
    out[m[1]!] = wordsOf(m[2]!)?.join(' ') ?? m[2]!;
  }
  return out;
}

/** The ExecStart block as the install script writes it, for diffs. */
export function formatExecStart(binary: string, args: string[]): string {
  const q = (w: string) => `'${w.replace(/'/g, `'\\''`)}'`;
  return [`ExecStart=${binary} \\`, ...args.map((a, i) => (i === 0 ? `    ${a} \\` : `\t${q(a)} \\`))].join('\n') + '\n';
}
