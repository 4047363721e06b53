// Every file the plays and roles read from the bundle ({{ bundle_dir }}/…) is an artifact of
// playbooks/bundle/artifacts.yaml, so the preflight checks all of them: a play that reads a file
// the list does not name would pass the preflight and fail an hour into the run.
// Paths are rendered with the variables a task sees here (role defaults < inventory < play vars)
// and, for loops, once per loop item, for each architecture the bundle can hold (bundle_arch);
// the inventory's own variables that name a bundle file (the VM image) count as read.
import { expect } from 'chai';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import YAML from 'yaml';
import { lazyScope } from '../../engine/run/lazy-scope.js';
import { renderValue } from '../../engine/vars/template.js';

const root = new URL('../..', import.meta.url).pathname;
const playbooks = join(root, 'playbooks');
type Vars = Record<string, unknown>;

const artifactsDoc = YAML.parse(readFileSync(join(playbooks, 'bundle/artifacts.yaml'), 'utf8')) as Vars & { artifacts: { file: string }[] };
const inventoryVars = (YAML.parse(readFileSync(join(root, 'inventory.yaml'), 'utf8')) as { all: { vars: Vars } }).all.vars;
const BUNDLE = '/bundle-under-test';
// only the keys of a task that can name a file of the bundle are read
const MARK = '{{ bundle_dir }}/';

interface Ref {
  where: string;
  path: string;
}

const isObj = (v: unknown): v is Vars => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Strings of `value` that read from the bundle, with where they are. */
function strings(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') {
    if (value.includes(MARK)) out.push(value);
  } else if (Array.isArray(value)) value.forEach((v) => strings(v, out));
  else if (isObj(value)) Object.values(value).forEach((v) => strings(v, out));
  return out;
}

let inventory: Vars = inventoryVars;

function render(text: string, vars: Vars): string {
  return String(renderValue(text, lazyScope({ ...vars, bundle_dir: BUNDLE, playbook_dir: playbooks }))).replace(/^file:\/\//, '');
}

/** Walks tasks (and blocks) collecting the bundle paths each one reads. */
function taskRefs(tasks: unknown, vars: Vars, where: string, out: Ref[]): void {
  if (!Array.isArray(tasks)) return;
  for (const t of tasks) {
    if (!isObj(t)) continue;
    const scope = { ...vars, ...(isObj(t.vars) ? t.vars : {}) };
    for (const key of ['block', 'rescue', 'always']) taskRefs(t[key], scope, where, out);
    const { loop, vars: _v, block: _b, rescue: _r, always: _a, ...rest } = t;
    const texts = strings(rest);
    if (texts.length === 0) continue;
    const name = `${where}: task "${String(t.name ?? '?')}"`;
    const items = loop === undefined ? [undefined] : (renderValue(loop, lazyScope({ ...scope, bundle_dir: BUNDLE, playbook_dir: playbooks })) as unknown[]);
    for (const item of items) for (const text of texts) out.push({ where: name, path: render(text, item === undefined ? scope : { ...scope, item }) });
  }
}

function allRefs(): Ref[] {
  const out: Ref[] = [];
  // the inventory's variables that name a bundle file (vm_image: file://{{ bundle_dir }}/vm/…)
  for (const [k, v] of Object.entries(inventory)) {
    if (k !== 'bundle_dir' && typeof v === 'string' && v.includes(MARK)) out.push({ where: `inventory: ${k}`, path: render(`{{ ${k} }}`, inventory) });
  }
  // the plays: the component plays only (collect-bundle writes the bundle, it does not read it)
  for (const f of readdirSync(playbooks).filter((n) => n.endsWith('.yaml') && n !== 'collect-bundle.yaml')) {
    const doc = YAML.parse(readFileSync(join(playbooks, f), 'utf8')) as unknown;
    if (!Array.isArray(doc)) continue;
    for (const play of doc) {
      if (!isObj(play)) continue;
      const vars = { ...inventory, ...(isObj(play.vars) ? play.vars : {}) };
      for (const section of ['pre_tasks', 'tasks', 'post_tasks', 'handlers']) taskRefs(play[section], vars, f, out);
    }
  }
  // the roles: their defaults lose to the inventory
  const rolesDir = join(playbooks, 'roles');
  for (const role of existsSync(rolesDir) ? readdirSync(rolesDir) : []) {
    const load = (sub: string): unknown => {
      const p = join(rolesDir, role, sub, 'main.yaml');
      return existsSync(p) ? YAML.parse(readFileSync(p, 'utf8')) : undefined;
    };
    const defaults = (load('defaults') ?? {}) as Vars;
    const vars = { ...defaults, ...((load('vars') ?? {}) as Vars), ...inventory };
    // a default that names a bundle file counts even when a task reads it through another variable
    for (const [k, v] of Object.entries(defaults)) {
      if (k === 'bundle_dir') continue;
      if (strings(v).length > 0) out.push({ where: `role ${role} defaults: ${k}`, path: render(`{{ ${k} }}`, vars) });
    }
    taskRefs(load('tasks'), vars, `role ${role}`, out);
  }
  return out;
}

for (const arch of ['amd64', 'arm64']) describe(`gauntlet bundle: every file the plays read from the bundle is in artifacts.yaml (bundle_arch ${arch})`, () => {
  inventory = { ...inventoryVars, bundle_arch: arch };
  const refs = allRefs();
  const files = new Set((renderValue(artifactsDoc.artifacts, lazyScope({ ...artifactsDoc, ...inventory })) as { file: string }[]).map((a) => a.file));

  it('finds the plays that read the bundle (vm image, k3s, images, charts, debs, the API base image), each file of this architecture', () => {
    const read = new Set(refs.map((r) => r.path.slice(BUNDLE.length + 1).split('/')[0]));
    expect([...read].sort()).to.deep.equal(['bin', 'charts', 'debs', 'images', 'vm']);
    expect(refs.some((r) => r.path.endsWith(`/bin/k3s-${arch}`))).to.equal(true);
    expect(refs.some((r) => r.path.endsWith(`/vm/ubuntu-24.04-server-cloudimg-${arch}.img`))).to.equal(true);
    expect(refs.some((r) => new RegExp(`/images/node-.*-${arch}\\.tar$`).test(r.path))).to.equal(true);
    const other = arch === 'amd64' ? 'arm64' : 'amd64';
    expect(refs.filter((r) => r.path.includes(other)).map((r) => r.path)).to.deep.equal([]);
  });

  it('each of them names an artifact', () => {
    const unknown = refs.filter((r) => !r.path.startsWith(`${BUNDLE}/`) || !files.has(r.path.slice(BUNDLE.length + 1)));
    expect(unknown.map((r) => `${r.where}: ${r.path}`)).to.deep.equal([]);
  });

  it('and every artifact is read by some play (nothing is collected for nothing)', () => {
    const read = new Set(refs.map((r) => r.path.slice(BUNDLE.length + 1)));
    expect([...files].filter((f) => !read.has(f))).to.deep.equal([]);
  });
});
