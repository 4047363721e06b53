// Ansible's magic variables and result keys as gx gives them (lib/ansible/vars/manager.py
// _get_magic_variables and utils/vars.py load_options_vars at v2.17.5), and the meta actions
// that change which hosts are in the play.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { play, playIn, writeTree } from './play-helper.js';

const inv3 = `all:
  hosts:
    h1: { ansible_connection: local }
    h2: { ansible_connection: local }
    h3: { ansible_connection: local }
`;

/** the `msg` each host's debug task printed */
function msgs(r: Awaited<ReturnType<typeof play>>, task: string): unknown[] {
  return r.results(task).map((x) => x.data?.msg);
}

describe('run: magic variables', () => {
  it('ansible_run_tags, ansible_skip_tags, ansible_check_mode, ansible_diff_mode, ansible_config_file', async () => {
    const r = await play(
      {
        'site.yaml': `
- hosts: localhost
  tasks:
    - name: show
      debug:
        msg:
          run: "{{ ansible_run_tags }}"
          skip: "{{ ansible_skip_tags }}"
          check: "{{ ansible_check_mode }}"
          diff: "{{ ansible_diff_mode }}"
          config: "{{ ansible_config_file }}"
      tags: [a]
`,
      },
      { tags: ['a'], skipTags: ['b'], check: true, diff: true },
    );
    expect(r.code, r.text).to.equal(0);
    expect(msgs(r, 'show')[0]).to.deep.equal({ run: ['a'], skip: ['b'], check: true, diff: true, config: null });
  });

  it('ansible_run_tags is [all] without --tags', async () => {
    const r = await play({
      'site.yaml': `
- hosts: localhost
  tasks:
    - name: show
      debug: { msg: "{{ ansible_run_tags }}" }
`,
    });
    expect(msgs(r, 'show')[0]).to.deep.equal(['all']);
  });

  it('ansible_version is a dict like Ansible\'s (gx\'s compat level)', async () => {
    const r = await play({
      'site.yaml': `
- hosts: localhost
  tasks:
    - name: show
      debug: { msg: "{{ ansible_version }}" }
    - assert:
        that:
          - ansible_version.major == 2
          - ansible_version.full is version('2.9', '>=')
`,
    });
    expect(r.code, r.text).to.equal(0);
    const v = msgs(r, 'show')[0] as Record<string, unknown>;
    expect(v).to.have.keys('string', 'full', 'major', 'minor', 'revision');
    expect(v.full).to.equal(`${v.major}.${v.minor}.${v.revision}`);
  });

  it('inventory_dir and inventory_file name the inventory; playbook_dir the playbook\'s directory', async () => {
    const dir = writeTree({
      'inv/hosts.yaml': `all:\n  hosts:\n    h1: { ansible_connection: local }\n`,
      'site.yaml': `
- hosts: all
  tasks:
    - name: show
      debug: { msg: "{{ inventory_dir }}|{{ inventory_file }}|{{ playbook_dir }}" }
`,
    });
    const r = await playIn(dir, { inventory: [join(dir, 'inv/hosts.yaml')] });
    expect(r.code, r.text).to.equal(0);
    expect(msgs(r, 'show')[0]).to.equal(`${join(dir, 'inv')}|${join(dir, 'inv/hosts.yaml')}|${dir}`);
  });

  it('ansible_playbook_python is the controller\'s python3, so an inventory pointing the interpreter at it works', async () => {
    const r = await play({
      'inventory.yaml': `all:
  hosts:
    h1: { ansible_connection: local }
  vars:
    ansible_python_interpreter: "{{ ansible_playbook_python }}"
`,
      'site.yaml': `
- hosts: all
  tasks:
    - name: show
      debug: { msg: "{{ ansible_python_interpreter }}" }
`,
    });
    expect(r.code, r.text).to.equal(0);
    expect(String(msgs(r, 'show')[0])).to.match(/\/python3$/);
  });

  it('an undefined variable is named even when the inventory templates ansible_python_interpreter', async () => {
    const r = await play({
      'inventory.yaml': `all:
  hosts:
    h1: { ansible_connection: local }
  vars:
    ansible_python_interpreter: "{{ not_there_either }}"
`,
      'site.yaml': `
- hosts: all
  tasks:
    - name: show
      debug: { msg: "{{ really_missing }}" }
`,
    });
    const [res] = r.results('show');
    expect(res!.status).to.equal('failed');
    expect(res!.msg).to.match(/'really_missing' is undefined/);
    expect(res!.msg).to.not.match(/refers to itself/);
  });

  it('role_names / ansible_play_role_names: the play\'s roles; ansible_role_names adds their dependencies', async () => {
    const r = await play({
      'roles/app/meta/main.yaml': 'dependencies: [base]\n',
      'roles/app/tasks/main.yaml': '- name: app\n  debug: { msg: app }\n',
      'roles/base/tasks/main.yaml': '- name: base\n  debug: { msg: base }\n',
      'site.yaml': `
- hosts: localhost
  roles: [app]
  tasks:
    - name: show
      debug:
        msg:
          role_names: "{{ role_names }}"
          play: "{{ ansible_play_role_names }}"
          all: "{{ ansible_role_names }}"
          dependent: "{{ ansible_dependent_role_names }}"
`,
    });
    expect(r.code, r.text).to.equal(0);
    const m = msgs(r, 'show')[0] as Record<string, string[]>;
    expect({ ...m, all: [...m.all!].sort() }).to.deep.equal({ role_names: ['app'], play: ['app'], all: ['app', 'base'], dependent: ['base'] });
  });

  it('ansible_play_hosts leaves failed hosts out, ansible_play_hosts_all keeps them; ansible_play_batch is the live batch', async () => {
    const r = await play({
      'inventory.yaml': inv3,
      'site.yaml': `
- hosts: all
  tasks:
    - name: break h2
      fail: { msg: down }
      when: inventory_hostname == 'h2'
    - name: show
      debug:
        msg:
          hosts: "{{ ansible_play_hosts }}"
          all: "{{ ansible_play_hosts_all }}"
          batch: "{{ ansible_play_batch }}"
          play_hosts: "{{ play_hosts }}"
`,
    });
    expect(msgs(r, 'show')[0]).to.deep.equal({ hosts: ['h1', 'h3'], all: ['h1', 'h2', 'h3'], batch: ['h1', 'h3'], play_hosts: ['h1', 'h3'] });
  });
});

