// setup and fact gathering against the real sshd test hosts: they share this machine's kernel and
// files, so what setup reports is checked against what this machine says through Node.
import { expect } from 'chai';
import { existsSync, readFileSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import type { SshConnection } from '../../engine/connect/ssh/connection.js';
import { firstHostPerSuite, sshEnv } from '../ssh/hosts.js';
import { runModule } from './harness.js';
import { sshPlay } from './ssh-play.js';

const osRelease = Object.fromEntries(
  readFileSync('/etc/os-release', 'utf8').split('\n').filter((l) => l.includes('=')).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1).replace(/^"|"$/g, '')]),
);

describe('setup (real sshd test host)', function () {
  this.timeout(30_000);
  let conn!: SshConnection;
  firstHostPerSuite((c) => (conn = c));

  it('gathers the common facts in one round trip, as ansible_* variables and under ansible_facts', async () => {
    let runs = 0;
    const counting = new Proxy(conn, { get: (t, k) => (k === 'run' ? (o: never) => (runs++, t.run(o)) : Reflect.get(t, k)) });
    const r = await runModule('setup', {}, { conn: counting as SshConnection });
    expect(runs).to.equal(1);
    expect(r).to.include({ changed: false, failed: false });
    const f = r.facts!;
    expect(f).to.include({ ansible_hostname: hostname().split('.')[0], ansible_system: 'Linux', ansible_user_id: sshEnv.user, ansible_pkg_mgr: 'apt' });
    expect(f.ansible_distribution_version).to.equal(osRelease.VERSION_ID);
    expect(f.ansible_distribution_major_version).to.equal(osRelease.VERSION_ID!.split('.')[0]);
    if (osRelease.ID === 'debian') expect(f).to.include({ ansible_distribution: 'Debian', ansible_os_family: 'Debian' });
    expect(f.ansible_architecture).to.equal(process.arch === 'x64' ? 'x86_64' : f.ansible_machine);
    expect(f.ansible_kernel).to.equal(readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim());
    expect(f.ansible_processor_vcpus).to.be.a('number').greaterThan(0);
    expect(f.ansible_memtotal_mb).to.equal(Math.floor(Number(/MemTotal:\s+(\d+)/.exec(readFileSync('/proc/meminfo', 'utf8'))![1]) / 1024));
    expect((f.ansible_env as Record<string, string>).HOME).to.equal(f.ansible_user_dir);
    expect(f.ansible_user_uid).to.not.equal(userInfo().uid === 0 && sshEnv.user !== 'root' ? 0 : -1);
    expect(f.ansible_date_time).to.have.keys(['year', 'month', 'weekday', 'weekday_number', 'weeknumber', 'day', 'hour', 'minute', 'second', 'epoch', 'epoch_int', 'date', 'time', 'tz', 'tz_dst', 'tz_offset', 'iso8601', 'iso8601_micro', 'iso8601_basic', 'iso8601_basic_short']);
    expect(f.ansible_mounts).to.be.an('array');
    expect((f.ansible_mounts as { mount: string }[]).map((m) => m.mount)).to.include('/');
    expect(f.ansible_default_ipv4).to.be.an('object');
    expect(f.ansible_all_ipv4_addresses).to.be.an('array');
    expect(f).to.have.property('ansible_service_mgr').that.is.a('string');
    expect(f).to.have.property('ansible_virtualization_type');
    expect(f.ansible_selinux).to.have.property('status');
    const resolv = readFileSync('/etc/resolv.conf', 'utf8').split('\n').filter((l) => l.startsWith('nameserver')).map((l) => l.split(/\s+/)[1]);
    if (resolv.length > 0) expect((f.ansible_dns as { nameservers: string[] }).nameservers).to.deep.equal(resolv);
    if (osRelease.VERSION_CODENAME) expect(f.ansible_distribution_release).to.equal(osRelease.VERSION_CODENAME);
    const def = f.ansible_default_ipv4 as { address?: string; interface?: string };
    if (def.address) expect(f.ansible_all_ipv4_addresses).to.include(def.address);
    expect(f.ansible_interfaces).to.include('lo');
    expect(f.ansible_lo).to.deep.include({ device: 'lo', type: 'loopback', active: true });
    expect((f.ansible_lo as { ipv4: { address: string; netmask: string } }).ipv4).to.include({ address: '127.0.0.1', netmask: '255.0.0.0' });
    if (def.interface) expect((f[`ansible_${def.interface}`] as { ipv4: { address: string } }).ipv4.address).to.equal(def.address);
    const py = f.ansible_python as { version: { major: number }; executable: string } | undefined;
    if (py) expect(py.version.major).to.equal(3);
    // where there is a /usr/bin/python3, it is the one (Ansible's interpreter discovery on Debian/Ubuntu), not the first on PATH
    if (existsSync('/usr/bin/python3')) expect(py?.executable).to.equal('/usr/bin/python3');
    const dt = f.ansible_date_time as { epoch: string; iso8601: string };
    expect(new Date(Number(dt.epoch) * 1000).toISOString().replace(/\.\d+Z$/, 'Z')).to.equal(dt.iso8601);
    const facts = f.ansible_facts as Record<string, unknown>;
    expect(facts.distribution).to.equal(f.ansible_distribution);
    expect(facts.hostname).to.equal(f.ansible_hostname);
    // the module's result names them as Ansible's does, with the prefix (target split: `r.ansible_facts.ansible_user_id`)
    expect(r.data.ansible_facts).to.deep.include({ ansible_hostname: f.ansible_hostname, ansible_user_id: f.ansible_user_id });
    expect(f.ansible_user_id).to.be.a('string').that.is.not.empty;
  });

  it('local facts: each *.fact of fact_path (JSON, INI, or an executable\'s output) under ansible_local', async () => {
    const dir = (await conn.run({ argv: ['mktemp', '-d'] })).stdout.trim();
    await conn.put(`${dir}/app.fact`, '{"version": "1.2", "ports": [80, 443]}\n');
    await conn.put(`${dir}/site.fact`, '[general]\nName = web\nsize: 3\n');
    await conn.put(`${dir}/dyn.fact`, '#!/bin/sh\necho \'{"dynamic": true}\'\n', { mode: 0o755 });
    await conn.put(`${dir}/broken.fact`, 'not json nor ini\n');
    await conn.put(`${dir}/ignored.txt`, '{}');
    const r = await runModule('setup', { gather_subset: ['min'], fact_path: dir }, { conn });
    expect(r.facts!.ansible_local).to.deep.equal({
      app: { version: '1.2', ports: [80, 443] },
      site: { general: { name: 'web', size: '3' } },
      dyn: { dynamic: true },
      broken: 'error loading facts as JSON or ini - please check content: broken.fact',
    });
    expect((await runModule('setup', { gather_subset: ['min'], fact_path: `${dir}/none` }, { conn })).facts!.ansible_local).to.deep.equal({});
  });

  it('gather_subset min leaves hardware out; filter keeps only the facts asked for', async () => {
    const min = (await runModule('setup', { gather_subset: ['min'] }, { conn })).facts!;
    expect(min).to.have.property('ansible_distribution');
    expect(min).to.not.have.property('ansible_mounts');
    expect(min).to.not.have.property('ansible_default_ipv4');
    const only = (await runModule('setup', { filter: 'ansible_distribution*' }, { conn })).facts!;
    expect(Object.keys(only.ansible_facts as object).filter((k) => !['gather_subset', 'module_setup'].includes(k)).every((k) => k.startsWith('distribution'))).to.equal(true);
    expect(only).to.have.property('ansible_distribution_version');
    const err = await runModule('setup', { gather_subset: ['bogus'] }, { conn }).then(() => undefined, (e: Error) => e);
    expect(err?.message).to.match(/Bad subset 'bogus'/);
  });
});

