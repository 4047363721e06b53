import { ModuleArgsError } from '../engine/errors.js';
import type { ModuleDefinition } from '../engine/module-contract.js';
import { shlexSplit } from '../engine/run/module-args.js';
import { commandPlan, commandReturns, commonCommandProperties, guard, skippedByGuard, type CommonCommandArgs } from './lib/run-command.js';

export interface CommandArgs extends CommonCommandArgs {
  cmd?: string;
  argv?: string[];
}

export const command: ModuleDefinition<CommandArgs> = {
  name: 'command',
  summary: 'Run a program with arguments on the host, without a shell.',
  description:
    'The command line is split into words like a POSIX shell would (quotes and backslashes), but nothing is expanded: ' +
    '`$HOME`, `*` and `~` reach the program as written. Pipes and redirections need `shell`. ' +
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
  async plan(ctx, a) {
    if ((a.cmd === undefined) === (a.argv === undefined)) {
      throw new ModuleArgsError('command: give the command as `cmd` (or free-form text) or as `argv`, exactly one of them', { loc: ctx.loc });
    }
    const argv = a.argv ?? shlexSplit(a.cmd!);
    if (argv.length === 0) throw new ModuleArgsError('command: the command is empty', { loc: ctx.loc });
    const reason = await guard(ctx, a);
    if (reason) return skippedByGuard(argv, reason);
    return commandPlan(ctx, a, { argv }, argv);
  },
};

export default command;
