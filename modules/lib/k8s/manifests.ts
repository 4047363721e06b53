// Kubernetes objects as the kubectl module handles them: read from YAML (multi-document, `kind:
// List` flattened), named the way kubectl names them, and ordered so that what other objects need
// (Namespaces, CustomResourceDefinitions) reaches the cluster first.
import { isMap, isScalar, LineCounter, parseAllDocuments, stringify } from 'yaml';
import { ModuleError } from '../../../engine/errors.js';
import { isBuiltinGroup } from './validate.js';

export type K8sObject = Record<string, unknown> & { apiVersion: string; kind: string; metadata: Record<string, unknown> & { name: string; namespace?: string } };

/** One object and where it came from (for error messages). */
export interface Manifest {
  obj: K8sObject;
  source: string;
}

/** An object as read, before validation. */
export interface RawManifest {
  obj: unknown;
  /** the file (or argument) and document it came from */
  source: string;
  /**
   * the source with the line and column of a field inside the object, when it was read from text:
   * of its value, or with `key` of its name (an unknown field)
   */
  at?: (path: (string | number)[], o?: { key?: boolean }) => string;
}

/**
 * Splits multi-document YAML; empty documents are dropped, a YAML error names source:line:col.
 * `rendered`: the text is a template's output, so its lines are those of the rendered text.
 */
export function parseManifestText(text: string, source: string, o: { rendered?: boolean } = {}): RawManifest[] {
  const out: RawManifest[] = [];
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter });
  if (!Array.isArray(docs)) return out;
  const where = (offset: number) => {
    const pos = lineCounter.linePos(offset);
    return `${source}:${pos.line}:${pos.col}${o.rendered ? ' (rendered)' : ''}`;
  };
  docs.forEach((doc, i) => {
    const err = doc.errors[0];
    if (err) {
      const pos = err.linePos?.[0] ?? lineCounter.linePos(err.pos[0]);
      throw new ModuleError(`${source}:${pos.line}:${pos.col}${o.rendered ? ' (rendered)' : ''}: invalid YAML: ${err.message.split('\n')[0]}`);
    }
    const value = doc.toJS({ maxAliasCount: 1000 }) as unknown;
    if (value === null || value === undefined) return;
    const label = docs.length > 1 ? `${source} (document ${i + 1})` : source;
    const at = (path: (string | number)[], o: { key?: boolean } = {}) => {
      if (o.key && path.length > 0) {
        const parent = doc.getIn(path.slice(0, -1), true);
        const pair = isMap(parent) ? parent.items.find((p) => (isScalar(p.key) ? p.key.value : p.key) === path[path.length - 1]) : undefined;
        const range = isScalar(pair?.key) ? pair.key.range : undefined;
        if (range) return where(range[0]);
      }
      // the deepest node that exists: a missing field points at the mapping that lacks it
      for (let n = path.length; n >= 0; n--) {
        const node = doc.getIn(path.slice(0, n), true) as { range?: [number, number, number] } | undefined;
        if (node && typeof node === 'object' && Array.isArray(node.range)) return where(node.range[0]);
      }
      return label;
    };
    out.push({ obj: value, source: label, at });
  });
  return out;
}

/** `kind: List` (and FooList with items) expands into its items, as kubectl does. */
export function flattenLists(items: RawManifest[]): RawManifest[] {
  return items.flatMap((m) => {
    const o = m.obj as Record<string, unknown> | null;
    if (o && typeof o === 'object' && typeof o.kind === 'string' && o.kind.endsWith('List') && Array.isArray(o.items)) {
      return flattenLists(
        o.items.map((item, i): RawManifest => ({
          obj: item,
          source: `${m.source} items[${i}]`,
          ...(m.at ? { at: (path: (string | number)[], o?: { key?: boolean }) => m.at!(['items', i, ...path], o) } : {}),
        })),
      );
    }
    return [m];
  });
}

export function groupOf(apiVersion: string): string {
  return apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
}

export function versionOf(apiVersion: string): string {
  return apiVersion.includes('/') ? apiVersion.slice(apiVersion.indexOf('/') + 1) : apiVersion;
}

