// script: a script from the controller, copied to the host, run there, removed (the action plugin
// lib/ansible/plugins/action/script.py at v2.17.5: free-form "path args", cmd, creates/removes,
// chdir, executable; the arguments after the path are shell text, as in Ansible).
import { posix } from 'node:path';
import { ModuleError } from '../engine/errors.js';
import { shellQuote } from '../engine/connect/connection.js';
import { defineModule } from '../engine/module-contract.js';
import { shellSplit, UnterminatedQuote } from '../engine/shell-words.js';
import { commandPlan, commandReturns, guard, skippedByGuard, type CommonCommandArgs } from './lib/run-command.js';

export interface ScriptArgs extends Pick<CommonCommandArgs, 'chdir' | 'creates' | 'removes'> {
  cmd: string;
  executable?: string;
}

/** The script's path and the rest of the line (its arguments, kept as shell text). */
function splitLine(cmd: string): { path: string; rest: string } {
  const trimmed = cmd.trim();
  const words = shellSplit(trimmed);
  const path = words[0] ?? '';
  // the first word as written (it may be quoted), then everything after it
  const m = /^(?:'[^']*'|"(?:[^"\\]|\\.)*"|(?:[^\s'"\\]|\\.)+)+/.exec(trimmed);
  return { path, rest: m ? trimmed.slice(m[0].length).trim() : '' };
}

export const script = defineModule<ScriptArgs>({
  name: 'script',
  summary: 'Copy a script from the controller to the host and run it there.',
  description:
    'The path is looked up like copy\'s `src` (role files/, beside the task file, playbook files/). The script is put in a private ' +
    'temporary file on the host, made executable, run through the shell with its arguments (so quote them as in a shell), then removed. ' +
    'Always changed unless `creates`/`removes` say it need not run. In check mode it does not run (skipped), unless creates/removes decide.',
  freeForm: 'cmd',
  schema: {
    type: 'object',
    properties: {
      cmd: { type: 'string', description: 'The script\'s path followed by its arguments; also the free-form text (`script: setup.sh --fast`).' },
      executable: { type: 'string', description: 'Run the script with this program (`python3`, `/bin/bash`) instead of its #! line.' },
      chdir: { type: 'string', description: 'Change into this directory on the host before running the script.' },
      creates: { type: 'string', description: 'A path on the host; when it exists the script is not run.' },
      removes: { type: 'string', description: 'A path on the host; when it does NOT exist the script is not run.' },
    },
    required: ['cmd'],
    additionalProperties: false,
  },
  examples: [
    `- name: Prepare the disks
  script: files/prepare-disks.sh --fast
  args:
    creates: /var/lib/disks-ready`,
    `- name: A Python script
  script:
    cmd: report.py --json
    executable: python3`,
  ],
  returns: commandReturns,
  checkMode: true,
  check(a) {
    try {
      return a.cmd !== undefined && shellSplit(a.cmd).length === 0 ? ['the script path is empty'] : [];
    } catch (err) {
      if (err instanceof UnterminatedQuote) return [err.message];
      throw err;
    }
  },
  async plan(ctx, a) {
    const { path, rest } = splitLine(a.cmd);
    const local = await ctx.findFile(path, 'files');
    const reason = await guard(ctx, { ...a, stdin_add_newline: false, strip_empty_ends: true });
    if (reason) return skippedByGuard(a.cmd, reason);
    const st = await ctx.local.stat(local, { followLinks: true });
    if (!st || st.type !== 'file') throw new ModuleError(`script: ${local} is not a file`);
    const bytes = await ctx.local.get(local);
    if (!bytes) throw new ModuleError(`script: could not read ${local}`);
    const common = { ...a, stdin_add_newline: false, strip_empty_ends: true };
    // the plan of running it (check mode: skipped or would-run); the real line needs the remote path
    const plan = commandPlan(ctx, common, { shell: '' }, a.cmd);
    if (!plan.apply) return plan;
    return {
      ...plan,
      apply: async () => {
        const tmp = await ctx.conn.run({ argv: ['mktemp', '--tmpdir', `gx-script-XXXXXXXX${posix.extname(path)}`] });
        if (tmp.rc !== 0) return { failed: true, msg: `could not create a temporary file on the host: ${tmp.stderr.trim()}` };
        const remote = tmp.stdout.trim();
        try {
          await ctx.conn.put(remote, bytes, { mode: 0o700 });
          const line = `${a.executable ? `${a.executable} ` : ''}${shellQuote(remote)}${rest ? ` ${rest}` : ''}`;
          return await commandPlan(ctx, common, { shell: line }, a.cmd).apply!();
        } finally {
          await ctx.conn.run({ argv: ['rm', '-f', '--', remote] });
        }
      },
    };
  },
});

export default script;
