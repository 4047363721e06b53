// Recap counts that must come out as ansible-playbook's (each case was run side by side with
// ansible-playbook 2.14 on the same play and inventory).
import { expect } from 'chai';
import { play } from './play-helper.js';

describe('run: recap parity with ansible-playbook', () => {
  it('a looped include_tasks counts one ok per file included; an empty loop is skipped', async () => {
    const r = await play({
      'inc.yaml': '- name: inc task\n  debug: { msg: "{{ item }}" }\n',
      'site.yaml': `
- hosts: localhost
  tasks:
    - name: include each
      include_tasks: inc.yaml
      loop: [1, 2]
    - name: include none
      include_tasks: inc.yaml
      loop: []
`,
    });
    expect(r.code, r.text).to.equal(0);
    expect(r.results('include each').map((x) => x.status)).to.deep.equal(['ok', 'ok']);
    expect(r.results('include none').map((x) => x.status)).to.deep.equal(['skipped']);
    // 2 includes + 2 included debug tasks; the empty loop is skipped
    expect(r.recap('localhost')).to.include({ ok: 4, skipped: 1 });
  });

  it('include_role shows only its TASK line and counts nowhere; skipped, it counts as skipped', async () => {
    const r = await play(
      {
        'roles/r1/tasks/main.yaml': '- name: r1 task\n  debug: { msg: r1 }\n',
        'site.yaml': `
- hosts: localhost
  tasks:
    - name: inc role
      include_role: { name: r1 }
    - name: inc role loop
      include_role: { name: r1 }
      loop: [1, 2]
    - name: inc role skipped
      include_role: { name: r1 }
      when: false
`,
      },
      { output: 'plain' },
    );
    expect(r.code, r.text).to.equal(0);
    expect(r.text).to.match(/TASK \[inc role\][^\n]*\n\nTASK \[r1 : r1 task\]/);
    expect(r.text).to.match(/localhost\s+: ok=3 +changed=0 +unreachable=0 +failed=0 +skipped=1/);
  });
});
