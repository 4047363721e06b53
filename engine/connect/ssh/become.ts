// sudo for commands on a host. Without a password: `sudo -n` (fails at once with "a password is
// required" instead of hanging). With one: `sudo -A` and an askpass helper that prints the password
// from its environment, so the password never shares the command's stdin and never appears in an
// argv (`ps`) — only in the environment of the login user's own processes; sudo's env_reset keeps it
// from the command.
import type { BecomeOptions } from '../connection.js';
import { shellQuote } from '../connection.js';

export const ASKPASS_SCRIPT = `#!/bin/sh\nprintf '%s\\n' "$GX_BECOME_PASS"\n`;

export interface BecomeWrap {
  /** argv prefix placed before the command */
  argv: string[];
  /** shell assignments placed before it, e.g. GX_BECOME_PASS='…' SUDO_ASKPASS=… */
  envPrefix: string;
}

export function becomeWrap(become: BecomeOptions | undefined, askpass: string | undefined, fallbackPassword?: string): BecomeWrap {
  if (!become) return { argv: [], envPrefix: '' };
  if (become.method !== undefined && become.method !== 'sudo') throw new Error(`become method ${String(become.method)} is not supported (only sudo)`);
  const user = become.user ?? 'root';
  const password = become.password ?? fallbackPassword;
  if (password !== undefined && askpass !== undefined) {
    return {
      argv: ['sudo', '-A', '-H', '-u', user, '--'],
      envPrefix: `GX_BECOME_PASS=${shellQuote(password)} SUDO_ASKPASS=${shellQuote(askpass)}`,
    };
  }
  return { argv: ['sudo', '-n', '-H', '-u', user, '--'], envPrefix: '' };
}
