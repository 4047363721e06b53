// The executor against the local machine: loops, register, conditions, blocks, handlers, tags,
// check mode, retries, failure rules. Each test is a real play run through the CLI path.
import { expect } from 'chai';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { play } from './play-helper.js';

const inv3 = `all:
  hosts:
    h1: { ansible_connection: local }
    h2: { ansible_connection: local }
    h3: { ansible_connection: local }
`;

describe('executor: loops and register', () => {
  it('registers a loop as a results list, with labels and loop_var', async () => {
    const r = await play({
      'site.yaml': `
- hosts: localhost
  tasks:
    - name: each
      debug: { msg: "n={{ n.k }}" }
      loop: [{ k: 1 }, { k: 2 }, { k: 3 }]
      loop_control: { loop_var: n, label: "{{ n.k }}", index_var: i }
      register: out
    - name: check
      assert:
        that:
          - out.results | length == 3
          - out.results[1].msg == 'n=2'
          - out.results[2].i == 2
          - out.changed == false
`,
    });
    expect(r.code, r.text).to.equal(0);
    const items = r.events.filter((e) => e.type === 'item.result');
    expect(items.map((e) => (e.type === 'item.result' ? e.result.item : null))).to.deep.equal([1, 2, 3]);
    expect(r.results('check')[0]!.status).to.equal('ok');
  });

  it('flattens with_items one level and evaluates when per item', async () => {
    const r = await play({
      'site.yaml': `
- hosts: localhost
  tasks:
    - name: some
      debug: { msg: "{{ item }}" }
      with_items: [[1, 2], 3, [4]]
      when: item != 3
      register: out
    - assert:
        that:
          - out.results | length == 4
          - out.results[2] is skipped
          - out.results[0] is not skipped
`,
    });
    expect(r.code, r.text).to.equal(0);
  });

  it('skips on a false when and runs on a true list (AND)', async () => {
    const r = await play({
      'site.yaml': `
- hosts: localhost
  vars: { a: 1, b: "x" }
  tasks:
    - name: skipped
      debug: { msg: no }
      when: [a == 1, b == "y"]
    - name: ran
      debug: { msg: yes }
      when: [a == 1, b == "x"]
`,
    });
    expect(r.results('skipped')[0]!.status).to.equal('skipped');
    expect(r.results('ran')[0]!.status).to.equal('ok');
  });

  it('vars is every variable by name, rendered on read, in a play (Ansible\'s vars; expr.ts gives it)', async () => {
    const r = await play({
      'site.yaml': `
- hosts: localhost
  vars: { a: 1, name: a, b: "{{ a + 1 }}" }
  tasks:
    - name: show
      debug: { msg: "{{ vars['a'] }} {{ vars[name] }} {{ vars.b }} {{ 'b' in vars }} {{ vars.inventory_hostname }}" }
`,
    });
    expect(r.code, r.text).to.equal(0);
    expect(r.results('show')[0]!.msg).to.equal('1 1 2 True localhost');
  });

  it('registered output and set_fact values are data: {{ and {# in them are never rendered (Ansible marks them unsafe)', async () => {
    const r = await play({
      'site.yaml': `
- hosts: localhost
  tasks:
    - name: out
      command: printf 'n=$\\173\\043a[@]} \\173\\173 x }}'
      register: out
    - name: show
      debug: { msg: "{{ out.stdout }}" }
    - set_fact: { again: "{{ out.stdout }}" }
    - name: again
      debug: { msg: "{{ again }}!" }
`,
    });
    expect(r.code, r.text).to.equal(0);
    expect(r.results('show')[0]!.msg).to.equal('n=$' + '{#a[@]} {' + '{ x }}');
    expect(r.results('again')[0]!.msg).to.equal('n=$' + '{#a[@]} {' + '{ x }}!');
  });
});

