// async / poll and async_status: real background jobs on the host, with Ansible's job files
// (<async dir>/<jid>, JSON). The async dir is set per play with ANSIBLE_ASYNC_DIR, as Ansible's
// async_wrapper reads it, so the tests never touch the real ~/.ansible_async.
import { expect } from 'chai';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { play } from './play-helper.js';

const head = `
- hosts: localhost
  environment: { ANSIBLE_ASYNC_DIR: "{{ playbook_dir }}/async" }
  tasks:`;

/** Waits until `path` exists (the job outlives gx); fails after many tries, not after a set time. */
async function eventually(path: string): Promise<void> {
  for (let i = 0; i < 300 && !existsSync(path); i++) await new Promise((ok) => setTimeout(ok, 100));
  expect(existsSync(path), `${path} never appeared`).to.equal(true);
}

describe('run: async and async_status', () => {
  it('poll: 0 starts the job and goes on; async_status reads it until finished, then cleanup removes the job file', async () => {
    const r = await play({
      'site.yaml': `${head}
    - name: start
      shell: echo out; echo err >&2
      async: 60
      poll: 0
      register: job
    - name: wait
      async_status: { jid: "{{ job.ansible_job_id }}" }
      register: st
      until: st.finished
      retries: 60
      delay: 1
    - name: keep
      copy: { src: "{{ st.results_file }}", dest: "{{ playbook_dir }}/job-file.json" }
    - name: clean
      async_status: { jid: "{{ job.ansible_job_id }}", mode: cleanup }
      register: gone
`,
    });
    expect(r.code, r.text).to.equal(0);
    const start = r.results('start')[0]!;
    expect(start.status).to.equal('changed');
    const jid = start.data!.ansible_job_id as string;
    expect(jid).to.match(/^j\d+\.\d+$/);
    expect(start.data).to.include({ started: 1, finished: 0, results_file: join(r.dir, 'async', jid) });
    const waited = r.results('wait')[0]!;
    expect(waited.data).to.include({ finished: 1, rc: 0, stdout: 'out', stderr: 'err', ansible_job_id: jid });
    expect(waited.data!.stdout_lines).to.deep.equal(['out']);
    // the job file is the command's result as JSON, as Ansible's async_wrapper writes it
    const file = JSON.parse(readFileSync(join(r.dir, 'job-file.json'), 'utf8')) as Record<string, unknown>;
    expect(file).to.include({ rc: 0, stdout: 'out', changed: true });
    expect(r.results('clean')[0]!.data!.erased).to.equal(join(r.dir, 'async', jid));
    expect(existsSync(join(r.dir, 'async', jid))).to.equal(false);
  });

  it('a fire-and-forget job keeps running after gx has finished', async () => {
    const r = await play({
      'site.yaml': `${head}
    - name: start
      shell: sleep 1; echo late > "{{ playbook_dir }}/late"
      async: 60
      poll: 0
`,
    });
    expect(r.code, r.text).to.equal(0);
    expect(existsSync(join(r.dir, 'late'))).to.equal(false);
    await eventually(join(r.dir, 'late'));
  });

  it('output with quotes, backslashes, tabs and escape sequences survives the job file', async () => {
    const r = await play({
      'site.yaml': `${head}
    - name: odd
      command:
        argv: [printf, 'a\\tb "q" \\\\ \\033[1m\\nline2\\n']
      async: 30
      poll: 1
      register: out
`,
    });
    expect(r.code, r.text).to.equal(0);
    expect(r.results('odd')[0]!.data!.stdout).to.equal('a\tb "q" \\ \u001b[1m\nline2');
  });

  it('poll > 0 waits for the job: the result is the command\'s, and its job file is removed', async () => {
    const r = await play({
      'site.yaml': `${head}
    - name: polled
      command: echo hi
      async: 30
      poll: 1
      register: out
`,
    });
    expect(r.code, r.text).to.equal(0);
    const res = r.results('polled')[0]!;
    expect(res.status).to.equal('changed');
    expect(res.data).to.include({ rc: 0, stdout: 'hi', finished: 1 });
    expect(readdirSync(join(r.dir, 'async'))).to.deep.equal([]);
  });

  it('a failing job fails the task; a job over its async limit is killed (Timeout exceeded)', async () => {
    const r = await play({
      'site.yaml': `${head}
    - name: fails
      shell: exit 3
      async: 30
      poll: 1
      ignore_errors: true
    - name: too long
      shell: sleep 600; echo never > "{{ playbook_dir }}/never"
      async: 1
      poll: 4
      ignore_errors: true
`,
    });
    expect(r.code, r.text).to.equal(0);
    expect(r.results('fails')[0]).to.include({ status: 'failed', msg: 'non-zero return code' });
    expect(r.results('fails')[0]!.data).to.include({ rc: 3 });
    expect(r.results('too long')[0]).to.include({ status: 'failed', msg: 'Timeout exceeded' });
  });

  it('async_status on an unknown job fails with "could not find job"', async () => {
    const r = await play({
      'site.yaml': `${head}
    - name: status
      async_status: { jid: j1.2 }
      ignore_errors: true
`,
    });
    expect(r.results('status')[0]).to.include({ status: 'failed', msg: 'could not find job' });
  });

  it('check mode starts nothing; the job id is unknown, so async_status is skipped', async () => {
    const r = await play(
      {
        'site.yaml': `${head}
    - name: start
      shell: echo hi > "{{ playbook_dir }}/ran"
      async: 60
      poll: 0
      register: job
    - name: wait
      async_status: { jid: "{{ job.ansible_job_id }}" }
`,
      },
      { check: true },
    );
    expect(r.code, r.text).to.equal(0);
    expect(existsSync(join(r.dir, 'async'))).to.equal(false);
    expect(existsSync(join(r.dir, 'ran'))).to.equal(false);
    expect(r.results('wait')[0]!.status).to.equal('skipped');
  });

  it('a module gx runs from the controller: poll > 0 runs it as usual, poll: 0 is refused with what to do', async () => {
    const r = await play({
      'site.yaml': `${head}
    - name: waited
      copy: { content: "x", dest: "{{ playbook_dir }}/copied" }
      async: 30
      poll: 2
    - name: forgotten
      copy: { content: "x", dest: "{{ playbook_dir }}/copied2" }
      async: 30
      poll: 0
      ignore_errors: true
`,
    });
    expect(r.code, r.text).to.equal(0);
    expect(readFileSync(join(r.dir, 'copied'), 'utf8')).to.equal('x');
    expect(r.results('forgotten')[0]!.status).to.equal('failed');
    expect(r.results('forgotten')[0]!.msg).to.match(/async with poll: 0 needs a command .*drop poll: 0/);
    expect(existsSync(join(r.dir, 'copied2'))).to.equal(false);
  });
});
