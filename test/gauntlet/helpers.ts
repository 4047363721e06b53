// What the gauntlet's tests share: the repository's paths, and the variables a template sees on
// the VM host with the default inventory (inventory vars, the vars of every component play, and
// the values that only exist at run time, given plausible stand-ins).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { loadInventory } from '../../engine/inventory/inventory.js';
import { lazyScope } from '../../engine/run/lazy-scope.js';
import { renderValue } from '../../engine/vars/template.js';

export const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const PLAYBOOKS = join(REPO, 'playbooks');
export const TEMPLATES = join(REPO, 'templates');

/** The component plays site.yaml imports (besides the preflight), in order. */
export const COMPONENTS = ['vm', 'base', 'registry', 'k3s', 'images', 'ingress', 'mesh', 'db', 'auth', 'gitops', 'api', 'verify'];

/** Templates (relative to templates/) that are YAML but not Kubernetes objects: helm values, the registry's config, cloud-init. */
export const NOT_MANIFESTS = new Set([
  'vm/cloud-init.yaml.hbs',
  'registry/config.yml.hbs',
  'ingress/values.yaml.hbs',
  'mesh/control-plane-values.yaml.hbs',
  'mesh/viz-values.yaml.hbs',
  'gitops/gitea-values.yaml.hbs',
  'gitops/argocd-values.yaml.hbs',
]);

/** Files under dir, recursively, relative to it. */
export function filesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(relative(dir, p));
    }
  };
  walk(dir);
  return out;
}

/** Variables of every play in playbooks/<component>.yaml, and the task vars of its tasks. */
function playVars(): Record<string, unknown> {
  const vars: Record<string, unknown> = {};
  for (const c of [...COMPONENTS, 'teardown']) {
    const doc = parse(readFileSync(join(PLAYBOOKS, `${c}.yaml`), 'utf8')) as Array<Record<string, any>>;
    for (const play of doc) {
      Object.assign(vars, play.vars ?? {});
      for (const t of play.tasks ?? []) Object.assign(vars, t.vars ?? {});
    }
  }
  return vars;
}

// stand-ins for what the run produces: the VM's address, the generated mesh certificates
const SAMPLE_PEM = (label: string) => `-----BEGIN ${label}-----\nMIIBszCCAVmgAwIBAgIUZ2F1bnRsZXQ=\n-----END ${label}-----`;
export const RUNTIME_VARS = {
  // the magic variable of an amd64 controller (the arm64 bundle is tested with bundle_arch: arm64)
  gx_controller_arch: 'amd64',
  ansible_host: '10.23.45.67',
  inventory_hostname: 'gauntlet',
  playbook_dir: PLAYBOOKS,
  ssh_public_key: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGdhdW50bGV0LXRlc3Qta2V5 gx@controller',
  linkerd_trust_anchor_pem: SAMPLE_PEM('CERTIFICATE'),
  linkerd_issuer_crt_pem: SAMPLE_PEM('CERTIFICATE'),
  linkerd_issuer_key_pem: SAMPLE_PEM('EC PRIVATE KEY'),
};

/** The scope a template of the gauntlet sees on host gauntlet with inventory.yaml (lazy, as in a run). */
export async function defaultScope(extra: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
  const inventory = await loadInventory([join(REPO, 'inventory.yaml')], { playbookDir: REPO });
  const host = inventory.host('gauntlet');
  if (!host) throw new Error('inventory.yaml has no host gauntlet');
  return lazyScope({ ...host.vars, ...playVars(), ...RUNTIME_VARS, ...extra });
}

/** A stand-in for the image digest the API role reads from the registry. */
export const API_DIGEST = `sha256:${'ab12'.repeat(16)}`;

/**
 * What templates/api sees: the API role's defaults and the facts its tasks set before rendering
 * them, resolved the way the engine resolves variables that name other variables.
 */
export function apiRoleVars(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  let vars: Record<string, unknown> = {
    ...(parse(readFileSync(join(PLAYBOOKS, 'roles', 'api', 'defaults', 'main.yaml'), 'utf8')) as Record<string, unknown>),
    playbook_dir: PLAYBOOKS,
    // set by the role's tasks before any manifest is rendered
    api_image: `registry.local:5000/gx/api@${API_DIGEST}`,
    api_migrate_job: `api-migrate-${API_DIGEST.slice(7, 19)}`,
    api_database_url: 'postgres://app:pw@gx-db-rw.db.svc:5432/app',
    ...overrides,
  };
  for (let i = 0; i < 5; i++) vars = renderValue(vars, vars) as Record<string, unknown>;
  if (JSON.stringify(vars).includes('{{')) throw new Error('the API role defaults did not resolve in 5 rounds');
  return vars;
}
