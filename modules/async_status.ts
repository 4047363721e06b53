import { ModuleError } from '../engine/errors.js';
import { defineModule } from '../engine/module-contract.js';
import { jobStatus, removeJob } from '../engine/run/async-job.js';

export interface AsyncStatusArgs {
  jid: string;
  mode: 'status' | 'cleanup';
}

export const async_status = defineModule<AsyncStatusArgs>({
  name: 'async_status',
  summary: 'Read the status of a background (async) task, or remove its job file.',
  description:
    'A task with `async:` and `poll: 0` starts its command in the background and registers `ansible_job_id`; this module reads ' +
    'the job file `~/.ansible_async/<jid>` on the host (`$ANSIBLE_ASYNC_DIR` overrides the directory), as Ansible does: ' +
    '`finished` is 0 while the job runs and 1 once it ended, with the command\'s result (rc, stdout, stderr, …) merged in. ' +
    'A finished job that failed fails this task. Loop on it with `until: job.finished`. `mode: cleanup` removes the job file ' +
    '(it does not stop the job); in check mode the file stays. Run it with the same `become` as the async task: the job file ' +
    'lives in that user\'s home.',
  schema: {
    type: 'object',
    properties: {
      jid: { type: 'string', description: 'The job id: the `ansible_job_id` the async task registered.' },
      mode: { type: 'string', enum: ['status', 'cleanup'], default: 'status', description: '`status` reads the job; `cleanup` removes its job file.' },
    },
    required: ['jid'],
    additionalProperties: false,
  },
  examples: [
    `- name: Start the long download
  command: /usr/local/bin/fetch-images
  async: 1800
  poll: 0
  register: fetch`,
    `- name: Wait for it
  async_status:
    jid: "{{ fetch.ansible_job_id }}"
  register: job
  until: job.finished
  retries: 180
  delay: 10`,
    `- name: Forget it
  async_status:
    jid: "{{ fetch.ansible_job_id }}"
    mode: cleanup`,
  ],
  returns: {
    ansible_job_id: { type: 'str', description: 'The job id.', returned: 'always' },
    started: { type: 'int', description: '1 once the job has started.', returned: 'always' },
    finished: { type: 'int', description: '1 when the job has ended, 0 while it runs.', returned: 'always' },
    results_file: { type: 'path', description: 'The job file on the host.', returned: 'mode status' },
    stdout: { type: 'str', description: "The job's standard output (once finished).", returned: 'always' },
    stderr: { type: 'str', description: "The job's standard error (once finished).", returned: 'always' },
    rc: { type: 'int', description: "The job's exit status (once finished).", returned: 'when the job finished' },
    erased: { type: 'path', description: 'The job file removed by mode cleanup.', returned: 'mode cleanup' },
  },
  checkMode: true,
  async plan(ctx, a) {
    if (a.mode === 'cleanup') {
      // Ansible's module unlinks even in check mode; gx never changes a host under --check
      const r = ctx.check ? { found: true, erased: undefined } : await removeJob(ctx.conn, a.jid);
      if (!r.found) return { changed: false, failed: true, msg: 'could not find job', data: { ansible_job_id: a.jid, started: 1, finished: 1 } };
      return { changed: false, data: { ansible_job_id: a.jid, started: 0, finished: 0, stdout: '', stderr: '', ...(r.erased ? { erased: r.erased } : {}) } };
    }
    let status;
    try {
      status = await jobStatus(ctx.conn, a.jid);
    } catch (err) {
      throw new ModuleError(err instanceof Error ? err.message : String(err));
    }
    const { data } = status;
    const msg = typeof data.msg === 'string' && data.msg !== '' ? data.msg : undefined;
    return { changed: data.changed === true, failed: status.failed, msg, data };
  },
});

export default async_status;