describe('executor: blocks', () => {
  it('rescues a failure, runs always, counts rescued not failed, exits 0', async () => {
    const r = await play({
      'site.yaml': `
- hosts: localhost
  tasks:
    - block:
        - name: boom
          fail: { msg: planned }
        - name: never reached
          debug: { msg: x }
      rescue:
        - name: rescuer
          debug: { msg: "rescued" }
      always:
        - name: finally
          debug: { msg: "always" }
    - name: after
      debug: { msg: "goes on" }
`,
    });
    expect(r.code, r.text).to.equal(0);
    expect(r.tasks()).to.deep.equal(['boom', 'rescuer', 'finally', 'after']);
    expect(r.recap('localhost')).to.include({ rescued: 1, failed: 0 });
  });

  it('a failing rescue fails the host; always still runs; later tasks do not', async () => {
    const r = await play({
      'site.yaml': `
- hosts: localhost
  tasks:
    - block:
        - fail: { msg: one }
      rescue:
        - name: rescue fails
          fail: { msg: two }
      always:
        - name: finally
          debug: { msg: a }
    - name: after
      debug: { msg: b }
`,
    });
    expect(r.code).to.equal(2);
    expect(r.tasks()).to.include('finally');
    expect(r.tasks()).to.not.include('after');
    expect(r.recap('localhost')).to.include({ failed: 1, rescued: 1 });
  });

  it('ignore_errors keeps the host going and counts ignored', async () => {
    const r = await play({
      'site.yaml': `
- hosts: localhost
  tasks:
    - name: fails
      command: "false"
      ignore_errors: true
      register: res
    - name: after
      assert: { that: [res.failed, res.rc == 1] }
`,
    });
    expect(r.code, r.text).to.equal(0);
    expect(r.recap('localhost')).to.include({ ignored: 1, failed: 0 });
  });
});

describe('executor: handlers', () => {
  const files = (extra = '') => ({
    'site.yaml': `
- hosts: localhost
  vars: { out: "{{ playbook_dir }}/h.log" }
  tasks:
    - name: first change
      command: "true"
      notify: [restart]
    - name: second change
      command: "true"
      notify: restart
    - name: topic
      command: "true"
      notify: web things
    ${extra}
    - name: last
      shell: echo last >> {{ out }}
  handlers:
    - name: restart
      shell: echo restart >> {{ out }}
    - name: other
      shell: echo other >> {{ out }}
      listen: web things
`,
  });

  it('runs each notified handler once, at the end, in definition order (listen included)', async () => {
    const r = await play(files());
    expect(r.code, r.text).to.equal(0);
    expect(readFileSync(join(r.dir, 'h.log'), 'utf8').trim().split('\n')).to.deep.equal(['last', 'restart', 'other']);
  });

  it('meta: flush_handlers runs them where it stands', async () => {
    const r = await play(files('- meta: flush_handlers'));
    expect(readFileSync(join(r.dir, 'h.log'), 'utf8').trim().split('\n')).to.deep.equal(['restart', 'other', 'last']);
  });

  it('a failed host loses its handlers unless --force-handlers', async () => {
    const pb = {
      'site.yaml': `
- hosts: localhost
  tasks:
    - command: "true"
      notify: mark
    - fail: { msg: stop }
  handlers:
    - name: mark
      shell: touch {{ playbook_dir }}/handled
`,
    };
    const a = await play(pb);
    expect(a.code).to.equal(2);
    expect(existsSync(join(a.dir, 'handled'))).to.equal(false);
    const b = await play(pb, { forceHandlers: true });
    expect(existsSync(join(b.dir, 'handled'))).to.equal(true);
  });

  it('refuses a notify with no such handler before running anything', async () => {
    let err: unknown;
    try {
      await play({
        'site.yaml': `
- hosts: localhost
  tasks:
    - name: marker
      shell: touch {{ playbook_dir }}/ran
    - command: "true"
      notify: restrat
  handlers:
    - name: restart
      command: "true"
`,
      });
    } catch (e) {
      err = e;
    }
    expect(String((err as { errors?: { message: string; hint?: string }[] })?.errors?.[0]?.message)).to.match(/no handler named 'restrat'/);
    expect((err as { errors: { hint?: string }[] }).errors[0]!.hint).to.match(/restart/);
  });
});

