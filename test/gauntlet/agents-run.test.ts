// More than one VM: site.yaml's vm, base and k3s plays (`--tags base,k3s`; the preflight and the vm
// play always run) against three real SSH test hosts standing in for a K3s server and two agents,
// then a fourth for the agent added later, with COMMAND DOUBLES for multipass (each launched VM
// gets its own test host's address), the k3s binary and install script (an agent joins through one
// cluster directory shared by the "VMs", the way it registers with the server at K3S_URL with the
// token), kubectl drain / delete node, apt-get/dpkg, systemctl, modprobe and sysctl.
// Each test host has a private /tmp: every "VM" keeps its files at the same paths under /tmp, as
// separate machines would; the test reads them over SSH.
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { SshConnection } from '../../engine/connect/ssh/connection.js';
import { resolveSshParams } from '../../engine/connect/ssh/params.js';
import { parseEnvFile, parseExecStart } from '../../modules/lib/k3s/unit.js';
import { hostScript, hostVars, sshEnv } from '../ssh/hosts.js';
import { makeBundle } from './fake-bundle.js';
import { failures, gx, recap, results, type Run } from './gx-run.js';
import { REPO } from './helpers.js';

const AGENT = { cpus: 2, memory: '4G', disk: '20G' };
const EXTRA_HOST = '127.0.0.5';

/** What every task that changed something did, as "task on host". */
const changed = (r: Run) => results(r, 'changed').map((x) => x.split(': ')[0]!);

