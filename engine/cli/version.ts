// gx's version, from package.json (two levels up from engine/cli, three from dist/engine/cli).
import { readFileSync } from 'node:fs';

export function readVersion(): string {
  for (const rel of ['../../package.json', '../../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as { name?: string; version: string };
      if (pkg.name === 'gx') return pkg.version;
    } catch {
      // not there: try the next level
    }
  }
  return '0.0.0';
}
