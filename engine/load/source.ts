// Source positions survive parsing: every mapping and sequence the YAML loader builds is registered
// here, so any later stage (compile, run, errors) can say file:line:col for an object or one of its
// keys without carrying YAML nodes around.
import { readFileSync } from 'node:fs';

export interface SourceLocation {
  file: string;
  /** 1-based */
  line: number;
  /** 1-based */
  col: number;
}

export interface NodeInfo {
  /** where the mapping or sequence itself starts */
  loc: SourceLocation;
  /** for mappings: where each key starts, and where its value starts */
  keys?: Map<string, { key: SourceLocation; value: SourceLocation }>;
  /** for sequences: where each item starts */
  items?: SourceLocation[];
}

const infos = new WeakMap<object, NodeInfo>();
const fileText = new Map<string, string[]>();

export function registerNode(obj: object, info: NodeInfo): void {
  infos.set(obj, info);
}

export function nodeInfo(obj: unknown): NodeInfo | undefined {
  return obj !== null && typeof obj === 'object' ? infos.get(obj) : undefined;
}

/**
 * Where `obj` is, or where its key / item is. For a key, the location of the key itself;
 * pass `which: 'value'` for the value's location. Falls back to the object's own location.
 */
export function locate(obj: unknown, key?: string | number, which: 'key' | 'value' = 'key'): SourceLocation | undefined {
  const info = nodeInfo(obj);
  if (!info) return undefined;
  if (key === undefined) return info.loc;
  if (typeof key === 'number') return info.items?.[key] ?? info.loc;
  const k = info.keys?.get(key);
  return k ? k[which] : info.loc;
}

/** Copies position info from one object to a derived one (e.g. after normalising a task). */
export function carryLocation<T extends object>(from: unknown, to: T): T {
  const info = nodeInfo(from);
  if (info && !infos.has(to)) infos.set(to, info);
  return to;
}

/** Remember a file's text so error messages can quote the offending line. */
export function rememberSource(file: string, text: string): void {
  fileText.set(file, text.split(/\r?\n/));
}

/** The text of one line (1-based), from memory or disk; undefined if unknown. */
export function sourceLine(file: string, line: number): string | undefined {
  let lines = fileText.get(file);
  if (!lines) {
    try {
      lines = readFileSync(file, 'utf8').split(/\r?\n/);
      fileText.set(file, lines);
    } catch {
      return undefined;
    }
  }
  return lines[line - 1];
}

export function formatLocation(loc: SourceLocation | undefined): string {
  return loc ? `${loc.file}:${loc.line}:${loc.col}` : '';
}