describe('site.yaml with vm_agents: a K3s server and agents on SSH test hosts (doubles for multipass, k3s, kubectl)', function () {
  this.timeout(600_000);
  let root: string;
  let vmRoot: string;
  let env: Record<string, string>;
  let vars: Record<string, unknown>;
  const ssh = new Map<string, SshConnection>();
  let addrs: Record<string, string>;

  /** one VM's shell, as root */
  const on = async (vm: string, shell: string) => {
    const r = await ssh.get(vm)!.run({ shell, become: { user: 'root' } });
    if (r.rc !== 0) throw new Error(`${vm}: ${shell}: ${r.stderr}`);
    return r.stdout;
  };
  const cat = (vm: string, path: string) => on(vm, `cat ${path}`);
  const play = (agents: string[], extra: string[] = [], playbook = 'site.yaml') => {
    writeFileSync(join(root, 'vars.yaml'), stringify({ ...vars, vm_agents: agents.map((name) => ({ name, ...AGENT })) }));
    return gx(['play', playbook, '-e', `@${join(root, 'vars.yaml')}`, '--output', 'json', ...(playbook === 'site.yaml' && !extra.includes('--tags') ? ['--tags', 'base,k3s'] : []), ...extra], env);
  };

  before(async () => {
    hostScript('start-host', EXTRA_HOST);
    const [server, a1, a2] = sshEnv.hosts;
    addrs = { gauntlet: server!, 'gauntlet-a1': a1!, 'gauntlet-a2': a2!, 'gauntlet-a3': EXTRA_HOST };
    root = mkdtempSync('/var/tmp/gx-agents-');
    execFileSync('chmod', ['755', root]);
    const knownHosts = join(root, 'test-known_hosts');
    // the same path on every VM, private to each (the test hosts' /tmp)
    vmRoot = `/tmp/${root.split('/').pop()}`;
    const state = `${vmRoot}/state`;
    // inside the doubles state: the k3s install double writes nowhere else
    const host = `${state}/host`;
    const setup = [
      'set -e', `mkdir -p ${state}/dpkg ${state}/apt ${state}/systemd/docker-registry.service ${state}/modules/available ${state}/sysctl`,
      `for d in etc/systemd/system etc/modules-load.d etc/sysctl.d etc/docker/registry usr/local/bin var/lib; do mkdir -p ${host}/$d; done`,
      `: > ${state}/calls.log`, `echo inactive > ${state}/systemd/docker-registry.service/active`, `echo disabled > ${state}/systemd/docker-registry.service/enabled`,
      `for m in br_netfilter overlay; do : > ${state}/modules/available/$m; done`,
      `for k in net.bridge.bridge-nf-call-iptables net.bridge.bridge-nf-call-ip6tables net.ipv4.ip_forward; do echo 0 > ${state}/sysctl/$k; done`,
      `getent passwd root docker-registry > ${state}/passwd || true`, `getent group root docker-registry > ${state}/group || true`,
      `printf '127.0.0.1 localhost\\n' > ${host}/etc/hosts`, `printf 'LABEL=cloudimg-rootfs / ext4 defaults 0 1\\n/swap.img none swap sw 0 0\\n' > ${host}/etc/fstab`,
      `chmod -R a+rwX ${vmRoot}`,
    ].join('\n');
    for (const [vm, addr] of Object.entries(addrs)) {
      const conn = new SshConnection(resolveSshParams(vm, hostVars(addr, { gx_known_hosts: knownHosts, gx_host_key_policy: 'accept-new' })));
      await conn.connect();
      ssh.set(vm, conn);
      await on(vm, setup);
    }
    const bundle = join(root, 'bundle');
    await makeBundle(bundle, 'amd64');
    mkdirSync(join(root, 'controller-state'));
    writeFileSync(join(root, 'controller-state', 'calls.log'), '');
    mkdirSync(join(root, 'cluster'));
    execFileSync('chmod', ['-R', 'a+rwX', root]);
    const path = [join(REPO, 'test/gauntlet/doubles/bin'), join(REPO, 'test/doubles/bin'), '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'].join(':');
    vars = {
      bundle_dir: bundle,
      bundle_checksums: false,
      gauntlet_state_dir: join(root, 'controller'),
      kubeconfig_local: join(root, 'controller', 'kubeconfig'),
      ssh_public_key_file: `${sshEnv.key}.pub`,
      ssh_private_key_file: sshEnv.key,
      vm_user: sshEnv.user,
      vm_ssh_port: sshEnv.port,
      // every VM: the doubles first on PATH, their state in the VM's own /tmp, one cluster for all
      vm_environment: { PATH: path, GX_DOUBLE_STATE: state, GX_DOUBLE_LOG: `${state}/calls.log`, GX_K3S_CLUSTER: join(root, 'cluster') },
      vm_bundle_dir: `${host}/opt/gauntlet`,
      vm_etc_hosts: `${host}/etc/hosts`,
      vm_fstab: `${host}/etc/fstab`,
      vm_sysctl_file: `${host}/etc/sysctl.d/90-gauntlet.conf`,
      vm_modules_load_file: `${host}/etc/modules-load.d/gauntlet.conf`,
      vm_bin_dir: `${host}/usr/local/bin`,
      k3s_bin_dir: `${host}/usr/local/bin`,
      k3s_config_dir: `${host}/etc/rancher/k3s`,
      k3s_data_dir: `${host}/var/lib/rancher/k3s`,
      k3s_systemd_dir: `${host}/etc/systemd/system`,
    };
    env = {
      PATH: `${join(REPO, 'test/gauntlet/doubles/bin')}:${process.env.PATH}`,
      GX_DOUBLE_STATE: join(root, 'controller-state'),
      GX_DOUBLE_LOG: join(root, 'controller-state', 'calls.log'),
      GX_GAUNTLET_VM_IPS: Object.entries(addrs).map(([k, v]) => `${k}=${v}`).join(','),
      GX_CONTROLLER_ARCH: 'amd64',
    };
  });

  after(async () => {
    for (const [vm, conn] of ssh) {
      await conn.run({ shell: `rm -rf ${vmRoot}`, become: { user: 'root' } }).catch(() => undefined);
      conn.close();
      void vm;
    }
    try {
      hostScript('kill-host', EXTRA_HOST);
    } catch {
      // already gone
    }
    if (root) rmSync(root, { recursive: true, force: true });
  });

  let token = '';

  it('server + 2 agents: each agent launched from the bundle image, prepared, joined with the server URL and token; every node Ready', async () => {
    // -vvv: every result in full, so a token that was not masked would show
    const r = await play(['gauntlet-a1', 'gauntlet-a2'], ['-vvv']);
    expect(r.code, failures(r)).to.equal(0);
    const hosts = recap(r);
    for (const h of ['gauntlet', 'gauntlet-a1', 'gauntlet-a2']) expect(hosts[h]!.failed + hosts[h]!.unreachable, `${h}\n${failures(r)}`).to.equal(0);
    const instances = JSON.parse(readFileSync(join(root, 'controller-state', 'multipass.json'), 'utf8')).instances;
    expect(Object.keys(instances).sort()).to.deep.equal(['gauntlet', 'gauntlet-a1', 'gauntlet-a2']);
    for (const a of ['gauntlet-a1', 'gauntlet-a2']) {
      expect(instances[a].image).to.equal(instances.gauntlet.image);
      expect([instances[a].cpus, instances[a].memory]).to.deep.equal([2, 4 * 1024 ** 3]);
    }
    token = (await cat('gauntlet', `${vmRoot}/state/host/var/lib/rancher/k3s/server/node-token`)).trim();
    const password = token.split('::server:')[1]!;
    expect(password).to.have.length.greaterThan(8);
    const serverRegistries = await cat('gauntlet', `${vmRoot}/state/host/etc/rancher/k3s/registries.yaml`);
    for (const [i, a] of ['gauntlet-a1', 'gauntlet-a2'].entries()) {
      const unit = parseExecStart(await cat(a, `${vmRoot}/state/host/etc/systemd/system/k3s-agent.service`))!;
      expect(unit.args).to.include.members(['agent', `--node-ip=${addrs[a]}`, `--node-name=${a}`, '--disable-default-registry-endpoint']);
      const envFile = `${vmRoot}/state/host/etc/systemd/system/k3s-agent.service.env`;
      expect(parseEnvFile(await cat(a, envFile))).to.deep.equal({ K3S_TOKEN: token, K3S_URL: `https://${addrs.gauntlet}:6443` });
      expect((await on(a, `stat -c %a ${envFile}`)).trim()).to.equal('600');
      // the same mirrors as the server, the airgap images, the registry's name pointing at the server
      expect(await cat(a, `${vmRoot}/state/host/etc/rancher/k3s/registries.yaml`)).to.equal(serverRegistries);
      expect(await on(a, `ls ${vmRoot}/state/host/var/lib/rancher/k3s/agent/images`)).to.contain('k3s-airgap-images-amd64');
      expect(await cat(a, `${vmRoot}/state/host/etc/hosts`)).to.contain(`${addrs.gauntlet} registry.local keycloak.local`);
      expect((await cat(a, `${vmRoot}/state/sysctl/net.ipv4.ip_forward`)).trim()).to.equal('1');
      expect(await cat(a, `${vmRoot}/state/host/etc/modules-load.d/gauntlet.conf`)).to.equal('br_netfilter\noverlay\n');
      // joined: the cluster lists it on the server's version; no registry package on an agent
      expect(readFileSync(join(root, 'cluster', 'agents', a), 'utf8').trim()).to.equal('v1.31.7+k3s1');
      expect(await on(a, `ls ${vmRoot}/state/dpkg`)).to.equal('');
      void i;
    }
    // the token: in no output, no log, no process argument the doubles recorded
    const logs = [r.stdout, r.stderr, readFileSync(join(root, 'controller-state', 'calls.log'), 'utf8')];
    for (const vm of ['gauntlet', 'gauntlet-a1', 'gauntlet-a2']) logs.push(await cat(vm, `${vmRoot}/state/calls.log`));
    for (const text of logs) expect(text).to.not.contain(password);
    // the token was in the output, masked: the registered result of the task that read it
    const read = r.events.find((e) => e.type === 'task.start' && e.name === 'the join token, read on the server')!;
    const tokens = r.events.filter((e) => e.type === 'host.result' && e.taskId === read.id).map((e) => e.result.data?.token);
    expect(tokens).to.deep.equal(['********', '********']);
    // every node waited on from the server
    const waits = r.events.filter((e) => e.type === 'host.result' && e.result.host.startsWith('gauntlet-a') && e.taskId === r.events.find((t) => t.type === 'task.start' && t.name === "the node is Ready on the server, on the server's K3s version")?.id);
    expect(waits.map((e) => e.result.status).sort()).to.deep.equal(['ok', 'ok']);
  });

  it('a second run changes nothing, and --check on the running cluster predicts nothing', async () => {
    const r = await play(['gauntlet-a1', 'gauntlet-a2']);
    expect(r.code, failures(r)).to.equal(0);
    expect(changed(r)).to.deep.equal([]);
    const check = await play(['gauntlet-a1', 'gauntlet-a2'], ['--check']);
    expect(check.code, failures(check)).to.equal(0);
    expect(changed(check)).to.deep.equal([]);
    expect(recap(check)['gauntlet-a1']!.ok).to.be.greaterThan(5);
  });

  it('a third agent: only what it needs changes (its VM, its host); the others are untouched', async () => {
    const r = await play(['gauntlet-a1', 'gauntlet-a2', 'gauntlet-a3']);
    expect(r.code, failures(r)).to.equal(0);
    const hosts = recap(r);
    for (const h of ['gauntlet', 'gauntlet-a1', 'gauntlet-a2']) expect(hosts[h]!.changed, `${h}: ${changed(r).join('\n')}`).to.equal(0);
    expect(hosts['gauntlet-a3']!.changed).to.be.greaterThan(5);
    expect(changed(r).filter((x) => !x.endsWith(' on gauntlet-a3'))).to.deep.equal(['the agent VMs on localhost']);
    expect(readFileSync(join(root, 'cluster', 'agents', 'gauntlet-a3'), 'utf8').trim()).to.equal('v1.31.7+k3s1');
  });

  it('--tags k3s --limit localhost,gauntlet-a1: only that agent is touched (its mirrors restored), the token still read on the server', async () => {
    await on('gauntlet-a1', `rm ${vmRoot}/state/host/etc/rancher/k3s/registries.yaml`);
    await on('gauntlet-a2', `rm ${vmRoot}/state/host/etc/rancher/k3s/registries.yaml`);
    const r = await play(['gauntlet-a1', 'gauntlet-a2', 'gauntlet-a3'], ['--tags', 'k3s', '--limit', 'localhost,gauntlet-a1']);
    expect(r.code, failures(r)).to.equal(0);
    // the hosts anything ran for (the VMs the vm play adds are in the recap, with nothing done)
    const active = Object.entries(recap(r)).filter(([, c]) => c.ok + c.changed + c.failed + c.skipped + c.unreachable > 0).map(([h]) => h);
    expect(active.sort()).to.deep.equal(['gauntlet-a1', 'localhost']);
    expect(changed(r)).to.deep.equal(['K3s agent installed and joined on gauntlet-a1', 'K3s agent configuration changed on gauntlet-a1', 'restart k3s-agent on gauntlet-a1']);
    expect(await cat('gauntlet-a1', `${vmRoot}/state/host/etc/rancher/k3s/registries.yaml`)).to.contain('docker.io');
    // the agent outside the limit was not touched
    expect((await on('gauntlet-a2', `ls ${vmRoot}/state/host/etc/rancher/k3s`)).split('\n')).to.not.include('registries.yaml');
    // --tags k3s on every host: the k3s plays only, and now the other agent is restored too
    const all = await play(['gauntlet-a1', 'gauntlet-a2', 'gauntlet-a3'], ['--tags', 'k3s']);
    expect(all.code, failures(all)).to.equal(0);
    const started = all.events.filter((e) => e.type === 'task.start').map((e) => e.name as string);
    expect(started).to.include.members(['K3s installed and running', 'K3s agent installed and joined']);
    expect(started).to.not.include.members(['swap off now', 'the bundle\'s packages on the VM']);
    expect([...new Set(changed(all).map((x) => x.split(' on ')[1]))]).to.deep.equal(['gauntlet-a2']);
  });

  it('removing an agent: teardown -e agent=gauntlet-a2 drains it, deletes the node and the VM; the rest stays', async () => {
    // still listed: refused, nothing removed
    writeFileSync(join(root, 'vars.yaml'), stringify({ ...vars, vm_agents: ['gauntlet-a1', 'gauntlet-a2', 'gauntlet-a3'].map((name) => ({ name, ...AGENT })) }));
    const refused = await gx(['play', 'playbooks/teardown.yaml', '-e', `@${join(root, 'vars.yaml')}`, '-e', 'agent=gauntlet-a2', '--output', 'json'], env);
    expect(refused.code).to.equal(2);
    expect(failures(refused)).to.contain('gauntlet-a2 is still in vm_agents');

    await cat('gauntlet', '/dev/null');
    await on('gauntlet', `: > ${vmRoot}/state/calls.log`);
    const r = await play(['gauntlet-a1', 'gauntlet-a3'], ['-e', 'agent=gauntlet-a2'], 'playbooks/teardown.yaml');
    expect(r.code, failures(r)).to.equal(0);
    const kubectl = (await cat('gauntlet', `${vmRoot}/state/calls.log`)).split('\n').filter(Boolean).map((l) => JSON.parse(l) as string[]).filter((c) => c[1] === 'kubectl' && c[3] !== 'get').map((c) => c.slice(3, 5));
    expect(kubectl).to.deep.equal([['drain', 'gauntlet-a2'], ['delete', 'node']]);
    expect(execFileSync('ls', [join(root, 'cluster', 'agents')], { encoding: 'utf8' }).split('\n').filter(Boolean).sort()).to.deep.equal(['gauntlet-a1', 'gauntlet-a3']);
    const instances = JSON.parse(readFileSync(join(root, 'controller-state', 'multipass.json'), 'utf8')).instances;
    expect(Object.keys(instances).sort()).to.deep.equal(['gauntlet', 'gauntlet-a1', 'gauntlet-a3']);
    // the server's files on the controller stay
    expect(readFileSync(join(root, 'controller', 'kubeconfig'), 'utf8')).to.contain('server: https://');
    // again: nothing to do; and the site run with the shorter list changes nothing
    const again = await play(['gauntlet-a1', 'gauntlet-a3'], ['-e', 'agent=gauntlet-a2'], 'playbooks/teardown.yaml');
    expect(again.code, failures(again)).to.equal(0);
    expect(changed(again)).to.deep.equal([]);
    const site = await play(['gauntlet-a1', 'gauntlet-a3']);
    expect(site.code, failures(site)).to.equal(0);
    expect(changed(site)).to.deep.equal([]);
  });
});

