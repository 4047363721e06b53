// What a task's scope is built from is shared where it cannot differ (issue 16: the 50 hosts x 100
// tasks no-op bench's peak RSS came from every task on every host building its own copies), and
// is built again as soon as it can differ (a host fails, a role joins the play).
import { expect } from 'chai';
import type { TaskNode, Vars } from '../../engine/compile/types.js';
import { PlayScope } from '../../engine/run/scope-builder.js';
import { play } from './play-helper.js';

const inv3 = `all:
  hosts:
    h1: { ansible_connection: local }
    h2: { ansible_connection: local }
    h3: { ansible_connection: local }
`;

interface Call {
  host: string;
  task: string | undefined;
  extra: Vars | undefined;
  scope: Vars;
}

/** runs `fn` with every PlayScope.forTask call recorded */
async function recording<T>(fn: () => Promise<T>): Promise<{ result: T; calls: Call[] }> {
  const calls: Call[] = [];
  const original = PlayScope.prototype.forTask;
  PlayScope.prototype.forTask = function (this: PlayScope, host: string, node: TaskNode | undefined, extra?: Vars): Vars {
    const scope = original.call(this, host, node, extra);
    calls.push({ host, task: node?.name, extra, scope });
    return scope;
  };
  try {
    return { result: await fn(), calls };
  } finally {
    PlayScope.prototype.forTask = original;
  }
}

describe('run: scope reuse (issue 16)', () => {
  it('the play\'s host lists are one array for every host of a task, and new ones once a host has failed', async () => {
    const { result: r, calls } = await recording(() =>
      play({
        'inventory.yaml': inv3,
        'site.yaml': `
- hosts: all
  gather_facts: false
  tasks:
    - name: first
      debug: { msg: "{{ ansible_play_hosts }}" }
    - name: break h2
      fail: { msg: down }
      when: inventory_hostname == 'h2'
    - name: after
      debug: { msg: "{{ ansible_play_hosts }}" }
`,
      }),
    );
    expect(r.code).to.not.equal(0);
    const lists = (task: string): unknown[] => calls.filter((c) => c.task === task).map((c) => c.scope.ansible_play_hosts);
    const first = lists('first');
    expect(first).to.have.length.at.least(3);
    expect(new Set(first).size, 'one array for all hosts').to.equal(1);
    const after = lists('after');
    expect(new Set(after).size).to.equal(1);
    expect(after[0]).to.not.equal(first[0]);
    expect(after[0]).to.deep.equal(['h1', 'h3']);
    expect(first[0]).to.deep.equal(['h1', 'h2', 'h3']);
  });

  it('role_names follows a role included during the play', async () => {
    const r = await play({
      'roles/late/tasks/main.yaml': '- name: in late\n  debug: { msg: late }\n',
      'site.yaml': `
- hosts: localhost
  gather_facts: false
  tasks:
    - name: before
      debug: { msg: "{{ role_names }}" }
    - include_role: { name: late }
    - name: after
      debug: { msg: "{{ role_names }}" }
`,
    });
    expect(r.code, r.text).to.equal(0);
    expect(r.results('before').map((x) => x.data?.msg)).to.deep.equal([[]]);
    expect(r.results('after').map((x) => x.data?.msg)).to.deep.equal([['late']]);
  });

  it('the scope holding the registered result is built only for a condition that reads it', async () => {
    const { result: r, calls } = await recording(() =>
      play({
        'inventory.yaml': inv3,
        'site.yaml': `
- hosts: all
  gather_facts: false
  tasks:
    - name: plain
      command: "true"
    - name: conditioned
      command: "true"
      register: out
      changed_when: out.rc != 0
`,
      }),
    );
    expect(r.code, r.text).to.equal(0);
    const withResult = (task: string): Call[] => calls.filter((c) => c.task === task && c.extra !== undefined && ('result' in c.extra || 'out' in c.extra));
    expect(withResult('plain')).to.deep.equal([]);
    expect(withResult('conditioned')).to.have.length(3);
    expect(r.results('conditioned').map((x) => x.data?.changed)).to.deep.equal([false, false, false]);
  });

  it('without gather_facts, the scope built to see whether a task reads a missing fact is the one the task runs with', async () => {
    const { result: r, calls } = await recording(() =>
      play({
        'inventory.yaml': inv3,
        'site.yaml': `
- hosts: all
  tasks:
    - name: templated
      debug: { msg: "{{ inventory_hostname }} {{ greeting }}" }
      vars: { greeting: hi }
    - name: reads a fact
      debug: { msg: "{{ ansible_system }}" }
      when: inventory_hostname == 'h1'
`,
      }),
    );
    expect(r.code, r.text).to.equal(0);
    const built = (task: string): string[] => calls.filter((c) => c.task === task && c.extra === undefined).map((c) => c.host);
    // once per host (it was twice: the fact check's scope, then the task's own)
    expect(built('templated').sort()).to.deep.equal(['h1', 'h2', 'h3']);
    expect(r.results('templated').map((x) => x.data?.msg)).to.deep.equal(['h1 hi', 'h2 hi', 'h3 hi']);
    // a host that gathered before the task gets a scope built after the gathering: its facts are in it
    expect(built('reads a fact').filter((h) => h === 'h1').length).to.equal(2);
    const byHost = Object.fromEntries(r.results('reads a fact').map((x) => [x.host, x.data?.msg ?? x.skipReason]));
    expect(byHost).to.deep.equal({ h1: process.platform === 'darwin' ? 'Darwin' : 'Linux', h2: 'Conditional result was False', h3: 'Conditional result was False' });
  });
});
