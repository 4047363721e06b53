import { defineModule } from '../engine/module-contract.js';
import { backgroundWork, commandPlan, commandReturns, commonCommandProperties, guard, skippedByGuard, type CommonCommandArgs } from './lib/run-command.js';

export interface ShellArgs extends CommonCommandArgs {
  cmd?: string;
  executable?: string;
}

export const shell = defineModule<ShellArgs>({
  name: 'shell',
  summary: 'Run a command line through a shell on the host.',
  description:
    'The text is given to `/bin/sh -c` (or `executable -c`), so pipes, redirections, variables and globs work. ' +
    'Put variables into it with the `quote` helper (`{{ quote path }}`) so they reach the shell as one literal word. ' +
    'Reported changed whenever it runs; in check mode it is skipped unless `creates`/`removes` decide.',
  freeForm: 'cmd',
  schema: {
    type: 'object',
    properties: {
      cmd: { type: 'string', description: 'The shell command line; also given as the free-form text.' },
      executable: { type: 'string', description: 'The shell to use instead of /bin/sh, e.g. /bin/bash. It is run as `executable -c cmd`.' },
      ...commonCommandProperties,
    },
    additionalProperties: false,
  },
  examples: [
    `- name: Count the running pods
  shell: kubectl get pods --no-headers | wc -l
  register: pods`,
    `- name: Use bash features
  shell:
    cmd: set -o pipefail && journalctl -u k3s | tail -n 20
    executable: /bin/bash`,
  ],
  returns: commandReturns,
  checkMode: true,
  check: (a) => (a.cmd === undefined || a.cmd.trim() === '' ? ['the command is empty'] : []),
  async plan(ctx, a) {
    const cmd = a.cmd!; // check() refuses an empty command
    const reason = await guard(ctx, a);
    if (reason) return skippedByGuard(cmd, reason);
    const run = a.executable ? { argv: [a.executable, '-c', cmd] } : { shell: cmd };
    return commandPlan(ctx, a, run, cmd);
  },
  async background(ctx, a) {
    const cmd = a.cmd!;
    return backgroundWork(ctx, a, a.executable ? { argv: [a.executable, '-c', cmd] } : { shell: cmd }, cmd);
  },
});

export default shell;
