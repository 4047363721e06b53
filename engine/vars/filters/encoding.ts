// Serialisation, encoding and hashing filters, as Ansible's plugins/filter/core.py defines them:
// to_json is Python's json.dumps (", " and ": " separators, non-ASCII escaped), to_yaml PyYAML's
// yaml.dump (keys sorted, flow style for collections of scalars), hash/checksum hex digests.
import { createHash } from 'node:crypto';
import YAML from 'yaml';
import { isUnknown } from '../unknown.js';
import { isMapping, pyStr, toInt, truthy, typeName } from '../values.js';
import { arg, Fail, str, text, type Fn } from './args.js';
import { randomSalt, shaCrypt } from './sha-crypt.js';

export interface JsonOptions {
  indent?: number | null;
  sortKeys?: boolean;
  separators?: [string, string];
  ensureAscii?: boolean;
}

function jsonString(s: string, ensureAscii: boolean): string {
  const j = JSON.stringify(s);
  return ensureAscii ? j.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`) : j;
}

/** Python's json.dumps. */
export function pyJsonDumps(v: unknown, o: JsonOptions = {}): string {
  const indent = o.indent ?? null;
  const [itemSep, keySep] = o.separators ?? (indent === null ? [', ', ': '] : [',', ': ']);
  const ensureAscii = o.ensureAscii ?? true;
  const open = new Set<object>();
  const isView = (v: unknown): boolean => v !== null && typeof v === 'object' && open.has(v);
  const inside = (x: object, dump: () => string): string => {
    open.add(x);
    try {
      return dump();
    } finally {
      open.delete(x);
    }
  };
  const walk = (x: unknown, depth: number): string => {
    if (x === null || x === undefined) return 'null';
    if (typeof x === 'boolean') return x ? 'true' : 'false';
    if (typeof x === 'number') return Number.isNaN(x) ? 'NaN' : x === Infinity ? 'Infinity' : x === -Infinity ? '-Infinity' : String(x);
    if (typeof x === 'string') return jsonString(x, ensureAscii);
    if (isUnknown(x)) return jsonString(x.toString(), ensureAscii);
    if (x instanceof Date) return jsonString(x.toISOString(), ensureAscii);
    const nl = indent === null ? '' : `\n${' '.repeat(indent * (depth + 1))}`;
    const close = indent === null ? '' : `\n${' '.repeat(indent * depth)}`;
    if (Array.isArray(x)) {
      return inside(x, () => {
        const items = x.filter((e) => !isView(e));
        return items.length ? `[${nl}${items.map((e) => walk(e, depth + 1)).join(itemSep + nl)}${close}]` : '[]';
      });
    }
    if (isMapping(x)) {
      // a value that contains itself (a host's `vars` view is its scope) is left out where it comes
      // round again: Ansible's `vars` is a copy, so its dump is finite; Python's json would refuse a cycle
      return inside(x, () => {
        let keys = Object.keys(x).filter((k) => !isView(x[k]));
        if (!keys.length) return '{}';
        if (o.sortKeys) keys = keys.sort();
        return `{${nl}${keys.map((k) => `${jsonString(k, ensureAscii)}${keySep}${walk(x[k], depth + 1)}`).join(itemSep + nl)}${close}}`;
      });
    }
    throw new Fail(`Object of type ${typeName(x)} is not JSON serializable`);
  };
  return walk(v, 0);
}

function jsonOptions(kw: Record<string, unknown>, defaults: JsonOptions): JsonOptions {
  const o: JsonOptions = { ...defaults };
  if (kw['indent'] !== undefined) o.indent = kw['indent'] === null ? null : toInt(kw['indent']);
  if (kw['sort_keys'] !== undefined) o.sortKeys = truthy(kw['sort_keys']);
  if (kw['ensure_ascii'] !== undefined) o.ensureAscii = truthy(kw['ensure_ascii']);
  if (Array.isArray(kw['separators']) && kw['separators'].length === 2) o.separators = [pyStr(kw['separators'][0]), pyStr(kw['separators'][1])];
  return o;
}

/** One scalar as PyYAML writes it: plain when it reads back as the same string, else quoted. */
function yamlScalar(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') return Number.isNaN(v) ? '.nan' : v === Infinity ? '.inf' : v === -Infinity ? '-.inf' : String(v);
  const s = isUnknown(v) ? v.toString() : String(v);
  // y/n are strings to PyYAML but booleans to other YAML 1.1 readers (go-yaml v2 under kubectl):
  // quoted, so every reader keeps them strings
  if (/^[YyNn]$/.test(s)) return `'${s}'`;
  // PyYAML quotes multi-line text with single quotes, a line break written as a blank line
  if (s.includes('\n') && !/[\x00-\x08\x0b-\x1f]/.test(s)) return `'${s.replace(/'/g, "''").split('\n').join('\n\n    ')}'`;
  // the yaml package decides plain vs quoted under the same YAML 1.1 rules PyYAML reads with
  return YAML.stringify(s, { version: '1.1', customTags: pyYamlTags, singleQuote: true, lineWidth: 0 }).replace(/\n$/, '');
}

