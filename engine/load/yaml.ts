// YAML → plain JS values, with every mapping and sequence registered in the position map
// (source.ts), so later stages can point at file:line:col without carrying YAML nodes around.
//
// Scalars follow the YAML 1.2 core schema with two deliberate exceptions. A plain yes/no/on/off (any
// of PyYAML's spellings) is a boolean, as Ansible's YAML 1.1 loader reads it: `enabled: no` must be
// false for `enabled == false` and render as False. And a plain scalar that looks like a leading-zero integer (`0755`,
// `-007`) stays the string it was written as. Under 1.2 core `0755` would silently become the
// decimal 755, which is never what someone writing a file mode means; keeping the text lets the
// module decide (file modes read it as octal). Quoted or explicitly tagged (`!!int 0755`) scalars
// are left alone.
import { readFileSync } from 'node:fs';
import {
  LineCounter,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  parseAllDocuments,
  type Document,
  type Node as YamlNode,
  type Pair,
  type YAMLError,
} from 'yaml';
import { ErrorList, PlaybookError } from '../errors.js';
import { registerNode, rememberSource, type SourceLocation } from './source.js';
import { parseCacheConfig, parsedEntry, readParsed, writeParsed } from './yaml-cache.js';

const LEADING_ZERO_INT = /^[-+]?0[0-9]+$/;
/** PyYAML's (YAML 1.1) boolean words beyond YAML 1.2's true/false (resolver.py; y/n are not among them) */
const YAML11_BOOL = /^(yes|Yes|YES|no|No|NO|on|On|ON|off|Off|OFF)$/;

/**
 * Ansible's `!unsafe` tag: the value is never templated. gx keeps it as text the template engine
 * prints as written (Jinja's `{% raw %}`), so it stays literal wherever it is rendered, as a variable
 * or an argument; a string without template syntax is left as is.
 */
