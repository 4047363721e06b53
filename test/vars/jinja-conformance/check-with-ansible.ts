// Asks a real ansible-core the cases in table.ts and prints where its answers differ from the
// table (and so from gx). Needs Debian's ansible (/usr/bin/python3 with ansible-core); not part of
// the mocha suite. Run: node --import tsx test/vars/jinja-conformance/check-with-ansible.ts
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CASES } from './table.js';

const here = dirname(fileURLToPath(import.meta.url));
const python = process.env['ANSIBLE_PYTHON'] ?? '/usr/bin/python3';
const cases = CASES.map((c) => (c.includes ? { ...c, dir: join(here, 'templates') } : c));
const answers = JSON.parse(execFileSync(python, [join(here, 'ansible-template.py')], { input: JSON.stringify({ cases }), encoding: 'utf8' })) as { ok?: unknown; error?: string }[];
let differ = 0;
CASES.forEach((c, i) => {
  const a = answers[i]!;
  if (a.error !== undefined || a.ok !== c.want) {
    differ++;
    console.log(`DIFF ${JSON.stringify(c.text)}\n  table: ${JSON.stringify(c.want)}\n  ansible: ${a.error ?? JSON.stringify(a.ok)}`);
  }
});
console.log(`${CASES.length - differ}/${CASES.length} cases agree with ansible-core`);
