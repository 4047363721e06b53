// k3s against command doubles (test/doubles/k3s): K3s cannot run here (no systemd as PID 1, no
// containers), so the install script, the k3s binary and systemctl are doubles that replay their
// documented behaviour, write what the real ones write under a temp "host root", and record every
// call. The module runs over the local connection with its paths (bin_dir, config_dir, data_dir,
// systemd_dir) pointed into that root.
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { readFile, readdir, readlink, stat, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Connection, RunOptions } from '../../engine/connect/connection.js';
import { SshConnection } from '../../engine/connect/ssh/connection.js';
import { ModuleArgsError } from '../../engine/errors.js';
import { executeModule } from '../../engine/run/execute-module.js';
import { taskConnection } from '../../engine/connect/task-connection.js';
import { isUnknown } from '../../engine/vars/unknown.js';
import k3s from '../../modules/k3s.js';
import { parseExecStart } from '../../modules/lib/k3s/unit.js';
import { makeK3sDoubles, type K3sDoubles } from '../doubles/k3s/doubles.js';
import { hostVars, sshEnv, firstHostPerSuite } from '../ssh/hosts.js';
import { makeContext, rhythm, runModule, tempDir } from './harness.js';

const V1 = 'v1.30.4+k3s1';
const V2 = 'v1.31.1+k3s1';
const READS = new Set(['--version', 'kubectl', 'is-active', 'show', 'is-enabled']);
const mutating = (calls: string[][]) => calls.filter((c) => !READS.has(c[1]!));

