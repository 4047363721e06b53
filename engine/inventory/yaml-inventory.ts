// Ansible's YAML inventory shape:
//   all: { hosts: { web1: { port: 80 } }, vars: {...}, children: { web: { hosts, vars, children } } }
// Top-level groups other than `all` become children of `all` (InventoryData.reconcile). The shape
// is checked against engine/schema/inventory.schema.json (validateInventoryDoc) before this reader
// runs; the reader skips what is malformed and reports only what a schema cannot express: bad host
// ranges, `all` as a child, cycles in children.
import { PlaybookError, type GxError } from '../errors.js';
import { locate, type SourceLocation } from '../load/source.js';
import { templateErrorsIn } from '../vars/template.js';
import type { InventoryData, Vars } from './data.js';
import { expandHostRange } from './ranges.js';

const GROUP_KEYS = ['hosts', 'vars', 'children'];

function isMapping(v: unknown): v is Vars {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** `web1:2222` → name and port; ranges and bracketed parts keep their colons. */
export function splitHostPort(key: string): { name: string; port?: number } {
  const m = /^(.*):(\d+)$/.exec(key);
  if (!m) return { name: key };
  const head = m[1]!;
  if (head === '' || head.replace(/\[[^\]]*\]/g, '').includes(':')) return { name: key };
  return { name: head, port: Number(m[2]) };
}

export class YamlInventoryReader {
  constructor(
    private readonly data: InventoryData,
    private readonly errors: GxError[],
    private readonly file: string,
  ) {}

  private fail(message: string, loc: SourceLocation | undefined): void {
    this.errors.push(new PlaybookError(message, { loc: loc ?? { file: this.file, line: 1, col: 1 } }));
  }

  read(doc: unknown): void {
    if (!isMapping(doc)) return;
    for (const [name, value] of Object.entries(doc)) this.group(name, value, locate(doc, name));
  }

  private group(name: string, value: unknown, loc: SourceLocation | undefined): void {
    this.data.group(name, loc);
    if (!isMapping(value)) return;
    for (const [key, v] of Object.entries(value)) {
      if (!GROUP_KEYS.includes(key) || v === null || v === undefined) continue;
      if (key === 'vars') {
        if (isMapping(v)) {
          this.errors.push(...templateErrorsIn(v, value, 'vars'));
          this.data.setGroupVars(name, v);
        }
        continue;
      }
      if (!isMapping(v)) continue;
      for (const [k, kv] of Object.entries(v)) {
        if (key === 'hosts') this.host(name, k, kv, locate(v, k));
        else this.child(name, k, kv, locate(v, k));
      }
    }
  }

  private host(group: string, key: string, value: unknown, loc: SourceLocation | undefined): void {
    if (value !== null && value !== undefined && !isMapping(value)) return;
    const { name, port } = splitHostPort(key);
    let names: string[];
    try {
      names = expandHostRange(name);
    } catch (err) {
      this.fail((err as Error).message, loc);
      return;
    }
    if (value) this.errors.push(...templateErrorsIn(value, value, key));
    const vars: Vars = { ...(value ?? {}) };
    if (port !== undefined && !('ansible_port' in vars)) vars['ansible_port'] = port;
    for (const n of names) this.data.addHostTo(group, n, vars, loc);
  }

  private child(parent: string, name: string, value: unknown, loc: SourceLocation | undefined): void {
    if (name === 'all') {
      this.fail(`'all' cannot be a child of group '${parent}': every group is already inside 'all'`, loc);
      return;
    }
    // the edge first, so a cycle is reported where it closes (the innermost name), not at its start
    if (!this.data.addChild(parent, name)) {
      const why = name === parent ? 'a group cannot contain itself' : `that makes a cycle ('${name}' already contains '${parent}')`;
      this.fail(`group '${name}' cannot be a child of '${parent}': ${why}`, loc);
    }
    this.group(name, value, loc);
  }
}