/**
 * PyYAML's line folding (emitter.py write_plain / write_single_quoted, best_width 80): after a
 * word that ends past column 80, a single space becomes a line break indented to `indent`.
 * Double-quoted and multi-line scalars are left alone.
 */
function fold(scalar: string, startCol: number, indent: number): string {
  if (scalar.startsWith('"') || scalar.includes('\n') || startCol + scalar.length <= 80) return scalar;
  const parts = scalar.split(/( +)/);
  let col = startCol;
  let out = '';
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    const isGap = i % 2 === 1;
    if (isGap && p.length === 1 && col > 80 && parts[i - 1] !== '' && parts[i + 1] !== '' && i + 1 < parts.length) {
      out += `\n${' '.repeat(indent)}`;
      col = indent;
      continue;
    }
    out += p;
    col += p.length;
  }
  return out;
}

const isColl = (v: unknown): boolean => Array.isArray(v) || isMapping(v);
const emptyColl = (v: unknown): boolean => (Array.isArray(v) ? v.length === 0 : isMapping(v) && Object.keys(v).length === 0);

/**
 * PyYAML's yaml.dump as Ansible calls it (to_yaml: default_flow_style=None, to_nice_yaml:
 * default_flow_style=False, indent 4): keys sorted, sequences in a mapping not indented, a
 * mapping in a sequence starting on the dash's line.
 */
export function pyYamlDump(v: unknown, o: { indent?: number; flow: boolean; sortKeys?: boolean }): string {
  const step = o.indent ?? 2;
  const keys = (m: Record<string, unknown>): string[] => (o.sortKeys ?? true ? Object.keys(m).sort() : Object.keys(m));
  const flowOk = (x: unknown): boolean => emptyColl(x) || (o.flow && isColl(x) && (Array.isArray(x) ? x : Object.values(x as Record<string, unknown>)).every((c) => !isColl(c) || emptyColl(c)));
  const flow = (x: unknown): string => {
    if (Array.isArray(x)) return `[${x.map(flow).join(', ')}]`;
    if (isMapping(x)) return `{${keys(x).map((k) => `${yamlScalar(k)}: ${flow(x[k])}`).join(', ')}}`;
    return yamlScalar(x);
  };
  // lines of `x` written at column `col`; the first line is written by the caller after its prefix
  const block = (x: unknown, col: number): string[] => {
    const pad = ' '.repeat(col);
    if (Array.isArray(x)) {
      return x.flatMap((item) => {
        if (!isColl(item) || flowOk(item)) return [`${pad}- ${flowOk(item) ? flow(item) : fold(yamlScalar(item), col + 2, col + step)}`];
        const inner = block(item, col + step);
        const dash = `${pad}-${' '.repeat(step - 1)}`;
        return [dash + inner[0]!.slice(col + step), ...inner.slice(1)];
      });
    }
    const m = x as Record<string, unknown>;
    return keys(m).flatMap((k) => {
      const val = m[k];
      const head = `${pad}${yamlScalar(k)}:`;
      if (!isColl(val) || flowOk(val)) return [`${head} ${flowOk(val) ? flow(val) : fold(yamlScalar(val), head.length + 1, col + step)}`];
      return [head, ...block(val, Array.isArray(val) ? col : col + step)];
    });
  };
  // Ansible's dumper ends a lone scalar without PyYAML's '...' document end marker
  if (!isColl(v) || flowOk(v)) return `${isColl(v) ? flow(v) : yamlScalar(v)}\n`;
  return `${block(v, 0).join('\n')}\n`;
}

/**
 * YAML as PyYAML's SafeLoader reads it (Ansible's from_yaml): YAML 1.1 booleans yes/no/on/off
 * but not y/n (the yaml package's 1.1 schema has those), timestamps left as strings.
 */
export function pyYamlTags(tags: YAML.Tags): YAML.Tags {
  return tags
    .filter((t) => !(typeof t === 'object' && t.tag === 'tag:yaml.org,2002:timestamp'))
    .map((t) => {
      if (typeof t !== 'object' || t.tag !== 'tag:yaml.org,2002:bool' || !t.test) return t;
      const truthyTag = t.test.test('yes');
      return { ...t, test: truthyTag ? /^(?:[Yy]es|YES|[Tt]rue|TRUE|[Oo]n|ON)$/ : /^(?:[Nn]o|NO|[Ff]alse|FALSE|[Oo]ff|OFF)$/ };
    }) as YAML.Tags;
}

const YAML_LOAD = { version: '1.1' as const, customTags: pyYamlTags };

const HASHES = new Set(['md5', 'sha1', 'sha224', 'sha256', 'sha384', 'sha512', 'sha3_256', 'sha3_512', 'blake2b', 'blake2s']);

