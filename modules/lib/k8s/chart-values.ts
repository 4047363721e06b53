// The values a play gives a chart, checked against the chart itself before helm sees them.
//
// helm ignores a value key the chart does not read, so a misspelt key, or one from another chart
// version, only shows when the release misbehaves on a real machine. Here the chart archive (the
// .tgz, or a chart directory sent as a tar) is unpacked in memory and its values.yaml files,
// subcharts included, give the key paths the chart defines:
// - a subchart's values live under its name, or under each alias its parent's Chart.yaml gives it
//   (dependencies, or requirements.yaml for apiVersion v1 charts); `global` is shared by all;
// - a dependency's `condition` paths and `tags.<tag>` are values too;
// - a map that is empty in values.yaml, a key whose default is null and a list accept anything
//   beneath them (open); the play names further open paths (values_open);
// - a key whose default is a scalar has nothing beneath it.
// values.schema.json (the chart's and each subchart's) is then checked with Ajv, as draft-07 (what
// helm's validator and the charts use), against the values helm would compute: the chart's
// defaults coalesced with the play's values (a null removes a default, as in helm).
import { createGunzip } from 'node:zlib';
import { Readable } from 'node:stream';
import { posix } from 'node:path';
import { Ajv, type ErrorObject } from 'ajv';
import addFormatsModule from 'ajv-formats';
import tar from 'tar-stream';
import { parse as parseYaml } from 'yaml';
import { ModuleError } from '../../../engine/errors.js';
import { suggest } from '../../../engine/load/suggest.js';
import { parseValuesYaml, type Values } from './helm-release.js';

const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as unknown as (ajv: Ajv) => Ajv;

const isMap = (v: unknown): v is Values => v !== null && typeof v === 'object' && !Array.isArray(v);

/** One chart of the archive: its own files and its subcharts, each under the keys its parent gives it. */
export interface LoadedChart {
  name: string;
  version: string;
  defaults: Values;
  schema?: Record<string, unknown>;
  /** where the schema came from, for messages */
  schemaFile?: string;
  subcharts: { keys: string[]; chart: LoadedChart }[];
  /** dependency condition paths and tags.<tag> paths */
  switches: string[][];
}

// ---- reading the archive ----------------------------------------------------------------------

const WANTED = new Set(['Chart.yaml', 'values.yaml', 'values.schema.json', 'requirements.yaml']);

/** The files of a chart archive (gzipped or plain tar) that say what its values are. */
export async function readArchive(bytes: Buffer, what: string): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  const gz = bytes.length > 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
  const extract = tar.extract();
  const source = Readable.from([bytes]);
  try {
    const done = (async () => {
      for await (const entry of extract) {
        const name = posix.normalize(entry.header.name.replace(/^(\.\/)+/, ''));
        const base = posix.basename(name);
        const keep = entry.header.type === 'file' && !name.startsWith('..') && (WANTED.has(base) || (/(^|\/)charts\/[^/]+\.tgz$/.test(name)));
        if (!keep) {
          entry.resume();
          continue;
        }
        const chunks: Buffer[] = [];
        for await (const c of entry) chunks.push(c as Buffer);
        files.set(name, Buffer.concat(chunks));
      }
    })();
    (gz ? source.pipe(createGunzip()) : source).on('error', (e) => extract.destroy(e)).pipe(extract);
    await done;
  } catch (err) {
    throw new ModuleError(`${what} is not a readable chart archive: ${(err as Error).message}`);
  }
  return files;
}

