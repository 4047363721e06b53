import { defineModule } from '../engine/module-contract.js';
import { shellJoin, shellSplit, UnterminatedQuote } from '../engine/shell-words.js';
import { expandArgs } from './lib/expand-args.js';
import { backgroundWork, commandPlan, commandReturns, commonCommandProperties, guard, skippedByGuard, type CommonCommandArgs } from './lib/run-command.js';

export interface CommandArgs extends CommonCommandArgs {
  cmd?: string;
  argv?: string[];
  executable?: string;
}

export const command = defineModule<CommandArgs>({
  name: 'command',
  summary: 'Run a program with arguments on the host, without a shell.',
  description:
    'The command line is split into words like a POSIX shell would (quotes and backslashes); as in Ansible, `$NAME`/`${NAME}` ' +
    'of the environment the program gets and a leading `~` are expanded in each word, nothing else: `*` reaches the program as written. ' +
    'Pipes and redirections need `shell`. ' +
    'The task is reported changed whenever the command runs; use `creates`/`removes` or `changed_when` to say otherwise. ' +
    'In check mode the command does not run: the task is skipped, unless `creates`/`removes` show it would not run anyway, ' +
    'or show that it would (then it reports a change).',
  freeForm: 'cmd',
  schema: {
    type: 'object',
    properties: {
      cmd: { type: 'string', description: 'The command line; also given as the free-form text (`command: ls -l /tmp`).' },
      argv: {
        type: 'array',
        items: { type: 'string' },
        minItems: 1,
        description: 'The program and its arguments as a list, instead of `cmd`: no splitting, every item is one argument.',
      },
      ...commonCommandProperties,
      executable: {
        type: 'string',
        description: 'Accepted and ignored with a warning, as Ansible does since 2.4 (command runs no shell); use `shell` with `executable` for another shell.',
      },
    },
    additionalProperties: false,
  },
  examples: [
    `- name: Show the kernel
  command: uname -a
  register: kernel`,
    `- name: Build once
  command: make all
  args:
    chdir: /src/app
    creates: /src/app/build/app`,
    `- name: An argument with spaces, no quoting needed
  command:
    argv: [touch, "/tmp/a file with spaces"]`,
  ],
  returns: commandReturns,
  checkMode: true,
  check(a) {
    if ((a.cmd === undefined) === (a.argv === undefined)) return ['give the command as `cmd` (or free-form text) or as `argv`, exactly one of them'];
    if (a.cmd === undefined) return [];
    try {
      return shellSplit(a.cmd).length === 0 ? ['the command is empty'] : [];
    } catch (err) {
      if (err instanceof UnterminatedQuote) return [err.message];
      throw err;
    }
  },
  async plan(ctx, a) {
    const argv = a.argv ?? shellSplit(a.cmd!);
    // lib/ansible/modules/command.py at v2.17.5: the same warning, and the parameter is not used
    const warnings = a.executable !== undefined ? [`As of Ansible 2.4, the parameter 'executable' is no longer supported with the 'command' module. Not using '${a.executable}'.`] : undefined;
    const reason = await guard(ctx, a);
    if (reason) return { ...skippedByGuard(argv, reason), warnings };
    // the result's cmd is the words as written, the program gets them expanded (as Ansible's)
    const plan = commandPlan(ctx, a, { argv: await expandArgs(ctx, argv) }, argv);
    const apply = plan.apply;
    if (!apply) return { ...plan, warnings };
    return {
      ...plan,
      warnings,
      apply: async () => {
        const done = await apply();
        // a program that is not there: rc 127 like a shell (Ansible's is the errno, 2), the rest as
        // Ansible's run_command failure gives it: the message in msg, no output, nothing changed
        if (done.data?.rc === 127 && /not found|ENOENT|No such file/i.test(String(done.data.stderr ?? ''))) {
          return {
            changed: false,
            failed: true,
            msg: `[Errno 2] No such file or directory: b'${argv[0]}'`,
            data: { cmd: shellJoin(argv), rc: 127, stdout: '', stderr: '', stdout_lines: [], stderr_lines: [] },
          };
        }
        return done;
      },
    };
  },
  async background(ctx, a) {
    const argv = a.argv ?? shellSplit(a.cmd!);
    return backgroundWork(ctx, a, { argv: await expandArgs(ctx, argv) }, argv);
  },
});

export default command;
