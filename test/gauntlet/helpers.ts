// What the gauntlet's tests share: the repository's paths, and the variables a template sees on
// the VM host with the default inventory (inventory vars, the vars of every component play, and
// the values that only exist at run time, given plausible stand-ins).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { loadInventory } from '../../engine/inventory/inventory.js';
import { lazyScope } from '../../engine/run/lazy-scope.js';

export const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const PLAYBOOKS = join(REPO, 'playbooks');
export const TEMPLATES = join(REPO, 'templates');

/** The component plays site.yaml imports (besides the preflight), in order. */
export const COMPONENTS = ['vm', 'base', 'registry', 'k3s', 'images', 'ingress', 'mesh', 'db', 'auth', 'gitops', 'api', 'verify'];

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