describe('k3s (command double)', () => {
  let d: K3sDoubles;
  let binary: string;
  let ctl: string;
  const node = hostname().toLowerCase();

  /** every file under the host root and the doubles' systemd state, with its mode and content hash */
  async function tree(dir: string, out: Record<string, string> = {}): Promise<Record<string, string>> {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return out;
    }
    for (const e of entries) {
      const p = join(dir, e.name);
      if (e.isDirectory()) await tree(p, out);
      else if (e.isSymbolicLink()) out[p] = `-> ${await readlink(p)}`;
      else out[p] = `${((await stat(p)).mode & 0o7777).toString(8)} ${createHash('sha256').update(await readFile(p)).digest('hex')}`;
    }
    return out;
  }
  const snapshot = async () => ({ host: await tree(join(d.state, 'host')), systemd: await tree(join(d.state, 'systemd')), ctl: await tree(ctl) });

  const base = () => ({ version: V1, binary_src: binary, install_script_src: d.script, ...d.dirs });

  beforeEach(async () => {
    d = await makeK3sDoubles();
    binary = await d.binary(V1);
    ctl = await tempDir('gx-k3s-controller-');
  });

  it('a server installs offline: exact commands and install env; check → install → no change → check', async () => {
    const images = await d.images('airgap images v1');
    const args = { ...base(), airgap_images_src: images, disable: ['traefik'], tls_san: ['10.0.0.5', 'vm.local'], node_ip: '10.0.0.5', kubeconfig_dest: join(ctl, 'kube', 'config'), kubeconfig_server: 'https://10.0.0.5:6443' };
    const r = await rhythm(k3s, args, { conn: d.conn, snapshot });
    const { bin_dir, config_dir, data_dir, systemd_dir } = d.dirs;
    const k3sBin = join(bin_dir, 'k3s');
    const getNodes = [k3sBin, 'kubectl', `--kubeconfig=${config_dir}/k3s.yaml`, 'get', 'nodes', '-o', 'json'];
    const exec = ['server', '--disable=traefik', '--tls-san=10.0.0.5', '--tls-san=vm.local', '--node-ip=10.0.0.5', '--write-kubeconfig-mode=0644', `--data-dir=${data_dir}`, `--private-registry=${config_dir}/registries.yaml`, `--write-kubeconfig=${config_dir}/k3s.yaml`];
    const calls = (await d.calls()).map((c) => [c[0] === k3sBin ? 'k3s' : c[0], ...c.slice(1)]);
    const version = ['k3s', '--version'];
    const nodes = ['k3s', ...getNodes.slice(1)];
    expect(calls).to.deep.equal([
      // check: nothing installed, nothing to read
      // apply: the uploaded binary's version, the install script, which enables, reloads and starts k3s; the Ready wait
      version,
      ['k3s-install.sh', ...exec], ['systemctl', 'enable', 'k3s'], ['systemctl', 'daemon-reload'], ['systemctl', 'restart', 'k3s'],
      nodes,
      // again: reads only; check again: reads only
      version, nodes,
      version, nodes,
    ]);
    expect(await d.installEnvs()).to.deep.equal([{
      INSTALL_K3S_BIN_DIR: bin_dir,
      // the role and flags are the script's arguments; set empty, nothing inherited is put in front
      INSTALL_K3S_EXEC: '',
      INSTALL_K3S_SKIP_DOWNLOAD: 'true',
      INSTALL_K3S_SYSTEMD_DIR: systemd_dir,
      INSTALL_K3S_VERSION: V1,
    }]);
    // what landed on the host
    expect(await readFile(k3sBin, 'utf8')).to.equal(await readFile(binary, 'utf8'));
    expect((await stat(k3sBin)).mode & 0o777).to.equal(0o755);
    expect(await readFile(join(data_dir, 'agent/images/k3s-airgap-images-amd64.tar'), 'utf8')).to.equal('airgap images v1');
    expect(await readFile(join(systemd_dir, 'k3s.service'), 'utf8')).to.contain(`ExecStart=${k3sBin} \\\n    server \\\n\t'--disable=traefik' \\\n\t'--tls-san=10.0.0.5' \\\n`);
    // what the module reported
    expect(r.check.data).to.deep.include({ version: V1, node_name: node, config_changed: false, kubeconfig_path: args.kubeconfig_dest });
    expect(isUnknown(r.check.data.ready)).to.equal(true);
    expect(isUnknown(r.check.data.token)).to.equal(true);
    expect(r.check.data.actions).to.deep.equal([
      `upload k3s binary to ${k3sBin}`,
      `upload airgap images to ${data_dir}/agent/images/k3s-airgap-images-amd64.tar`,
      `upload install script to ${bin_dir}/k3s-install.sh`,
      `install and start k3s ${V1} (server): ${bin_dir}/k3s-install.sh ${exec.join(' ')}`,
      `write the kubeconfig to ${args.kubeconfig_dest} on the controller (when it differs)`,
    ]);
    const token = (await readFile(join(data_dir, 'server/node-token'), 'utf8')).trim();
    expect(token).to.match(/^K10[0-9a-f]{64}::server:[0-9a-f]{32}$/);
    expect(r.apply.data).to.deep.include({ version: V1, node_name: node, ready: true, token, config_changed: false });
    expect(r.again.data).to.deep.include({ ready: true, token, config_changed: false, actions: [] });
    expect(r.checkAgain.data).to.deep.include({ ready: true, token });
  });

  it('the kubeconfig copied to the controller has the server address rewritten (default: ansible_host) and mode 0600', async () => {
    const dest = join(ctl, 'gauntlet.yaml');
    const res = await runModule(k3s, { ...base(), kubeconfig_dest: dest }, { conn: d.conn, vars: { ansible_host: '192.168.64.7' } });
    expect(res.failed, res.msg).to.equal(false);
    const onHost = await readFile(join(d.dirs.config_dir, 'k3s.yaml'), 'utf8');
    const copy = await readFile(dest, 'utf8');
    expect(onHost).to.contain('    server: https://127.0.0.1:6443\n');
    expect(copy).to.equal(onHost.replace('https://127.0.0.1:6443', 'https://192.168.64.7:6443'));
    expect((await stat(dest)).mode & 0o777).to.equal(0o600);
    // write_kubeconfig_mode reached k3s
    expect((await stat(join(d.dirs.config_dir, 'k3s.yaml'))).mode & 0o777).to.equal(0o644);
    // a stale copy on the controller is the only change: no install, rewritten again
    await writeFile(dest, 'stale\n');
    await d.clearCalls();
    const check = await runModule(k3s, { ...base(), kubeconfig_dest: dest }, { conn: d.conn, check: true, vars: { ansible_host: '192.168.64.7' } });
    expect(check.changed).to.equal(true);
    expect(check.msg).to.equal(`write the kubeconfig to ${dest} on the controller`);
    expect(await readFile(dest, 'utf8')).to.equal('stale\n');
    const fix = await runModule(k3s, { ...base(), kubeconfig_dest: dest }, { conn: d.conn, vars: { ansible_host: '192.168.64.7' } });
    expect(fix.changed).to.equal(true);
    expect(await readFile(dest, 'utf8')).to.equal(copy);
    expect(mutating(await d.calls())).to.deep.equal([]);
    expect(await d.installEnvs()).to.have.length(1);
  });

  it('a flag change rewrites the unit without a restart and says config_changed; --diff shows ExecStart before and after', async () => {
    await runModule(k3s, base(), { conn: d.conn });
    await d.clearCalls();
    const snap = await snapshot();
    const changedArgs = { ...base(), disable: ['traefik', 'servicelb'] };
    const check = await runModule(k3s, changedArgs, { conn: d.conn, check: true, diff: true });
    expect(check.changed).to.equal(true);
    expect(check.data.config_changed).to.equal(true);
    expect(await snapshot()).to.deep.equal(snap);
    expect(mutating(await d.calls())).to.deep.equal([]);
    const bin = join(d.dirs.bin_dir, 'k3s');
    const tail = [`\t'--write-kubeconfig-mode=0644' \\`, `\t'--data-dir=${d.dirs.data_dir}' \\`, `\t'--private-registry=${d.dirs.config_dir}/registries.yaml' \\`, `\t'--write-kubeconfig=${d.dirs.config_dir}/k3s.yaml' \\`];
    expect(check.diff).to.deep.equal([{
      label: `${d.dirs.systemd_dir}/k3s.service ExecStart`,
      before: [`ExecStart=${bin} \\`, '    server \\', ...tail].join('\n') + '\n',
      after: [`ExecStart=${bin} \\`, '    server \\', `\t'--disable=traefik' \\`, `\t'--disable=servicelb' \\`, ...tail].join('\n') + '\n',
    }]);
    await d.clearCalls();
    const apply = await runModule(k3s, changedArgs, { conn: d.conn });
    expect(apply.changed).to.equal(true);
    expect(apply.data).to.deep.include({ config_changed: true, ready: true });
    expect(apply.msg).to.match(/rewrite the unit of k3s .*; k3s needs a restart \(config_changed\)$/);
    expect(mutating(await d.calls())).to.deep.equal([['k3s-install.sh', ...execOf(changedArgs)], ['systemctl', 'enable', 'k3s'], ['systemctl', 'daemon-reload']]);
    expect((await d.installEnvs())[1]).to.include({ INSTALL_K3S_SKIP_START: 'true', INSTALL_K3S_EXEC: '' });
    const again = await runModule(k3s, changedArgs, { conn: d.conn });
    expect(again.changed).to.equal(false);
    expect(again.data.config_changed).to.equal(false);
  });

  function execOf(a: Record<string, unknown>): string[] {
    const { data_dir, config_dir } = d.dirs;
    return ['server', ...((a.disable as string[]) ?? []).map((x) => `--disable=${x}`), '--write-kubeconfig-mode=0644', `--data-dir=${data_dir}`, `--private-registry=${config_dir}/registries.yaml`, `--write-kubeconfig=${config_dir}/k3s.yaml`];
  }

  it('registries.yaml: written by content (mode 0600), a change is config_changed without running the install script; --diff shows it', async () => {
    const mirrors = (host: string) => ({ mirrors: { 'registry.local:5000': { endpoint: [`http://${host}:5000`] } } });
    const path = join(d.dirs.config_dir, 'registries.yaml');
    const first = await runModule(k3s, { ...base(), registries: mirrors('registry.local') }, { conn: d.conn, diff: true });
    expect(first.failed, first.msg).to.equal(false);
    expect(await readFile(path, 'utf8')).to.equal('mirrors:\n  registry.local:5000:\n    endpoint:\n      - http://registry.local:5000\n');
    expect((await stat(path)).mode & 0o777).to.equal(0o600);
    expect(first.diff).to.deep.equal([{ label: path, before: '', after: 'mirrors:\n  registry.local:5000:\n    endpoint:\n      - http://registry.local:5000\n' }]);
    expect(first.data.config_changed).to.equal(false);

    await d.clearCalls();
    const check = await runModule(k3s, { ...base(), registries: mirrors('10.0.0.9') }, { conn: d.conn, check: true, diff: true });
    expect(check.changed).to.equal(true);
    expect(check.data.config_changed).to.equal(true);
    expect(check.diff).to.deep.equal([{
      label: path,
      before: 'mirrors:\n  registry.local:5000:\n    endpoint:\n      - http://registry.local:5000\n',
      after: 'mirrors:\n  registry.local:5000:\n    endpoint:\n      - http://10.0.0.9:5000\n',
    }]);
    expect(await readFile(path, 'utf8')).to.contain('http://registry.local:5000');
    const apply = await runModule(k3s, { ...base(), registries: mirrors('10.0.0.9') }, { conn: d.conn });
    expect(apply.data).to.deep.include({ config_changed: true, actions: [`write ${path}`] });
    expect(await readFile(path, 'utf8')).to.contain('http://10.0.0.9:5000');
    expect(mutating(await d.calls())).to.deep.equal([]);
    expect(await d.installEnvs()).to.have.length(1);
    expect((await runModule(k3s, { ...base(), registries: mirrors('10.0.0.9') }, { conn: d.conn })).changed).to.equal(false);
  });

  it('waits until the node is Ready: NotReady for 3 polls, Ready on the 4th', async () => {
    await d.notReadyFor(3);
    const res = await runModule(k3s, base(), { conn: d.conn });
    expect(res.failed, res.msg).to.equal(false);
    expect(res.data.ready).to.equal(true);
    const polls = (await d.calls()).filter((c) => c[1] === 'kubectl');
    expect(polls).to.have.length(4);
  });

  it('fails when the node is not Ready within wait_timeout, saying why', async () => {
    await d.notReadyFor(1_000_000);
    const res = await runModule(k3s, { ...base(), wait_timeout: 1 }, { conn: d.conn });
    expect(res.failed).to.equal(true);
    expect(res.msg).to.equal(`node ${node} was not Ready within 1s: node ${node} is not Ready: Ready=False (KubeletNotReady: container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized)`);
  });

  it('check mode on a running server reports its readiness from one look, without waiting or changing anything', async () => {
    await runModule(k3s, base(), { conn: d.conn });
    await d.notReadyFor(1_000_000);
    await d.clearCalls();
    const check = await runModule(k3s, base(), { conn: d.conn, check: true });
    expect(check.changed).to.equal(false);
    expect(check.data.ready).to.equal(false);
    expect(check.msg).to.match(/^node .* is not Ready: Ready=False \(KubeletNotReady/);
    expect((await d.calls()).filter((c) => c[1] === 'kubectl')).to.have.length(1);
  });

  it('a new version uploads the binary and restarts k3s at once (INSTALL_K3S_FORCE_RESTART), then waits for the node to run it', async () => {
    await runModule(k3s, base(), { conn: d.conn });
    binary = await d.binary(V2);
    await d.clearCalls();
    const check = await runModule(k3s, { ...base(), version: V2 }, { conn: d.conn, check: true });
    expect(check.changed).to.equal(true);
    expect(check.data.actions).to.deep.equal([`upload k3s binary to ${join(d.dirs.bin_dir, 'k3s')}`, `reinstall and restart k3s ${V2} (server): ${join(d.dirs.bin_dir, 'k3s-install.sh')} ${execOf({}).join(' ')}`]);
    expect(mutating(await d.calls())).to.deep.equal([]);
    const res = await runModule(k3s, { ...base(), version: V2 }, { conn: d.conn });
    expect(res.failed, res.msg).to.equal(false);
    expect(res.data).to.deep.include({ version: V2, ready: true, config_changed: false });
    expect(mutating(await d.calls())).to.deep.equal([['k3s-install.sh', ...execOf({})], ['systemctl', 'enable', 'k3s'], ['systemctl', 'daemon-reload'], ['systemctl', 'restart', 'k3s']]);
    expect((await d.installEnvs())[1]).to.include({ INSTALL_K3S_FORCE_RESTART: 'true', INSTALL_K3S_VERSION: V2 });
    expect(await d.read('k3s/running-version')).to.equal(`${V2}\n`);
  });

  it('an agent joins with K3S_URL and K3S_TOKEN; the token is a secret and never shows in the result', async () => {
    const token = 'K10abc::server:s3cr3t-join-token';
    const args = { ...base(), role: 'agent', server_url: 'https://10.0.0.5:6443', token, node_ip: '10.0.0.6' };
    const secrets: string[] = [];
    const sent: RunOptions[] = [];
    const conn: Connection = { ...d.conn, host: d.conn.host, run: (o) => { sent.push(o); return d.conn.run(o); }, put: d.conn.put.bind(d.conn), get: d.conn.get.bind(d.conn), stat: d.conn.stat.bind(d.conn) };
    const run = (o: { check?: boolean; diff?: boolean } = {}) => executeModule(k3s, args, { ...makeContext({ conn, ...o }), secret: (s) => secrets.push(s) });
    const check = await run({ check: true });
    expect(check.changed).to.equal(true);
    const apply = await run();
    expect(apply.failed, apply.msg).to.equal(false);
    const again = await run();
    expect(again.changed).to.equal(false);
    expect(secrets).to.include(token);
    // the token reaches the install script on stdin, never in a command line or an environment list
    const withToken = sent.filter((o) => JSON.stringify({ argv: o.argv, shell: o.shell, env: o.env }).includes('s3cr3t'));
    expect(withToken).to.deep.equal([]);
    expect(sent.filter((o) => String(o.stdin ?? '').includes(token))).to.have.length(1);
    for (const out of [check, apply, again]) {
      expect(JSON.stringify(out)).not.to.contain('s3cr3t');
      expect(out.data).not.to.have.property('token');
      expect(out.data).not.to.have.property('kubeconfig_path');
    }
    expect(await d.installEnvs()).to.deep.equal([{
      INSTALL_K3S_BIN_DIR: d.dirs.bin_dir,
      INSTALL_K3S_EXEC: '',
      INSTALL_K3S_SKIP_DOWNLOAD: 'true',
      INSTALL_K3S_SYSTEMD_DIR: d.dirs.systemd_dir,
      INSTALL_K3S_VERSION: V1,
      K3S_TOKEN: token,
      K3S_URL: 'https://10.0.0.5:6443',
    }]);
    const envFile = join(d.dirs.systemd_dir, 'k3s-agent.service.env');
    expect(await readFile(envFile, 'utf8')).to.equal(`K3S_TOKEN='${token}'\nK3S_URL='https://10.0.0.5:6443'\n`);
    expect((await stat(envFile)).mode & 0o777).to.equal(0o600);
    // an agent is ready when k3s-agent is active (its node is seen from the server)
    expect((await d.calls()).filter((c) => c[0] === 'systemctl' && c[1] === 'is-active')).to.deep.equal([
      ['systemctl', 'is-active', 'k3s-agent'], ['systemctl', 'is-active', 'k3s-agent'],
    ]);
    expect(apply.data.ready).to.equal(true);
    expect((await d.calls()).filter((c) => c[0] === 'k3s-install.sh')).to.deep.equal([
      ['k3s-install.sh', 'agent', '--node-ip=10.0.0.6', `--data-dir=${d.dirs.data_dir}`, `--private-registry=${d.dirs.config_dir}/registries.yaml`],
    ]);

    // a new token: the env differs, the diff masks it
    const other = { ...args, token: 'K10abc::server:0ther-t0ken' };
    const diffRun = await executeModule(k3s, other, { ...makeContext({ conn: d.conn, check: true, diff: true }), secret: (s) => secrets.push(s) });
    expect(diffRun.changed).to.equal(true);
    expect(diffRun.data.config_changed).to.equal(true);
    expect(diffRun.diff).to.deep.equal([{ label: envFile, before: 'K3S_URL=https://10.0.0.5:6443\nK3S_TOKEN=(secret)\n', after: '# K3S_TOKEN differs\nK3S_URL=https://10.0.0.5:6443\nK3S_TOKEN=(secret)\n' }]);
    expect(JSON.stringify(diffRun)).not.to.contain('0ther-t0ken');
  });

  it('an agent without a token, or with server-only arguments, is an argument error', async () => {
    const agent = { ...base(), role: 'agent', server_url: 'https://10.0.0.5:6443' };
    await expectArgsError(runModule(k3s, agent, { conn: d.conn }), "an agent needs the server's token to join");
    await expectArgsError(runModule(k3s, { ...agent, token: 't', disable: ['traefik'] }, { conn: d.conn }), 'disable applies to a server only (role is agent)');
    await expectArgsError(runModule(k3s, { ...base(), exec_flags: [''] }, { conn: d.conn }), "the k3s flag '' cannot reach k3s intact (\"\"): an empty word is not a k3s flag");
    expect(await d.calls()).to.deep.equal([]);
  });

  async function expectArgsError(p: Promise<unknown>, msg: string) {
    const err = await p.then(() => undefined, (e: unknown) => e);
    expect(err).to.be.instanceOf(ModuleArgsError);
    expect((err as Error).message).to.contain(msg);
  }

  it("flag values with ', \", $, \\, ; and single spaces reach the unit's ExecStart exactly, and a re-run is unchanged (against the install-script double that replays install.sh's escape/eval)", async () => {
    // through INSTALL_K3S_EXEC the script's eval would take the ' for an unterminated quote and the
    // " for quoting; as the script's arguments, quote() keeps every one of them
    const flags = ["--node-label=team=it's", '--node-label=say="hi"', '--kubelet-arg=cost=$5', '--node-taint=path=C:\\dir\\x:NoSchedule', '--node-label=a;b', '--kube-proxy-arg=one two'];
    const args = { ...base(), exec_flags: flags };
    const r = await rhythm(k3s, args, { conn: d.conn, snapshot });
    expect(r.apply.failed, r.apply.msg).to.equal(false);
    const unit = await readFile(join(d.dirs.systemd_dir, 'k3s.service'), 'utf8');
    // written as install.sh's quote() writes a word: in single quotes, a ' as '\''
    for (const f of flags) expect(unit).to.contain(`\t'${f.replace(/'/g, "'\\''")}' \\\n`);
    expect(parseExecStart(unit)).to.deep.equal({ binary: join(d.dirs.bin_dir, 'k3s'), args: [...execOf({}), ...flags] });
    expect(r.again.changed).to.equal(false);
    expect(r.checkAgain.changed).to.equal(false);
    expect(await d.installEnvs()).to.have.length(1);
  });

  it('a flag with a tab, a newline or a run of spaces is refused before anything runs, naming the flag and why', async () => {
    const why = "the install script splits its arguments on whitespace before its eval joins them with single spaces, so a tab, a newline or a run of spaces would become one space";
    await expectArgsError(runModule(k3s, { ...base(), exec_flags: ['--node-label=a\tb'] }, { conn: d.conn }), `the k3s flag --node-label cannot reach k3s intact ("--node-label=a\\tb"): ${why}`);
    await expectArgsError(runModule(k3s, { ...base(), exec_flags: ['--kubelet-arg=x\ny'] }, { conn: d.conn }), `the k3s flag --kubelet-arg cannot reach k3s intact ("--kubelet-arg=x\\ny"): ${why}`);
    await expectArgsError(runModule(k3s, { ...base(), tls_san: ['vm  local'] }, { conn: d.conn }), `the k3s flag --tls-san cannot reach k3s intact ("--tls-san=vm  local"): ${why}`);
    expect(await d.calls()).to.deep.equal([]);
  });

  it('default_registry_endpoint: false starts k3s with --disable-default-registry-endpoint; a version without the flag is refused', async () => {
    const args = { ...base(), default_registry_endpoint: false };
    const r = await rhythm(k3s, args, { conn: d.conn, snapshot });
    expect(r.apply.failed, r.apply.msg).to.equal(false);
    const unit = await readFile(join(d.dirs.systemd_dir, 'k3s.service'), 'utf8');
    expect(parseExecStart(unit)!.args).to.deep.equal([...execOf({}), '--disable-default-registry-endpoint']);
    expect(r.again.changed).to.equal(false);
    await d.clearCalls();
    await expectArgsError(runModule(k3s, { ...args, version: 'v1.28.5+k3s1' }, { conn: d.conn }), 'default_registry_endpoint: false needs K3s v1.26.13+k3s1, v1.27.10+k3s1, v1.28.6+k3s1, v1.29.1+k3s1 or later');
    expect(await d.calls()).to.deep.equal([]);
  });

  it('a binary file missing on the controller fails before anything touches the host', async () => {
    const res = await runModule(k3s, { ...base(), binary_src: join(d.bundle, 'bin', 'k3s-missing') }, { conn: d.conn });
    expect(res.failed).to.equal(true);
    expect(res.msg).to.equal(`binary_src: ${join(d.bundle, 'bin', 'k3s-missing')} does not exist on the controller (is the offline bundle collected?)`);
    expect(await d.calls()).to.deep.equal([]);
    expect(await tree(join(d.state, 'host'))).to.deep.equal({});
  });

  it('a failing install script fails the task with its error and starts nothing', async () => {
    await d.fail('k3s-install.sh', 'run', '[ERROR]  Failed to find memory cgroup\n', 1);
    const res = await runModule(k3s, base(), { conn: d.conn });
    expect(res.failed).to.equal(true);
    expect(res.msg).to.equal(`the k3s install script failed: ${[join(d.dirs.bin_dir, 'k3s-install.sh'), ...execOf({})].join(' ')} exited 1: [ERROR]  Failed to find memory cgroup`);
    expect(mutating(await d.calls())).to.deep.equal([['k3s-install.sh', ...execOf({})]]);
    expect(await d.read('systemd/k3s.service/active')).to.equal(null);
  });

  it('a binary_src of another version than `version` is refused before the install script runs', async () => {
    const wrong = await d.binary(V2, 'k3s-other');
    const res = await runModule(k3s, { ...base(), binary_src: wrong }, { conn: d.conn });
    expect(res.failed).to.equal(true);
    expect(res.msg).to.equal(`binary_src ${wrong} is k3s ${V2}, but version asks for ${V1}`);
    expect(mutating(await d.calls())).to.deep.equal([]);
    expect(await d.installEnvs()).to.deep.equal([]);
    expect(Object.keys(await tree(d.dirs.bin_dir))).to.deep.equal([]);
  });

  it('an upgrade to a binary_src that is not `version` leaves the running k3s binary in place', async () => {
    await runModule(k3s, base(), { conn: d.conn });
    const before = await tree(d.dirs.bin_dir);
    // a rebuilt V1 labelled as V2 in the bundle: other content, the old version
    const wrong = await d.binary(V1, 'k3s-mislabelled');
    await writeFile(wrong, `${await readFile(wrong, 'utf8')}# rebuilt\n`);
    const res = await runModule(k3s, { ...base(), version: V2, binary_src: wrong }, { conn: d.conn });
    expect(res.failed).to.equal(true);
    expect(res.msg).to.equal(`binary_src ${wrong} is k3s ${V1}, but version asks for ${V2}`);
    expect(await tree(d.dirs.bin_dir)).to.deep.equal(before);
    expect(await d.installEnvs()).to.have.length(1);
    expect((await d.calls()).filter((c) => c[1] === '--version')).to.have.length(2);
  });

  it('the node name comes from --node-name in exec_flags', async () => {
    const res = await runModule(k3s, { ...base(), exec_flags: ['--node-name=vm1'] }, { conn: d.conn });
    expect(res.failed, res.msg).to.equal(false);
    expect(res.data).to.deep.include({ node_name: 'vm1', ready: true });
  });
});

