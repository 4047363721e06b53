// Unknown fields in built-in Kubernetes objects (a container's `portz:`), which the OpenAPI schemas
// do not forbid and the API server would drop or refuse later.
//
// kubernetes-models ships its OpenAPI-derived schemas only as precompiled ajv validators: there is
// no JSON schema left in the package to compile again with `additionalProperties: false`. But a
// compiled validator reads every property its schema declares (`data.ports === undefined || …`,
// present or not) and enumerates the keys of a map (`for (key in data)`). So the object goes through
// the validator behind a proxy that records, for each mapping, which keys the validator asked for and
// whether it enumerated them:
// - enumerated: a map (labels, annotations, ConfigMap data, resources.limits, nodeSelector, any
//   `additionalProperties` schema): every key is allowed;
// - asked for nothing: a schema without properties (RawExtension, JSON, FieldsV1, anything
//   x-kubernetes-preserve-unknown-fields): every key is allowed, nothing beneath is looked at;
// - otherwise a key the validator never asked for is not in the schema: an unknown field.
// int-or-string and quantities are scalars, left to the validator's own oneOf. It is one pass: the
// same run gives the type errors, so being strict costs the proxies only (measured in
// test/gauntlet/manifests-strict.test.ts).
//
// One known gap of the generated validators: kubernetes-models strips schema annotations, and with
// them the properties NAMED `description` and `x-kubernetes-*` (of a CRD's JSONSchemaProps, its
// printer columns and externalDocs). Those names are added back below, for those types only; a test
// compares every model's declared properties (its .d.ts) with what its validator reads, so another
// such gap in a later kubernetes-models fails the test rather than a user's manifest.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { didYouMean } from '../../../engine/load/suggest.js';

const require = createRequire(import.meta.url);

type Path = (string | number)[];

/** One mapping of the object as the validator saw it. */
interface Seen {
  /** where it is: the mapping or list it is in (undefined at the top), and its key or index there */
  parent: Seen | ListAt | undefined;
  at: string | number;
  keys: string[];
  /** every key the validator read, in order, with repeats */
  reads: string[];
  enumerated: boolean;
}

/** A list on the way to a mapping (lists record nothing, they only carry the path). */
interface ListAt {
  parent: Seen | ListAt | undefined;
  at: string | number;
}

export function pathOf(node: Seen | ListAt): Path {
  const out: Path = [];
  for (let n: Seen | ListAt | undefined = node; n?.parent !== undefined || (n && n.at !== ''); n = n.parent) out.unshift(n.at);
  return out;
}

// the traps of one mapping's proxy: every key read, and whether the keys were enumerated (an array,
// not a Set: a validator reads tens of keys per mapping, and this is the hot path)
class Recorder implements ProxyHandler<Record<string, unknown>> {
  constructor(private readonly node: Seen) {}
  get(t: Record<string, unknown>, k: string | symbol): unknown {
    if (typeof k === 'string') this.node.reads.push(k);
    return t[k as string];
  }
  has(t: Record<string, unknown>, k: string | symbol): boolean {
    if (typeof k === 'string') this.node.reads.push(k);
    return k in t;
  }
  ownKeys(t: Record<string, unknown>): (string | symbol)[] {
    this.node.enumerated = true;
    return Reflect.ownKeys(t);
  }
}

/** A copy of `value` whose mappings record what is read from them, and the records. */
export function tracked(value: unknown): { data: unknown; seen: Seen[] } {
  const seen: Seen[] = [];
  const wrap = (v: unknown, parent: Seen | ListAt | undefined, at: string | number): unknown => {
    if (Array.isArray(v)) {
      const list: ListAt = { parent, at };
      return v.map((x, i) => wrap(x, list, i));
    }
    if (v === null || typeof v !== 'object') return v;
    const src = v as Record<string, unknown>;
    const node: Seen = { parent, at, keys: Object.keys(src), reads: [], enumerated: false };
    seen.push(node);
    const target: Record<string, unknown> = {};
    for (const k of node.keys) target[k] = wrap(src[k], node, k);
    return new Proxy(target, new Recorder(node));
  };
  return { data: wrap(value, undefined, ''), seen };
}

/**
 * Properties the generated validators never read although the schema declares them, by the
 * validator (kubernetes-models' `_schemas/` file) of the type that declares them.
 */
export const UNREAD_PROPERTIES: Record<string, readonly string[]> = {
  IoK8sApiextensionsApiserverPkgApisApiextensionsV1JSONSchemaProps: [
    'description', 'x-kubernetes-embedded-resource', 'x-kubernetes-int-or-string', 'x-kubernetes-list-map-keys', 'x-kubernetes-list-type',
    'x-kubernetes-map-type', 'x-kubernetes-preserve-unknown-fields', 'x-kubernetes-validations',
  ],
  IoK8sApiextensionsApiserverPkgApisApiextensionsV1beta1JSONSchemaProps: [
    'description', 'x-kubernetes-embedded-resource', 'x-kubernetes-int-or-string', 'x-kubernetes-list-map-keys', 'x-kubernetes-list-type',
    'x-kubernetes-map-type', 'x-kubernetes-preserve-unknown-fields',
  ],
  IoK8sApiextensionsApiserverPkgApisApiextensionsV1CustomResourceColumnDefinition: ['description'],
  IoK8sApiextensionsApiserverPkgApisApiextensionsV1beta1CustomResourceColumnDefinition: ['description'],
  IoK8sApiextensionsApiserverPkgApisApiextensionsV1ExternalDocumentation: ['description'],
  IoK8sApiextensionsApiserverPkgApisApiextensionsV1beta1ExternalDocumentation: ['description'],
};

type ValidateFn = (data: unknown) => boolean;

/** What the validator of a `_schemas/` file reads from an empty object: the properties it knows. */
export function propertiesRead(validate: ValidateFn): string[] {
  const { data, seen } = tracked({});
  validate(data);
  return [...new Set(seen[0]!.reads)].sort();
}

let unreadByType: { read: Set<string>; names: readonly string[] }[] | undefined;
/** The properties to add back to a mapping, recognised by the exact set of properties its validator read. */
function unreadFor(read: Set<string>): readonly string[] {
  unreadByType ??= Object.entries(UNREAD_PROPERTIES).map(([schema, names]) => {
    const file = join(dirname(require.resolve('kubernetes-models')), '_schemas', `${schema}.js`);
    const { validate } = require(file) as { validate: ValidateFn };
    return { read: new Set(propertiesRead(validate)), names };
  });
  const type = unreadByType.find((t) => t.read.size === read.size && [...t.read].every((k) => read.has(k)));
  return type?.names ?? [];
}

/** A field of the object the schema does not have, and the closest one it has. */
export interface UnknownField {
  path: Path;
  hint?: string;
}

/** After the validator ran on `tracked(...).data`: every key that it never asked for where it asked for some. */
export function unknownFields(seen: readonly Seen[]): UnknownField[] {
  const out: UnknownField[] = [];
  for (const node of seen) {
    if (node.enumerated || node.reads.length === 0) continue;
    const unread = node.keys.filter((k) => !node.reads.includes(k));
    if (unread.length === 0) continue;
    const read = new Set(node.reads);
    // only now: recognising the types with unread properties loads their (large) validators
    const extra = unreadFor(read);
    const known = [...read, ...extra];
    for (const k of unread) {
      if (extra.includes(k)) continue;
      const hint = didYouMean(k, known);
      out.push({ path: [...pathOf(node), k], ...(hint ? { hint } : {}) });
    }
  }
  return out;
}
