// A `file://` image for `multipass launch`: the offline way to create a VM, since a release name
// ("24.04") makes multipassd read the online image index and download the image. What can stop it,
// read from canonical/multipass at v1.16.3 (src/client/cli/cmd/launch.cpp turns file://PATH into an
// absolute path; src/daemon/default_vm_image_vault.cpp copies the file, no index, or fails with
// "Custom image `…` does not exist."; before v1.16, `is_image_url_supported()` refused file and
// http images on macOS unless `local.driver` was qemu or virtualbox — hyperkit, gone since 1.13,
// could not; snap/snapcraft.yaml gives the Linux snap's daemon the home and removable-media plugs
// only, so a file outside /home, /mnt and /media is invisible to it):
// - the file must exist on the controller;
// - macOS: the driver must be qemu or virtualbox;
// - Linux with Multipass as a snap: the file must be under /home, or under /mnt or /media with the
//   removable-media interface connected.
// Each is checked here, before anything is launched, with the fix in the message.
import { posix } from 'node:path';
import { ModuleError } from '../../../engine/errors.js';
import type { ModuleContext } from '../../../engine/module-contract.js';
import { toolShell } from '../host-tool.js';
import type { Multipass } from './cli.js';

/** The absolute path of a file:// image, or undefined for a release name or an http(s) URL. */
export function localImagePath(image: string): string | undefined {
  if (!image.startsWith('file://')) return undefined;
  const raw = decodeURI(image.slice('file://'.length));
  // file://host/path is a URL with a host part, which multipass refuses ("did you forget a slash?")
  if (!raw.startsWith('/')) throw new ModuleError(`image ${image}: a file:// image needs an absolute path (file:///abs/path/image.img)`);
  return posix.normalize(raw);
}

/** What multipass needs to launch from this file on this controller; throws naming the cause and the fix. */
export async function checkLocalImage(ctx: ModuleContext, mp: Multipass, path: string): Promise<void> {
  const st = await ctx.local.stat(path, { followLinks: true });
  if (!st) throw new ModuleError(`the VM image ${path} does not exist on the controller: collect the bundle (gx play playbooks/collect-bundle.yaml, see docs/runbook.md)`);
  if (st.type !== 'file') throw new ModuleError(`the VM image ${path} is a ${st.type}, not a file`);

  const os = (await ctx.local.run({ shell: 'uname -s', timeoutMs: 10_000 })).stdout.trim();
  if (os === 'Darwin') {
    const driver = (await mp.run(['get', 'local.driver'])).stdout.trim();
    if (driver !== '' && driver !== 'qemu' && driver !== 'virtualbox') {
      throw new ModuleError(
        `Multipass' ${driver} driver cannot launch a local image (${path}); switch to qemu: \`multipass set local.driver=qemu\` ` +
          '(Multipass 1.13 or later has no hyperkit; upgrading Multipass does it too)',
      );
    }
    return;
  }
  if (os !== 'Linux') return;
  // the snap's daemon only sees the user's home and, once connected, removable media
  const snap = await ctx.local.run({ shell: toolShell(['snap', 'connections', 'multipass']), timeoutMs: 15_000 });
  if (snap.rc !== 0) return; // no snapd, or Multipass not a snap: nothing confines the daemon
  const under = (dir: string) => path.startsWith(`${dir}/`);
  if (under('/home')) return;
  if (under('/mnt') || under('/media')) {
    const connected = snap.stdout.split('\n').some((l) => /^removable-media\s+multipass:removable-media\s+:removable-media\b/.test(l));
    if (connected) return;
    throw new ModuleError(`Multipass (a snap) cannot read ${path} until its removable-media interface is connected: sudo snap connect multipass:removable-media`);
  }
  throw new ModuleError(
    `Multipass (a snap) cannot read ${path}: its daemon only sees files under /home, or /mnt and /media once connected ` +
      '(sudo snap connect multipass:removable-media). Put the bundle there (-e bundle_dir=~/gauntlet-bundle) and run again',
  );
}
