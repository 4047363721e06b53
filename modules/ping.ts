// ping: Ansible's connectivity check (lib/ansible/modules/ping.py at v2.17.5). Ansible's ping proves
// the host runs its Python; gx needs no Python, so it proves a command runs over the connection.
import { defineModule } from '../engine/module-contract.js';

export interface PingArgs {
  data: string;
}

export const ping = defineModule<PingArgs>({
  name: 'ping',
  summary: 'Check that the host can be reached and runs commands; returns pong.',
  description:
    'Not ICMP: it runs a trivial command on the host through the same connection as every task. ' +
    'An unreachable host is reported unreachable. `data: crash` makes the task fail, as Ansible\'s does, to test error handling.',
  schema: {
    type: 'object',
    properties: {
      data: { type: 'string', default: 'pong', description: 'What to return in `ping`; the value `crash` makes the module fail instead.' },
    },
    additionalProperties: false,
  },
  examples: [
    `- name: Can we reach them?
  ping:`,
    `- name: Echo something back
  ping:
    data: hello`,
  ],
  returns: { ping: { type: 'str', description: 'The value of `data` (`pong` by default).', returned: 'success' } },
  checkMode: true,
  async plan(ctx, a) {
    if (a.data === 'crash') {
      // what Ansible reports of a module that raised: its traceback on stderr, rc 1
      const trace = 'Traceback (most recent call last):\n  File "ping", in main\nException: boom\n';
      return {
        changed: false,
        failed: true,
        msg: 'MODULE FAILURE\nSee stdout/stderr for the exact error',
        data: { exception: trace, module_stdout: '', module_stderr: trace, rc: 1 },
      };
    }
    const r = await ctx.conn.run({ argv: ['true'] });
    if (r.rc !== 0) return { changed: false, failed: true, msg: `the host could not run a command (rc ${r.rc}): ${r.stderr.trim()}` };
    return { changed: false, data: { ping: a.data } };
  },
});

export default ping;
