// Keywords written as templates are settled per host at run time, as Ansible's post_validate does:
// `omit` means "not set here", anything else must be a value of the keyword's type. The safety rule
// first: --check never changes a host, whatever a task's keywords render to.
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

describe('run: templated keywords and --check', () => {
  it('check_mode: "{{ omit }}" under --check writes nothing (the task stays in check mode)', async () => {
    const r = await play(
      {
        'site.yaml': `
- hosts: localhost
  tasks:
    - name: write
      copy: { content: "hi", dest: "{{ playbook_dir }}/out.txt" }
      check_mode: "{{ omit }}"
`,
      },
      { check: true },
    );
    expect(r.code, r.text).to.equal(0);
    expect(existsSync(join(r.dir, 'out.txt')), 'copy wrote under --check').to.equal(false);
    expect(r.results('write')[0]!.status).to.equal('changed');
  });

  it('check_mode: "{{ omit }}" inherits the block\'s check_mode: true even without --check', async () => {
    const r = await play({
      'site.yaml': `
- hosts: localhost
  tasks:
    - block:
        - name: write
          copy: { content: "hi", dest: "{{ playbook_dir }}/out.txt" }
          check_mode: "{{ omit }}"
      check_mode: true
`,
    });
    expect(r.code, r.text).to.equal(0);
    expect(existsSync(join(r.dir, 'out.txt'))).to.equal(false);
  });

  it('check_mode that renders to a non-boolean fails the task and writes nothing', async () => {
    const r = await play(
      {
        'site.yaml': `
- hosts: localhost
  vars: { dry: perhaps }
  tasks:
    - name: write
      copy: { content: "hi", dest: "{{ playbook_dir }}/out.txt" }
      check_mode: "{{ dry }}"
`,
      },
      { check: true },
    );
    expect(r.code).to.not.equal(0);
    expect(existsSync(join(r.dir, 'out.txt'))).to.equal(false);
    expect(r.results('write')[0]!.msg).to.match(/field 'check_mode' has an invalid value \("perhaps"\)/);
  });

  it('check_mode from an undefined variable fails the task under --check and writes nothing', async () => {
    const r = await play(
      {
        'site.yaml': `
- hosts: localhost
  tasks:
    - name: write
      copy: { content: "hi", dest: "{{ playbook_dir }}/out.txt" }
      check_mode: "{{ not_defined_anywhere }}"
`,
      },
      { check: true },
    );
    expect(r.results('write')[0]!.status).to.equal('failed');
    expect(existsSync(join(r.dir, 'out.txt'))).to.equal(false);
  });

  it('a templated check_mode that renders to false runs for real, as Ansible does', async () => {
    const r = await play(
      {
        'site.yaml': `
- hosts: localhost
  vars: { dry: false }
  tasks:
    - name: write
      copy: { content: "hi", dest: "{{ playbook_dir }}/out.txt" }
      check_mode: "{{ dry }}"
`,
      },
      { check: true },
    );
    expect(r.code, r.text).to.equal(0);
    expect(readFileSync(join(r.dir, 'out.txt'), 'utf8')).to.equal('hi');
  });

  it('check_mode: "{{ omit }}" without --check runs for real (the default)', async () => {
    const r = await play({
      'site.yaml': `
- hosts: localhost
  tasks:
    - name: write
      copy: { content: "hi", dest: "{{ playbook_dir }}/out.txt" }
      check_mode: "{{ omit }}"
`,
    });
    expect(r.code, r.text).to.equal(0);
    expect(readFileSync(join(r.dir, 'out.txt'), 'utf8')).to.equal('hi');
  });

  it('omit on delegate_to, become, diff, no_log, run_once, any_errors_fatal, ignore_unreachable: as if not set', async () => {
    const r = await play({
      'inventory.yaml': inv3,
      'site.yaml': `
- hosts: all
  tasks:
    - name: keywords omitted
      shell: echo {{ inventory_hostname }} >> {{ playbook_dir }}/ran
      delegate_to: "{{ omit }}"
      become: "{{ omit }}"
      diff: "{{ omit }}"
      no_log: "{{ omit }}"
      run_once: "{{ omit }}"
      any_errors_fatal: "{{ omit }}"
      ignore_unreachable: "{{ omit }}"
`,
    });
    expect(r.code, r.text).to.equal(0);
    expect(readFileSync(join(r.dir, 'ran'), 'utf8').trim().split('\n').sort()).to.deep.equal(['h1', 'h2', 'h3']);
    expect(r.results('keywords omitted').map((x) => x.censored)).to.deep.equal([undefined, undefined, undefined]);
  });

  it('run_once and no_log rendered from variables', async () => {
    const r = await play({
      'inventory.yaml': inv3,
      'site.yaml': `
- hosts: all
  vars: { once: "yes", hide: true }
  tasks:
    - name: once
      shell: echo {{ inventory_hostname }} >> {{ playbook_dir }}/ran
      run_once: "{{ once }}"
      no_log: "{{ hide }}"
`,
    });
    expect(r.code, r.text).to.equal(0);
    expect(readFileSync(join(r.dir, 'ran'), 'utf8').trim()).to.equal('h1');
    expect(r.results('once')[0]!.censored).to.equal(true);
  });

  it('retries and delay rendered from variables bound an until loop', async () => {
    const r = await play({
      'site.yaml': `
- hosts: localhost
  vars: { tries: 2, pause_s: 0 }
  tasks:
    - name: never
      command: echo x
      register: out
      until: out.stdout == 'y'
      retries: "{{ tries }}"
      delay: "{{ pause_s }}"
      ignore_errors: true
`,
    });
    expect(r.code, r.text).to.equal(0);
    expect(r.results('never')[0]!.data!.attempts).to.equal(3);
  });

  it('omit in module arguments removes the option', async () => {
    const r = await play({
      'site.yaml': `
- hosts: localhost
  tasks:
    - name: write
      copy: { content: "hi", dest: "{{ playbook_dir }}/out.txt", mode: "{{ omit }}", owner: "{{ omit }}" }
`,
    });
    expect(r.code, r.text).to.equal(0);
    expect(readFileSync(join(r.dir, 'out.txt'), 'utf8')).to.equal('hi');
  });
});

