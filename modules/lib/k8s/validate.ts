// Schema validation of Kubernetes manifests before anything reaches a cluster. Built-in kinds are
// checked against the Kubernetes OpenAPI schemas that the kubernetes-models package ships as
// precompiled validators (offline, no cluster needed); kinds from other API groups (CRDs such as
// CloudNativePG's Cluster) only need apiVersion, kind and metadata.name, because their schema lives
// in the cluster. Validators are loaded lazily, one kind at a time: loading all of them costs seconds.
//
// The OpenAPI schemas do not forbid unknown fields; strict validation (the default) also reports
// every field of a built-in kind that its schema does not have, with the closest real one
// (strict.ts). Custom resources are never checked strictly: their schema is only in the cluster
// (kubectl's server-side field validation still refuses their unknown fields at the dry run).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { didYouMean } from '../../../engine/load/suggest.js';
import { tracked, unknownFields } from './strict.js';

const require = createRequire(import.meta.url);

interface AjvError {
  instancePath: string;
  keyword: string;
  params: Record<string, unknown>;
  message?: string;
}

interface ModelClass {
  new (data: unknown): { validate(): void };
  kind?: string;
  apiVersion?: string;
}

let pkgDir: string | undefined;
function modelsDir(): string {
  pkgDir ??= dirname(require.resolve('kubernetes-models'));
  return pkgDir;
}

/** `apps/v1` → `apps/v1`, core `v1` → `v1`: the folder of that group version in kubernetes-models. */
function groupVersionDir(apiVersion: string): string {
  return join(modelsDir(), ...apiVersion.split('/'));
}

let builtinGroups: Set<string> | undefined;
/** API groups that are part of Kubernetes itself ('' is the core group). */
export function isBuiltinGroup(group: string): boolean {
  if (!builtinGroups) {
    builtinGroups = new Set(['']);
    for (const e of readdirSync(modelsDir(), { withFileTypes: true })) {
      if (e.isDirectory() && !e.name.startsWith('_') && e.name !== 'v1') builtinGroups.add(e.name);
    }
  }
  return builtinGroups.has(group);
}

const modelCache = new Map<string, ModelClass | null>();
function loadModel(apiVersion: string, kind: string): ModelClass | null {
  const key = `${apiVersion}/${kind}`;
  if (modelCache.has(key)) return modelCache.get(key)!;
  let model: ModelClass | null = null;
  const file = join(groupVersionDir(apiVersion), `${kind}.js`);
  if (/^[A-Za-z0-9]+$/.test(kind) && existsSync(file)) {
    const mod = require(file) as Record<string, ModelClass>;
    const cls = mod[kind];
    // DeploymentSpec and friends are files too, but only top-level kinds carry kind/apiVersion
    if (cls && cls.kind === kind && cls.apiVersion === apiVersion) model = cls;
  }
  modelCache.set(key, model);
  return model;
}

/** Top-level kinds of a built-in group version, for did-you-mean. */
function kindsOf(apiVersion: string): string[] {
  const dir = groupVersionDir(apiVersion);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.mjs') && f !== 'index.mjs')
    .filter((f) => /\.kind="/.test(readFileSync(join(dir, f), 'utf8')))
    .map((f) => f.slice(0, -4));
}

function builtinVersions(group: string): string[] {
  const dir = group === '' ? modelsDir() : join(modelsDir(), group);
  if (group === '') return ['v1'];
  return existsSync(dir) ? readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => `${group}/${e.name}`) : [];
}

/** A JSON pointer from ajv as a field path: `/spec/ports/0/port` → `spec.ports[0].port`. */
export function fieldPath(pointer: string): string {
  return fieldPathOf(pointerPath(pointer));
}

