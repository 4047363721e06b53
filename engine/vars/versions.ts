// Version comparison for the `version` test, as Ansible's plugins/test/core.py version_compare:
// LooseVersion by default (distutils: numbers compare numerically, letters as text), `strict`
// (StrictVersion) and `semver` (SemanticVersion) on request.
import { Fail } from './fail.js';

type Part = number | string;

/** distutils LooseVersion: components are runs of digits, runs of letters, or other characters. */
function loose(v: string): Part[] {
  return v
    .split(/(\d+|[a-z]+|\.)/)
    .filter((x) => x && x !== '.')
    .map((x) => (/^\d+$/.test(x) ? Number(x) : x));
}

function cmpParts(a: Part[], b: Part[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (typeof x !== typeof y) throw new Fail(`Version comparison failed: '<' not supported between instances of '${typeof x === 'number' ? 'int' : 'str'}' and '${typeof y === 'number' ? 'int' : 'str'}'`);
    if (x !== y) return x < y ? -1 : 1;
  }
  return a.length - b.length;
}

function strict(v: string): { nums: number[]; pre?: [string, number] } {
  const m = /^(\d+)\.(\d+)(\.(\d+))?([ab](\d+))?$/.exec(v);
  if (!m) throw new Fail(`Version comparison failed: invalid version number '${v}'`);
  return { nums: [Number(m[1]), Number(m[2]), Number(m[4] ?? 0)], pre: m[5] ? [m[5][0]!, Number(m[6])] : undefined };
}

function semver(v: string): { core: number[]; pre: Part[] } {
  const m = /^v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/.exec(v);
  if (!m) throw new Fail(`Version comparison failed: invalid semantic version '${v}'`);
  return { core: [Number(m[1]), Number(m[2]), Number(m[3])], pre: m[4] ? m[4].split('.').map((x) => (/^\d+$/.test(x) ? Number(x) : x)) : [] };
}

/** PEP 440 (packaging.version): release, then dev < pre (a < b < rc) < final < post. */
function pep440(v: string): number[] {
  const m = /^\s*v?(\d+(?:\.\d+)*)(?:[-_.]?(a|b|c|rc|alpha|beta|pre|preview)[-_.]?(\d*))?(?:-(\d+)|[-_.]?(post|rev|r)[-_.]?(\d*))?(?:[-_.]?(dev)[-_.]?(\d*))?(?:\+[a-z0-9]+(?:[-_.][a-z0-9]+)*)?\s*$/i.exec(v);
  if (!m) throw new Fail(`Version comparison failed: Invalid version: '${v}'`);
  const release = m[1]!.split('.').map(Number);
  while (release.length > 1 && release[release.length - 1] === 0) release.pop();
  const preKind = m[2]?.toLowerCase();
  const pre = preKind ? [{ a: 0, alpha: 0, b: 1, beta: 1, c: 2, rc: 2, pre: 2, preview: 2 }[preKind]!, Number(m[3] || 0)] : undefined;
  const post = m[4] !== undefined ? Number(m[4]) : m[5] !== undefined ? Number(m[6] || 0) : undefined;
  const dev = m[7] !== undefined ? Number(m[8] || 0) : undefined;
  const INF = Number.MAX_SAFE_INTEGER;
  // packaging's _cmpkey: a dev release of a final sorts before its pre-releases
  const preKey = pre ?? (post === undefined && dev !== undefined ? [-INF, 0] : [INF, 0]);
  return [...release, ...Array(Math.max(0, 10 - release.length)).fill(0), ...preKey, post ?? -INF, dev ?? INF];
}

export function compareVersions(a: string, b: string, type = 'loose'): number {
  if (type === 'pep440') {
    const x = pep440(a);
    const y = pep440(b);
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return x[i]! < y[i]! ? -1 : 1;
    return 0;
  }
  if (type === 'loose') return cmpParts(loose(a), loose(b));
  if (type === 'strict') {
    const x = strict(a);
    const y = strict(b);
    const c = cmpParts(x.nums, y.nums);
    if (c) return c;
    if (!x.pre || !y.pre) return x.pre ? -1 : y.pre ? 1 : 0;
    return cmpParts(x.pre, y.pre);
  }
  if (type === 'semver' || type === 'semantic') {
    const x = semver(a);
    const y = semver(b);
    const c = cmpParts(x.core, y.core);
    if (c) return c;
    if (!x.pre.length || !y.pre.length) return x.pre.length ? -1 : y.pre.length ? 1 : 0;
    // numeric identifiers sort before alphanumeric ones
    for (let i = 0; i < Math.min(x.pre.length, y.pre.length); i++) {
      const p = x.pre[i]!;
      const q = y.pre[i]!;
      if (p === q) continue;
      if (typeof p !== typeof q) return typeof p === 'number' ? -1 : 1;
      return p < q ? -1 : 1;
    }
    return x.pre.length - y.pre.length;
  }
  throw new Fail(`Invalid version type (${type}). Must be one of 'loose', 'strict', 'semver', 'semantic', 'pep440'`);
}

const OPS: Record<string, (c: number) => boolean> = {
  '==': (c) => c === 0, '=': (c) => c === 0, eq: (c) => c === 0,
  '<': (c) => c < 0, lt: (c) => c < 0,
  '<=': (c) => c <= 0, le: (c) => c <= 0,
  '>': (c) => c > 0, gt: (c) => c > 0,
  '>=': (c) => c >= 0, ge: (c) => c >= 0,
  '!=': (c) => c !== 0, '<>': (c) => c !== 0, ne: (c) => c !== 0,
};

export function versionTest(value: string, other: string, op: string, type: string): boolean {
  if (!value) throw new Fail('Input version value cannot be empty');
  if (!other) throw new Fail('Version parameter to compare against cannot be empty');
  const f = Object.prototype.hasOwnProperty.call(OPS, op) ? OPS[op] : undefined;
  if (!f) throw new Fail(`Invalid operator type (${op}). Must be one of ${Object.keys(OPS).map((k) => `'${k}'`).join(', ')}`);
  return f(compareVersions(value, other, type));
}