// What a user with agents in a fresh inventory sees first: `--check` with the shipped inventory.yaml,
// no VM at all (multipass double, nothing launched), two agents in vm_agents. Every agent's tasks are
// planned like the server's: "would run" because the VM does not exist yet, and the tasks that read
// on the server (delegated to it) because the server does not either.
describe('site.yaml --check with two agents in a fresh inventory (multipass double, no VM)', function () {
  this.timeout(600_000);
  let root: string;
  let env: Record<string, string>;
  before(async () => {
    root = mkdtempSync('/var/tmp/gx-agents-fresh-');
    await makeBundle(join(root, 'bundle'), 'amd64');
    mkdirSync(join(root, 'home'));
    mkdirSync(join(root, 'state'));
    writeFileSync(join(root, 'state', 'calls.log'), '');
    env = {
      PATH: `${join(REPO, 'test/doubles/multipass/bin')}:${process.env.PATH}`,
      HOME: join(root, 'home'),
      GX_DOUBLE_STATE: join(root, 'state'),
      GX_DOUBLE_LOG: join(root, 'state', 'calls.log'),
      GX_CONTROLLER_ARCH: 'amd64',
    };
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  const check = (agents: unknown[]) => {
    writeFileSync(join(root, 'agents.yaml'), stringify({ vm_agents: agents }));
    return gx(['play', 'site.yaml', '--check', '-e', `bundle_dir=${join(root, 'bundle')}`, '-e', `@${join(root, 'agents.yaml')}`, '--output', 'json'], env);
  };

  it('every agent: launched, prepared, joined and waited on, all planned as would-run; nothing launched', async () => {
    // gauntlet-a2 leaves its size to the defaults (vm_agent_cpus, vm_agent_memory, vm_agent_disk)
    const r = await check([{ name: 'gauntlet-a1', ...AGENT, cpus: 3 }, { name: 'gauntlet-a2' }]);
    expect(r.code, failures(r)).to.equal(0);
    const hosts = recap(r);
    for (const h of ['localhost', 'gauntlet', 'gauntlet-a1', 'gauntlet-a2']) expect(hosts[h]!.failed + hosts[h]!.unreachable, `${h}\n${failures(r)}`).to.equal(0);
    const skipped = results(r, 'skipped');
    for (const a of ['gauntlet-a1', 'gauntlet-a2']) {
      for (const t of ['swap off now', 'br_netfilter and overlay load at boot', "the stack's names resolve to the server VM", 'K3s agent installed and joined']) {
        expect(skipped, `${t} on ${a}`).to.include(`${t} on ${a}: would run: ${a} does not exist yet (check mode)`);
      }
      for (const t of ['the join token, read on the server', "the node is Ready on the server, on the server's K3s version"]) {
        expect(skipped, `${t} on ${a}`).to.include(`${t} on ${a}: would run: gauntlet does not exist yet (check mode)`);
      }
    }
    // the server's plan is the same as without agents
    expect(skipped).to.include('K3s installed and running on gauntlet: would run: gauntlet does not exist yet (check mode)');
    const launch = r.events.find((e) => e.type === 'task.start' && e.name === 'the agent VMs')!;
    const items = r.events.filter((e) => e.type === 'item.result' && e.taskId === launch.id).map((e) => e.result);
    expect(items.map((i) => [i.status, i.msg.split(':')[0]])).to.deep.equal([['changed', 'launch gauntlet-a1'], ['changed', 'launch gauntlet-a2']]);
    expect(items[0].msg).to.contain(`file://${join(root, 'bundle', 'vm', 'ubuntu-24.04-server-cloudimg-amd64.img')}`);
    expect(items[0].msg).to.match(/--cpus 3 --memory 4G --disk 20G/);
    expect(items[1].msg).to.match(/--cpus 2 --memory 4G --disk 20G/);
    expect(readFileSync(join(root, 'state', 'calls.log'), 'utf8')).to.not.contain('"launch"');
  });

  it('the preflight refuses an agent without a name, naming the entry, before any VM is touched; a size left out is the default', async () => {
    const r = await check([{ cpus: 2 }]);
    expect(r.code).to.equal(2);
    expect(failures(r)).to.contain("vm_agents: {'cpus': 2} needs a name other than the server's (gauntlet)");
    expect(results(r, 'skipped').concat(results(r, 'ok')).some((x) => / on gauntlet/.test(x)), 'no later play').to.equal(false);
    const twice = await check([{ name: 'gauntlet-a1', ...AGENT }, { name: 'gauntlet-a1', ...AGENT }]);
    expect(twice.code).to.equal(2);
    expect(failures(twice)).to.contain('vm_agents names a VM twice');
  });
});