describe('run: ignore_errors covers a task that could not run', () => {
  it('an undefined variable: reported, ...ignoring, counted as ignored, the play goes on', async () => {
    const r = await play({
      'site.yaml': `
- hosts: localhost
  tasks:
    - name: broken
      debug: { msg: "{{ not_defined_anywhere }}" }
      ignore_errors: true
      register: out
    - name: after
      assert: { that: ["out is failed"] }
`,
    });
    expect(r.code, r.text).to.equal(0);
    const [res] = r.results('broken');
    expect(res!.status).to.equal('failed');
    expect(res!.ignored).to.equal(true);
    expect(res!.msg).to.match(/not_defined_anywhere/);
    expect(r.results('after')[0]!.status).to.equal('ok');
    expect(r.recap('localhost')).to.include({ failed: 0, ignored: 1 });
  });

  it('an argument error (a templated value the module refuses) is ignored too, and so is a failing loop item', async () => {
    const r = await play({
      'site.yaml': `
- hosts: localhost
  vars: { st: sideways }
  tasks:
    - name: bad args
      file: { path: "{{ playbook_dir }}/x", state: "{{ st }}" }
      ignore_errors: yes
    - name: bad item
      debug: { msg: "{{ item.missing }}" }
      loop: [{ a: 1 }]
      ignore_errors: true
    - name: after
      debug: { msg: ok }
`,
    });
    expect(r.code, r.text).to.equal(0);
    expect(r.results('bad args')[0]).to.include({ status: 'failed', ignored: true });
    expect(r.results('bad item')[0]).to.include({ status: 'failed', ignored: true });
    expect(r.results('after')[0]!.status).to.equal('ok');
    expect(r.recap('localhost')).to.include({ failed: 0, ignored: 2 });
  });

  it('the plain output says ...ignoring after the failure', async () => {
    const r = await play(
      {
        'site.yaml': `
- hosts: localhost
  tasks:
    - name: broken
      debug: { msg: "{{ not_defined_anywhere }}" }
      ignore_errors: true
`,
      },
      { output: 'plain' },
    );
    expect(r.code, r.text).to.equal(0);
    expect(r.text).to.match(/not_defined_anywhere[^\n]*\n\.\.\.ignoring/);
  });
});

describe('run: registered results are data', () => {
  it('a registered stdout holding {{ }} reads back as written, not rendered again', async () => {
    const r = await play({
      'site.yaml': `
- hosts: localhost
  tasks:
    - name: braces
      shell: printf '\\173\\173 nope \\175\\175'
      register: out
    - name: read
      assert: { that: ["out.stdout | length == 10"] }
`,
    });
    expect(r.code, r.text).to.equal(0);
    expect(r.results('braces')[0]!.data!.stdout).to.equal('{{ nope }}');
  });
});

describe('run: ignore_errors on includes', () => {
  it('an include_tasks whose file name cannot be rendered is ignored with ignore_errors', async () => {
    const r = await play({
      'site.yaml': `
- hosts: localhost
  tasks:
    - name: inc
      include_tasks: "{{ not_defined_anywhere }}.yaml"
      ignore_errors: true
    - name: after
      debug: { msg: ok }
`,
    });
    expect(r.code, r.text).to.equal(0);
    expect(r.results('inc')[0]).to.include({ status: 'failed', ignored: true });
    expect(r.results('after')[0]!.status).to.equal('ok');
  });
});

