import { expect } from 'chai';
import { ErrorList } from '../../engine/errors.js';
import { play } from './play-helper.js';

// geerlingguy.pip and .git hold `pip:` / `unarchive:` tasks on paths a Debian host without them
// never takes: Ansible resolves those names and runs the play; so does gx, and fails only the hosts
// that reach such a task
describe('run: Ansible built-ins gx does not have', () => {
  it('a task on a path no host takes is a warning before the run, and the play runs', async () => {
    const r = await play({
      'site.yaml': `
- hosts: localhost
  gather_facts: false
  tasks:
    - name: never on this host
      ansible.builtin.pip: { name: requests }
      when: false
    - name: over an empty list
      unarchive: { src: a.tgz, dest: /tmp }
      loop: []
    - name: after them
      debug: { msg: ran }
`,
    });
    expect(r.code, r.text).to.equal(0);
    expect(r.results('after them')[0]!.status).to.equal('ok');
    expect(r.text).to.match(/module 'ansible\.builtin\.pip' is an Ansible built-in that gx does not have: this task fails on a host that reaches it/);
  });

  it('a host that reaches one fails, naming the module; a name that is no built-in stays an error at load', async () => {
    const reached = await play({ 'site.yaml': '- hosts: localhost\n  gather_facts: false\n  tasks:\n    - name: reached\n      pip: { name: requests }\n' });
    expect(reached.code).to.equal(2);
    expect(reached.results('reached')[0]!.msg).to.match(/module 'pip' is an Ansible built-in that gx does not have/);
    let err: ErrorList | undefined;
    await play({ 'site.yaml': '- hosts: localhost\n  gather_facts: false\n  tasks:\n    - name: typo\n      copyy: { dest: /tmp/x }\n      when: false\n' }).catch((e: ErrorList) => (err = e));
    expect(err).to.be.instanceOf(ErrorList);
    expect(err!.errors.map((e) => e.message).join('\n')).to.match(/unknown keyword or module 'copyy'/);
  });
});
