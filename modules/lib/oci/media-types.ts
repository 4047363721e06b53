// The manifest and blob media types gx reads and writes, and the JSON shapes behind them
// (Docker image manifest v2 schema 2 and the OCI image spec, which share one layout).
export const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
export const DOCKER_MANIFEST_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';
export const DOCKER_CONFIG = 'application/vnd.docker.container.image.v1+json';
export const DOCKER_LAYER_GZIP = 'application/vnd.docker.image.rootfs.diff.tar.gzip';
export const DOCKER_LAYER_TAR = 'application/vnd.docker.image.rootfs.diff.tar';

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
export const OCI_LAYER_GZIP = 'application/vnd.oci.image.layer.v1.tar+gzip';
export const OCI_LAYER_TAR = 'application/vnd.oci.image.layer.v1.tar';

export const IMAGE_MANIFESTS = [DOCKER_MANIFEST, OCI_MANIFEST];
export const INDEX_MANIFESTS = [DOCKER_MANIFEST_LIST, OCI_INDEX];
/** What we tell a registry we understand when asking for a manifest. */
export const MANIFEST_ACCEPT = [OCI_INDEX, DOCKER_MANIFEST_LIST, OCI_MANIFEST, DOCKER_MANIFEST].join(', ');

export interface Platform {
  architecture: string;
  os: string;
  variant?: string;
}

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  urls?: string[];
  annotations?: Record<string, string>;
  platform?: Platform;
}

export interface ImageManifest {
  schemaVersion: 2;
  mediaType?: string;
  config: Descriptor;
  layers: Descriptor[];
  annotations?: Record<string, string>;
}

export interface ImageIndex {
  schemaVersion: 2;
  mediaType?: string;
  manifests: Descriptor[];
  annotations?: Record<string, string>;
}

export interface ImageConfig {
  architecture?: string;
  os?: string;
  created?: string;
  config?: {
    Env?: string[];
    WorkingDir?: string;
    User?: string;
    Entrypoint?: string[] | null;
    Cmd?: string[] | null;
    Labels?: Record<string, string> | null;
    [k: string]: unknown;
  };
  rootfs: { type: 'layers'; diff_ids: string[] };
  history?: { created?: string; created_by?: string; comment?: string; empty_layer?: boolean }[];
  [k: string]: unknown;
}

/** The layer media type that goes with a manifest type: Docker's family or OCI's. */
export function gzipLayerTypeFor(manifestType: string): string {
  return manifestType === DOCKER_MANIFEST ? DOCKER_LAYER_GZIP : OCI_LAYER_GZIP;
}

export function configTypeFor(manifestType: string): string {
  return manifestType === DOCKER_MANIFEST ? DOCKER_CONFIG : OCI_CONFIG;
}

/** A manifest's media type: its own field, else the one the registry or the referring descriptor gave. */
export function manifestType(doc: { mediaType?: string; manifests?: unknown; config?: unknown }, given?: string): string {
  if (doc.mediaType) return doc.mediaType;
  if (given && given !== 'application/json') return given;
  return Array.isArray(doc.manifests) ? OCI_INDEX : OCI_MANIFEST;
}
