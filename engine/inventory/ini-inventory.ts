// Ansible's INI inventory, read as its ini plugin reads it (lib/ansible/plugins/inventory/ini.py at
// v2.14.17; checked against `ansible-inventory --list` 2.14):
//   host1                          ← before any section: group 'ungrouped'
//   [web]                          ← hosts of a group:  name[:port] key=value… (shlex words, # comments)
//   web[01:03]:2222 ansible_user=x
//   [web:vars]                     ← one key=value per line, the whole rest of the line is the value
//   [prod:children]                ← groups inside a group (may be declared further down)
// Values on host lines and in :vars go through Python's literal_eval (22 → int, True → bool,
// "'22'" → the string 22), like Ansible's _parse_value. Hosts and groups go into the same
// InventoryData as a YAML inventory, with file:line for every error.
import { PlaybookError, type GxError } from '../errors.js';
import type { SourceLocation } from '../load/source.js';
import type { InventoryData, Vars } from './data.js';
import { pyLiteral } from '../vars/py-literal.js';
import { expandHostRange } from './ranges.js';
import { splitHostPort } from './yaml-inventory.js';

const SECTION = /^\[([^:\]\s]+)(?::(\w+))?\]\s*(?:#.*)?$/;
const GROUP_NAME = /^([^:\]\s]+)\s*(?:#.*)?$/;

/** Python's shlex.split(line, comments=True): POSIX words, `#` outside quotes ends the line. */
export function shlexWords(line: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  let quote = '';
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote) {
      if (c === quote) quote = '';
      else if (quote === '"' && c === '\\' && (line[i + 1] === '"' || line[i + 1] === '\\')) word += line[++i]!;
      else word += c;
      continue;
    }
    if (/\s/.test(c)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else if (c === '#') break;
    else if (c === "'" || c === '"') {
      quote = c;
      word ??= '';
    } else if (c === '\\' && i + 1 < line.length) word = (word ?? '') + line[++i]!;
    else word = (word ?? '') + c;
  }
  if (quote) throw new Error(`No closing quotation`);
  if (word !== undefined) words.push(word);
  return words;
}

interface Pending {
  line: number;
  state: 'vars' | 'children';
  parents: string[];
}

export class IniInventoryReader {
  private line = 0;

  constructor(
    private readonly data: InventoryData,
    private readonly errors: GxError[],
    private readonly file: string,
  ) {}

  private at(line = this.line): SourceLocation {
    return { file: this.file, line, col: 1 };
  }

  private fail(message: string, line = this.line): void {
    this.errors.push(new PlaybookError(message, { loc: this.at(line) }));
  }

  read(text: string): void {
    const pending = new Map<string, Pending>();
    let group = 'ungrouped';
    let state: 'hosts' | 'vars' | 'children' = 'hosts';
    const lines = text.split(/\r?\n/);
    for (let n = 0; n < lines.length; n++) {
      this.line = n + 1;
      const line = lines[n]!.trim();
      if (line === '' || line[0] === '#' || line[0] === ';') continue;
      const section = SECTION.exec(line);
      if (section) {
        group = section[1]!;
        const kind = section[2] ?? 'hosts';
        if (kind !== 'hosts' && kind !== 'vars' && kind !== 'children') {
          this.fail(`section [${section[1]}:${kind}] has unknown type '${kind}' (hosts, vars or children)`);
          state = 'hosts';
          continue;
        }
        state = kind;
        if (!this.data.groups.has(group)) {
          // [g:vars] alone does not declare g (Ansible checks it at the end)
          if (state === 'vars' && !pending.has(group)) pending.set(group, { line: this.line, state: 'vars', parents: [] });
          this.data.group(group, this.at());
        }
        if (state !== 'vars') {
          const p = pending.get(group);
          if (p?.state === 'children') this.addPendingChildren(group, pending);
          else if (p) pending.delete(group);
        }
        continue;
      }
      if (line.startsWith('[') && line.endsWith(']')) {
        this.fail(`invalid section '${line}': a section is [group], [group:vars] or [group:children], with no spaces`);
        continue;
      }
      if (state === 'hosts') this.hostLine(group, line);
      else if (state === 'vars') this.varLine(group, line);
      else {
        const m = GROUP_NAME.exec(line);
        if (!m) {
          this.fail(`expected a group name in [${group}:children], got '${line}'`);
          continue;
        }
        const child = m[1]!;
        if (!this.data.groups.has(child)) {
          const p = pending.get(child);
          if (p && p.state === 'children') p.parents.push(group);
          else pending.set(child, { line: this.line, state: 'children', parents: [group] });
        } else this.child(group, child);
      }
    }
    for (const [name, p] of pending) {
      if (p.state === 'vars') this.fail(`section [${name}:vars] is for a group that is never declared: add a [${name}] or [${name}:children] section`, p.line);
      else this.fail(`section [${p.parents[p.parents.length - 1]}:children] names group '${name}', which is never declared: add a [${name}] section`, p.line);
    }
  }

  private addPendingChildren(group: string, pending: Map<string, Pending>): void {
    const p = pending.get(group)!;
    pending.delete(group);
    for (const parent of p.parents) {
      this.child(parent, group);
      if (pending.get(parent)?.state === 'children') this.addPendingChildren(parent, pending);
    }
  }

  private child(parent: string, name: string): void {
    if (name === 'all') {
      this.fail(`'all' cannot be a child of group '${parent}': every group is already inside 'all'`);
      return;
    }
    this.data.group(name, this.at());
    if (!this.data.addChild(parent, name)) {
      const why = name === parent ? 'a group cannot contain itself' : `that makes a cycle ('${name}' already contains '${parent}')`;
      this.fail(`group '${name}' cannot be a child of '${parent}': ${why}`);
    }
  }

  private hostLine(group: string, line: string): void {
    let words: string[];
    try {
      words = shlexWords(line);
    } catch (e) {
      this.fail(`cannot read host line '${line}': ${(e as Error).message}`);
      return;
    }
    if (words.length === 0) return;
    const pattern = words[0]!;
    if (pattern === '---') {
      this.fail(`'---' is not a host name: this looks like a YAML file (name it .yaml or .yml)`);
      return;
    }
    if (pattern.endsWith(':')) {
      this.fail(`invalid host '${pattern}': a ':' after the name must be followed by a port`);
      return;
    }
    const vars: Vars = {};
    for (const w of words.slice(1)) {
      const eq = w.indexOf('=');
      if (eq < 0) {
        this.fail(`expected key=value after the host name, got '${w}'`);
        return;
      }
      vars[w.slice(0, eq)] = pyLiteral(w.slice(eq + 1));
    }
    const { name, port } = splitHostPort(pattern);
    let names: string[];
    try {
      names = expandHostRange(name);
    } catch (e) {
      this.fail((e as Error).message);
      return;
    }
    if (port !== undefined && !('ansible_port' in vars)) vars['ansible_port'] = port;
    for (const h of names) this.data.addHostTo(group, h, vars, this.at());
  }

  private varLine(group: string, line: string): void {
    const eq = line.indexOf('=');
    if (eq < 0) {
      this.fail(`expected key=value in [${group}:vars], got '${line}'`);
      return;
    }
    this.data.setGroupVars(group, { [line.slice(0, eq).trim()]: pyLiteral(line.slice(eq + 1).trim()) });
  }
}
