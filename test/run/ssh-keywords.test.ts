// remote_user and async on the real sshd test hosts (test/services/sshd-hosts.sh): the login user
// a play asks for, and background jobs that live on the host with Ansible's job files.
import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { hostVars, sshEnv } from '../ssh/hosts.js';
import { play, playIn } from './play-helper.js';

/** an inventory of the first test host, without ansible_user unless given */
function inventory(extra: Record<string, unknown> = {}): string {
  const { ansible_user: _user, ...vars } = hostVars(sshEnv.hosts[0]!);
  return JSON.stringify({ all: { hosts: { h1: { ...vars, ...extra } } } });
}

describe('run on SSH hosts: remote_user, async, --check', () => {
  it('--check with check_mode: "{{ omit }}" writes nothing on the host', async () => {
    const dest = `/tmp/gx-kw-check-${process.pid}-${Date.now()}`;
    const files = {
      'inventory.yaml': inventory({ ansible_user: sshEnv.user }),
      'site.yaml': `
- hosts: all
  tasks:
    - name: write
      copy: { content: "hi", dest: "${dest}" }
      check_mode: "{{ omit }}"
`,
      'look.yaml': `
- hosts: all
  tasks:
    - name: look
      stat: { path: "${dest}" }
`,
    };
    const r = await play(files, { check: true });
    expect(r.code, r.text).to.equal(0);
    expect(r.results('write')[0]!.status).to.equal('changed');
    const look = await playIn(r.dir, {}, 'look.yaml');
    expect(look.results('look')[0]!.data!.stat).to.deep.equal({ exists: false });
  });

  it('remote_user on the play logs in as that user', async () => {
    const r = await play({
      'inventory.yaml': inventory(),
      'site.yaml': `
- hosts: all
  remote_user: ${sshEnv.user}
  tasks:
    - name: who
      command: whoami
`,
    });
    expect(r.code, r.text).to.equal(0);
    expect(r.results('who')[0]!.data!.stdout).to.equal(sshEnv.user);
  });

  it('remote_user on a task; a host\'s own ansible_user still wins (as in Ansible)', async () => {
    const r = await play({
      'inventory.yaml': inventory({ ansible_user: sshEnv.user }),
      'site.yaml': `
- hosts: all
  tasks:
    - name: who
      command: whoami
      remote_user: nobody-at-all
`,
    });
    expect(r.code, r.text).to.equal(0);
    expect(r.results('who')[0]!.data!.stdout).to.equal(sshEnv.user);
  });

  it('async poll: 0 starts a job on the host under ~/.ansible_async; async_status follows it', async () => {
    const r = await play({
      'inventory.yaml': inventory({ ansible_user: sshEnv.user }),
      'site.yaml': `
- hosts: all
  tasks:
    - name: start
      shell: sleep 1; hostname; whoami
      async: 60
      poll: 0
      register: job
    - name: the job file is where Ansible users look
      stat: { path: "{{ job.results_file }}" }
      register: jobfile
    - name: wait
      async_status: { jid: "{{ job.ansible_job_id }}" }
      register: st
      until: st.finished
      retries: 60
      delay: 1
    - name: clean
      async_status: { jid: "{{ job.ansible_job_id }}", mode: cleanup }
`,
    });
    expect(r.code, r.text).to.equal(0);
    const job = r.results('start')[0]!.data!;
    expect(job.results_file).to.match(new RegExp(`/\\.ansible_async/${String(job.ansible_job_id).replace('.', '\\.')}$`));
    expect(r.results('the job file is where Ansible users look')[0]!.data!.stat).to.include({ exists: true });
    const st = r.results('wait')[0]!.data!;
    expect(st).to.include({ finished: 1, rc: 0 });
    expect((st.stdout_lines as string[])[1]).to.equal(sshEnv.user);
  });

  it('async with delegate_to: the job runs on (and async_status reads it from) the delegated host', async () => {
    const r = await play({
      'inventory.yaml': inventory({ ansible_user: sshEnv.user }),
      'site.yaml': `
- hosts: all
  tasks:
    - name: start here
      shell: echo controller
      async: 60
      poll: 0
      delegate_to: localhost
      environment: { ANSIBLE_ASYNC_DIR: "{{ playbook_dir }}/async" }
      register: job
    - name: wait here
      async_status: { jid: "{{ job.ansible_job_id }}" }
      delegate_to: localhost
      environment: { ANSIBLE_ASYNC_DIR: "{{ playbook_dir }}/async" }
      register: st
      until: st.finished
      retries: 60
      delay: 1
`,
    });
    expect(r.code, r.text).to.equal(0);
    const jid = r.results('start here')[0]!.data!.ansible_job_id as string;
    // the job file is on the controller, where the task was delegated
    expect(existsSync(join(r.dir, 'async', jid))).to.equal(true);
    expect(r.results('wait here')[0]!.data).to.include({ finished: 1, stdout: 'controller' });
  });

  it('meta: reset_connection logs in again: the next task runs in a new session', async () => {
    const r = await play({
      'inventory.yaml': inventory({ ansible_user: sshEnv.user }),
      'site.yaml': `
- hosts: all
  tasks:
    - name: before
      shell: echo $PPID
    - name: same
      shell: echo $PPID
    - name: reset
      meta: reset_connection
    - name: after
      shell: echo $PPID
`,
    });
    expect(r.code, r.text).to.equal(0);
    const pid = (t: string): unknown => r.results(t)[0]!.data!.stdout;
    expect(pid('same'), 'one session for the run').to.equal(pid('before'));
    expect(pid('after'), 'a new session after reset_connection').to.not.equal(pid('before'));
  });
});
