// async_status against job files written the way Ansible's async_wrapper writes them (and gx's
// async-job.ts does): running, finished, half-written, missing; mode cleanup.
import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runModule, tempDir } from './harness.js';

describe('async_status module', () => {
  let dir: string;
  let saved: string | undefined;
  beforeEach(async () => {
    dir = await tempDir();
    saved = process.env.ANSIBLE_ASYNC_DIR;
    process.env.ANSIBLE_ASYNC_DIR = dir; // the local connection's commands inherit it
  });
  afterEach(() => {
    if (saved === undefined) delete process.env.ANSIBLE_ASYNC_DIR;
    else process.env.ANSIBLE_ASYNC_DIR = saved;
  });

  it('a running job: started 1, finished 0, in check mode too', async () => {
    await writeFile(join(dir, 'j1.2'), '{"started": 1, "finished": 0, "ansible_job_id": "j1.2"}');
    for (const check of [false, true]) {
      const r = await runModule('async_status', { jid: 'j1.2' }, { check });
      expect(r).to.include({ changed: false, failed: false });
      expect(r.data).to.include({ started: 1, finished: 0, ansible_job_id: 'j1.2', results_file: join(dir, 'j1.2') });
    }
  });

  it('a finished job: its result with finished 1 and the *_lines (a changed command stays changed)', async () => {
    await writeFile(join(dir, 'j3.4'), JSON.stringify({ changed: true, rc: 0, stdout: 'a\nb', stderr: '', cmd: ['x'], failed: false }));
    const r = await runModule('async_status', { jid: 'j3.4' });
    expect(r).to.include({ changed: true, failed: false });
    expect(r.data).to.include({ finished: 1, rc: 0, ansible_job_id: 'j3.4' });
    expect(r.data.stdout_lines).to.deep.equal(['a', 'b']);
  });

  it('a finished job that failed fails the task', async () => {
    await writeFile(join(dir, 'j5.6'), JSON.stringify({ changed: true, rc: 2, stdout: '', stderr: 'no', failed: true, msg: 'non-zero return code' }));
    const r = await runModule('async_status', { jid: 'j5.6' });
    expect(r).to.include({ failed: true, msg: 'non-zero return code' });
  });

  it('a job file being written reads as running; a missing one is "could not find job"', async () => {
    await writeFile(join(dir, 'j7.8'), '{"changed": tr');
    expect((await runModule('async_status', { jid: 'j7.8' })).data).to.include({ finished: 0, started: 1 });
    const missing = await runModule('async_status', { jid: 'j9.9' });
    expect(missing).to.include({ failed: true, msg: 'could not find job' });
  });

  it('mode cleanup removes the job file (not in check mode)', async () => {
    await writeFile(join(dir, 'j1.1'), '{}');
    const checked = await runModule('async_status', { jid: 'j1.1', mode: 'cleanup' }, { check: true });
    expect(checked.failed).to.equal(false);
    expect(existsSync(join(dir, 'j1.1'))).to.equal(true);
    const r = await runModule('async_status', { jid: 'j1.1', mode: 'cleanup' });
    expect(r.data).to.include({ erased: join(dir, 'j1.1') });
    expect(existsSync(join(dir, 'j1.1'))).to.equal(false);
  });
});
