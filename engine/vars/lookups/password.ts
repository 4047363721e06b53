// The password lookup (lib/ansible/plugins/lookup/password.py, v2.17.5): `path length=20
// chars=ascii_letters,digits` reads the password stored at path, or generates one and stores it
// there (0600, directories 0700); /dev/null only generates. Relative paths are the playbook
// directory's. As in Ansible the file is written when the lookup runs, in check mode too: it is
// the controller's file, not the host's. `encrypt=sha512_crypt|sha256_crypt` returns the hash and
// keeps the salt beside the password, as Ansible does.
import { randomInt } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { Fail } from '../fail.js';
import { rng } from '../filters/collections.js';
import { randomSalt, shaCrypt } from '../filters/sha-crypt.js';
import { pyStr, toInt } from '../values.js';
import { baseDir, type LookupContext } from './context.js';

const VALID = new Set(['length', 'encrypt', 'chars', 'ident', 'seed']);

/** Python's string module constants, by name. */
const STRING_SETS: Record<string, string> = {
  ascii_letters: 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ',
  ascii_lowercase: 'abcdefghijklmnopqrstuvwxyz',
  ascii_uppercase: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ',
  digits: '0123456789',
  hexdigits: '0123456789abcdefABCDEF',
  octdigits: '01234567',
  punctuation: '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~',
};

function candidateChars(specs: string[]): string {
  return specs.map((s) => (Object.prototype.hasOwnProperty.call(STRING_SETS, s) ? STRING_SETS[s] : s)).join('').replace(/["']/g, '');
}

function parseTerm(term: string, kw: Record<string, unknown>): { path: string; params: Record<string, unknown> } {
  const space = term.indexOf(' ');
  const path = space < 0 ? term : term.slice(0, space);
  const params: Record<string, unknown> = { ...kw };
  if (space >= 0) {
    const rest = term.slice(space + 1);
    for (const m of rest.matchAll(/(\w+)=("(?:[^"\\]|\\.)*"|'[^']*'|\S+)/g)) params[m[1]!] = m[2]!.replace(/^(["'])(.*)\1$/s, '$2');
    if (rest.replace(/(\w+)=("(?:[^"\\]|\\.)*"|'[^']*'|\S+)/g, '').trim()) throw new Fail('password: Unrecognized value after key=value parameters given to password lookup');
  }
  const bad = Object.keys(params).filter((k) => !VALID.has(k));
  if (bad.length) throw new Fail(`password: Unrecognized parameter(s) given to password lookup: ${bad.join(', ')}`);
  return { path, params };
}

function charsOf(v: unknown): string[] {
  if (v === undefined || v === null) return ['ascii_letters', 'digits', '.,:-_'];
  if (Array.isArray(v)) return v.map(pyStr);
  const s = pyStr(v);
  const out = s.includes(',,') ? [','] : [];
  return [...out, ...s.replace(/,,/g, ',').split(',').filter(Boolean)];
}

function parseContent(content: string): { password: string; salt?: string } {
  const i = content.lastIndexOf(' salt=');
  if (i < 0) return { password: content };
  const rest = content.slice(i + 6);
  const j = rest.lastIndexOf(' ident=');
  return { password: content.slice(0, i), salt: j < 0 ? rest : rest.slice(0, j) };
}

export function passwordLookup(terms: unknown[], kw: Record<string, unknown>, ctx: LookupContext): unknown[] {
  return terms.map((t) => {
    const { path: rel, params } = parseTerm(pyStr(t), kw);
    const path = isAbsolute(rel) ? rel : join(baseDir(ctx), rel);
    const length = toInt(params['length'] ?? 20);
    const chars = candidateChars(charsOf(params['chars']));
    if (!chars) throw new Fail('password: no characters to choose from (chars=)');
    const encrypt = params['encrypt'] === undefined || params['encrypt'] === null ? undefined : pyStr(params['encrypt']);
    const isNull = path === '/dev/null';
    let content = !isNull && existsSync(path) ? readFileSync(path, 'utf8').trimEnd() : undefined;
    let { password, salt } = content === undefined ? { password: undefined as string | undefined, salt: undefined as string | undefined } : parseContent(content);
    let changed = false;
    if (password === undefined) {
      const pick = params['seed'] === undefined ? (n: number) => randomInt(n) : ((r) => (n: number) => Math.floor(r() * n))(rng(params['seed']));
      password = Array.from({ length }, () => chars[pick(chars.length)]).join('');
      changed = true;
    }
    if (encrypt && !salt) {
      salt = randomSalt(16);
      changed = true;
    }
    if (changed && !isNull) {
      content = salt ? `${password} salt=${salt}` : password;
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      writeFileSync(path, `${content}\n`, { mode: 0o600 });
    }
    if (!encrypt) return password;
    const algo = encrypt === 'sha512_crypt' ? 'sha512' : encrypt === 'sha256_crypt' ? 'sha256' : undefined;
    if (!algo) throw new Fail(`password: encrypt=${encrypt} is not supported by gx (sha512_crypt and sha256_crypt are)`);
    return shaCrypt(algo, password, salt!, algo === 'sha512' ? 656_000 : 535_000);
  });
}