describe('executor: tags', () => {
  const files = {
    'site.yaml': `
- hosts: localhost
  tags: [play]
  tasks:
    - name: untagged
      debug: { msg: a }
    - name: always
      debug: { msg: b }
      tags: always
    - name: never
      debug: { msg: c }
      tags: [never, debug]
    - block:
        - name: in block
          debug: { msg: d }
      tags: mesh
    - import_tasks: inc.yaml
      tags: imported
    - include_tasks: dyn.yaml
    - include_tasks: tagged.yaml
      tags: mesh
`,
    'inc.yaml': `
- name: from import
  debug: { msg: e }
`,
    'dyn.yaml': `
- name: dyn mesh
  debug: { msg: f }
  tags: mesh
- name: dyn other
  debug: { msg: g }
`,
    'tagged.yaml': `
- name: inherits mesh
  debug: { msg: h }
`,
  };

  it('--tags selects tagged tasks, always, inherited tags, and enters includes with a matching task', async () => {
    const r = await play(files, { tags: ['mesh'] });
    expect(r.code, r.text).to.equal(0);
    const ran = r.tasks().filter((t) => !t.startsWith('include_tasks'));
    expect(ran).to.deep.equal(['always', 'in block', 'dyn mesh', 'inherits mesh']);
  });

  it('never runs only when asked for by name; --skip-tags wins', async () => {
    const r = await play(files, { tags: ['debug'] });
    expect(r.tasks()).to.deep.equal(['always', 'never']);
    const s = await play(files, { skipTags: ['always', 'imported'] });
    expect(s.tasks()).to.not.include('always');
    expect(s.tasks()).to.not.include('from import');
    expect(s.tasks()).to.include('untagged');
  });

  it('play tags reach every task', async () => {
    const r = await play(files, { tags: ['play'] });
    // like Ansible, an inherited tag counts as asking for a `never` task by name
    expect(r.tasks()).to.include.members(['untagged', 'always', 'never', 'in block', 'from import']);
  });
});

describe('executor: check mode', () => {
  it('predicts registered values: skipped commands give Unknown, conditions on them plan as unknown', async () => {
    const r = await play(
      {
        'site.yaml': `
- hosts: localhost
  tasks:
    - name: probe
      command: cat /etc/hostname
      register: probe
    - name: uses rc
      shell: touch {{ playbook_dir }}/should-not-exist
      when: probe.rc == 0
    - name: reads stdout
      debug: { msg: "{{ probe.stdout }}" }
`,
      },
      { check: true },
    );
    expect(r.code, r.text).to.equal(0);
    expect(r.results('probe')[0]!.status).to.equal('skipped');
    const uses = r.results('uses rc')[0]!;
    expect(uses.msg).to.match(/unknown in check mode/);
    expect(existsSync(join(r.dir, 'should-not-exist'))).to.equal(false);
    const reads = r.results('reads stdout')[0]!;
    expect(reads.status).to.equal('skipped');
    expect(String(reads.skipReason)).to.match(/msg/);
  });

  it('check_mode: false runs for real even under --check', async () => {
    const r = await play(
      {
        'site.yaml': `
- hosts: localhost
  tasks:
    - command: touch {{ playbook_dir }}/real
      check_mode: false
`,
      },
      { check: true },
    );
    expect(r.code).to.equal(0);
    expect(existsSync(join(r.dir, 'real'))).to.equal(true);
  });
});

describe('executor: retries and result keywords', () => {
  it('until retries until the condition holds', async () => {
    const r = await play({
      'site.yaml': `
- hosts: localhost
  tasks:
    - name: count
      shell: echo x >> {{ playbook_dir }}/n; wc -l < {{ playbook_dir }}/n
      register: n
      until: n.stdout | int >= 3
      retries: 5
      delay: 0
      changed_when: false
`,
    });
    expect(r.code, r.text).to.equal(0);
    expect(readFileSync(join(r.dir, 'n'), 'utf8').trim().split('\n')).to.have.length(3);
    expect(r.results('count')[0]!.data!.attempts).to.equal(3);
  });

  it('gives up after retries and fails', async () => {
    const r = await play({
      'site.yaml': `
- hosts: localhost
  tasks:
    - name: never
      command: "false"
      register: x
      until: x.rc == 0
      retries: 2
      delay: 0
`,
    });
    expect(r.code).to.equal(2);
    expect(r.results('never')[0]!.msg).to.match(/after 3 attempts/);
  });

  it('changed_when and failed_when see the registered result', async () => {
    const r = await play({
      'site.yaml': `
- hosts: localhost
  tasks:
    - name: said changed
      command: echo CHANGED
      register: out
      changed_when: "'CHANGED' in out.stdout"
    - name: said failed
      command: echo oops
      register: o2
      failed_when: o2.stdout == 'oops'
      ignore_errors: true
`,
    });
    expect(r.results('said changed')[0]!.status).to.equal('changed');
    expect(r.results('said failed')[0]!.status).to.equal('failed');
    expect(r.results('said failed')[0]!.ignored).to.equal(true);
  });
});