describe('fact gathering in plays (real sshd test hosts)', function () {
  this.timeout(60_000);
  const gathers = (r: Awaited<ReturnType<typeof sshPlay>>) => r.tasks().filter((t) => t === 'Gathering Facts').length;

  it('gather_facts: true gathers on every host before the first task', async () => {
    const r = await sshPlay({ 'site.yaml': `- hosts: all\n  gather_facts: true\n  tasks:\n    - name: show\n      debug:\n        msg: "{{ ansible_distribution }} {{ ansible_facts.hostname }}"\n` }, 2);
    expect(r.code, r.text).to.equal(0);
    expect(r.tasks()).to.deep.equal(['Gathering Facts', 'show']);
    expect(r.results('Gathering Facts').map((x) => x.status)).to.deep.equal(['ok', 'ok']);
    const gathered = r.results('Gathering Facts')[0]!.data!.ansible_facts as Record<string, string>;
    expect(gathered.ansible_distribution).to.be.a('string').that.is.not.empty;
    expect(r.results('show')[0]!.data?.msg).to.equal(`${gathered.ansible_distribution} ${hostname().split('.')[0]}`);
  });

  it('without gather_facts, facts are gathered once, just before the first task that reads one, also through a variable', async () => {
    const r = await sshPlay({
      'site.yaml': `- hosts: all
  vars:
    where: "{{ ansible_hostname }}"
  tasks:
    - name: no facts here
      debug:
        msg: plain
    - name: reads one through a variable
      debug:
        msg: "{{ where }}"
    - name: reads another
      debug:
        msg: "{{ ansible_os_family }}"
`,
    });
    expect(r.code, r.text).to.equal(0);
    expect(r.tasks()).to.deep.equal(['no facts here', 'Gathering Facts', 'reads one through a variable', 'reads another']);
    expect(r.results('reads one through a variable')[0]!.data?.msg).to.equal(hostname().split('.')[0]);
  });

  it('gather_facts: false never gathers: a fact is an undefined variable, ansible_facts is empty', async () => {
    const r = await sshPlay({ 'site.yaml': `- hosts: all\n  gather_facts: false\n  tasks:\n    - name: empty\n      debug:\n        var: ansible_facts\n    - name: reads\n      debug:\n        msg: "{{ ansible_hostname }}"\n` });
    expect(gathers(r)).to.equal(0);
    expect(r.results('empty')[0]!.data?.ansible_facts).to.deep.equal({});
    expect(r.code).to.not.equal(0);
    expect(r.results('reads')[0]!.msg).to.match(/ansible_hostname/);
  });

  it('ansible.builtin.gather_facts as a task is setup under its other name', async () => {
    const r = await sshPlay({ 'site.yaml': `- hosts: all\n  gather_facts: false\n  tasks:\n    - name: explicit\n      ansible.builtin.gather_facts:\n        gather_subset: [min]\n    - name: use\n      debug:\n        msg: "{{ ansible_system }}"\n` });
    expect(r.code, r.text).to.equal(0);
    expect(r.results('use')[0]!.data?.msg).to.equal('Linux');
  });

  it('strategy free and serial: each host gathers once, before its first task that reads a fact', async () => {
    for (const extra of ['  strategy: free\n', '  serial: 1\n']) {
      const r = await sshPlay({ 'site.yaml': `- hosts: all\n${extra}  tasks:\n    - name: a\n      debug:\n        msg: "{{ ansible_hostname }}"\n    - name: b\n      debug:\n        msg: "{{ ansible_kernel }}"\n` }, 2);
      expect(r.code, r.text).to.equal(0);
      const gathered = r.events.flatMap((e) => (e.type === 'host.result' && r.events.some((s) => s.type === 'task.start' && s.id === e.taskId && s.name === 'Gathering Facts') ? [e.result.host] : []));
      expect(gathered.sort(), extra).to.deep.equal(['h1', 'h2']);
      expect(r.results('b').map((x) => x.status)).to.deep.equal(['ok', 'ok']);
    }
  });

  it('a play that reads no fact never gathers', async () => {
    const r = await sshPlay({ 'site.yaml': `- hosts: all\n  tasks:\n    - name: plain\n      debug:\n        msg: "{{ inventory_hostname }} {{ ansible_host }}"\n` });
    expect(r.code, r.text).to.equal(0);
    expect(gathers(r)).to.equal(0);
  });

  it('a when condition on a fact triggers the gathering too, and include_tasks by fact', async () => {
    const r = await sshPlay({
      'site.yaml': `- hosts: all
  tasks:
    - include_tasks: "{{ ansible_system }}.yaml"
`,
      'Linux.yaml': `- name: on linux\n  debug:\n    msg: "{{ ansible_kernel }}"\n  when: ansible_facts.system == 'Linux'\n`,
    });
    expect(r.code, r.text).to.equal(0);
    expect(gathers(r)).to.equal(1);
    expect(r.results('on linux')[0]!.status).to.equal('ok');
  });
});

describe('fact gathering for a template file that reads a fact (real sshd test host)', function () {
  this.timeout(60_000);
  it('the template task gathers first, its file rendered with the fact', async () => {
    const r = await sshPlay({
      'site.yaml': `- hosts: all
  tasks:
    - name: motd
      template:
        src: motd.hbs
        dest: "{{ out }}"
`,
      'templates/motd.hbs': 'Welcome to {{ ansible_hostname }}\n',
      'host_vars/h1.yaml': `out: /tmp/gx-motd-${process.pid}-${Date.now()}\n`,
    });
    expect(r.code, r.text).to.equal(0);
    expect(r.tasks()).to.deep.equal(['Gathering Facts', 'motd']);
    expect(r.results('motd')[0]!.status).to.equal('changed');
  });
});
