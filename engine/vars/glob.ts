// Python's glob.glob for the fileglob filter and lookup (Node 20 has no fs.glob): `*`, `?` and
// `[…]` within one path component, hidden files only when the pattern starts with a dot; files
// only (not directories), sorted.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function componentRe(part: string): RegExp {
  let re = '';
  for (let i = 0; i < part.length; i++) {
    const c = part[i]!;
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const close = part.indexOf(']', i + 2);
      if (close < 0) re += '\\[';
      else {
        const body = part.slice(i + 1, close).replace(/^!/, '^').replace(/\\/g, '\\\\');
        re += `[${body}]`;
        i = close;
      }
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

const magic = (s: string): boolean => /[*?[]/.test(s);

export function globPaths(pattern: string): string[] {
  const abs = pattern.startsWith('/');
  const parts = pattern.split('/').filter((p, i) => p !== '' || i === 0);
  let current = [abs ? '/' : ''];
  for (const part of abs ? parts.slice(1) : parts) {
    const next: string[] = [];
    for (const dir of current) {
      if (!magic(part)) {
        next.push(dir === '' ? part : join(dir, part));
        continue;
      }
      let names: string[];
      try {
        names = readdirSync(dir === '' ? '.' : dir);
      } catch {
        continue;
      }
      const re = componentRe(part);
      for (const n of names.sort()) if (re.test(n) && (part.startsWith('.') || !n.startsWith('.'))) next.push(dir === '' ? n : join(dir, n));
    }
    current = next;
  }
  return current.filter((p) => {
    try {
      statSync(p);
      return true;
    } catch {
      return false;
    }
  });
}

/** What Ansible's fileglob returns: matching regular files, sorted. */
export function globFiles(pattern: string): string[] {
  return globPaths(pattern)
    .filter((p) => {
      try {
        return statSync(p).isFile();
      } catch {
        return false;
      }
    })
    .sort();
}