describe('executor: hosts, strategies, failure rules', () => {
  it('runs every host, run_once on the first only (result shared), serial in batches', async () => {
    const r = await play({
      'inventory.yaml': inv3,
      'site.yaml': `
- hosts: all
  serial: [1, 2]
  tasks:
    - name: per host
      shell: echo {{ inventory_hostname }} {{ ansible_play_batch | length }} >> {{ playbook_dir }}/batches
    - name: once
      command: echo only-once
      run_once: true
      register: once
    - name: shared
      assert: { that: ["once.stdout == 'only-once'"] }
`,
    });
    expect(r.code, r.text).to.equal(0);
    const lines = readFileSync(join(r.dir, 'batches'), 'utf8').trim().split('\n').sort();
    expect(lines).to.deep.equal(['h1 1', 'h2 2', 'h3 2']);
    expect(r.results('once').length).to.equal(2); // one per batch
    expect(r.results('shared').map((x) => x.status)).to.deep.equal(['ok', 'ok', 'ok']);
  });

  it('a failed host drops out; the others go on; later plays skip it', async () => {
    const r = await play({
      'inventory.yaml': inv3,
      'site.yaml': `
- hosts: all
  tasks:
    - fail: { msg: down }
      when: inventory_hostname == 'h2'
    - name: next
      debug: { msg: ok }
- hosts: all
  tasks:
    - name: second play
      debug: { msg: ok }
`,
    });
    expect(r.code).to.equal(2);
    expect(r.results('next').map((x) => x.host)).to.deep.equal(['h1', 'h3']);
    expect(r.results('second play').map((x) => x.host)).to.deep.equal(['h1', 'h3']);
  });

  it('any_errors_fatal ends the play for everyone', async () => {
    const r = await play({
      'inventory.yaml': inv3,
      'site.yaml': `
- hosts: all
  any_errors_fatal: true
  tasks:
    - fail: { msg: down }
      when: inventory_hostname == 'h1'
    - name: next
      debug: { msg: ok }
`,
    });
    expect(r.code).to.equal(2);
    expect(r.results('next')).to.have.length(0);
  });

  it('max_fail_percentage stops the play past the threshold', async () => {
    const r = await play({
      'inventory.yaml': inv3,
      'site.yaml': `
- hosts: all
  max_fail_percentage: 30
  tasks:
    - fail: { msg: down }
      when: inventory_hostname == 'h1'
    - name: next
      debug: { msg: ok }
`,
    });
    expect(r.results('next')).to.have.length(0);
  });

  it('strategy free lets each host run through on its own', async () => {
    const r = await play({
      'inventory.yaml': inv3,
      'site.yaml': `
- hosts: all
  strategy: free
  tasks:
    - name: pause on h1 only
      command: sleep 0.2
      when: inventory_hostname == 'h1'
    - name: a
      shell: echo {{ inventory_hostname }} >> {{ playbook_dir }}/free
`,
    });
    expect(r.code, r.text).to.equal(0);
    expect(readFileSync(join(r.dir, 'free'), 'utf8').trim().split('\n').sort()).to.deep.equal(['h1', 'h2', 'h3']);
  });

  it('meta: end_play stops the play; end_host stops one host', async () => {
    const r = await play({
      'inventory.yaml': inv3,
      'site.yaml': `
- hosts: all
  tasks:
    - meta: end_host
      when: inventory_hostname == 'h3'
    - name: still
      debug: { msg: x }
    - meta: end_play
    - name: gone
      debug: { msg: y }
`,
    });
    expect(r.code, r.text).to.equal(0);
    expect(r.results('still').map((x) => x.host)).to.deep.equal(['h1', 'h2']);
    expect(r.results('gone')).to.have.length(0);
  });
});