describe('run: results', () => {
  it('failed_when_result is in the registered result when failed_when is used', async () => {
    const r = await play({
      'site.yaml': `
- hosts: localhost
  tasks:
    - name: judged
      command: echo hello
      register: out
      failed_when: "'bye' in out.stdout"
    - name: show
      debug: { msg: "{{ out.failed_when_result }}" }
`,
    });
    expect(r.code, r.text).to.equal(0);
    expect(r.results('judged')[0]!.data!.failed_when_result).to.equal(false);
    expect(msgs(r, 'show')[0]).to.equal(false);
  });

  it('ansible_failed_task and ansible_failed_result in rescue', async () => {
    const r = await play({
      'site.yaml': `
- hosts: localhost
  tasks:
    - block:
        - name: the broken one
          command: /bin/false
      rescue:
        - name: show
          debug:
            msg:
              task: "{{ ansible_failed_task.name }}"
              action: "{{ ansible_failed_task.action }}"
              rc: "{{ ansible_failed_result.rc }}"
`,
    });
    expect(r.code, r.text).to.equal(0);
    expect(msgs(r, 'show')[0]).to.deep.equal({ task: 'the broken one', action: 'command', rc: 1 });
  });
});

describe('run: meta actions on hosts', () => {
  it('meta: clear_host_errors: a host that failed is back in the next play (not this one), and the run succeeds', async () => {
    // what ansible-playbook 2.14 does with this play: play_iterator.clear_host_errors resets the
    // failure, the host's walk through this play is over, TQM no longer lists it as failed
    const r = await play({
      'inventory.yaml': inv3,
      'site.yaml': `
- hosts: all
  tasks:
    - name: break h2
      fail: { msg: down }
      when: inventory_hostname == 'h2'
    - name: clear
      meta: clear_host_errors
    - name: after
      shell: echo {{ inventory_hostname }} >> {{ playbook_dir }}/after
- hosts: all
  tasks:
    - name: next play
      shell: echo {{ inventory_hostname }} >> {{ playbook_dir }}/next
`,
    });
    expect(readFileSync(join(r.dir, 'after'), 'utf8').trim().split('\n').sort()).to.deep.equal(['h1', 'h3']);
    expect(readFileSync(join(r.dir, 'next'), 'utf8').trim().split('\n').sort()).to.deep.equal(['h1', 'h2', 'h3']);
    expect(r.recap('h2')).to.include({ failed: 1 });
    expect(r.code).to.equal(0);
  });

  it('meta: clear_host_errors in a block\'s always: the failed host goes on after the block', async () => {
    const r = await play({
      'inventory.yaml': inv3,
      'site.yaml': `
- hosts: all
  tasks:
    - block:
        - name: break h2
          fail: { msg: down }
          when: inventory_hostname == 'h2'
      always:
        - meta: clear_host_errors
    - name: after
      shell: echo {{ inventory_hostname }} >> {{ playbook_dir }}/after
`,
    });
    expect(readFileSync(join(r.dir, 'after'), 'utf8').trim().split('\n').sort()).to.deep.equal(['h1', 'h2', 'h3']);
    expect(r.code).to.equal(0);
  });

  it('meta: end_batch ends the current serial batch; the next batch runs', async () => {
    const r = await play({
      'inventory.yaml': inv3,
      'site.yaml': `
- hosts: all
  serial: 2
  tasks:
    - name: stop
      meta: end_batch
      when: inventory_hostname == 'h1'
    - name: after
      shell: echo {{ inventory_hostname }} >> {{ playbook_dir }}/after
`,
    });
    expect(r.code, r.text).to.equal(0);
    expect(readFileSync(join(r.dir, 'after'), 'utf8').trim()).to.equal('h3');
  });

  it('meta: end_host ends the play for that host only', async () => {
    const r = await play({
      'inventory.yaml': inv3,
      'site.yaml': `
- hosts: all
  tasks:
    - name: stop
      meta: end_host
      when: inventory_hostname == 'h2'
    - name: after
      shell: echo {{ inventory_hostname }} >> {{ playbook_dir }}/after
`,
    });
    expect(r.code, r.text).to.equal(0);
    expect(readFileSync(join(r.dir, 'after'), 'utf8').trim().split('\n').sort()).to.deep.equal(['h1', 'h3']);
  });

  it('meta: refresh_inventory is refused with what to do instead', async () => {
    const r = await play({
      'site.yaml': `
- hosts: localhost
  tasks:
    - name: refresh
      meta: refresh_inventory
`,
    });
    expect(r.results('refresh')[0]!.status).to.equal('failed');
    expect(r.results('refresh')[0]!.msg).to.match(/refresh_inventory is not supported by gx: .*add_host/);
  });
});

describe('run: meta tasks in the output and the recap', () => {
  it('a meta task shows only its TASK line and counts in no recap column, as in Ansible', async () => {
    const r = await play(
      {
        'site.yaml': `
- hosts: localhost
  tasks:
    - name: flush now
      meta: flush_handlers
    - name: not now
      meta: end_play
      when: false
    - name: work
      debug: { msg: hi }
`,
      },
      { output: 'plain' },
    );
    expect(r.code, r.text).to.equal(0);
    const flush = r.text.slice(r.text.indexOf('TASK [flush now]'), r.text.indexOf('TASK [not now]'));
    expect(flush).to.not.match(/ok: \[localhost\]/);
    expect(r.text).to.match(/TASK \[not now\][^\n]*\nskipping: \[localhost\]/);
    expect(r.text).to.match(/localhost\s+: ok=1 +changed=0 +unreachable=0 +failed=0 +skipped=0/);
  });
});
