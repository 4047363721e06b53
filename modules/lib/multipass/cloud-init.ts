// The cloud-init user data for a launch: a template (role's or playbook's templates/) rendered with
// the task's variables, written to a private temporary directory for `multipass launch --cloud-init`.
// The directory is under the controller user's $HOME, not /tmp, because the snap-packaged multipass
// client (the usual install on Linux) has a private /tmp and cannot read host files there; a hidden
// directory would not do either (the snap's home access excludes dot-directories).
import { ModuleError } from '../../../engine/errors.js';
import type { ModuleContext } from '../../../engine/module-contract.js';

export interface CloudInit {
  /** the template file found */
  path: string;
  text: string;
}

/** Finds and renders the template; run while planning so a bad template fails before anything is launched. */
export async function renderCloudInit(ctx: ModuleContext, name: string): Promise<CloudInit> {
  const path = await ctx.findFile(name, 'templates');
  const bytes = await ctx.local.get(path);
  if (!bytes) throw new ModuleError(`cloud_init: ${path} is not a readable file on the controller`);
  return { path, text: ctx.renderTemplate(bytes.toString('utf8'), { template_path: path }) };
}

/** Writes the user data to a fresh private file, runs `use` with its path, and removes it afterwards. */
export async function withCloudInitFile<T>(ctx: ModuleContext, ci: CloudInit, use: (file: string) => Promise<T>): Promise<T> {
  const mk = await ctx.local.run({ shell: 'umask 077; mktemp -d "${HOME:-/tmp}/gx-multipass-XXXXXX"' });
  const dir = mk.stdout.trim();
  if (mk.rc !== 0 || !dir) throw new ModuleError(`cannot make a temporary directory for the cloud-init file: ${mk.stderr.trim()}`);
  try {
    const file = `${dir}/cloud-init.yaml`;
    await ctx.local.put(file, ci.text, { mode: 0o600 });
    return await use(file);
  } finally {
    await ctx.local.run({ argv: ['rm', '-rf', '--', dir] });
  }
}