const UNSAFE_TAG = '!unsafe';
/** the parser's warning for that tag exactly (not for `!unsafe_x`, which is refused like any unknown tag) */
const UNSAFE_WARNING = /^Unresolved tag: !unsafe(?![\w!.\/-])/;
const TEMPLATE_SYNTAX = /\{\{|\{%|\{#/;

function unsafe(v: unknown): unknown {
  if (typeof v === 'string') return TEMPLATE_SYNTAX.test(v) ? `{% raw %}${v.replace(/\{% endraw %\}/g, '{% endraw %}{{ "{% endraw %}" }}{% raw %}')}{% endraw %}` : v;
  if (Array.isArray(v)) v.forEach((x, i) => (v[i] = unsafe(x)));
  else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) (v as Record<string, unknown>)[k] = unsafe(x);
  return v;
}

export function parseYamlFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : String((err as Error).message);
    throw new PlaybookError(`cannot read '${file}': ${why}`, { cause: err });
  }
  return parseYamlText(text, file);
}

export function parseYamlText(source: string, file: string): unknown {
  // editors on Windows save a byte-order mark; it is invisible, so columns are counted without it
  const text = source.charCodeAt(0) === 0xfeff ? source.slice(1) : source;
  rememberSource(file, text);
  const cache = parseCacheConfig();
  const entry = cache && parsedEntry(cache, text);
  const cached = entry && readParsed(entry, file);
  if (cached) return cached.value;
  const value = parseUncached(text, file);
  if (entry) writeParsed(cache, entry, file, value);
  return value;
}

function parseUncached(text: string, file: string): unknown {
  const lines = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const errors: PlaybookError[] = [];
  const at = (offset: number): SourceLocation => {
    const p = lines.linePos(offset);
    return { file, line: p.line, col: p.col };
  };

  // parseAllDocuments returns an EmptyStream (an empty array) for an empty or comment-only file
  const list = Array.isArray(docs) ? (docs as Document.Parsed[]) : [docs as unknown as Document.Parsed];
  for (const doc of list) {
    for (const e of doc.errors) errors.push(yamlError(e, at, text));
    for (const w of doc.warnings) if (w.code === 'TAG_RESOLVE_FAILED' && !UNSAFE_WARNING.test(w.message)) errors.push(yamlError(w, at, text));
  }
  if (list.length > 1) {
    const second = list[1]!;
    errors.push(
      new PlaybookError('only one YAML document per file is allowed, found a second one', {
        loc: at(documentStart(text, list[0]!.range[1], second.range[0])),
        hint: "remove the '---' line, or split the file in two",
      }),
    );
  }
  if (errors.length > 0) throw new ErrorList(onePerPlace(sortByPosition(errors)));
  if (list.length === 0) return null;

  const doc = list[0]!;
  const conv = new Converter(doc, at);
  const value = conv.convert(doc.contents as YamlNode | null);
  if (conv.errors.length > 0) throw new ErrorList(sortByPosition(conv.errors));
  return value;
}

function yamlError(e: YAMLError, at: (offset: number) => SourceLocation, text: string): PlaybookError {
  // the message carries " at line L, column C" (and, when pretty, a snippet); the location goes in loc
  let message = e.message.replace(/ at line \d+, column \d+:?[\s\S]*$/, '');
  if (e.code === 'TAG_RESOLVE_FAILED') message = `unsupported tag ${message.replace(/^Unresolved tag:\s*/, '')}`;
  const vault = e.code === 'TAG_RESOLVE_FAILED' && /!vault\b/.test(e.message);
  message = message.charAt(0).toLowerCase() + message.slice(1);
  const hints: Record<string, string> = {
    DUPLICATE_KEY: 'each key may appear only once in a mapping',
    TAB_AS_INDENT: 'indent with spaces',
    BAD_INDENT: 'check the indentation of this line against the lines above it',
  };
  let offset = e.pos[0];
  let hint: string | undefined = vault ? 'gx does not decrypt Ansible Vault: pass the value with -e @secrets.yaml (kept out of the repository) and list its name under the play\'s secrets:' : hints[e.code];
  // the parser often reports at the indentation; the thing to look at is the first character after it
  if (e.code !== 'TAB_AS_INDENT') while (text[offset] === ' ') offset++;
  const quote = /^missing closing (['"])quote/.exec(message);
  const flow = /^flow (sequence|map) in block collection must be sufficiently indented and end with a ([\]}])/.exec(message);
  if (quote) {
    // the parser notices at the end of the file; the useful place is where the string opens
    const open = openingQuote(text, e.pos[0], quote[1]!);
    if (open >= 0) {
      offset = open;
      message = `missing closing ${quote[1]} quote for the string that starts here`;
    }
  } else if (flow) {
    const open = unclosedBracket(text, e.pos[0], flow[2] === ']' ? '[' : '{');
    if (open >= 0) {
      offset = open;
      message = `this '${text[open]}' is never closed: expected '${flow[2]}' (before the indentation ends)`;
      hint = undefined;
    }
  }
  return new PlaybookError(`YAML: ${message}`, { loc: at(offset), hint });
}

/** The last opening bracket before `end` that no closing bracket matches (quotes are skipped roughly). */
function unclosedBracket(text: string, end: number, open: '[' | '{'): number {
  const close = open === '[' ? ']' : '}';
  let depth = 0;
  for (let i = Math.min(end, text.length) - 1; i >= 0; i--) {
    const c = text[i];
    if (c === close) depth++;
    else if (c === open) {
      if (depth === 0) return i;
      depth--;
    }
  }
  return -1;
}

/** The last quote before `end` that can open a YAML scalar (after a space, `:`, `-`, `[`, `{`, `,` or at a line start). */
function openingQuote(text: string, end: number, q: string): number {
  for (let i = Math.min(end, text.length) - 1; i >= 0; i--) {
    if (text[i] !== q) continue;
    if (i === 0 || /[\s:\-[{,]/.test(text[i - 1]!)) return i;
  }
  return -1;
}

/** One problem per line: after a syntax error the parser's next complaints on that line are its echoes. */
function onePerPlace(errors: PlaybookError[]): PlaybookError[] {
  const seen = new Set<string>();
  return errors.filter((e) => {
    const k = `${e.loc?.line}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** Where the second document opens: its `---` marker (after the first document's content), or its content. */
function documentStart(text: string, from: number, offset: number): number {
  const m = /(^|\n)---(?=\s|$)/.exec(text.slice(from, offset + 3));
  return m ? from + m.index + m[1]!.length : offset;
}

function sortByPosition<T extends PlaybookError>(errors: T[]): T[] {
  return errors.sort((a, b) => (a.loc?.line ?? 0) - (b.loc?.line ?? 0) || (a.loc?.col ?? 0) - (b.loc?.col ?? 0));
}

class Converter {
  readonly errors: PlaybookError[] = [];
  /** anchored nodes already converted: an alias yields the same object */
  private readonly done = new Map<YamlNode, unknown>();
  /** collections being converted: an alias to one of them would make a value contain itself */
  private readonly open = new Set<YamlNode>();
  /** converting a mapping key: YAML 1.1's yes/no words stay text there */
  private inKey = false;

  constructor(
    private readonly doc: Document.Parsed,
    private readonly at: (offset: number) => SourceLocation,
  ) {}

  convert(node: YamlNode | null | undefined): unknown {
    if (node === null || node === undefined) return null;
    if (!isAlias(node) && node.tag === UNSAFE_TAG && !this.done.has(node)) return unsafe(this.convertTagged(node));
    return this.convertTagged(node);
  }

  private convertTagged(node: YamlNode): unknown {
    const seen = this.done.get(node);
    if (seen !== undefined || this.done.has(node)) return seen;
    if (isAlias(node)) {
      const target = node.resolve(this.doc);
      if (!target) {
        this.errors.push(new PlaybookError(`YAML: unknown alias '*${node.source}'`, { loc: this.at(node.range![0]) }));
        return null;
      }
      if (this.open.has(target)) {
        // every later stage (schemas, templating, JSON output) would recurse forever on it
        this.errors.push(new PlaybookError(`YAML: alias '*${node.source}' refers to a value that contains it`, { loc: this.at(node.range![0]) }));
        return null;
      }
      return this.convert(target);
    }
    if (isScalar(node)) {
      if (node.type === 'PLAIN' && !node.tag && typeof node.value === 'number' && LEADING_ZERO_INT.test(node.source ?? '')) {
        return node.source;
      }
      // Ansible's YAML (PyYAML, 1.1) reads a plain yes/no/on/off as a boolean; keys stay as written
      if (!this.inKey && node.type === 'PLAIN' && !node.tag && typeof node.value === 'string' && YAML11_BOOL.test(node.value)) {
        return /^(yes|on)$/i.test(node.value);
      }
      return node.value;
    }
    this.open.add(node);
    try {
      if (isMap(node)) return this.mapping(node.items as Pair<YamlNode | null, YamlNode | null>[], node);
      if (isSeq(node)) return this.sequence(node.items as (YamlNode | null)[], node);
      return null;
    } finally {
      this.open.delete(node);
    }
  }

  private sequence(nodes: (YamlNode | null)[], node: YamlNode): unknown[] {
    const arr: unknown[] = [];
    this.done.set(node, arr);
    const items: SourceLocation[] = [];
    for (const item of nodes) {
      items.push(this.at(item?.range?.[0] ?? node.range![0]));
      arr.push(this.convert(item));
    }
    registerNode(arr, { loc: this.at(node.range![0]), items });
    return arr;
  }

  private mapping(pairs: Pair<YamlNode | null, YamlNode | null>[], node: YamlNode): Record<string, unknown> {
    const obj: Record<string, unknown> = {};
    this.done.set(node, obj);
    const keys = new Map<string, { key: SourceLocation; value: SourceLocation }>();
    for (const pair of pairs) {
      const keyNode = pair.key;
      const keyOffset = keyNode?.range?.[0] ?? node.range![0];
      if (keyNode && !isScalar(keyNode) && !isAlias(keyNode)) {
        this.errors.push(this.complexKey(keyNode, node));
        continue;
      }
      this.inKey = true;
      const rawKey = this.convert(keyNode);
      this.inKey = false;
      const key = rawKey === null ? '' : String(rawKey);
      const valueOffset = pair.value?.range?.[0] ?? keyNode?.range?.[1] ?? keyOffset;
      if (key === '<<' && isScalar(keyNode) && keyNode.type === 'PLAIN') {
        this.merge(obj, keys, pair.value, this.at(valueOffset));
        continue;
      }
      // defineProperty: a key named __proto__ must be data, not a prototype switch
      Object.defineProperty(obj, key, { value: this.convert(pair.value), enumerable: true, writable: true, configurable: true });
      keys.set(key, { key: this.at(keyOffset), value: this.at(valueOffset) });
    }
    registerNode(obj, { loc: this.at(node.range![0]), keys });
    return obj;
  }

  /** YAML 1.1 merge keys (`<<: *defaults`), which Ansible users rely on: explicit keys win. */
  private merge(
    obj: Record<string, unknown>,
    keys: Map<string, { key: SourceLocation; value: SourceLocation }>,
    valueNode: YamlNode | null,
    loc: SourceLocation,
  ): void {
    const value = this.convert(valueNode);
    const sources = Array.isArray(value) ? value : [value];
    for (const src of sources) {
      if (src === null || typeof src !== 'object' || Array.isArray(src)) {
        this.errors.push(new PlaybookError('YAML: a merge key (<<) needs a mapping or a list of mappings', { loc }));
        return;
      }
      for (const [k, v] of Object.entries(src)) {
        if (Object.prototype.hasOwnProperty.call(obj, k)) continue;
        Object.defineProperty(obj, k, { value: v, enumerable: true, writable: true, configurable: true });
        keys.set(k, { key: loc, value: loc });
      }
    }
  }

  private complexKey(keyNode: YamlNode, parent: YamlNode): PlaybookError {
    const loc = this.at(keyNode.range![0]);
    // `command: {{ x }}` parses as a flow mapping whose key is another flow mapping: the classic
    // unquoted-template mistake, so say that instead of talking about keys
    if (isMap(parent) && parent.flow && isMap(keyNode) && keyNode.flow) {
      const start = parent.range![0];
      return new PlaybookError("a value starting with '{{' must be quoted", {
        loc: this.at(start),
        hint: `write it as "{{ ... }}" (in quotes): YAML reads an unquoted '{' as the start of a mapping`,
      });
    }
    return new PlaybookError('YAML: mapping keys must be plain values, not lists or mappings', { loc });
  }
}
