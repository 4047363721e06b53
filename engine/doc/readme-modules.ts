// Rewrites the README's module table (between <!-- modules:start --> and <!-- modules:end -->)
// from the modules' own definitions. `--check` only reports whether the README is stale (exit 1).
//   node --import tsx engine/doc/readme-modules.ts [--check] [README path]
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ModuleDefinition } from '../module-contract.js';
import { allModules } from '../../modules/index.js';

export const START = '<!-- modules:start -->';
export const END = '<!-- modules:end -->';

function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
}

/** The markdown table: one row per module, required arguments first and in bold. */
export function moduleTable(defs: readonly ModuleDefinition<any, any>[]): string {
  const rows = ['| Module | What it does | Arguments (**required**) |', '| --- | --- | --- |'];
  for (const def of [...defs].sort((a, b) => a.name.localeCompare(b.name))) {
    const required = new Set(def.schema.required ?? []);
    const names = Object.keys(def.schema.properties).sort((a, b) => Number(required.has(b)) - Number(required.has(a)) || a.localeCompare(b));
    const args = names.map((n) => (required.has(n) ? `**\`${n}\`**` : `\`${n}\``));
    if (def.schema.additionalProperties !== false) args.push('any variable name');
    rows.push(`| \`${def.name}\` | ${cell(def.summary)} | ${args.join(', ')} |`);
  }
  return rows.join('\n');
}

/** The README text with the table between the markers replaced. */
export function updateReadme(text: string, defs: readonly ModuleDefinition<any, any>[]): string {
  const a = text.indexOf(START);
  const b = text.indexOf(END);
  if (a < 0 || b < 0 || b < a) throw new Error(`the README needs ${START} and ${END} markers, in that order`);
  return `${text.slice(0, a + START.length)}\n${moduleTable(defs)}\n${text.slice(b)}`;
}

function main(argv: string[]): number {
  const check = argv.includes('--check');
  const file = argv.find((x) => !x.startsWith('--')) ?? join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'README.md');
  const text = readFileSync(file, 'utf8');
  const next = updateReadme(text, allModules);
  if (next === text) return 0;
  if (check) {
    process.stderr.write(`${file}: the module table is stale; run: node --import tsx engine/doc/readme-modules.ts\n`);
    return 1;
  }
  writeFileSync(file, next);
  process.stdout.write(`${file}: module table updated (${allModules.length} modules)\n`);
  return 0;
}

if (process.argv[1] && pathToFileURL(resolve(process.argv[1])).href === import.meta.url) process.exitCode = main(process.argv.slice(2));
