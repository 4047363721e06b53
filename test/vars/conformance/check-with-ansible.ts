// Asks a real ansible-core the questions in table.ts and prints where its answers differ from
// the table (and so from gx). Needs Debian's ansible (/usr/bin/python3 with ansible-core);
// not part of the mocha suite. Run: node --import tsx test/vars/conformance/check-with-ansible.ts
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { pyRepr } from '../../../engine/vars/pytext.js';
import { CASES, SCOPE } from './table.js';

const here = dirname(fileURLToPath(import.meta.url));
const python = process.env['ANSIBLE_PYTHON'] ?? '/usr/bin/python3';
const input = JSON.stringify({ vars: SCOPE, exprs: CASES.map((c) => c.expr) });
const answers = JSON.parse(execFileSync(python, [join(here, 'ansible-eval.py')], { input, encoding: 'utf8', maxBuffer: 1 << 26 })) as { ok?: unknown; error?: string }[];

// Ansible 2.14 (not native) gives text for scalars at the top level: compare loosely there
// (2.0 → "2.0", None → "", tuples → "('a', 'b')")
const loose = (a: unknown, b: unknown): boolean =>
  isDeepStrictEqual(a, b) ||
  (typeof a === 'string' && typeof b === 'number' && a.trim() !== '' && Number(a) === b) ||
  (typeof a === 'string' && typeof b === 'string' && a === b) ||
  (typeof a === 'object' && a !== null && typeof b === 'string' && /^[[{]/.test(b) && isDeepStrictEqual(a, JSON.parse(b))) ||
  (a === '' && b === null) ||
  (typeof a === 'string' && typeof b === 'boolean' && a === (b ? 'True' : 'False')) ||
  (typeof a === 'string' && Array.isArray(b) && a === `(${b.map((x) => pyRepr(x)).join(', ')})`);

let differ = 0;
CASES.forEach((c, i) => {
  const a = answers[i]!;
  if (c.error) {
    if (a.error === undefined) {
      differ++;
      console.log(`DIFF ${c.expr}\n  gx: error ${c.error}\n  ansible: ${JSON.stringify(a.ok)}${c.note ? `\n  note: ${c.note}` : ''}`);
    }
    return;
  }
  if (a.error !== undefined || !loose(a.ok, c.want)) {
    differ++;
    console.log(`DIFF ${c.expr}\n  gx: ${JSON.stringify(c.want)}\n  ansible: ${a.error ?? JSON.stringify(a.ok)}${c.note ? `\n  note: ${c.note}` : ''}`);
  }
});
console.log(`${CASES.length - differ}/${CASES.length} cases agree with ansible-core`);
