// Play and block keywords on the run side: order, templated strategy, run_once on a play,
// throttle on a block, delegate_facts.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { play } from './play-helper.js';

const inv = (...names: string[]): string => `all:\n  hosts:\n${names.map((n) => `    ${n}: { ansible_connection: local }\n`).join('')}`;

function ran(dir: string, file = 'ran'): string[] {
  return readFileSync(join(dir, file), 'utf8').trim().split('\n');
}

describe('run: play keywords', () => {
  for (const [order, expected] of [
    ['inventory', ['b', 'c', 'a']],
    ['reverse_inventory', ['a', 'c', 'b']],
    ['sorted', ['a', 'b', 'c']],
    ['reverse_sorted', ['c', 'b', 'a']],
  ] as const) {
    it(`order: ${order}`, async () => {
      const r = await play({
        'inventory.yaml': inv('b', 'c', 'a'),
        'site.yaml': `
- hosts: all
  order: ${order}
  serial: 1
  tasks:
    - shell: echo {{ inventory_hostname }} >> {{ playbook_dir }}/ran
`,
      });
      expect(r.code, r.text).to.equal(0);
      expect(ran(r.dir)).to.deep.equal(expected);
    });
  }

  it('order: shuffle runs every host once', async () => {
    const r = await play({
      'inventory.yaml': inv('b', 'c', 'a'),
      'site.yaml': `
- hosts: all
  order: shuffle
  serial: 1
  tasks:
    - shell: echo {{ inventory_hostname }} >> {{ playbook_dir }}/ran
`,
    });
    expect(ran(r.dir).sort()).to.deep.equal(['a', 'b', 'c']);
  });

  it('strategy from a template: free lets a host run ahead of one that waits for it', async () => {
    const r = await play({
      'inventory.yaml': inv('h1', 'h2'),
      'site.yaml': `
- hosts: all
  vars: { how: free }
  strategy: "{{ how }}"
  tasks:
    - name: h2 waits for h1's second task
      shell: for i in $(seq 1 300); do [ -e {{ playbook_dir }}/h1-done ] && exit 0; sleep 0.1; done; exit 1
      when: inventory_hostname == 'h2'
    - name: h1 goes on
      shell: touch {{ playbook_dir }}/h1-done
      when: inventory_hostname == 'h1'
`,
    });
    expect(r.code, r.text).to.equal(0);
  });

  it('a strategy gx does not have is a clear error', async () => {
    const failed = await play({
      'site.yaml': `
- hosts: localhost
  vars: { how: debug }
  strategy: "{{ how }}"
  tasks:
    - debug: { msg: hi }
`,
    }).then(
      () => undefined,
      (err: Error) => err,
    );
    expect(failed?.message).to.match(/Invalid play strategy specified: 'debug'; gx has the linear and free strategies/);
  });

  it("host_pinned (literal or templated) runs as free, with a warning saying so (Ansible's includes target)", async () => {
    for (const strategy of ['host_pinned', '"{{ how }}"']) {
      const r = await play({
        'site.yaml': `
- hosts: localhost
  gather_facts: false
  vars: { how: host_pinned }
  strategy: ${strategy}
  tasks:
    - { name: hi, debug: { msg: hi } }
`,
      });
      expect(r.code, r.text).to.equal(0);
      expect(r.results('hi')[0].status).to.equal('ok');
      const warnings = r.events.filter((e) => e.type === 'warning').map((e) => (e as { msg: string }).msg);
      expect(warnings, strategy).to.include("strategy 'host_pinned' runs as 'free' in gx (each host at its own pace; hosts are not pinned to forks)");
    }
  });

  it('run_once on a play runs every task on the first host only', async () => {
    const r = await play({
      'inventory.yaml': inv('h1', 'h2', 'h3'),
      'site.yaml': `
- hosts: all
  run_once: true
  tasks:
    - shell: echo {{ inventory_hostname }} >> {{ playbook_dir }}/ran
    - shell: echo {{ inventory_hostname }} >> {{ playbook_dir }}/ran
`,
    });
    expect(r.code, r.text).to.equal(0);
    expect(ran(r.dir)).to.deep.equal(['h1', 'h1']);
  });

  it('throttle on a block: at most that many hosts inside a task at once', async () => {
    const r = await play({
      'inventory.yaml': inv('h1', 'h2', 'h3', 'h4'),
      'site.yaml': `
- hosts: all
  tasks:
    - block:
        - name: one at a time
          shell: mkdir {{ playbook_dir }}/lock && sleep 0.2 && rmdir {{ playbook_dir }}/lock
      throttle: 1
`,
    });
    expect(r.code, r.text).to.equal(0);
    expect(r.results('one at a time').map((x) => x.status)).to.deep.equal(['changed', 'changed', 'changed', 'changed']);
  });

  it('delegate_facts: set_fact delegated to another host sets the fact there', async () => {
    const r = await play({
      'inventory.yaml': inv('h1', 'h2'),
      'site.yaml': `
- hosts: h1
  tasks:
    - set_fact: { given: 42 }
      delegate_to: h2
      delegate_facts: true
    - set_fact: { kept: 7 }
      delegate_to: h2
- hosts: all
  tasks:
    - name: has given
      debug: { msg: "{{ given }}" }
      when: given is defined
    - name: has kept
      debug: { msg: "{{ kept }}" }
      when: kept is defined
`,
    });
    expect(r.code, r.text).to.equal(0);
    const by = (task: string): Record<string, string> => Object.fromEntries(r.results(task).map((x) => [x.host, x.status]));
    expect(by('has given')).to.deep.equal({ h1: 'skipped', h2: 'ok' });
    expect(by('has kept')).to.deep.equal({ h1: 'ok', h2: 'skipped' });
  });

  it('serial and max_fail_percentage from templates', async () => {
    const r = await play({
      'inventory.yaml': inv('h1', 'h2', 'h3'),
      'site.yaml': `
- hosts: all
  vars: { size: 2, pct: 0 }
  serial: "{{ size }}"
  max_fail_percentage: "{{ pct }}"
  tasks:
    - name: batch
      shell: echo {{ inventory_hostname }} >> {{ playbook_dir }}/ran
    - name: break h1
      fail: { msg: down }
      when: inventory_hostname == 'h1'
    - name: after
      debug: { msg: hi }
`,
    });
    // batches of 2: h1 fails in the first one, more than 0 % of the batch: the play stops there
    expect(ran(r.dir).sort()).to.deep.equal(['h1', 'h2']);
    expect(r.results('after')).to.deep.equal([]);
  });

  it('throttle on a play applies to every task', async () => {
    const r = await play({
      'inventory.yaml': inv('h1', 'h2', 'h3', 'h4'),
      'site.yaml': `
- hosts: all
  throttle: 1
  tasks:
    - name: one at a time
      shell: mkdir {{ playbook_dir }}/lock && sleep 0.2 && rmdir {{ playbook_dir }}/lock
`,
    });
    expect(r.code, r.text).to.equal(0);
  });

  it('a serial batch whose every host failed ends the run, as in Ansible (later batches and plays do not run)', async () => {
    const r = await play({
      'inventory.yaml': inv('h1', 'h2'),
      'site.yaml': `
- hosts: all
  serial: 1
  tasks:
    - name: break h1
      fail: { msg: down }
      when: inventory_hostname == 'h1'
    - name: after
      debug: { msg: hi }
- hosts: all
  tasks:
    - name: next play
      debug: { msg: hi }
`,
    });
    expect(r.code).to.equal(2);
    expect(r.results('after')).to.deep.equal([]);
    expect(r.results('next play')).to.deep.equal([]);
  });

  it('any_errors_fatal ends the run; meta: end_play ends only its play', async () => {
    const r = await play({
      'inventory.yaml': inv('h1', 'h2'),
      'site.yaml': `
- hosts: all
  tasks:
    - meta: end_play
- hosts: all
  any_errors_fatal: true
  tasks:
    - name: break h1
      fail: { msg: down }
      when: inventory_hostname == 'h1'
- hosts: all
  tasks:
    - name: next play
      debug: { msg: hi }
`,
    });
    expect(Object.fromEntries(r.results('break h1').map((x) => [x.host, x.status]))).to.deep.equal({ h1: 'failed', h2: 'skipped' });
    expect(r.results('next play')).to.deep.equal([]);
  });

  it('serial batches are cut from every host of the play, hosts failed earlier included (as Ansible does)', async () => {
    const r = await play({
      'inventory.yaml': inv('h1', 'h2', 'h3', 'h4'),
      'site.yaml': `
- hosts: all
  tasks:
    - fail: { msg: down }
      when: inventory_hostname == 'h1'
- hosts: all
  serial: 2
  tasks:
    - name: batch
      debug: { msg: "{{ ansible_play_batch }}" }
      run_once: true
`,
    });
    // Ansible: batches [h1, h2] and [h3, h4]; h1 sits its batch out
    expect(r.results('batch').map((x) => x.data!.msg)).to.deep.equal([['h2'], ['h3', 'h4']]);
  });

  it('force_handlers from a template: a host that failed after notifying still runs its handler', async () => {
    const r = await play({
      'site.yaml': `
- hosts: localhost
  vars: { keep_handlers: true }
  force_handlers: "{{ keep_handlers }}"
  tasks:
    - name: change
      command: echo x
      notify: handle
    - name: break
      fail: { msg: down }
  handlers:
    - name: handle
      shell: echo handled > {{ playbook_dir }}/handled
`,
    });
    expect(r.code).to.equal(2);
    expect(ran(r.dir, 'handled')).to.deep.equal(['handled']);
  });
});
