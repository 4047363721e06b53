import { createInterface } from 'node:readline';
import { ModuleError } from '../engine/errors.js';
import { defineModule } from '../engine/module-contract.js';
import { sleep } from '../engine/sleep.js';

export interface PauseArgs {
  seconds?: number;
  minutes?: number;
  prompt?: string;
  echo: boolean;
}

export const pause = defineModule<PauseArgs>({
  name: 'pause',
  summary: 'Wait for some time, or until the operator presses Enter.',
  description:
    'With seconds or minutes it waits that long. Without them it shows the prompt and waits for a line on the terminal; ' +
    'when gx has no terminal (CI, a pipe) that is an error rather than a silent hang or a silent skip. ' +
    'Like Ansible, it also waits in check mode: a pause usually gives something outside the play time to happen. ' +
    'Interrupting the run (Ctrl-C) ends the wait.',
  schema: {
    type: 'object',
    properties: {
      seconds: { type: 'number', minimum: 0, description: 'How long to wait, in seconds.' },
      minutes: { type: 'number', minimum: 0, description: 'How long to wait, in minutes.' },
      prompt: { type: 'string', description: 'Text shown while waiting for Enter (needs a terminal).' },
      echo: { type: 'boolean', default: true, description: 'Show what the operator types (false for secrets).' },
    },
    additionalProperties: false,
  },
  examples: [
    `- name: Give the ingress controller time to settle
  pause:
    seconds: 10`,
    `- name: Let a human check the dashboard
  pause:
    prompt: "Check https://argocd.local, then press Enter"`,
  ],
  returns: {
    start: { type: 'str', description: 'When the pause began (ISO time).', returned: 'always' },
    stop: { type: 'str', description: 'When it ended.', returned: 'always' },
    delta: { type: 'int', description: 'How long it lasted, in whole seconds.', returned: 'always' },
    user_input: { type: 'str', description: 'What the operator typed.', returned: 'always' },
    echo: { type: 'bool', description: 'The echo setting.', returned: 'always' },
  },
  controllerOnly: true,
  checkMode: true,
  async plan(ctx, a) {
    const start = new Date();
    let input = '';
    if (a.seconds !== undefined || a.minutes !== undefined) {
      const ms = ((a.seconds ?? 0) + (a.minutes ?? 0) * 60) * 1000;
      await sleep(ms, ctx.signal);
    } else {
      if (!terminal.interactive()) {
        throw new ModuleError(`pause needs a terminal to prompt${a.prompt ? ` ("${a.prompt}")` : ''}; give seconds or minutes instead`);
      }
      input = await ask(a.prompt ?? 'Press enter to continue', a.echo, ctx.signal);
      if (!a.echo) ctx.secret(input);
    }
    const stop = new Date();
    return {
      changed: false,
      data: {
        start: start.toISOString(),
        stop: stop.toISOString(),
        delta: Math.round((stop.getTime() - start.getTime()) / 1000),
        user_input: input,
        echo: a.echo,
      },
    };
  },
});

/** Whether an operator can answer; a seam so tests need not own a terminal. */
export const terminal = {
  interactive: (): boolean => process.stdin.isTTY === true && process.stderr.isTTY === true,
};

function ask(prompt: string, echo: boolean, signal: AbortSignal): Promise<string> {
  return new Promise((resolve) => {
    const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
    if (!echo) {
      // readline writes what is typed through _writeToOutput; keeping it quiet hides a secret
      (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = (s: string) => {
        if (s.includes(prompt)) process.stderr.write(s);
      };
    }
    const finish = (answer: string): void => {
      rl.close();
      resolve(answer);
    };
    signal.addEventListener('abort', () => finish(''), { once: true });
    rl.question(`${prompt}: `, finish);
  });
}

export default pause;