function yamlDoc(bytes: Buffer | undefined, file: string): Record<string, unknown> {
  if (!bytes) return {};
  try {
    const v = parseYaml(bytes.toString('utf8'), { version: '1.1' });
    return isMap(v) ? v : {};
  } catch (err) {
    throw new ModuleError(`${file}: invalid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
}

interface Dependency { name: string; alias?: string; condition?: string; tags?: string[] }

/** Loads the chart whose Chart.yaml is the shallowest in `files` (or at `root`). */
export async function loadChart(files: Map<string, Buffer>, what: string, root?: string): Promise<LoadedChart> {
  if (root === undefined) {
    const charts = [...files.keys()].filter((f) => posix.basename(f) === 'Chart.yaml').sort((a, b) => a.split('/').length - b.split('/').length);
    if (charts.length === 0) throw new ModuleError(`${what} holds no Chart.yaml`);
    root = posix.dirname(charts[0]!);
  }
  const at = (f: string) => (root === '.' || root === '' ? f : `${root}/${f}`);
  const chartYaml = yamlDoc(files.get(at('Chart.yaml')), `${what}: ${at('Chart.yaml')}`);
  const name = String(chartYaml.name ?? posix.basename(root ?? what));
  const version = String(chartYaml.version ?? '?');
  const label = `${what}: ${at('values.yaml')}`;
  const defaults = files.has(at('values.yaml')) ? parseValuesYaml(files.get(at('values.yaml'))!.toString('utf8'), label) : {};
  let schema: Record<string, unknown> | undefined;
  const schemaBytes = files.get(at('values.schema.json'));
  if (schemaBytes) {
    try {
      schema = JSON.parse(schemaBytes.toString('utf8')) as Record<string, unknown>;
    } catch (err) {
      throw new ModuleError(`${what}: ${at('values.schema.json')} is not JSON: ${(err as Error).message}`);
    }
  }
  const depsRaw = Array.isArray(chartYaml.dependencies) ? chartYaml.dependencies : (yamlDoc(files.get(at('requirements.yaml')), `${what}: ${at('requirements.yaml')}`).dependencies ?? []);
  const deps = (Array.isArray(depsRaw) ? depsRaw : []).filter(isMap).map((d) => ({
    name: String(d.name ?? ''),
    ...(typeof d.alias === 'string' && d.alias ? { alias: d.alias } : {}),
    ...(typeof d.condition === 'string' && d.condition ? { condition: d.condition } : {}),
    ...(Array.isArray(d.tags) ? { tags: d.tags.map(String) } : {}),
  })) as Dependency[];
  const switches: string[][] = [];
  for (const d of deps) {
    for (const c of (d.condition ?? '').split(',').map((s) => s.trim()).filter(Boolean)) switches.push(c.split('.'));
    for (const t of d.tags ?? []) switches.push(['tags', t]);
  }

  // subcharts: charts/<dir>/Chart.yaml and charts/<name>-<version>.tgz
  const prefix = at('charts/');
  const subs: LoadedChart[] = [];
  const dirs = new Set<string>();
  for (const f of files.keys()) {
    if (!f.startsWith(prefix)) continue;
    const rest = f.slice(prefix.length).split('/');
    if (rest.length === 2 && rest[1] === 'Chart.yaml') dirs.add(`${prefix}${rest[0]}`);
    if (rest.length === 1 && rest[0]!.endsWith('.tgz')) subs.push(await loadChart(await readArchive(files.get(f)!, `${what}: ${f}`), `${what}: ${f}`));
  }
  for (const d of [...dirs].sort()) subs.push(await loadChart(files, what, d));
  const subcharts = subs.map((chart) => {
    const mine = deps.filter((d) => d.name === chart.name);
    return { keys: mine.length ? [...new Set(mine.map((d) => d.alias ?? d.name))] : [chart.name], chart };
  });
  return { name, version, defaults, ...(schema ? { schema, schemaFile: at('values.schema.json') } : {}), subcharts, switches };
}

// ---- the shape of the values a chart defines ---------------------------------------------------

export type Shape = { kind: 'map'; keys: Map<string, Shape> } | { kind: 'open'; why: string } | { kind: 'leaf' };

function shapeOf(v: unknown): Shape {
  if (v === null || v === undefined) return { kind: 'open', why: 'null' };
  if (Array.isArray(v)) return { kind: 'open', why: 'list' };
  if (isMap(v)) {
    const keys = Object.keys(v);
    if (keys.length === 0) return { kind: 'open', why: 'empty map' };
    return { kind: 'map', keys: new Map(keys.map((k) => [k, shapeOf(v[k])])) };
  }
  return { kind: 'leaf' };
}

/** Both shapes' keys: a map wins over anything else (a parent's `sub: {}` does not open a subchart). */
function union(a: Shape | undefined, b: Shape): Shape {
  if (!a) return b;
  if (a.kind === 'map' && b.kind === 'map') {
    const keys = new Map(a.keys);
    for (const [k, s] of b.keys) keys.set(k, union(keys.get(k), s));
    return { kind: 'map', keys };
  }
  if (a.kind === 'map') return a;
  if (b.kind === 'map') return b;
  return a.kind === 'open' ? a : b;
}

function ensure(shape: Shape, path: string[]): Shape {
  if (path.length === 0) return shape.kind === 'open' ? shape : shape.kind === 'map' ? shape : { kind: 'leaf' };
  const [head, ...rest] = path as [string, ...string[]];
  if (shape.kind === 'open') return shape;
  const keys = shape.kind === 'map' ? new Map(shape.keys) : new Map<string, Shape>();
  keys.set(head, ensure(keys.get(head) ?? (rest.length ? { kind: 'map', keys: new Map() } : { kind: 'leaf' }), rest));
  return { kind: 'map', keys };
}

/** The key paths a chart (subcharts included) defines; `global` collects every chart's globals. */
export function chartShape(chart: LoadedChart): Shape {
  let shape = shapeOf(chart.defaults);
  if (shape.kind !== 'map') shape = { kind: 'map', keys: new Map() };
  for (const s of chart.switches) shape = ensure(shape, s);
  for (const { keys, chart: sub } of chart.subcharts) {
    const subShape = chartShape(sub);
    const own = subShape.kind === 'map' ? new Map(subShape.keys) : new Map<string, Shape>();
    const global = own.get('global');
    own.delete('global');
    const m = shape as { kind: 'map'; keys: Map<string, Shape> };
    for (const k of keys) m.keys.set(k, union(m.keys.get(k), { kind: 'map', keys: own }));
    if (global) m.keys.set('global', union(m.keys.get('global'), global));
  }
  return shape;
}

// ---- paths ------------------------------------------------------------------------------------

const seg = (k: string) => (k.includes('.') ? `"${k}"` : k);
export const pathText = (p: string[]) => p.map(seg).join('.');

/** `a."b.c".d` → ['a', 'b.c', 'd'] */
export function parsePath(text: string): string[] {
  const out: string[] = [];
  const re = /"([^"]*)"|([^.]+)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text))) out.push(m[1] ?? m[2]!);
  return out;
}

function knownPaths(shape: Shape, prefix: string[] = [], out: string[][] = []): string[][] {
  if (shape.kind !== 'map') {
    if (prefix.length) out.push(prefix);
    return out;
  }
  for (const [k, s] of shape.keys) knownPaths(s, [...prefix, k], out);
  return out;
}

function leaves(v: unknown, prefix: string[], out: string[][] = []): string[][] {
  if (isMap(v) && Object.keys(v).length > 0) for (const [k, x] of Object.entries(v)) leaves(x, [...prefix, k], out);
  else out.push(prefix);
  return out;
}

/** A typo: the known path, under the same real keys, whose rest from the first unknown key is closest (within suggest()'s typo limit). */
function closest(path: string[], bad: number, known: string[][]): string[] | undefined {
  const before = pathText(path.slice(0, bad));
  const rest = new Map<string, string[]>();
  for (const k of known) if (k.length > bad && pathText(k.slice(0, bad)) === before) rest.set(pathText(k.slice(bad)), k);
  const mine = pathText(path.slice(bad));
  const s = suggest(mine, rest.keys());
  return s !== undefined && s !== mine ? rest.get(s) : undefined;
}

/** What a suggestion renamed at the unknown level, its common prefix and suffix taken off: `valkey-cluster` → `redis-cluster` gives valkey → redis. */
function renaming(from: string, to: string): [string, string] | undefined {
  let pre = 0;
  while (pre < from.length && pre < to.length && from[pre] === to[pre]) pre++;
  let suf = 0;
  while (suf < from.length - pre && suf < to.length - pre && from[from.length - 1 - suf] === to[to.length - 1 - suf]) suf++;
  const a = from.slice(pre, from.length - suf);
  return a.length >= 3 ? [a, to.slice(pre, to.length - suf)] : undefined;
}

export interface UnknownValue { path: string; suggestion?: string }

/** The value paths of `values` the shape does not define; `open` paths (`*` matches one key) accept anything. */
export function unknownValues(values: Values, shape: Shape, open: string[][] = []): UnknownValue[] {
  const known = knownPaths(shape);
  const all = new Set(known.map(pathText));
  const found: { path: string[]; bad: number; suggestion?: string[] }[] = [];
  const isOpen = (p: string[]) => open.some((o) => o.length <= p.length && o.every((s, i) => s === '*' || s === p[i]));
  const report = (v: unknown, p: string[], bad: number) => {
    for (const l of leaves(v, p)) if (!isOpen(l)) found.push({ path: l, bad, suggestion: closest(l, bad, known) });
  };
  const walk = (v: Values, node: Shape & { kind: 'map' }, p: string[]) => {
    for (const [k, x] of Object.entries(v)) {
      const here = [...p, k];
      if (isOpen(here)) continue;
      const child = node.keys.get(k);
      if (!child) report(x, here, p.length);
      else if (child.kind === 'map') {
        if (isMap(x)) walk(x, child, here);
      } else if (child.kind === 'leaf' && isMap(x) && Object.keys(x).length > 0) {
        report(x, here, p.length + 1);
      }
    }
  };
  if (shape.kind === 'map') walk(values, shape, []);
  // a name used consistently for another one (valkey-cluster → redis-cluster) is applied to the
  // unknown keys that had no close match (valkey → redis)
  const renames = found.flatMap((f) => (f.suggestion && f.suggestion[f.bad] !== undefined ? [renaming(f.path[f.bad]!, f.suggestion[f.bad]!)] : [])).filter((r): r is [string, string] => r !== undefined);
  for (const f of found) {
    if (f.suggestion || f.bad >= f.path.length) continue;
    for (const [from, to] of renames) {
      if (!f.path[f.bad]!.includes(from)) continue;
      const candidate = [...f.path.slice(0, f.bad), f.path[f.bad]!.replace(from, to), ...f.path.slice(f.bad + 1)];
      if (all.has(pathText(candidate))) {
        f.suggestion = candidate;
        break;
      }
    }
  }
  return found.map((f) => ({ path: pathText(f.path), ...(f.suggestion ? { suggestion: pathText(f.suggestion) } : {}) }));
}

// ---- values.schema.json -------------------------------------------------------------------------

/** helm's coalesce: the user's values over the defaults, maps merged, a null deletes the key. */
export function coalesce(over: Values, base: Values): Values {
  const out: Values = { ...base };
  for (const [k, v] of Object.entries(over)) {
    if (v === null) delete out[k];
    else out[k] = isMap(v) && isMap(out[k]) ? coalesce(v, out[k] as Values) : v;
  }
  return out;
}

export interface SchemaViolation { path: string; message: string; file: string }

function errorPath(e: ErrorObject, prefix: string[]): string[] {
  const p = [...prefix, ...e.instancePath.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))];
  const extra = (e.params as Record<string, unknown>).additionalProperty ?? (e.params as Record<string, unknown>).missingProperty;
  return typeof extra === 'string' ? [...p, extra] : p;
}

function errorMessage(e: ErrorObject): string {
  if (e.keyword === 'additionalProperties') return 'is not allowed (additionalProperties: false)';
  if (e.keyword === 'required') return 'is required';
  if (e.keyword === 'enum') return `must be one of ${((e.params as { allowedValues: unknown[] }).allowedValues ?? []).map((v) => JSON.stringify(v)).join(', ')}`;
  return e.message ?? e.keyword;
}

/** Violations of every values.schema.json in the chart, on the values helm would compute. */
export function schemaViolations(chart: LoadedChart, user: Values, prefix: string[] = [], parentGlobal?: Values): SchemaViolation[] {
  const values = coalesce(user, chart.defaults);
  if (parentGlobal) values.global = coalesce(parentGlobal, isMap(values.global) ? values.global : {});
  const out: SchemaViolation[] = [];
  if (chart.schema) {
    const { $schema: _ignored, ...schema } = chart.schema;
    const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: true });
    addFormats(ajv);
    let validate;
    try {
      validate = ajv.compile(schema);
    } catch (err) {
      throw new ModuleError(`${chart.schemaFile} of ${chart.name} chart ${chart.version} cannot be used: ${(err as Error).message}`);
    }
    if (!validate(values)) {
      const seen = new Set<string>();
      for (const e of validate.errors ?? []) {
        if (e.keyword === 'if') continue; // the branch's own error is reported
        const v = { path: pathText(errorPath(e, prefix)), message: errorMessage(e), file: `values.schema.json of ${chart.name} ${chart.version}` };
        const key = `${v.path}\0${v.message}`;
        if (!seen.has(key)) {
          seen.add(key);
          out.push(v);
        }
      }
    }
  }
  const global = isMap(values.global) ? values.global : undefined;
  for (const { keys, chart: sub } of chart.subcharts) {
    for (const k of keys) out.push(...schemaViolations(sub, isMap(values[k]) ? (values[k] as Values) : {}, [...prefix, k], global));
  }
  return out;
}

// ---- the check --------------------------------------------------------------------------------

export interface ValuesCheck { chart: string; version: string; unknown: UnknownValue[]; schema: SchemaViolation[] }

export function checkValues(chart: LoadedChart, values: Values, open: string[] = []): ValuesCheck {
  return {
    chart: chart.name,
    version: chart.version,
    unknown: unknownValues(values, chartShape(chart), open.map(parsePath)),
    schema: schemaViolations(chart, values),
  };
}

/** One line per problem, then what to do; empty when the values are the chart's. */
export function valuesCheckMessage(c: ValuesCheck): string {
  const lines = [
    ...c.unknown.map((u) => `${c.chart} chart ${c.version} has no value \`${u.path}\`${u.suggestion ? `; did you mean \`${u.suggestion}\`?` : ''}`),
    ...c.schema.map((s) => `${c.chart} chart ${c.version}: value \`${s.path || '(root)'}\` ${s.message} (${s.file})`),
  ];
  if (lines.length === 0) return '';
  const hint = c.unknown.length
    ? 'nothing was installed. Fix the key, or, if the chart reads that map whole (a config block passed through), name it in values_open; values_check: false turns the check off.'
    : 'nothing was installed; values_check: false turns the check off.';
  return [...lines, hint].join('\n');
}