describe('executor: variables', () => {
  it('set_fact and register outlive the play; extra vars win; vars refer to each other lazily', async () => {
    const r = await play(
      {
        'vars.yaml': 'from_file: file\nwho: vars_file\n',
        'site.yaml': `
- hosts: localhost
  vars:
    base: "/srv/{{ inventory_hostname }}"
    full: "{{ base }}/app"
    who: play
  vars_files: [vars.yaml]
  tasks:
    - set_fact: { remembered: "{{ full }}" }
- hosts: localhost
  tasks:
    - assert:
        that:
          - remembered == '/srv/localhost/app'
          - who == 'cli'
`,
      },
      { extraVars: ['who=cli'] },
    );
    expect(r.code, r.text).to.equal(0);
  });

  it('an undefined variable fails the task, naming the variable, the task and where it is', async () => {
    const r = await play({
      'site.yaml': `
- hosts: localhost
  tasks:
    - name: uses nothing
      debug: { msg: "{{ not_there }}" }
`,
    });
    expect(r.code).to.equal(2);
    const msg = String(r.results('uses nothing')[0]!.msg);
    expect(msg).to.match(/not_there/);
    expect(msg).to.match(/uses nothing/);
    expect(msg).to.match(/site\.yaml:4/);
  });

  it('an undefined variable in a .j2 file: the message names the task\'s place, the error points into the file', async () => {
    const r = await play({
      'site.yaml': `
- hosts: localhost
  tasks:
    - name: render
      template: { src: t.j2, dest: "{{ playbook_dir }}/out" }
`,
      'templates/t.j2': 'a\n{{ prot }}\n',
    });
    expect(r.code).to.equal(2);
    const msg = String(r.results('render')[0]!.msg);
    expect(msg).to.match(/^'prot' is undefined at line 2, col 4 of template .*task "render" on host localhost, at .*site\.yaml:4:7\)/);
    expect(msg).to.not.match(/task 'render' at .*t\.j2/);
  });
});