/** How kubectl names an object in its output and accepts it as an argument: `deployment.apps/web`, `configmap/cfg`. */
export function resourceName(obj: K8sObject): string {
  const group = groupOf(obj.apiVersion);
  return `${obj.kind.toLowerCase()}${group ? `.${group}` : ''}/${obj.metadata.name}`;
}

/** Cluster-scoped built-in kinds: they ignore the namespace. Custom kinds say so in their CRD. */
const CLUSTER_SCOPED = new Set([
  'Namespace', 'Node', 'PersistentVolume', 'StorageClass', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition',
  'IngressClass', 'PriorityClass', 'RuntimeClass', 'ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration',
  'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding', 'APIService', 'CSIDriver', 'CSINode', 'VolumeAttachment',
  'CertificateSigningRequest', 'FlowSchema', 'PriorityLevelConfiguration',
]);

export function isClusterScoped(obj: K8sObject, crds: readonly K8sObject[] = []): boolean {
  const group = groupOf(obj.apiVersion);
  const crd = crds.find((c) => crdGroup(c) === group && crdKind(c) === obj.kind);
  if (crd) return (crd.spec as Record<string, unknown> | undefined)?.scope === 'Cluster';
  return CLUSTER_SCOPED.has(obj.kind);
}

/**
 * The namespace kubectl will put the object in, when gx can know it: undefined for a custom kind
 * whose CRD is not in the task (its scope is only known to the cluster) or when neither the object
 * nor the task names a namespace (kubeconfig's default applies).
 */
export function knownNamespace(obj: K8sObject, fallback: string | undefined, crds: readonly K8sObject[] = []): string | undefined {
  const group = groupOf(obj.apiVersion);
  const scopeKnown = isBuiltinGroup(group) || crds.some((c) => crdGroup(c) === group && crdKind(c) === obj.kind);
  if (!scopeKnown) return undefined;
  if (isClusterScoped(obj, crds)) return '';
  return obj.metadata.namespace ?? fallback;
}

export function crdGroup(crd: K8sObject): string | undefined {
  const g = (crd.spec as Record<string, unknown> | undefined)?.group;
  return typeof g === 'string' ? g : undefined;
}

export function crdKind(crd: K8sObject): string | undefined {
  const names = (crd.spec as Record<string, unknown> | undefined)?.names as Record<string, unknown> | undefined;
  return typeof names?.kind === 'string' ? names.kind : undefined;
}

export const isNamespace = (o: K8sObject): boolean => o.kind === 'Namespace' && o.apiVersion === 'v1';
export const isCrd = (o: K8sObject): boolean => o.kind === 'CustomResourceDefinition' && groupOf(o.apiVersion) === 'apiextensions.k8s.io';

/** The namespace an object lands in: its own, else the task's, else kubectl's default; '' when cluster-scoped. */
export function namespaceOf(obj: K8sObject, fallback: string | undefined, crds: readonly K8sObject[] = []): string {
  if (isClusterScoped(obj, crds)) return '';
  return obj.metadata.namespace ?? fallback ?? 'default';
}

/**
 * Apply order: Namespaces, then CustomResourceDefinitions (the prerequisites), then everything else
 * in the order given. Deleting goes the other way round.
 */
export function orderForApply(objs: readonly Manifest[]): { prerequisites: Manifest[]; rest: Manifest[] } {
  return {
    prerequisites: [...objs.filter((m) => isNamespace(m.obj)), ...objs.filter((m) => isCrd(m.obj))],
    rest: objs.filter((m) => !isNamespace(m.obj) && !isCrd(m.obj)),
  };
}

/** Objects as one multi-document YAML stream, the way kubectl reads `-f -`. */
export function toYamlStream(objs: readonly K8sObject[]): string {
  return objs.map((o) => stringify(o, { lineWidth: 0 })).join('---\n');
}

/** A stable identity for matching objects across kubectl's answers. */
export function objectKey(obj: K8sObject, fallbackNs: string | undefined, crds: readonly K8sObject[] = []): string {
  return `${groupOf(obj.apiVersion)}/${obj.kind}/${namespaceOf(obj, fallbackNs, crds)}/${obj.metadata.name}`;
}