/** `['spec', 'ports', 0, 'port']` → `spec.ports[0].port`; keys that are not names are quoted. */
export function fieldPathOf(path: readonly (string | number)[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

/** One problem: where it is in the object (for positions) and what it says (`spec.replicas: must be integer`). */
export interface ManifestProblem {
  path: (string | number)[];
  message: string;
  /** the problem is the field's name (an unknown field), not its value */
  key?: boolean;
}

function pointerPath(pointer: string): (string | number)[] {
  return pointer
    .split('/')
    .slice(1)
    .map((seg) => seg.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((seg) => (/^\d+$/.test(seg) ? Number(seg) : seg));
}

/** ajv's errors as one problem per field; a oneOf (int-or-string, quantities) reads "must be integer or string". */
function describeErrors(errors: AjvError[]): ManifestProblem[] {
  const oneOfPaths = new Set(errors.filter((e) => e.keyword === 'oneOf' || e.keyword === 'anyOf').map((e) => e.instancePath));
  const typesAt = new Map<string, string[]>();
  const out: ManifestProblem[] = [];
  const add = (pointer: string, message: string) => {
    if (!out.some((p) => p.message === message)) out.push({ path: pointerPath(pointer), message });
  };
  for (const e of errors) {
    if (e.keyword === 'type' && oneOfPaths.has(e.instancePath)) {
      const list = typesAt.get(e.instancePath) ?? [];
      list.push(String(e.params.type));
      typesAt.set(e.instancePath, list);
      continue;
    }
    if (e.keyword === 'oneOf' || e.keyword === 'anyOf') continue;
    const at = fieldPath(e.instancePath);
    if (e.keyword === 'required') {
      add(e.instancePath, `${at ? `${at}.` : ''}${String(e.params.missingProperty)}: is required`);
    } else if (e.keyword === 'enum') {
      const allowed = (e.params.allowedValues as unknown[] | undefined) ?? [];
      add(e.instancePath, `${at || '(root)'}: must be one of ${allowed.map((v) => JSON.stringify(v)).join(', ')}`);
    } else {
      add(e.instancePath, `${at || '(root)'}: ${e.message ?? e.keyword}`);
    }
  }
  for (const [pointer, types] of typesAt) add(pointer, `${fieldPath(pointer) || '(root)'}: must be ${[...new Set(types)].sort().join(' or ')}`);
  return out;
}

const NAME_OPTIONAL = new Set(['List']);

/**
 * strict: the schemas, and no field a built-in kind's schema does not have (the default);
 * lenient: the schemas only, unknown fields pass (kubectl's server-side validation may refuse them).
 */
export type ManifestValidation = 'strict' | 'lenient';

/** The object's problems with where they are; `who` names it (`Deployment web`). */
export function manifestProblems(obj: unknown, mode: ManifestValidation = 'strict'): { who: string; problems: ManifestProblem[] } {
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) return { who: '', problems: [{ path: [], message: 'a Kubernetes object must be a mapping' }] };
  const o = obj as Record<string, unknown>;
  const problems: ManifestProblem[] = [];
  const apiVersion = o.apiVersion;
  const kind = o.kind;
  const meta = o.metadata as Record<string, unknown> | undefined;
  const name = meta && typeof meta === 'object' ? meta.name : undefined;
  const who = `${typeof kind === 'string' ? kind : 'object'}${typeof name === 'string' ? ` ${name}` : ''}`;
  if (typeof apiVersion !== 'string' || apiVersion === '') problems.push({ path: [], message: 'apiVersion: is required' });
  if (typeof kind !== 'string' || kind === '') problems.push({ path: [], message: 'kind: is required' });
  if (meta === undefined || meta === null || typeof meta !== 'object' || Array.isArray(meta)) {
    if (!NAME_OPTIONAL.has(String(kind))) problems.push({ path: [], message: 'metadata: is required' });
  } else if (typeof name !== 'string' || name === '') {
    if (!NAME_OPTIONAL.has(String(kind))) {
      problems.push({ path: ['metadata'], message: meta.generateName !== undefined ? 'metadata.name: is required (generateName cannot be applied)' : 'metadata.name: is required' });
    }
  }
  if (problems.length > 0 || typeof apiVersion !== 'string' || typeof kind !== 'string') return { who, problems };

  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
  if (!isBuiltinGroup(group)) return { who, problems: [] };
  const model = loadModel(apiVersion, kind);
  if (!model) {
    const known = kindsOf(apiVersion);
    if (known.length === 0) {
      const hint = didYouMean(apiVersion, builtinVersions(group));
      return { who, problems: [{ path: ['apiVersion'], message: `apiVersion: ${apiVersion} is not a Kubernetes API version${hint ? ` (${hint})` : ''}` }] };
    }
    const hint = didYouMean(kind, known);
    return { who, problems: [{ path: ['kind'], message: `kind: ${apiVersion} has no kind ${kind}${hint ? ` (${hint})` : ''}` }] };
  }
  // the model's validate() runs the generated validator on `this`; strict runs it on a recording copy
  const { data, seen } = mode === 'strict' ? tracked(o) : { data: new model(o), seen: [] };
  let found: ManifestProblem[] = [];
  try {
    model.prototype.validate.call(data);
  } catch (err) {
    const errors = (err as { errors?: AjvError[] }).errors;
    if (!Array.isArray(errors)) throw err;
    found = describeErrors(errors);
  }
  const unknown = unknownFields(seen).map((u) => ({ path: u.path, key: true, message: `${fieldPathOf(u.path)}: unknown field${u.hint ? ` (${u.hint})` : ''}` }));
  return { who, problems: [...found, ...unknown] };
}

/**
 * Problems with one manifest, each as `SOURCE: Kind name: field: problem`; empty when it is valid.
 * `source` names where the object comes from (a template, a file and document number, a task).
 */
export function validateManifest(obj: unknown, source: string, mode: ManifestValidation = 'strict'): string[] {
  const { who, problems } = manifestProblems(obj, mode);
  return problems.map((p) => `${source}: ${who ? `${who}: ` : ''}${p.message}`);
}