describe('executor: roles and includes', () => {
  it('runs role dependencies first, once; role defaults < play vars < role vars; role handlers', async () => {
    const r = await play({
      'site.yaml': `
- hosts: localhost
  vars: { color: play, size: play }
  roles:
    - web
    - db
`,
      'roles/common/tasks/main.yaml': `- name: common task\n  debug: { msg: common }\n`,
      'roles/web/meta/main.yaml': `dependencies: [common]\n`,
      'roles/web/defaults/main.yaml': `color: default\nsize: default\nonly_default: d\n`,
      'roles/web/vars/main.yaml': `size: role\n`,
      'roles/web/tasks/main.yaml': `
- name: web vars
  assert: { that: ["color == 'play'", "size == 'role'", "only_default == 'd'"] }
- name: web change
  command: "true"
  notify: web restarted
`,
      'roles/web/handlers/main.yaml': `- name: web restarted\n  shell: touch {{ playbook_dir }}/web-handler\n`,
      'roles/db/meta/main.yaml': `dependencies: [common]\n`,
      'roles/db/tasks/main.yaml': `- name: db task\n  debug: { msg: db }\n`,
    });
    expect(r.code, r.text).to.equal(0);
    expect(r.tasks()).to.deep.equal(['common : common task', 'web : web vars', 'web : web change', 'db : db task', 'web : web restarted']);
    expect(existsSync(join(r.dir, 'web-handler'))).to.equal(true);
  });

  it('a role dependency cycle is an error before anything runs', async () => {
    let err: unknown;
    try {
      await play({
        'site.yaml': `- hosts: localhost\n  roles: [a]\n`,
        'roles/a/meta/main.yaml': `dependencies: [b]\n`,
        'roles/a/tasks/main.yaml': `- debug: { msg: a }\n`,
        'roles/b/meta/main.yaml': `dependencies: [a]\n`,
        'roles/b/tasks/main.yaml': `- debug: { msg: b }\n`,
      });
    } catch (e) {
      err = e;
    }
    expect(String((err as { errors: Error[] }).errors.map((e) => e.message))).to.match(/cycle: a -> b -> a/);
  });

  it('include_tasks with a loop runs the file per item with the item in scope; import_playbook chains plays', async () => {
    const r = await play({
      'site.yaml': `
- import_playbook: first.yaml
- hosts: localhost
  tasks:
    - include_tasks: "{{ 'each' }}.yaml"
      loop: [a, b]
`,
      'first.yaml': `- hosts: localhost\n  tasks:\n    - name: first\n      debug: { msg: first }\n`,
      'each.yaml': `- name: each\n  shell: echo {{ item }} >> {{ playbook_dir }}/items\n`,
    });
    expect(r.code, r.text).to.equal(0);
    expect(readFileSync(join(r.dir, 'items'), 'utf8')).to.equal('a\nb\n');
    expect(r.tasks()[0]).to.equal('first');
  });

  it('include_role runs a role at run time and its handlers join the play', async () => {
    const r = await play({
      'site.yaml': `
- hosts: localhost
  tasks:
    - include_role: { name: late }
`,
      'roles/late/tasks/main.yaml': `- name: late task\n  command: "true"\n  notify: late handler\n`,
      'roles/late/handlers/main.yaml': `- name: late handler\n  shell: touch {{ playbook_dir }}/late\n`,
    });
    expect(r.code, r.text).to.equal(0);
    expect(existsSync(join(r.dir, 'late'))).to.equal(true);
  });

  it('delegate_to localhost runs there with the host variables', async () => {
    const r = await play({
      'inventory.yaml': `all:\n  hosts:\n    remote1: { ansible_connection: local, where: far }\n`,
      'site.yaml': `
- hosts: remote1
  tasks:
    - shell: echo {{ inventory_hostname }}-{{ where }} > {{ playbook_dir }}/delegated
      delegate_to: localhost
`,
    });
    expect(r.code, r.text).to.equal(0);
    expect(readFileSync(join(r.dir, 'delegated'), 'utf8').trim()).to.equal('remote1-far');
  });
});

describe('executor: secrets', () => {
  it('never prints secret variables or no_log values, in any output', async () => {
    const canary = 'C4NARY-s3cr3t-VALUE';
    const files = {
      'site.yaml': `
- hosts: localhost
  vars:
    db_password: "${canary}"
    plain: "visible"
  tasks:
    - name: echo it
      command: echo {{ db_password }} {{ plain }}
      register: out
    - name: show it
      debug: { msg: "{{ out.stdout }}" }
    - name: hidden
      command: echo NOLOG-CANARY-123
      no_log: true
      register: hidden
    - name: leak attempt
      debug: { var: hidden }
    - name: fail with it
      fail: { msg: "bad {{ db_password }}" }
      ignore_errors: true
`,
    };
    for (const output of ['json', 'plain'] as const) {
      const r = await play(files, { output, verbose: 3, diff: true });
      expect(r.text).to.not.include(canary);
      expect(r.text).to.not.include('NOLOG-CANARY-123');
      expect(r.text).to.include('visible');
    }
  });
});

describe('executor: plays without hosts', () => {
  it('a group the inventory has but with no hosts is a plain skip; a pattern naming nothing known is a warning', async () => {
    const r = await play({
      'inventory.yaml': 'all:\n  children:\n    workers:\n      hosts: {}\n',
      'site.yaml': '- hosts: workers\n  tasks:\n    - debug: { msg: w }\n- hosts: wrokers\n  tasks:\n    - debug: { msg: x }\n',
    });
    expect(r.code, r.text).to.equal(0);
    const said = r.events.filter((e) => e.type === 'warning' || e.type === 'log').map((e) => [e.type, e.msg]);
    expect(said).to.deep.equal([
      ['log', "skipping: no hosts matched 'workers'"],
      ['warning', "no hosts matched 'wrokers'; skipping this play"],
    ]);
  });
});

