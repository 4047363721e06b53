// The k3s module's decision, as a table: given the arguments and what was read on the controller and
// the host, what must change, whether the install script runs, with which environment, and who
// restarts k3s. Pure: no host, no double.
import { expect } from 'chai';
import { formatExecStart } from '../../modules/lib/k3s/unit.js';
import { execArgs, pathsOf, type K3sArgs } from '../../modules/lib/k3s/args.js';
import { decide, decisionDiff, registriesText } from '../../modules/lib/k3s/decide.js';
import type { K3sSeen } from '../../modules/lib/k3s/read.js';

const server: K3sArgs = {
  version: 'v1.30.4+k3s1', role: 'server', binary_src: 'k3s', install_script_src: 'install.sh', write_kubeconfig_mode: '0644', wait_timeout: 300, default_registry_endpoint: true,
  bin_dir: '/usr/local/bin', config_dir: '/etc/rancher/k3s', data_dir: '/var/lib/rancher/k3s', systemd_dir: '/etc/systemd/system',
  disable: ['traefik'], registries: { mirrors: { 'registry.local:5000': { endpoint: ['http://registry.local:5000'] } } },
};
const agent: K3sArgs = { ...server, role: 'agent', disable: undefined, registries: undefined, server_url: 'https://10.0.0.5:6443', token: 'K10secret::server:abc' };

const file = (sha256: string) => ({ path: `/bundle/${sha256}`, sha256, size: 1 });
const unitOf = (a: K3sArgs, args = execArgs(a)) => `[Service]\n${formatExecStart(pathsOf(a).bin, args)}\n`;

/** A host where everything is as `a` asks. */
function inPlace(a: K3sArgs): K3sSeen {
  return {
    binary: file('bin1'),
    script: file('script1'),
    hostBinary: 'bin1',
    hostScript: 'script1',
    unitText: unitOf(a),
    envText: a.role === 'agent' ? `K3S_URL=${a.server_url}\nK3S_TOKEN=${a.token}\n` : '',
    registriesText: registriesText(a) ?? null,
    nodeName: 'vm1',
  };
}

const fresh: K3sSeen = { binary: file('bin1'), script: file('script1'), unitText: null, envText: null, registriesText: null, nodeName: 'vm1' };

describe('k3s decide (pure)', () => {
  const p = pathsOf(server);

  it('a fresh host: everything uploaded, the script installs and starts k3s, no config_changed', () => {
    const d = decide(server, p, fresh);
    expect(d).to.include({ installed: false, binChanged: true, scriptChanged: true, imagesChanged: false, registriesChanged: true, needInstall: true, restartNow: true, configChanged: false, flagsDiffer: false, envDiffer: false });
    expect(d.installEnv).to.deep.equal({
      INSTALL_K3S_SKIP_DOWNLOAD: 'true', INSTALL_K3S_VERSION: 'v1.30.4+k3s1', INSTALL_K3S_EXEC: '', INSTALL_K3S_BIN_DIR: '/usr/local/bin', INSTALL_K3S_SYSTEMD_DIR: '/etc/systemd/system',
    });
    expect(d.wantArgs).to.deep.equal(['server', '--disable=traefik', '--write-kubeconfig-mode=0644']);
  });

  it('everything in place: nothing changes and the script does not run', () => {
    const d = decide(server, p, inPlace(server));
    expect(d).to.include({ installed: true, binChanged: false, scriptChanged: false, registriesChanged: false, flagsDiffer: false, envDiffer: false, needInstall: false, configChanged: false, restartNow: false });
    expect(decisionDiff(p, inPlace(server), d)).to.deep.equal([]);
  });

  it('a new binary: the script reinstalls with INSTALL_K3S_FORCE_RESTART and k3s restarts now (no config_changed)', () => {
    const d = decide(server, p, { ...inPlace(server), binary: file('bin2') });
    expect(d).to.include({ binChanged: true, needInstall: true, restartNow: true, configChanged: false });
    expect(d.installEnv).to.include({ INSTALL_K3S_FORCE_RESTART: 'true' }).and.not.have.property('INSTALL_K3S_SKIP_START');
  });

  it('other flags: the unit is rewritten with INSTALL_K3S_SKIP_START and config_changed asks for a restart; --diff shows ExecStart', () => {
    const seen = { ...inPlace(server), unitText: unitOf(server, ['server', '--write-kubeconfig-mode=0644']) };
    const d = decide(server, p, seen);
    expect(d).to.include({ flagsDiffer: true, needInstall: true, restartNow: false, configChanged: true });
    expect(d.installEnv).to.include({ INSTALL_K3S_SKIP_START: 'true' }).and.not.have.property('INSTALL_K3S_FORCE_RESTART');
    expect(decisionDiff(p, seen, d)).to.deep.equal([
      { label: '/etc/systemd/system/k3s.service ExecStart', before: formatExecStart(p.bin, ['server', '--write-kubeconfig-mode=0644']), after: formatExecStart(p.bin, d.wantArgs) },
    ]);
  });

  it('a unit without a readable ExecStart counts as other flags', () => {
    expect(decide(server, p, { ...inPlace(server), unitText: '[Service]\nType=notify\n' })).to.include({ flagsDiffer: true, needInstall: true, configChanged: true });
  });

  it('only registries.yaml or the airgap images: written or uploaded, the script does not run, config_changed', () => {
    const reg = decide(server, p, { ...inPlace(server), registriesText: 'mirrors: {}\n' });
    expect(reg).to.include({ registriesChanged: true, needInstall: false, configChanged: true, restartNow: false });
    const withImages: K3sArgs = { ...server, airgap_images_src: 'images.tar.zst' };
    const img = decide(withImages, pathsOf(withImages), { ...inPlace(withImages), images: file('img2'), hostImages: 'img1' });
    expect(img).to.include({ imagesChanged: true, needInstall: false, configChanged: true });
    expect(decide(withImages, pathsOf(withImages), { ...inPlace(withImages), images: file('img1'), hostImages: 'img1' })).to.include({ imagesChanged: false, configChanged: false });
  });

  it('registries not given: registries.yaml is left alone', () => {
    const a = { ...server, registries: undefined };
    expect(decide(a, pathsOf(a), { ...inPlace(a), registriesText: null })).to.include({ registriesChanged: false, configChanged: false });
  });

  it('an agent: K3S_URL and K3S_TOKEN go to the script; another token rewrites the env file, and the diff never shows a token', () => {
    const pa = pathsOf(agent);
    expect(decide(agent, pa, inPlace(agent))).to.include({ needInstall: false, envDiffer: false });
    const seen = { ...inPlace(agent), envText: `K3S_URL=${agent.server_url}\nK3S_TOKEN=old-token\n` };
    const d = decide(agent, pa, seen);
    expect(d).to.include({ envDiffer: true, needInstall: true, configChanged: true });
    expect(d.installEnv).to.include({ K3S_URL: 'https://10.0.0.5:6443', K3S_TOKEN: 'K10secret::server:abc', INSTALL_K3S_SKIP_START: 'true' });
    expect(decisionDiff(pa, seen, d)).to.deep.equal([
      { label: '/etc/systemd/system/k3s-agent.service.env', before: 'K3S_URL=https://10.0.0.5:6443\nK3S_TOKEN=(secret)\n', after: '# K3S_TOKEN differs\nK3S_URL=https://10.0.0.5:6443\nK3S_TOKEN=(secret)\n' },
    ]);
  });

  it('a new install script alone is uploaded without running it', () => {
    expect(decide(server, p, { ...inPlace(server), script: file('script2') })).to.include({ scriptChanged: true, needInstall: false, configChanged: false });
  });
});
