// Lookups that read data files and the inventory: ini, csvfile (lib/ansible/plugins/lookup/
// {ini,csvfile}.py, v2.17.5) and inventory_hostnames (the host pattern over the `groups`
// variable, with gx's own pattern matcher, engine/inventory/patterns.ts, as `hosts:` uses).
import { readFileSync } from 'node:fs';
import { evaluatePattern } from '../../inventory/patterns.js';
import { Fail } from '../fail.js';
import { isMapping, pyStr, truthy } from '../values.js';
import { findInSearchPath, requireFile, type LookupContext } from './context.js';

type Kw = Record<string, unknown>;

/** `key opt=v opt2=v2`: the key and the inline options (values may be quoted). */
function inline(term: string, valid: Set<string>, lookup: string): { key: string | undefined; opts: Kw } {
  const opts: Kw = {};
  let key: string | undefined;
  const words: string[] = [];
  for (const m of term.matchAll(/(\w+)=("(?:[^"\\]|\\.)*"|'[^']*'|\S*)|(\S+)/g)) {
    if (m[3] !== undefined) {
      // parse_kv's _raw_params: the words that are not k=v, together ('German von Lastname')
      words.push(m[3]);
      continue;
    }
    if (!valid.has(m[1]!)) throw new Fail(`${lookup}: ${m[1]} is not a valid option.`);
    opts[m[1]!] = m[2]!.replace(/^(["'])(.*)\1$/s, '$2');
  }
  if (words.length) key = words.join(' ');
  return { key, opts };
}

/** Python's configparser, enough of it: sections, key = value / key: value, comments, continuation lines. */
function parseIni(text: string, caseSensitive: boolean, file: string): Map<string, Map<string, string | null>> {
  const sections = new Map<string, Map<string, string | null>>();
  let cur: Map<string, string | null> | undefined;
  let lastKey: string | undefined;
  for (const raw of text.split(/\r?\n/)) {
    if (/^\s*([#;].*)?$/.test(raw)) {
      lastKey = undefined;
      continue;
    }
    const sec = /^\[([^\]]+)\]\s*$/.exec(raw);
    if (sec) {
      cur = sections.get(sec[1]!) ?? new Map();
      sections.set(sec[1]!, cur);
      lastKey = undefined;
      continue;
    }
    if (/^\s/.test(raw) && lastKey !== undefined && cur) {
      cur.set(lastKey, `${cur.get(lastKey) ?? ''}\n${raw.trim()}`);
      continue;
    }
    if (!cur) throw new Fail(`ini: File contains no section headers: '${file}'`);
    const kv = /^([^=:]+?)\s*[=:]\s*(.*)$/.exec(raw);
    const k = (kv ? kv[1]! : raw).trim();
    const key = caseSensitive ? k : k.toLowerCase();
    if (cur.has(key)) throw new Fail(`ini: Duplicate option in '${file}': option '${key}' already exists`);
    cur.set(key, kv ? kv[2]!.trim() : null);
    lastKey = key;
  }
  return sections;
}

const INI_OPTS = new Set(['type', 'file', 'section', 're', 'encoding', 'default', 'case_sensitive', 'allow_no_value', 'allow_none']);
const CSV_OPTS = new Set(['col', 'keycol', 'default', 'delimiter', 'file', 'encoding']);

function ini(terms: unknown[], kw: Kw, ctx: LookupContext): unknown[] {
  const out: unknown[] = [];
  for (const t of terms) {
    const term = pyStr(t);
    const { key, opts } = /[= ]/.test(term.trim()) ? inline(term, INI_OPTS, 'ini') : { key: term, opts: {} };
    if (key === undefined) throw new Fail(`ini: No key to lookup was provided as first term with in string inline options: ${term}`);
    const o = { type: 'ini', file: 'ansible.ini', section: 'global', re: false, default: '', case_sensitive: false, ...kw, ...opts };
    const path = requireFile(pyStr(o.file), 'files', ctx, 'ini');
    let text = readFileSync(path, 'utf8');
    let section = pyStr(o.section);
    if (o.type === 'properties') {
      text = `[java_properties]\n${text}`;
      section = 'java_properties';
    }
    const cs = truthy(o.case_sensitive);
    const sec = parseIni(text, cs, pyStr(o.file)).get(section);
    if (!sec) throw new Fail(`ini: No section '${section}' in ${pyStr(o.file)}`);
    if (truthy(o.re)) {
      const re = new RegExp(key);
      for (const [k, v] of sec) if (re.exec(k)?.index === 0) out.push(v);
      continue;
    }
    const k = cs ? key : key.toLowerCase();
    const v = sec.has(k) ? sec.get(k) : o.default;
    if (v !== null && v !== undefined) out.push(v);
  }
  return out;
}

/** Python's csv reader, for one line: quoted fields with doubled quotes. */
function csvRow(line: string, delim: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"' && cur === '') quoted = true;
    else if (line.startsWith(delim, i)) {
      out.push(cur);
      cur = '';
      i += delim.length - 1;
    } else cur += c;
  }
  out.push(cur);
  return out;
}

function csvfile(terms: unknown[], kw: Kw, ctx: LookupContext): unknown[] {
  if (!terms.length) throw new Fail('csvfile: Search key is required but was not found');
  const out: unknown[] = [];
  for (const t of terms) {
    const { key, opts } = inline(pyStr(t), CSV_OPTS, 'csvfile');
    if (key === undefined) throw new Fail('csvfile: Search key is required but was not found');
    const o: Kw = { col: '1', keycol: 0, delimiter: 'TAB', file: 'ansible.csv', ...kw, ...opts };
    const delim = o['delimiter'] === 'TAB' || o['delimiter'] === '\\t' ? '\t' : pyStr(o['delimiter']);
    const path = findInSearchPath(pyStr(o['file']), 'files', ctx);
    if (!path) throw new Fail(`csvfile: [Errno 2] No such file or directory: '${pyStr(o['file'])}'`);
    let found: unknown = o['default'];
    for (const line of readFileSync(path, 'utf8').split(/\r?\n/)) {
      if (!line) continue;
      const row = csvRow(line, delim);
      if (row[Number(o['keycol'])] === key) {
        const v = row[Number(o['col'])];
        if (v === undefined) throw new Fail(`csvfile: list index out of range`);
        found = v;
        break;
      }
    }
    if (found !== undefined && found !== null) out.push(found);
  }
  return out;
}

function inventoryHostnames(terms: unknown[], _kw: Kw, ctx: LookupContext): unknown[] {
  const groups = ctx.vars['groups'];
  if (!isMapping(groups)) return [];
  const members = (g: string): string[] => (Array.isArray(groups[g]) ? (groups[g] as unknown[]).map(pyStr) : []);
  const all = [...new Set(Object.keys(groups).flatMap(members))];
  const target = {
    hostNames: () => all,
    groupNames: () => Object.keys(groups),
    hasHost: (n: string) => all.includes(n),
    groupMembers: members,
    implicitHost: () => false,
  };
  try {
    const picked = evaluatePattern(target, terms.map(pyStr));
    return all.filter((h) => picked.has(h));
  } catch {
    return [];
  }
}

export const DATA_LOOKUPS: Record<string, (terms: unknown[], kw: Kw, ctx: LookupContext) => unknown[]> = {
  ini,
  csvfile,
  inventory_hostnames: inventoryHostnames,
};
