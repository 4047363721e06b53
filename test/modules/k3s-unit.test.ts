// The k3s module's pure helpers: reading back what the install script wrote, the install script's
// arguments and the flag words it would not keep, the node list and the kubeconfig rewrite.
import { expect } from 'chai';
import { execArgs, flagLoss, hasDisableDefaultRegistryEndpoint, type K3sArgs } from '../../modules/lib/k3s/args.js';
import { parseVersion } from '../../modules/lib/k3s/read.js';
import { rewriteKubeconfig } from '../../modules/lib/k3s/kubeconfig.js';
import { findNode } from '../../modules/lib/k3s/nodes.js';
import { formatExecStart, parseEnvFile, parseExecStart } from '../../modules/lib/k3s/unit.js';

// the unit as install.sh (v1.30) writes it, with the ExecStartPre lines around the command
const UNIT = `[Unit]
Description=Lightweight Kubernetes
Documentation=https://k3s.io

[Service]
Type=notify
EnvironmentFile=-/etc/default/%N
EnvironmentFile=-/etc/systemd/system/k3s.service.env
ExecStartPre=/bin/sh -xc '! /usr/bin/systemctl is-enabled --quiet nm-cloud-setup.service 2>/dev/null'
ExecStartPre=-/sbin/modprobe br_netfilter
ExecStart=/usr/local/bin/k3s \\
    server \\
\t'--disable=traefik' \\
\t'--node-label=team=it'\\''s' \\
\t'--tls-san=vm.local' \\

`;

const defaults: K3sArgs = {
  version: 'v1.30.4+k3s1', role: 'server', binary_src: 'k3s', install_script_src: 'install.sh', write_kubeconfig_mode: '0644', wait_timeout: 300, default_registry_endpoint: true,
  bin_dir: '/usr/local/bin', config_dir: '/etc/rancher/k3s', data_dir: '/var/lib/rancher/k3s', systemd_dir: '/etc/systemd/system',
};