describe('k3s over SSH with become (real sshd test host, command doubles)', function () {
  this.timeout(60_000);
  let ssh!: SshConnection;
  firstHostPerSuite((c) => (ssh = c));

  it('installs a server as root through sudo: root-owned files with their modes, the kubeconfig copied from a root-only file; check → install → no change → check', async () => {
    // the test hosts have a private /tmp: the doubles' state goes where the host sees it
    const d = await makeK3sDoubles({ under: '/var/tmp/gx-test' });
    const binary = await d.binary(V1);
    const ctl = await tempDir('gx-k3s-controller-');
    const conn = taskConnection(ssh, d.env, { user: 'root' });
    const addr = sshEnv.hosts[0]!;
    const args = { version: V1, binary_src: binary, install_script_src: d.script, ...d.dirs, airgap_images_src: await d.images('x'.repeat(300_000)), token: 'K10::server:ssh-s3cr3t', write_kubeconfig_mode: '0600', kubeconfig_dest: join(ctl, 'config') };
    const vars = hostVars(addr);
    const snapshot = async () => [await d.read('systemd/k3s.service/active'), (await conn.stat(join(d.dirs.bin_dir, 'k3s'), { checksum: true }))?.sha256 ?? null];
    const r = await rhythm(k3s, args, { conn, snapshot, vars });
    expect(r.apply.data).to.deep.include({ ready: true, version: V1, config_changed: false });
    const bin = (await conn.stat(join(d.dirs.bin_dir, 'k3s')))!;
    expect([bin.owner, bin.mode]).to.deep.equal(['root', 0o755]);
    const env = (await conn.stat(join(d.dirs.systemd_dir, 'k3s.service.env')))!;
    expect([env.owner, env.mode]).to.deep.equal(['root', 0o600]);
    expect((await conn.stat(join(d.dirs.data_dir, 'agent/images/k3s-airgap-images-amd64.tar')))!.size).to.equal(300_000);
    expect((await d.installEnvs())[0]).to.include({ K3S_TOKEN: 'K10::server:ssh-s3cr3t', INSTALL_K3S_SKIP_DOWNLOAD: 'true' });
    // the unprivileged login user cannot even read the host's files: the module really went through become
    const plain = await runModule(k3s, args, { conn: taskConnection(ssh, d.env, undefined), vars });
    expect(plain.failed).to.equal(true);
    expect(plain.msg).to.match(/permission denied/);
    expect((await conn.stat(join(d.dirs.config_dir, 'k3s.yaml')))!.mode).to.equal(0o600);
    expect(await readFile(join(ctl, 'config'), 'utf8')).to.contain(`    server: https://${addr}:6443\n`);
  });
});
