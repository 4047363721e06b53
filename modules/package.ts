// package: the host's own package manager, chosen by ansible_pkg_mgr (the action plugin
// lib/ansible/plugins/action/package.py at v2.17.5: `use: auto` reads the pkg_mgr fact, gathering it
// when missing, and hands name/state to that manager's module). gx has the apt module only, so
// any other manager is a clear error naming the module to use.
import { defineModule, type ModuleContext, type Plan } from '../engine/module-contract.js';
import { pkgMgr } from './lib/facts/parse.js';
import { SUBSET_SECTIONS } from './lib/facts/script.js';
import apt from './apt.js';
import { compileArgs } from '../engine/load/module-args.js';
import { ModuleArgsError } from '../engine/errors.js';

export interface PackageArgs {
  name: string | string[];
  state: 'present' | 'installed' | 'absent' | 'removed' | 'latest';
  use: string;
  /** any other argument, for the manager's module */
  [other: string]: unknown;
}

async function managerOf(ctx: ModuleContext, use: string): Promise<string> {
  if (use !== 'auto') return use;
  const fact = ctx.vars.ansible_pkg_mgr;
  if (typeof fact === 'string' && fact !== '' && fact !== 'unknown') return fact;
  const r = await ctx.conn.run({ shell: SUBSET_SECTIONS.min.pkgmgr });
  return pkgMgr(r.stdout, ctx.vars.ansible_os_family);
}

const STATE: Record<PackageArgs['state'], 'present' | 'absent' | 'latest'> = { present: 'present', installed: 'present', absent: 'absent', removed: 'absent', latest: 'latest' };

export const package_ = defineModule<PackageArgs>({
  name: 'package',
  summary: "Install or remove packages with the host's own package manager (apt on Debian and Ubuntu).",
  description:
    'The manager is the host\'s `ansible_pkg_mgr` fact (read from the host when facts were not gathered). gx drives apt only: ' +
    'on a host with another manager the task fails and says which module to use instead.',
  schema: {
    type: 'object',
    properties: {
      name: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }], description: 'The package or packages (a list, or a comma-separated string).' },
      state: { type: 'string', enum: ['present', 'installed', 'absent', 'removed', 'latest'], default: 'present', description: 'present/installed, absent/removed, or latest.' },
      use: { type: 'string', default: 'auto', description: 'The package manager module to use; auto: the host\'s own (only apt is available in gx).' },
    },
    required: ['name'],
    // no additionalProperties: as Ansible's package action, any other argument goes to the manager's
    // module, which judges it when the task runs (a yum-only `enablerepo` under a `when` false on Debian loads fine)
  },
  examples: [
    `- name: Tools every host needs
  package:
    name: [curl, jq]
    state: present`,
  ],
  returns: apt.returns,
  checkMode: true,
  async plan(ctx, a) {
    const mgr = await managerOf(ctx, a.use);
    if (mgr !== 'apt') {
      return {
        changed: false,
        failed: true,
        msg: `package: this host's package manager is '${mgr}' and gx has only the apt module (Debian/Ubuntu); use the ${mgr} module's commands through \`command\` instead`,
      };
    }
    const names = (Array.isArray(a.name) ? a.name : a.name.split(',')).map((n) => n.trim()).filter(Boolean);
    const extra = Object.fromEntries(Object.entries(a).filter(([k]) => k !== 'name' && k !== 'state' && k !== 'use'));
    const known = Object.keys(apt.schema.properties);
    const unsupported = Object.keys(extra).filter((k) => !known.includes(k));
    if (unsupported.length > 0) {
      // the backend module's own refusal (module_utils/common/parameters.py, v2.14)
      return {
        changed: false,
        failed: true,
        msg: `Unsupported parameters for (apt) module: ${unsupported.sort().join(', ')}. Supported parameters include: ${[...known].sort().join(', ')}.`,
      };
    }
    let args: Record<string, unknown>;
    try {
      args = compileArgs(apt)({ ...extra, name: names, state: STATE[a.state] }, ctx.loc);
    } catch (err) {
      if (err instanceof ModuleArgsError) return { changed: false, failed: true, msg: `apt: ${err.message}` };
      throw err;
    }
    return (await apt.plan(ctx, args as Parameters<typeof apt.plan>[1])) as unknown as Plan;
  },
});

export default package_;