describe('run: keywords unknown in check mode', () => {
  it('delegate_to naming a host a skipped command would print: the task would run, planned as skipped', async () => {
    const r = await play(
      {
        'site.yaml': `
- hosts: localhost
  tasks:
    - name: find
      command: echo localhost
      register: out
    - name: there
      copy: { content: "x", dest: "{{ playbook_dir }}/there" }
      delegate_to: "{{ out.stdout }}"
`,
      },
      { check: true },
    );
    expect(r.code, r.text).to.equal(0);
    expect(r.results('there')[0]!.status).to.equal('skipped');
    expect(r.results('there')[0]!.skipReason).to.match(/delegate_to host is not known in check mode/);
    expect(existsSync(join(r.dir, 'there'))).to.equal(false);
  });
});

describe('run: check_mode unknown in check mode', () => {
  it('a check_mode from a skipped command\'s output keeps the task in check mode', async () => {
    const r = await play(
      {
        'site.yaml': `
- hosts: localhost
  tasks:
    - name: decide
      command: echo false
      register: out
    - name: write
      copy: { content: "x", dest: "{{ playbook_dir }}/written" }
      check_mode: "{{ out.stdout }}"
`,
      },
      { check: true },
    );
    expect(r.code, r.text).to.equal(0);
    expect(r.results('write')[0]!.status).to.equal('changed');
    expect(existsSync(join(r.dir, 'written'))).to.equal(false);
  });
});

describe('run: the recap of ignored failures', () => {
  it('an ignored failure whose result says changed counts as changed, as Ansible counts it', async () => {
    const r = await play({
      'site.yaml': `
- hosts: localhost
  tasks:
    - name: ran and failed
      command: /bin/false
      ignore_errors: true
    - name: could not run
      debug: { msg: "{{ not_defined_anywhere }}" }
      ignore_errors: true
`,
    });
    expect(r.code, r.text).to.equal(0);
    expect(r.recap('localhost')).to.include({ ok: 2, changed: 1, ignored: 2, failed: 0 });
  });
});

describe('run: ignore_unreachable', () => {
  it('an unreachable host with ignore_unreachable: ...ignoring, counted ok and ignored, the host goes on', async () => {
    const r = await play(
      {
        'inventory.yaml': `all:\n  hosts:\n    gone: { ansible_host: 127.0.0.1, ansible_port: 1, ansible_connection: ssh, gx_ssh_config: none, gx_ssh_agent: none }\n`,
        'site.yaml': `
- hosts: all
  tasks:
    - name: try
      command: echo hi
      ignore_unreachable: true
    - name: local
      debug: { msg: still here }
`,
      },
      { output: 'plain' },
    );
    expect(r.text).to.match(/UNREACHABLE![^\n]*\n\.\.\.ignoring/);
    expect(r.text).to.match(/TASK \[local\][^\n]*\nok: \[gone\]/);
    expect(r.text).to.match(/gone\s+: ok=2 +changed=0 +unreachable=0 +failed=0 +skipped=0 +rescued=0 +ignored=1/);
    expect(r.code).to.equal(0);
  });
});

describe('run: loop_control.pause as a template', () => {
  it('is rendered like any number keyword: a non-number fails the task with the field named', async () => {
    const r = await play({
      'site.yaml': `
- hosts: localhost
  vars: { gap: 0, bad_gap: soon }
  tasks:
    - name: fine
      debug: { msg: "{{ item }}" }
      loop: [1, 2]
      loop_control: { pause: "{{ gap }}" }
    - name: wrong
      debug: { msg: "{{ item }}" }
      loop: [1, 2]
      loop_control: { pause: "{{ bad_gap }}" }
      ignore_errors: true
`,
    });
    expect(r.code, r.text).to.equal(0);
    expect(r.results('fine')[0]!.status).to.equal('ok');
    expect(r.results('wrong')[0]!.status).to.equal('failed');
    expect(r.text).to.match(/the field 'pause' has an invalid value \(\\"soon\\"\)/);
  });
});

describe('run: omit in environment', () => {
  it('an environment variable set to omit is left out', async () => {
    const r = await play({
      'site.yaml': `
- hosts: localhost
  environment: { GX_KW_A: outer, GX_KW_B: kept }
  tasks:
    - name: env
      shell: echo "\${GX_KW_A-unset} \${GX_KW_B-unset}"
      environment: { GX_KW_A: "{{ omit }}" }
`,
    });
    expect(r.code, r.text).to.equal(0);
    expect(r.results('env')[0]!.data!.stdout).to.equal('unset kept');
  });
});