describe('k3s helpers', () => {
  it('reads the command back from the unit the install script writes, quotes included', () => {
    expect(parseExecStart(UNIT)).to.deep.equal({ binary: '/usr/local/bin/k3s', args: ['server', '--disable=traefik', "--node-label=team=it's", '--tls-san=vm.local'] });
    expect(parseExecStart('[Service]\nType=notify\n')).to.equal(undefined);
  });

  it('formats ExecStart as the script does, and reads its own output back', () => {
    const text = formatExecStart('/usr/local/bin/k3s', ['server', '--disable=traefik', "--node-label=team=it's"]);
    expect(text).to.equal("ExecStart=/usr/local/bin/k3s \\\n    server \\\n\t'--disable=traefik' \\\n\t'--node-label=team=it'\\''s' \\\n");
    expect(parseExecStart(text)).to.deep.equal({ binary: '/usr/local/bin/k3s', args: ['server', '--disable=traefik', "--node-label=team=it's"] });
  });

  it('reads the EnvironmentFile in its quoted forms', () => {
    expect(parseEnvFile(`K3S_TOKEN='K10ab::server:x'\\''y'\nK3S_URL="https://10.0.0.5:6443"\nCONTAINERD_LOG=debug\n# comment\n`)).to.deep.equal({
      K3S_TOKEN: "K10ab::server:x'y",
      K3S_URL: 'https://10.0.0.5:6443',
      CONTAINERD_LOG: 'debug',
    });
  });

  it("builds the install script's arguments: default places add no flags; server-only flags stay off agents", () => {
    expect(execArgs(defaults)).to.deep.equal(['server', '--write-kubeconfig-mode=0644']);
    expect(execArgs({ ...defaults, disable: ['traefik'], tls_san: ['a'], node_ip: '10.0.0.5', exec_flags: ['--node-name=vm1'] })).to.deep.equal([
      'server', '--disable=traefik', '--tls-san=a', '--node-ip=10.0.0.5', '--write-kubeconfig-mode=0644', '--node-name=vm1',
    ]);
    expect(execArgs({ ...defaults, role: 'agent', node_ip: '10.0.0.6', data_dir: '/data/k3s' })).to.deep.equal(['agent', '--node-ip=10.0.0.6', '--data-dir=/data/k3s']);
  });

  it('default_registry_endpoint: false adds --disable-default-registry-endpoint for servers and agents, from the versions that have it', () => {
    expect(execArgs({ ...defaults, default_registry_endpoint: false, exec_flags: ['--node-name=vm1'] })).to.deep.equal(['server', '--write-kubeconfig-mode=0644', '--disable-default-registry-endpoint', '--node-name=vm1']);
    expect(execArgs({ ...defaults, role: 'agent', default_registry_endpoint: false })).to.deep.equal(['agent', '--disable-default-registry-endpoint']);
    const has = ['v1.26.13+k3s1', 'v1.27.10+k3s1', 'v1.28.6+k3s1', 'v1.29.1+k3s1', 'v1.29.1-rc1+k3s1', 'v1.30.0+k3s1', 'v1.32.3+k3s1'];
    const hasNot = ['v1.25.16+k3s4', 'v1.26.12+k3s1', 'v1.27.9+k3s1', 'v1.28.5+k3s1', 'v1.29.0+k3s1'];
    expect(has.filter((v) => !hasDisableDefaultRegistryEndpoint(v))).to.deep.equal([]);
    expect(hasNot.filter(hasDisableDefaultRegistryEndpoint)).to.deep.equal([]);
  });

  it('a flag word is refused only when the install script would change it: whitespace other than single spaces, control characters, empty', () => {
    for (const w of ["--a=it's", '--a="q"', '--a=$HOME', '--a=\\x', '--a=x;y', '--node-label=a b', ' --a=lead and trail ']) expect(flagLoss(w), w).to.equal(undefined);
    for (const w of ['--a=x\ty', '--a=x\ny', '--a=two  spaces']) expect(flagLoss(w), w).to.match(/tab, a newline or a run of spaces would become one space/);
    expect(flagLoss('--a=x\ry')).to.match(/control character/);
    expect(flagLoss('')).to.match(/empty/);
  });

  it('reads the version from k3s --version', () => {
    expect(parseVersion('k3s version v1.30.4+k3s1 (98262b5d)\ngo version go1.22.5\n')).to.equal('v1.30.4+k3s1');
    expect(parseVersion('Usage: k3s\n')).to.equal(undefined);
  });

  it('finds the node and its Ready condition in a node list', () => {
    const list = (status: string) => JSON.stringify({
      kind: 'List',
      items: [
        { kind: 'Node', metadata: { name: 'other' }, status: { conditions: [{ type: 'Ready', status: 'True' }] } },
        { kind: 'Node', metadata: { name: 'vm1' }, status: { conditions: [{ type: 'MemoryPressure', status: 'False' }, { type: 'Ready', status, reason: 'KubeletNotReady', message: 'cni plugin not initialized' }], nodeInfo: { kubeletVersion: 'v1.30.4+k3s1' } } },
      ],
    });
    expect(findNode(list('True'), 'vm1')).to.deep.equal({ name: 'vm1', ready: true, kubeletVersion: 'v1.30.4+k3s1' });
    expect(findNode(list('False'), 'vm1')).to.deep.include({ ready: false, why: 'Ready=False (KubeletNotReady: cni plugin not initialized)' });
    expect(findNode(list('True'), 'vm2')).to.equal(undefined);
    expect(findNode(JSON.stringify({ kind: 'List', items: [{ metadata: { name: 'vm1' }, status: {} }] }), 'vm1')).to.deep.include({ ready: false, why: 'no Ready condition yet' });
    expect(() => findNode('error: You must be logged in', 'vm1')).to.throw(/did not print JSON/);
  });

  it('rewrites only the local API server address of the kubeconfig', () => {
    const kc = 'clusters:\n- cluster:\n    certificate-authority-data: X\n    server: https://127.0.0.1:6443\n  name: default\n- cluster:\n    server: https://other:6443\n  name: other\n';
    expect(rewriteKubeconfig(kc, 'https://10.0.0.5:6443')).to.deep.equal({
      text: kc.replace('https://127.0.0.1:6443', 'https://10.0.0.5:6443'),
      rewritten: 1,
    });
    expect(rewriteKubeconfig('server: https://other:6443\n', 'https://x:6443').rewritten).to.equal(0);
  });
});