export function hexDigest(algo: string, data: string): string {
  const a = algo.toLowerCase();
  if (!HASHES.has(a)) throw new Fail(`hash: unsupported hash type '${algo}' (${[...HASHES].join(', ')})`);
  const node = a === 'sha3_256' ? 'sha3-256' : a === 'sha3_512' ? 'sha3-512' : a === 'blake2b' ? 'blake2b512' : a === 'blake2s' ? 'blake2s256' : a;
  return createHash(node).update(data, 'utf8').digest('hex');
}

/** uuid5 (RFC 4122) in Ansible's to_uuid namespace. */
function uuid5(name: string, namespace: string): string {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  if (ns.length !== 16) throw new Fail(`to_uuid: '${namespace}' is not a UUID`);
  const h = createHash('sha1').update(ns).update(name, 'utf8').digest().subarray(0, 16);
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

function parse<T>(what: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw new Fail(`${what}: ${(e as Error).message.split('\n')[0]}`);
  }
}

export const ENCODING_FILTERS: Record<string, Fn> = {
  to_json: (v, _args, kw) => pyJsonDumps(v, jsonOptions(kw, {})),
  to_nice_json: (v, args, kw) => pyJsonDumps(v, jsonOptions({ ...kw, indent: arg(args, kw, 0, 'indent', 4), sort_keys: arg(args, kw, 1, 'sort_keys', true) }, { separators: [',', ': '] })),
  from_json: (v) => parse('from_json', () => JSON.parse(str(v, 'from_json')) as unknown),
  to_yaml: (v, _args, kw) => pyYamlDump(v, { flow: kw['default_flow_style'] === undefined ? true : truthy(kw['default_flow_style']), indent: kw['indent'] === undefined ? 2 : toInt(kw['indent']), sortKeys: kw['sort_keys'] === undefined ? true : truthy(kw['sort_keys']) }),
  to_nice_yaml: (v, args, kw) => pyYamlDump(v, { flow: false, indent: toInt(arg(args, kw, 0, 'indent', 4)), sortKeys: truthy(arg(args, kw, 1, 'sort_keys', true)) }),
  from_yaml: (v) => (typeof v === 'string' ? parse('from_yaml', () => YAML.parse(v, YAML_LOAD) ?? null) : v),
  from_yaml_all: (v) => {
    if (typeof v !== 'string') return v;
    const docs = parse('from_yaml_all', () => YAML.parseAllDocuments(v, YAML_LOAD));
    return Array.isArray(docs) ? docs.map((d) => d.toJS() ?? null) : [];
  },
  b64encode: (v, args, kw) => Buffer.from(text(v), encodingOf(arg(args, kw, 0, 'encoding', 'utf-8'))).toString('base64'),
  b64decode: (v, args, kw) => Buffer.from(text(v), 'base64').toString(encodingOf(arg(args, kw, 0, 'encoding', 'utf-8'))),
  hash: (v, args, kw) => hexDigest(pyStr(arg(args, kw, 0, 'hashtype', 'sha1')), text(v)),
  checksum: (v) => hexDigest('sha1', text(v)),
  sha1: (v) => hexDigest('sha1', text(v)),
  md5: (v) => hexDigest('md5', text(v)),
  to_uuid: (v, args, kw) => uuid5(text(v), pyStr(arg(args, kw, 0, 'namespace', '361E6D51-FAEC-444A-9079-341386DA8E2E'))),
  password_hash: (v, args, kw) => {
    const scheme = pyStr(arg(args, kw, 0, 'hashtype', 'sha512'));
    const saltArg = arg(args, kw, 1, 'salt');
    const rounds = arg(args, kw, 3, 'rounds');
    const algo = scheme === 'sha512' || scheme === 'sha512_crypt' ? 'sha512' : scheme === 'sha256' || scheme === 'sha256_crypt' ? 'sha256' : undefined;
    if (!algo) throw new Fail(`password_hash: '${scheme}' is not supported by gx (sha512 and sha256 are); hash the password elsewhere and pass the hash`);
    const salt = saltArg === undefined || saltArg === null ? randomSalt() : pyStr(saltArg);
    if (!/^[./0-9A-Za-z]*$/.test(salt)) throw new Fail('password_hash: the salt may only contain ./0-9A-Za-z');
    // passlib's default rounds (what Ansible uses), written out in the hash as passlib does
    return shaCrypt(algo, text(v), salt, rounds === undefined || rounds === null ? (algo === 'sha512' ? 656_000 : 535_000) : toInt(rounds));
  },
};

function encodingOf(e: unknown): BufferEncoding {
  const n = pyStr(e).toLowerCase().replace(/_/g, '-');
  if (n === 'utf-8' || n === 'utf8') return 'utf8';
  if (n === 'utf-16-le' || n === 'utf-16le') return 'utf16le';
  if (n === 'latin-1' || n === 'latin1' || n === 'iso-8859-1') return 'latin1';
  if (n === 'ascii') return 'ascii';
  throw new Fail(`unsupported encoding '${pyStr(e)}' (utf-8, utf-16-le, latin-1, ascii)`);
}
