// `async:` / `poll:` as Ansible's task executor runs them (lib/ansible/executor/task_executor.py
// _poll_async_result at v2.17.5): the module's command starts in the background on the host
// (async-job.ts); with poll > 0 the executor sleeps `poll` seconds, reads the job, and repeats until
// it finished or `async` seconds are used up; with poll 0 the task is done at once and registers
// ansible_job_id for async_status.
//
// gx modules plan and apply from the controller, so only modules that can hand over a command
// (command, shell) truly run in the background. Any other module with poll > 0 runs as usual,
// bounded by `async` seconds (the outcome a user waits for is the same); with poll 0 it is refused
// with what to write instead.
import { GxError } from '../errors.js';
import type { ModuleDefinition } from '../module-contract.js';
import { sleep } from '../sleep.js';
import { UNKNOWN } from '../vars/unknown.js';
import { jobStatus, removeJob, startJob } from './async-job.js';
import { executeModule, type ExecuteContext, type ModuleOutcome } from './execute-module.js';
import { compileArgs } from '../load/module-args.js';
import { withTimeLimit } from './time-limit.js';

export interface AsyncSettings {
  /** seconds the job may run */
  limit: number;
  /** seconds between checks; 0 = fire and forget */
  poll: number;
}

export async function runAsync(def: ModuleDefinition<any, any>, rawArgs: unknown, mctx: ExecuteContext, a: AsyncSettings): Promise<ModuleOutcome> {
  if (!def.background) {
    if (a.poll === 0) {
      throw new GxError('module', `async with poll: 0 needs a command to leave running on the host; gx runs '${def.name}' from the controller`, {
        loc: mctx.loc,
        hint: 'drop poll: 0 (gx then waits for it, at most `async` seconds), or start the work with shell/command',
      });
    }
    return withTimeLimit(executeModule(def, rawArgs, mctx), a.limit, `async task '${def.name}' did not complete within the requested time - ${a.limit}s`);
  }
  if (mctx.check) {
    // nothing starts in check mode: the module predicts as usual; a job id cannot be known
    const o = await executeModule(def, rawArgs, mctx);
    if (a.poll === 0) o.data.ansible_job_id = UNKNOWN;
    return o;
  }
  const args = compileArgs(def)(rawArgs, mctx.loc);
  const work = await def.background(mctx, args);
  // creates/removes said there is nothing to run: the module's own result
  if ('changed' in work) return executeModule(def, rawArgs, mctx);
  const job = await startJob(mctx.conn, work, a.limit);
  if (a.poll === 0) {
    const data = { started: 1, finished: 0, ansible_job_id: job.jid, results_file: job.resultsFile, changed: true, failed: false };
    return { changed: true, failed: false, skipped: false, data };
  }
  let timeLeft = a.limit;
  let status = await jobStatus(mctx.conn, job.jid);
  while (timeLeft > 0) {
    await sleep(a.poll * 1000, mctx.signal);
    if (mctx.signal.aborted) break;
    status = await jobStatus(mctx.conn, job.jid);
    if (Number(status.data.finished) === 1 || status.failed) break;
    timeLeft -= a.poll;
  }
  if (Number(status.data.finished) !== 1) {
    const msg = `async task did not complete within the requested time - ${a.limit}s`;
    return { changed: false, failed: true, skipped: false, msg, data: { failed: true, changed: false, msg, async_result: status.data } };
  }
  // finished: the job file goes, as Ansible cleans up after polling
  await removeJob(mctx.conn, job.jid).catch(() => undefined);
  const data = { ...status.data };
  const changed = data.changed === true;
  const msg = typeof data.msg === 'string' && data.msg !== '' ? data.msg : undefined;
  return { changed, failed: status.failed, skipped: false, msg, data: { ...data, changed, failed: status.failed } };
}
