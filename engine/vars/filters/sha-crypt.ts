// SHA-crypt ($5$ sha256_crypt, $6$ sha512_crypt), Ulrich Drepper's specification
// (https://www.akkadia.org/drepper/SHA-crypt.txt), for Ansible's `password_hash` filter. Checked
// against `openssl passwd -6 -salt …` in test/vars/filters.test.ts.
import { createHash, randomBytes } from 'node:crypto';

const B64 = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

function b64from24(b2: number, b1: number, b0: number, n: number): string {
  let w = (b2 << 16) | (b1 << 8) | b0;
  let s = '';
  for (let i = 0; i < n; i++) {
    s += B64[w & 0x3f];
    w >>= 6;
  }
  return s;
}

const ORDER: Record<'sha256' | 'sha512', number[][]> = {
  sha256: [[0, 10, 20], [21, 1, 11], [12, 22, 2], [3, 13, 23], [24, 4, 14], [15, 25, 5], [6, 16, 26], [27, 7, 17], [18, 28, 8], [9, 19, 29]],
  sha512: [[0, 21, 42], [22, 43, 1], [44, 2, 23], [3, 24, 45], [25, 46, 4], [47, 5, 26], [6, 27, 48], [28, 49, 7], [50, 8, 29], [9, 30, 51], [31, 52, 10], [53, 11, 32], [12, 33, 54], [34, 55, 13], [56, 14, 35], [15, 36, 57], [37, 58, 16], [59, 17, 38], [18, 39, 60], [40, 61, 19], [62, 20, 41]],
};

export function randomSalt(n = 16): string {
  return [...randomBytes(n)].map((b) => B64[b & 0x3f]).join('');
}

export function shaCrypt(algo: 'sha256' | 'sha512', password: string, salt: string, rounds?: number): string {
  const P = Buffer.from(password, 'utf8');
  const S = Buffer.from(salt.slice(0, 16), 'utf8');
  const r = rounds === undefined ? 5000 : Math.min(999_999_999, Math.max(1000, rounds));
  const h = (): ReturnType<typeof createHash> => createHash(algo);
  const repeat = (buf: Buffer, len: number): Buffer => Buffer.concat(Array.from({ length: Math.ceil(len / buf.length) }, () => buf)).subarray(0, len);

  const B = h().update(P).update(S).update(P).digest();
  const a = h().update(P).update(S).update(repeat(B, P.length));
  for (let i = P.length; i > 0; i >>= 1) a.update(i & 1 ? B : P);
  const A = a.digest();
  const dp = h();
  for (let i = 0; i < P.length; i++) dp.update(P);
  const DP = P.length ? repeat(dp.digest(), P.length) : Buffer.alloc(0);
  const ds = h();
  for (let i = 0; i < 16 + A[0]!; i++) ds.update(S);
  const DS = repeat(ds.digest(), S.length);
  let C = A;
  for (let i = 0; i < r; i++) {
    const c = h();
    c.update(i & 1 ? DP : C);
    if (i % 3) c.update(DS);
    if (i % 7) c.update(DP);
    c.update(i & 1 ? C : DP);
    C = c.digest();
  }
  let out = '';
  for (const [x, y, z] of ORDER[algo]) out += b64from24(C[x!]!, C[y!]!, C[z!]!, 4);
  out += algo === 'sha256' ? b64from24(0, C[31]!, C[30]!, 3) : b64from24(0, 0, C[63]!, 2);
  const prefix = algo === 'sha256' ? '$5$' : '$6$';
  // like passlib: the default 5000 rounds are implicit, any other count is written out
  return `${prefix}${r === 5000 ? '' : `rounds=${r}$`}${salt.slice(0, 16)}$${out}`;
}
