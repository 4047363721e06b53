// Parsed YAML kept between runs of the installed command (issue 16: start-up). The yaml package
// composes a document at ~1.5 MB/s before V8 has optimised anything, so the gauntlet's 17 KB
// inventory.yaml alone cost ~25 ms of every `gx play` in the repository (measured: a trivial play
// with it against a 3-line inventory); the same value and its source positions read back as JSON
// take well under a millisecond.
//
// An entry is keyed by the text's SHA-256 and the build (bin.ts passes the bundle's size and mtime,
// so a rebuilt converter never reads an older one's results) and holds the value and, for each
// mapping and sequence in walk order, the positions source.ts would have registered. Only values
// that JSON gives back exactly are kept: plain objects and arrays each reached once (an alias
// shares an object; a copy would not), strings, booleans, null and finite numbers other than -0.
// A text with errors is never kept, so its messages always come from the parser.
// The directory is the launcher's private cache directory (mode 0700, checked there): a cache
// anyone could write would be a way to change a playbook. GX_NO_PARSE_CACHE=1 turns it off.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { nodeInfo, registerNode, type NodeInfo, type SourceLocation } from './source.js';

export interface ParseCacheConfig {
  /** a private directory (bin.ts checks owner and mode) */
  dir: string;
  /** what identifies the build: entries of other builds are not read, and are removed */
  build: string;
}

const CONFIG = Symbol.for('gx.parseCache');
/** texts below this size parse faster than a cache entry is found */
export const PARSE_CACHE_MIN_BYTES = 1024;
/** entries kept per build; beyond it the least recently written half goes */
const MAX_ENTRIES = 1000;

/** the cache the installed command set up (bin.ts), if any */
export function parseCacheConfig(): ParseCacheConfig | undefined {
  if (process.env.GX_NO_PARSE_CACHE === '1') return undefined;
  return (globalThis as Record<symbol, ParseCacheConfig | undefined>)[CONFIG];
}

export function setParseCacheConfig(config: ParseCacheConfig | undefined): void {
  (globalThis as Record<symbol, ParseCacheConfig | undefined>)[CONFIG] = config;
}

type Pos = [line: number, col: number];
/** a sequence: its position and its items'; a mapping: its position and each key's and value's */
type NodeRecord = [Pos, Pos[]] | [Pos, Array<[string, Pos, Pos]>, 'm'];

interface Entry {
  value: unknown;
  nodes: NodeRecord[];
}

function buildTag(build: string): string {
  return createHash('sha256').update(build).digest('hex').slice(0, 12);
}

function entryFile(config: ParseCacheConfig, text: string): string {
  const key = createHash('sha256').update(config.build).update('\0').update(text).digest('hex').slice(0, 40);
  return join(config.dir, `yaml-${buildTag(config.build)}-${key}.json`);
}

const pos = (loc: SourceLocation): Pos => [loc.line, loc.col];

/** the records of every mapping and sequence in `value`, or undefined when JSON would not give it back as it is */
function records(value: unknown, file: string): NodeRecord[] | undefined {
  const out: NodeRecord[] = [];
  const seen = new Set<object>();
  const walk = (v: unknown): boolean => {
    if (v === null || typeof v === 'string' || typeof v === 'boolean') return true;
    if (typeof v === 'number') return Number.isFinite(v) && !Object.is(v, -0);
    if (typeof v !== 'object' || seen.has(v)) return false;
    seen.add(v);
    const info: NodeInfo | undefined = nodeInfo(v);
    if (!info || info.loc.file !== file) return false;
    if (Array.isArray(v)) {
      if (Object.getPrototypeOf(v) !== Array.prototype || !info.items || info.items.length !== v.length) return false;
      out.push([pos(info.loc), info.items.map(pos)]);
      for (let i = 0; i < v.length; i++) if (!(i in v) || !walk(v[i])) return false;
      return true;
    }
    if (Object.getPrototypeOf(v) !== Object.prototype || !info.keys) return false;
    out.push([pos(info.loc), [...info.keys].map(([k, l]) => [k, pos(l.key), pos(l.value)] as [string, Pos, Pos]), 'm']);
    for (const k of Object.keys(v)) if (!walk((v as Record<string, unknown>)[k])) return false;
    return true;
  };
  return walk(value) ? out : undefined;
}

/** registers `nodes` on the mappings and sequences of `value`, in the order records() walked them */
function restore(value: unknown, nodes: NodeRecord[], file: string): boolean {
  let next = 0;
  const at = (p: Pos): SourceLocation => ({ file, line: p[0], col: p[1] });
  const walk = (v: unknown): boolean => {
    if (v === null || typeof v !== 'object') return true;
    const r = nodes[next++];
    if (!r) return false;
    if (Array.isArray(v)) {
      if (r.length !== 2) return false;
      registerNode(v, { loc: at(r[0]), items: r[1].map(at) });
      return v.every(walk);
    }
    if (r.length !== 3) return false;
    registerNode(v, { loc: at(r[0]), keys: new Map(r[1].map(([k, key, val]) => [k, { key: at(key), value: at(val) }])) });
    return Object.values(v).every(walk);
  };
  return walk(value) && next === nodes.length;
}

/** where `text`'s entry is (undefined: too small to keep), for readParsed and writeParsed */
export function parsedEntry(config: ParseCacheConfig, text: string): string | undefined {
  return text.length < PARSE_CACHE_MIN_BYTES ? undefined : entryFile(config, text);
}

/** the value parsed before from the text whose entry is `target`, with its positions registered under `file`; undefined when there is none */
export function readParsed(target: string, file: string): { value: unknown } | undefined {
  let entry: Entry;
  try {
    entry = JSON.parse(readFileSync(target, 'utf8')) as Entry;
  } catch {
    return undefined; // none, or unreadable: parsed as usual
  }
  if (!entry || typeof entry !== 'object' || !Array.isArray(entry.nodes) || !('value' in entry)) return undefined;
  return restore(entry.value, entry.nodes, file) ? { value: entry.value } : undefined;
}

/** the directories (and builds) this process has pruned: once each is enough */
const pruned = new Set<string>();

/** keeps at `target` what the text parsed to, when JSON gives it back as it is; never fails the run */
export function writeParsed(config: ParseCacheConfig, target: string, file: string, value: unknown): void {
  const nodes = records(value, file);
  if (!nodes) return;
  try {
    const tmp = `${target}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify({ value, nodes } satisfies Entry), { mode: 0o600 });
    renameSync(tmp, target);
    const key = `${config.dir}\0${config.build}`;
    if (!pruned.has(key)) {
      pruned.add(key);
      prune(config);
    }
  } catch {
    // no entry this time
  }
}

/** entries of other builds go; of this build's, the older half once there are too many */
function prune(config: ParseCacheConfig): void {
  const own = `yaml-${buildTag(config.build)}-`;
  const mine: string[] = [];
  for (const f of readdirSync(config.dir)) {
    if (!f.startsWith('yaml-')) continue;
    if (!f.startsWith(own)) rmSync(join(config.dir, f), { force: true });
    else if (f.endsWith('.json')) mine.push(f);
  }
  if (mine.length <= MAX_ENTRIES) return;
  const byAge = mine.map((f) => ({ f, t: statSync(join(config.dir, f)).mtimeMs })).sort((a, b) => a.t - b.t);
  for (const { f } of byAge.slice(0, byAge.length - MAX_ENTRIES / 2)) rmSync(join(config.dir, f), { force: true });
}