describe('executor: add_host', () => {
  const files = {
    'site.yaml': `
- hosts: localhost
  tasks:
    - name: make the machine
      command: echo 127.0.0.1
      register: vm
    - name: remember it
      add_host:
        name: newbox
        groups: [fresh]
        ansible_host: "{{ vm.stdout }}"
        ansible_connection: local
        role_of_box: worker
- hosts: fresh
  tasks:
    - name: on the new host
      shell: echo {{ inventory_hostname }} {{ role_of_box }} > {{ playbook_dir }}/added
    - name: a read that runs even in check mode
      command: cat {{ playbook_dir }}/added
      check_mode: false
      changed_when: false
`,
  };

  it('adds a host that a later play targets by group, once for the play', async () => {
    const r = await play(files);
    expect(r.code, r.text).to.equal(0);
    expect(r.results('remember it')).to.have.length(1);
    expect(readFileSync(join(r.dir, 'added'), 'utf8').trim()).to.equal('newbox worker');
    expect(r.recap('newbox')).to.include({ changed: 1, failed: 0, unreachable: 0 });
  });

  it('in --check, a host whose address is not known yet gets "would run", not unreachable', async () => {
    const r = await play(files, { check: true });
    expect(r.code, r.text).to.equal(0);
    const res = r.results('on the new host');
    expect(res).to.have.length(1);
    expect(res[0]!.status).to.equal('skipped');
    expect(res[0]!.skipReason).to.match(/would run: newbox does not exist yet/);
    // check_mode: false cannot reach a machine that does not exist either
    expect(r.results('a read that runs even in check mode')[0]!.skipReason).to.match(/does not exist yet/);
    expect(existsSync(join(r.dir, 'added'))).to.equal(false);
  });

  it('in --check, a task delegated to a host whose address is not known yet gets "would run" naming that host', async () => {
    const r = await play({
      'site.yaml': files['site.yaml'] + `
- hosts: localhost
  tasks:
    - name: on the new host for localhost
      command: echo {{ inventory_hostname }}
      delegate_to: newbox
`,
    }, { check: true });
    expect(r.code, r.text).to.equal(0);
    const res = r.results('on the new host for localhost');
    expect(res.map((x) => [x.status, x.skipReason])).to.deep.equal([['skipped', 'would run: newbox does not exist yet (check mode)']]);
  });
});

describe('executor: Ansible habits', () => {
  it('reads yes/no/on/off keyword values as booleans (YAML 1.1 habits under YAML 1.2)', async () => {
    const r = await play({
      'site.yaml': `
- hosts: localhost
  gather_facts: no
  tasks:
    - name: tolerated
      command: "false"
      ignore_errors: yes
    - name: not become
      command: id -u
      become: no
      register: who
    - name: off means off
      debug: { msg: hidden? }
      no_log: off
`,
    });
    expect(r.code, r.text).to.equal(0);
    expect(r.results('tolerated')[0]!.ignored).to.equal(true);
    expect(r.results('off means off')[0]!.censored).to.equal(undefined);
  });
});

describe('executor: environment and inheritance', () => {
  it('merges environment from play, block and task (inner wins) into every command', async () => {
    const r = await play({
      'site.yaml': `
- hosts: localhost
  environment: { A: play, B: play }
  vars: { who: templated }
  tasks:
    - block:
        - name: env
          shell: echo "$A $B $C" > {{ playbook_dir }}/env
          environment: { C: "{{ who }}" }
      environment: { B: block }
`,
    });
    expect(r.code, r.text).to.equal(0);
    expect(readFileSync(join(r.dir, 'env'), 'utf8').trim()).to.equal('play block templated');
  });

  it('--start-at-task skips everything before the named task', async () => {
    const r = await play(
      {
        'site.yaml': `
- hosts: localhost
  tasks:
    - name: one
      debug: { msg: 1 }
    - name: two
      debug: { msg: 2 }
    - name: three
      debug: { msg: 3 }
`,
      },
      { startAtTask: 'two' },
    );
    expect(r.tasks()).to.deep.equal(['two', 'three']);
  });
});
