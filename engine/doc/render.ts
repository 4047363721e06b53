// `gx doc MODULE` and `gx doc --list`: a module's documentation, straight from its definition, so the
// docs cannot drift from the schema that validates the arguments.
import { moduleNames, type ModuleDefinition } from '../module-contract.js';

const WIDTH = 80;

/** The whole documentation of one module, as terminal text (no trailing newline). */
export function renderModuleDoc(def: ModuleDefinition<any, any>): string {
  const out: string[] = [];
  out.push(`${def.name} — ${def.summary}`);
  const others = moduleNames(def).filter((n) => n !== def.name);
  if (others.length > 0) out.push(`also: ${others.join(', ')}`);
  if (def.description) out.push('', ...wrap(def.description, WIDTH));
  const notes: string[] = [];
  if (def.freeForm) notes.push(`takes free-form text as \`${def.freeForm}\` (\`${def.name}: TEXT\`)`);
  notes.push(def.checkMode === false ? 'skipped in check mode' : 'supports check mode');
  if (def.controllerOnly) notes.push('runs on the controller');
  out.push('', `(${notes.join('; ')})`);

  out.push('', 'OPTIONS (* = required)');
  const required = new Set(def.schema.required ?? []);
  const names = Object.keys(def.schema.properties).sort((a, b) => Number(required.has(b)) - Number(required.has(a)) || a.localeCompare(b));
  if (names.length === 0) out.push('  (none)');
  if (def.schema.additionalProperties !== false) out.push('  Any other argument name is accepted too.');
  for (const name of names) {
    const prop = def.schema.properties[name]!;
    const facts = [typeOf(prop)];
    if (required.has(name)) facts.push('required');
    if (prop.default !== undefined) facts.push(`default: ${show(prop.default)}`);
    if (Array.isArray(prop.enum)) facts.push(`choices: ${prop.enum.map(show).join(', ')}`);
    out.push(`  ${required.has(name) ? '*' : '-'} ${name} (${facts.join('; ')})`);
    out.push(...wrap(prop.description, WIDTH - 6).map((l) => `      ${l}`));
  }

  out.push('', 'EXAMPLES');
  for (const ex of def.examples) out.push('', ...ex.replace(/\n+$/, '').split('\n').map((l) => `  ${l}`));

  out.push('', 'RETURNS');
  const returns = Object.entries(def.returns);
  if (returns.length === 0) out.push('  (nothing beyond changed and failed)');
  for (const [key, r] of returns) {
    out.push(`  ${key} (${r.type}${r.returned ? `; ${r.returned}` : ''})`);
    out.push(...wrap(r.description, WIDTH - 6).map((l) => `      ${l}`));
  }
  return out.join('\n');
}

/** One line per module: name and summary, aligned (no trailing newline). */
export function renderModuleList(defs: readonly ModuleDefinition<any, any>[]): string {
  const sorted = [...defs].sort((a, b) => a.name.localeCompare(b.name));
  const w = Math.max(0, ...sorted.map((d) => d.name.length));
  return sorted.map((d) => `${d.name.padEnd(w)}  ${d.summary}`).join('\n');
}

/** "string", "integer | string", "list of string", "any". */
export function typeOf(prop: Record<string, unknown>): string {
  const t = prop.type;
  if (t === undefined) return 'any';
  const types = (Array.isArray(t) ? t : [t]).map(String);
  return types
    .map((x) => {
      if (x !== 'array') return x;
      const items = prop.items as Record<string, unknown> | undefined;
      return items ? `list of ${typeOf(items)}` : 'list';
    })
    .join(' | ');
}

function show(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** Wraps prose at word boundaries; keeps paragraph breaks. */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  for (const para of text.split(/\n\s*\n/)) {
    if (lines.length > 0) lines.push('');
    let line = '';
    for (const word of para.split(/\s+/).filter(Boolean)) {
      if (line !== '' && line.length + 1 + word.length > width) {
        lines.push(line);
        line = word;
      } else line = line === '' ? word : `${line} ${word}`;
    }
    if (line !== '') lines.push(line);
  }
  return lines;
}
