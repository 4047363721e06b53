// Every filter and test of a list, applied to values of every type, by gx and by a real
// ansible-core (Debian's /usr/bin/python3): prints where they disagree. A development tool, like
// check-with-ansible.ts; not part of the mocha suite.
// Run: node --import tsx test/vars/conformance/grid-with-ansible.ts
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { evaluate } from '../../../engine/vars/expr.js';

const VALUES = ['3', '-2.5', "'Hello World'", "''", '[3, 1, 2]', "['b', 'a']", "{'b': 2, 'a': 1}", 'none', 'true', "'42'", '[[1, 2], [3]]', "'a,b,c'"];
const FILTERS = ['abs', 'bool', 'capitalize', 'count', 'first', 'float', 'int', 'join', 'last', 'length', 'list', 'lower', 'max', 'min', 'reverse | list', 'sort', 'string', 'sum', 'title', 'trim', 'unique', 'upper', 'wordcount', 'flatten', 'to_json', 'b64encode', 'quote', 'type_debug', 'dict2items', 'items2dict', 'basename', 'dirname', 'hash', 'checksum', 'to_yaml', 'to_nice_json', 'splitext', 'split', 'center', 'indent', 'dictsort', 'items | list', 'round', 'human_readable', 'regex_escape', 'comment'];
const TESTS = ['string', 'number', 'integer', 'float', 'boolean', 'mapping', 'sequence', 'iterable', 'none', 'true', 'false', 'lower', 'upper', 'even', 'odd', 'truthy', 'falsy', 'sameas 3', 'eq 3', 'in [3]', 'divisibleby 3', 'any', 'all', 'url', 'uri', 'subset [3, 1, 2, 4]', 'contains 1', 'match "H"', 'search "o"', 'version "1.0"'];

const exprs = VALUES.flatMap((v) => [...FILTERS.map((f) => `(${v}) | ${f}`), ...TESTS.map((t) => `(${v}) is ${t}`)]);
const here = dirname(fileURLToPath(import.meta.url));
const python = process.env['ANSIBLE_PYTHON'] ?? '/usr/bin/python3';
const answers = JSON.parse(execFileSync(python, [join(here, 'ansible-eval.py')], { input: JSON.stringify({ vars: {}, exprs }), encoding: 'utf8', maxBuffer: 1 << 26, stdio: ['pipe', 'pipe', 'ignore'] })) as { ok?: unknown; error?: string }[];

// Ansible 2.14 (not native) returns text that looks like a Python literal as that literal
const pyLiteral = (s: string): unknown => {
  try {
    return JSON.parse(s.replace(/'/g, '"').replace(/\bTrue\b/g, 'true').replace(/\bFalse\b/g, 'false').replace(/\bNone\b/g, 'null').replace(/\(/g, '[').replace(/\)/g, ']'));
  } catch {
    return undefined;
  }
};
const same = (a: unknown, b: unknown): boolean =>
  isDeepStrictEqual(a, b) ||
  (a === '' && b === null) ||
  (typeof a === 'string' && typeof b === 'number' && a.trim() !== '' && Number(a) === b) ||
  (typeof a === 'string' && typeof b === 'boolean' && a === (b ? 'True' : 'False')) ||
  (typeof a === 'string' && typeof b === 'object' && isDeepStrictEqual(pyLiteral(a), b)) ||
  (typeof a === 'object' && typeof b === 'string' && isDeepStrictEqual(a, pyLiteral(b)));

let agree = 0;
exprs.forEach((e, i) => {
  const a = answers[i]!;
  let mine: { ok?: unknown; error?: string };
  try {
    mine = { ok: evaluate(e, {}) };
  } catch (x) {
    mine = { error: (x as Error).message.split('\n')[0] };
  }
  if ((a.error !== undefined && mine.error !== undefined) || (a.error === undefined && mine.error === undefined && same(a.ok, mine.ok))) agree++;
  else console.log(`${e}\n   gx: ${mine.error !== undefined ? `ERR ${mine.error}` : JSON.stringify(mine.ok)}\n   ansible: ${a.error !== undefined ? `ERR ${a.error.slice(0, 120)}` : JSON.stringify(a.ok)}`);
});
console.log(`${agree}/${exprs.length} agree with ansible-core`);
