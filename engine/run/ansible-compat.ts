// What gx tells playbooks about itself and its controller, in the shape Ansible's magic variables
// have (lib/ansible/vars/manager.py _get_magic_variables and utils/vars.py load_options_vars at
// v2.17.5, the version whose behaviour gx follows).
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** The ansible-core release gx matches for keywords, magic variables and results. */
export const ANSIBLE_COMPAT_VERSION = '2.17.5';

const [major, minor, revision] = ANSIBLE_COMPAT_VERSION.split('.').map(Number) as [number, number, number];
// built once: every task's scope carries it
const VERSION = Object.freeze({ string: ANSIBLE_COMPAT_VERSION, full: ANSIBLE_COMPAT_VERSION, major, minor, revision });

/** `ansible_version`, as ansible.cli.CLI.version_info builds it. */
export function ansibleVersion(): Readonly<{ string: string; full: string; major: number; minor: number; revision: number }> {
  return VERSION;
}

let python: string | null | undefined;

/**
 * `ansible_playbook_python`: Ansible gives its own interpreter (sys.executable); gx runs no Python,
 * so it is the first python3 on the controller's PATH, or undefined when there is none.
 */
export function controllerPython(): string | undefined {
  if (python === undefined) {
    python = null;
    for (const dir of (process.env.PATH ?? '').split(delimiter)) {
      if (!dir) continue;
      const candidate = join(dir, 'python3');
      try {
        accessSync(candidate, constants.X_OK);
        python = candidate;
        break;
      } catch {
        // not here
      }
    }
  }
  return python ?? undefined;
}
