// Reading helm's answers about a release (`helm list -o json`, `helm get values -o json`,
// `helm show chart`) and putting the desired values together the way helm merges several
// --values files: maps merge key by key, the later file wins, anything else is replaced whole.
import { parse as parseYaml } from 'yaml';
import { ModuleError } from '../../../engine/errors.js';

export interface ListedRelease {
  name: string;
  namespace: string;
  /** helm prints it as a string */
  revision: string;
  updated?: string;
  /** deployed, failed, pending-install, pending-upgrade, pending-rollback, uninstalling, superseded, uninstalled */
  status: string;
  /** NAME-VERSION of the chart */
  chart: string;
  app_version?: string;
}

export type Values = Record<string, unknown>;

function json(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new ModuleError(`${what} printed something that is not JSON: ${text.trim().slice(0, 200)}`);
  }
}

/** The release named `name` in `helm list -o json` output, if listed. */
export function findRelease(stdout: string, name: string): ListedRelease | undefined {
  const text = stdout.trim();
  if (text === '') return undefined;
  const list = json(text, 'helm list');
  if (!Array.isArray(list)) throw new ModuleError(`helm list -o json printed no list: ${text.slice(0, 200)}`);
  return (list as ListedRelease[]).find((r) => r.name === name);
}

/** `helm get values -o json`: the user-supplied values; `null` when there are none. */
export function parseValuesJson(stdout: string): Values {
  const v = json(stdout.trim() || 'null', 'helm get values');
  if (v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw new ModuleError('helm get values -o json printed no mapping');
  return v as Values;
}

/** Name and version from `helm show chart` (the chart's Chart.yaml). */
export function parseChartYaml(text: string, chart: string): { name: string; version: string; appVersion?: string } {
  let doc: Record<string, unknown>;
  try {
    doc = (parseYaml(text) ?? {}) as Record<string, unknown>;
  } catch (err) {
    throw new ModuleError(`the Chart.yaml of ${chart} is not YAML: ${(err as Error).message}`);
  }
  if (typeof doc.name !== 'string' || doc.version === undefined) throw new ModuleError(`the Chart.yaml of ${chart} has no name or version`);
  return { name: doc.name, version: String(doc.version), ...(doc.appVersion !== undefined ? { appVersion: String(doc.appVersion) } : {}) };
}

/** Values YAML as helm reads it: YAML 1.1 (yes/no/on/off are booleans), a mapping or nothing. */
export function parseValuesYaml(text: string, source: string): Values {
  let v: unknown;
  try {
    v = parseYaml(text, { version: '1.1' });
  } catch (err) {
    throw new ModuleError(`${source}: invalid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  if (v === null || v === undefined) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw new ModuleError(`${source}: values must be a mapping`);
  return v as Values;
}

const isMap = (v: unknown): v is Values => v !== null && typeof v === 'object' && !Array.isArray(v);

/** helm's merge of values files: nested maps merge, the later value wins everywhere else. */
export function mergeValues(base: Values, over: Values): Values {
  const out: Values = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = isMap(out[k]) && isMap(v) ? mergeValues(out[k] as Values, v) : v;
  return out;
}

/** JSON with sorted keys: what helm stores does not keep key order. */
export function canonical(v: unknown): string {
  const sort = (x: unknown): unknown =>
    Array.isArray(x) ? x.map(sort) : isMap(x) ? Object.fromEntries(Object.keys(x).sort().map((k) => [k, sort(x[k])])) : x;
  return JSON.stringify(sort(v));
}
