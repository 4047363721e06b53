// Local facts (ansible_local): the *.fact files of fact_path on the host, as ansible-core's
// lib/ansible/module_utils/facts/system/local.py at v2.17.5 reads them: an executable one is run,
// any other is read; the text is JSON, else INI (sections of key = value), else an error string.
import { shellQuote } from '../../../engine/connect/connection.js';

/** The shell text that prints every fact file after a "@@@fact NAME" line (and "@@@rc N" after a run one). */
export function localFactsScript(factPath: string): string {
  const fp = shellQuote(factPath);
  return (
    `[ -d ${fp} ] || exit 0; for f in ${fp}/*.fact; do [ -e "$f" ] || continue; n=\${f##*/}; echo "@@@fact \${n%.fact}"; ` +
    `if [ -x "$f" ]; then "$f" 2>/dev/null; printf '\\n@@@rc %s\\n' $?; else cat "$f"; echo; fi; done`
  );
}

/** configparser's reading: [section] then key = value or key: value; keys lower-cased; # and ; comments. */
function ini(text: string): Record<string, Record<string, string>> | undefined {
  const out: Record<string, Record<string, string>> = {};
  let section: Record<string, string> | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const sect = /^\[(.+)\]$/.exec(line);
    if (sect) {
      section = out[sect[1]!] ??= {};
      continue;
    }
    const kv = /^([^=:]+?)\s*[=:]\s*(.*)$/.exec(line);
    if (!kv || !section) return undefined;
    section[kv[1]!.toLowerCase()] = kv[2]!;
  }
  return out;
}

/** The section's text → { name: fact } (a fact that cannot be read is its error message, as in Ansible). */
export function parseLocalFacts(text: string | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const parts = (text ?? '').split(/^@@@fact (.*)$/m);
  for (let i = 1; i < parts.length; i += 2) {
    const name = parts[i]!;
    let body = parts[i + 1] ?? '';
    const rc = /\n@@@rc (\d+)\n?$/.exec(body);
    if (rc) {
      body = body.slice(0, rc.index);
      if (rc[1] !== '0') {
        out[name] = `Failure executing fact script (${name}.fact), rc: ${rc[1]}`;
        continue;
      }
    }
    try {
      out[name] = JSON.parse(body);
    } catch {
      out[name] = ini(body) ?? `error loading facts as JSON or ini - please check content: ${name}.fact`;
    }
  }
  return out;
}
