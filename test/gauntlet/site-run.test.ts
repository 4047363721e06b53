// The whole of site.yaml, run for real against an SSH test host that stands in for the VM, with
// COMMAND DOUBLES for multipass (its launched VM gets the test host's address), k3s and its install
// script, helm, kubectl (with Linkerd's proxy injection replayed for the verify play), apt-get/dpkg,
// systemctl, modprobe and sysctl, an HTTP double for Gitea's API, Keycloak's token endpoint and the
// API, a local bare git repository in place of Gitea's, and the REAL test registry for the images.
// Every path the plays write on the "VM" is pointed into a scratch directory (inventory variables).
// Then a second run that changes nothing, and --check on a controller where the VM does not exist.
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { parseExecStart } from '../../modules/lib/k3s/unit.js';
import { makeBundle } from './fake-bundle.js';
import { failures, gx, need, recap, results } from './gx-run.js';
import { REPO } from './helpers.js';

/** Gitea's repository API, Keycloak's token endpoint and the API, as the plays call them. */
function httpDouble(): Promise<{ url: string; calls: string[]; close: () => void }> {
  const calls: string[] = [];
  let repoExists = false;
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      calls.push(`${req.method} ${req.url}`);
      const json = (status: number, v: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(v));
      };
      const admin = req.headers.authorization === `Basic ${Buffer.from('gauntlet:gauntlet-gitea').toString('base64')}`;
      if (req.method === 'GET' && req.url === '/api/v1/repos/gauntlet/gauntlet-gitops') {
        if (!admin) return json(401, { message: 'unauthorized' });
        return repoExists ? json(200, { name: 'gauntlet-gitops', default_branch: 'main' }) : json(404, { message: 'The target couldn\'t be found.' });
      }
      if (req.method === 'POST' && req.url === '/api/v1/user/repos') {
        if (!admin) return json(401, { message: 'unauthorized' });
        if (repoExists) return json(409, { message: 'The repository with the same name already exists.' });
        repoExists = JSON.parse(body).name === 'gauntlet-gitops';
        return json(201, { name: 'gauntlet-gitops', default_branch: 'main' });
      }
      if (req.method === 'POST' && req.url === '/realms/gauntlet/protocol/openid-connect/token') {
        const form = new URLSearchParams(body);
        const good = form.get('grant_type') === 'password' && form.get('client_id') === 'gauntlet-api' && form.get('client_secret') === 'gauntlet-api-secret' && form.get('username') === 'alice' && form.get('password') === 'alice-password';
        return good ? json(200, { access_token: 'token-for-alice', token_type: 'Bearer', expires_in: 300 }) : json(401, { error: 'invalid_grant' });
      }
      if (req.method === 'GET' && req.url === '/api/tasks') {
        return req.headers.authorization === 'Bearer token-for-alice' ? json(200, { items: [], nextCursor: null }) : json(401, { error: 'unauthorized' });
      }
      json(404, { error: 'not found' });
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    const { port } = server.address() as AddressInfo;
    resolve({ url: `http://127.0.0.1:${port}`, calls, close: () => server.close() });
  }));
}

const put = (path: string, content: string) => {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, content);
};

/** A scratch "VM" and controller: doubles' state, the bundle, the variables pointing into them. */
async function scene(httpUrl: string, arch: string) {
  const ssh = { host: need('GX_TEST_SSH_HOSTS').split(',')[0]!, port: need('GX_TEST_SSH_PORT'), user: need('GX_TEST_SSH_USER'), key: need('GX_TEST_SSH_KEY') };
  const registry = need('GX_TEST_REGISTRY');
  // not under /tmp: each SSH test host has a private /tmp
  const root = mkdtempSync('/var/tmp/gx-gauntlet-');
  execFileSync('chmod', ['755', root]);
  const state = join(root, 'state');
  // the VM's files live inside the doubles' state: the k3s install double writes nowhere else
  const host = join(state, 'host');
  const bundle = join(root, 'bundle');
  put(join(state, 'calls.log'), '');
  for (const d of ['dpkg', 'apt']) mkdirSync(join(state, d), { recursive: true });
  put(join(state, 'systemd', 'docker-registry.service', 'active'), 'inactive');
  put(join(state, 'systemd', 'docker-registry.service', 'enabled'), 'disabled');
  for (const m of ['br_netfilter', 'overlay']) put(join(state, 'modules', 'available', m), '');
  for (const k of ['net.bridge.bridge-nf-call-iptables', 'net.bridge.bridge-nf-call-ip6tables', 'net.ipv4.ip_forward']) put(join(state, 'sysctl', k), '0');
  put(join(state, 'passwd'), execFileSync('getent', ['passwd', 'root', 'docker-registry'], { encoding: 'utf8' }));
  put(join(state, 'group'), execFileSync('getent', ['group', 'root', 'docker-registry'], { encoding: 'utf8' }));
  // what the charts would install and the operator would create, which the helm double does not:
  // the CRDs of CloudNativePG and Argo CD, and the credentials Secret of the API's database
  const crd = (group: string, kind: string, plural: string, version: string) => ({
    apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: `${plural}.${group}` },
    spec: { group, names: { kind, plural }, scope: 'Namespaced', versions: [{ name: version, served: true, storage: true }] },
  });
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  put(join(state, 'k8s.json'), JSON.stringify({
    rv: 100,
    objects: {
      'apiextensions.k8s.io/CustomResourceDefinition//clusters.postgresql.cnpg.io': crd('postgresql.cnpg.io', 'Cluster', 'clusters', 'v1'),
      'apiextensions.k8s.io/CustomResourceDefinition//applications.argoproj.io': crd('argoproj.io', 'Application', 'applications', 'v1alpha1'),
      '/Secret/db/api-app': { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'api-app', namespace: 'db' }, type: 'kubernetes.io/basic-auth', data: { username: b64('api'), password: b64('api-db-password'), dbname: b64('api') } },
    },
  }));
  put(join(host, 'etc', 'hosts'), '127.0.0.1 localhost\n');
  put(join(host, 'etc', 'fstab'), 'LABEL=cloudimg-rootfs / ext4 defaults 0 1\n/swap.img none swap sw 0 0\n');
  // what Ubuntu and the docker-registry package (installed by the apt double in name only) provide
  for (const d of ['etc/systemd/system', 'etc/modules-load.d', 'etc/sysctl.d', 'etc/docker/registry', 'usr/local/bin', 'var/lib']) mkdirSync(join(host, d), { recursive: true });
  await makeBundle(bundle, arch);
  execFileSync('git', ['init', '-q', '--bare', '-b', 'main', join(root, 'gitops.git')]);
  execFileSync('chmod', ['-R', 'a+rwX', root]);

  const path = [join(REPO, 'test/gauntlet/doubles/bin'), join(REPO, 'test/doubles/helm/bin'), join(REPO, 'test/doubles/bin'), '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'].join(':');
  const doublesEnv = { GX_DOUBLE_STATE: state, GX_DOUBLE_LOG: join(state, 'calls.log') };
  const vars = {
    bundle_dir: bundle,
    bundle_checksums: false,
    gauntlet_state_dir: join(root, 'controller'),
    kubeconfig_local: join(root, 'controller', 'kubeconfig'),
    ssh_public_key_file: `${ssh.key}.pub`,
    ssh_private_key_file: ssh.key,
    vm_user: ssh.user,
    vm_ssh_port: Number(ssh.port),
    vm_environment: { PATH: path, ...doublesEnv },
    vm_bundle_dir: join(host, 'opt', 'gauntlet'),
    vm_etc_hosts: join(host, 'etc', 'hosts'),
    vm_fstab: join(host, 'etc', 'fstab'),
    vm_sysctl_file: join(host, 'etc', 'sysctl.d', '90-gauntlet.conf'),
    vm_modules_load_file: join(host, 'etc', 'modules-load.d', 'gauntlet.conf'),
    vm_registry_config: join(host, 'etc', 'docker', 'registry', 'config.yml'),
    vm_bin_dir: join(host, 'usr', 'local', 'bin'),
    registry_storage_dir: join(host, 'var', 'lib', 'registry'),
    registry_port: Number(registry.split(':')[1]),
    registry_push_url: `http://${registry}`,
    // the helm and kubectl tasks look up every image there before they install (the test host reaches the real registry directly)
    images_registry_url: `http://${registry}`,
    k3s_bin_dir: join(host, 'usr', 'local', 'bin'),
    k3s_config_dir: join(host, 'etc', 'rancher', 'k3s'),
    k3s_data_dir: join(host, 'var', 'lib', 'rancher', 'k3s'),
    k3s_systemd_dir: join(host, 'etc', 'systemd', 'system'),
    gitea_url: httpUrl,
    gitops_push_url: `file://${join(root, 'gitops.git')}`,
    keycloak_url: httpUrl,
    api_url: httpUrl,
    api_layer_file: join(root, 'controller', 'api-layer.tar.gz'),
  };
  writeFileSync(join(root, 'vars.yaml'), stringify(vars));
  // the controller's architecture as gx sees it: an arm64 controller (Apple Silicon) is played by the override
  const env = { PATH: `${join(REPO, 'test/gauntlet/doubles/bin')}:${process.env.PATH}`, ...doublesEnv, GX_GAUNTLET_VM_IP: ssh.host, GX_CONTROLLER_ARCH: arch };
  return { root, state, host, bundle, registry, env, args: ['play', 'site.yaml', '-e', `@${join(root, 'vars.yaml')}`, '--output', 'json'] };
}

for (const arch of ['amd64', 'arm64']) describe(`site.yaml run in full against an SSH test host, ${arch} controller and bundle (doubles for multipass, k3s, helm, kubectl; the real registry)`, function () {
  this.timeout(600_000);
  let double: Awaited<ReturnType<typeof httpDouble>>;
  let s: Awaited<ReturnType<typeof scene>>;

  before(async () => {
    double = await httpDouble();
    s = await scene(double.url, arch);
  });
  after(() => {
    double?.close();
    if (s) rmSync(s.root, { recursive: true, force: true });
  });

  it('--check before the VM exists: the whole plan, the VM-to-be tasks would run, nothing unreachable', async () => {
    const r = await gx([...s.args, '--check'], s.env);
    expect(r.code, failures(r)).to.equal(0);
    const hosts = recap(r);
    expect(hosts.gauntlet!.unreachable + hosts.gauntlet!.failed, failures(r)).to.equal(0);
    // every task of the VM-to-be is planned without contacting it
    const skipped = results(r, 'skipped').filter((x) => / on gauntlet\b/.test(x));
    expect(skipped.length).to.be.greaterThan(40);
    for (const t of ['swap off now', 'K3s installed and running', 'ingress-nginx released', 'Linkerd CRDs released']) {
      expect(skipped, t).to.include(`${t} on gauntlet: would run: gauntlet does not exist yet (check mode)`);
    }
    // what did run: on the controller (delegated, or controller-side modules), never on the VM
    const ran = [...results(r, 'ok'), ...results(r, 'changed')].filter((x) => / on gauntlet\b/.test(x)).map((x) => x.split(' on gauntlet')[0]);
    expect(ran.sort()).to.deep.equal([
      'K3s configuration changed',
      'a private directory for the mesh certificates',
      'api : build the API layer (compiled JS + production node_modules)',
      'api : database URL for the pods',
      'api : database URL from the CloudNativePG credentials',
      'api : image reference by digest, and the migration Job named after it',
      'api : push the API image (layer appended on the Node base image from the bundle)',
      'image pushed to the local registry',
      'issuer certificate generated, signed by the trust anchor',
      'read the issuer key',
      'read the trust anchor and the issuer certificate',
      'restart the registry now when its configuration changed',
      'the API role',
      'trust anchor generated (ECDSA P-256 CA)',
    ]);
    expect(existsSync(join(s.state, 'multipass.json')), 'no VM launched').to.equal(false);
    expect(readFileSync(join(s.host, 'etc', 'hosts'), 'utf8')).to.equal('127.0.0.1 localhost\n');
  });

  it('first run: every component in place, verify passes', async () => {
    const r = await gx(s.args, s.env);
    expect(r.code, failures(r)).to.equal(0);
    const hosts = recap(r);
    expect(hosts.gauntlet!.failed + hosts.gauntlet!.unreachable, failures(r)).to.equal(0);
    expect(hosts.gauntlet!.changed).to.be.greaterThan(20);

    // vm: launched with the controller's public key in its cloud-init
    const userData = readFileSync(join(s.state, 'cloud-init', 'gauntlet'), 'utf8');
    expect(userData.split('\n')[0]).to.equal('#cloud-config');
    expect(userData).to.contain(readFileSync(`${need('GX_TEST_SSH_KEY')}.pub`, 'utf8').trim());
    // base: names, modules, sysctls, swap
    expect(readFileSync(join(s.host, 'etc', 'hosts'), 'utf8')).to.contain('registry.local keycloak.local api.local gitea.local argocd.local');
    expect(readFileSync(join(s.host, 'etc', 'fstab'), 'utf8')).to.contain('# /swap.img none swap sw 0 0');
    expect(readFileSync(join(s.host, 'etc', 'modules-load.d', 'gauntlet.conf'), 'utf8')).to.equal('br_netfilter\noverlay\n');
    expect(readFileSync(join(s.state, 'sysctl', 'net.ipv4.ip_forward'), 'utf8').trim()).to.equal('1');
    // registry
    expect(readFileSync(join(s.state, 'systemd', 'docker-registry.service', 'active'), 'utf8').trim()).to.equal('active');
    // k3s: installed offline with traefik off and the mirrors; kubeconfig on the controller
    const registries = readFileSync(join(s.host, 'etc', 'rancher', 'k3s', 'registries.yaml'), 'utf8');
    for (const r of [`registry.local:${s.registry.split(':')[1]}`, 'docker.io', 'ghcr.io', 'quay.io', 'registry.k8s.io', 'cr.l5d.io']) expect(registries).to.contain(r);
    // a miss on a mirror fails at once: containerd gets no upstream fallback for the mirrored registries
    const unit = readFileSync(join(s.host, 'etc', 'systemd', 'system', 'k3s.service'), 'utf8');
    expect(parseExecStart(unit)?.args).to.include.members(['server', '--disable=traefik', '--disable-default-registry-endpoint']);
    expect(existsSync(join(s.root, 'controller', 'kubeconfig'))).to.equal(true);
    // images: in the real registry under their upstream paths
    const tags = async (repo: string) => ((await (await fetch(`http://${s.registry}/v2/${repo}/tags/list`)).json()) as { tags: string[] }).tags;
    expect(await tags('ingress-nginx/controller')).to.include('v1.12.1');
    expect(await tags('linkerd/proxy')).to.include('edge-25.4.4');
    // the bundle's image of this architecture is what was pushed
    const manifest = (await (await fetch(`http://${s.registry}/v2/linkerd/proxy/manifests/edge-25.4.4`, { headers: { accept: 'application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json' } })).json()) as { config: { digest: string } };
    const config = (await (await fetch(`http://${s.registry}/v2/linkerd/proxy/blobs/${manifest.config.digest}`)).json()) as { architecture: string };
    expect(config.architecture).to.equal(arch);
    // the VM was launched from the bundle's cloud image of this architecture
    const launched = JSON.parse(readFileSync(join(s.state, 'multipass.json'), 'utf8')).instances.gauntlet;
    expect(launched.image).to.equal(`file://${join(s.bundle, 'vm', `ubuntu-24.04-server-cloudimg-${arch}.img`)}`);
    // charts released
    const helm = JSON.parse(readFileSync(join(s.state, 'helm.json'), 'utf8')).releases as Record<string, { chart: string; values: Record<string, any> }>;
    expect(Object.keys(helm).sort()).to.deep.equal(['argocd/argocd', 'cnpg-system/cnpg', 'gitea/gitea', 'ingress-nginx/ingress-nginx', 'linkerd-viz/linkerd-viz', 'linkerd/linkerd-control-plane', 'linkerd/linkerd-crds']);
    expect(helm['ingress-nginx/ingress-nginx']!.values.controller.image.tag).to.equal('v1.12.1');
    // mesh certificates generated on the controller, outside the repository, and handed to the chart
    const certs = join(s.root, 'controller', 'linkerd');
    const ca = execFileSync('openssl', ['x509', '-noout', '-subject', '-in', join(certs, 'ca.crt')], { encoding: 'utf8' });
    expect(ca).to.contain('root.linkerd.cluster.local');
    execFileSync('openssl', ['verify', '-CAfile', join(certs, 'ca.crt'), join(certs, 'issuer.crt')]);
    const mesh = helm['linkerd/linkerd-control-plane']!.values;
    expect(mesh.identityTrustAnchorsPEM.trim()).to.equal(readFileSync(join(certs, 'ca.crt'), 'utf8').trim());
    expect(mesh.identity.issuer.tls.crtPEM.trim()).to.equal(readFileSync(join(certs, 'issuer.crt'), 'utf8').trim());
    expect(mesh.identity.issuer.tls.keyPEM.trim()).to.equal(readFileSync(join(certs, 'issuer.key'), 'utf8').trim());
    // cluster objects
    const objects = Object.keys(JSON.parse(readFileSync(join(s.state, 'k8s.json'), 'utf8')).objects);
    for (const k of ['postgresql.cnpg.io/Cluster/auth/keycloak', 'postgresql.cnpg.io/Cluster/gitea/gitea', 'postgresql.cnpg.io/Cluster/db/api', 'apps/Deployment/auth/keycloak', 'argoproj.io/Application/argocd/gauntlet', 'apps/Deployment/api/api']) {
      expect(objects, k).to.include(k);
    }
    // gitops: the repository holds the manifests
    const files = execFileSync('git', ['--git-dir', join(s.root, 'gitops.git'), 'ls-tree', '-r', '--name-only', 'main'], { encoding: 'utf8' });
    expect(files.split('\n').filter(Boolean)).to.deep.equal(['apps/platform.yaml', 'platform/network-policies.yaml']);
    // verify: token, 200 with it, 401 without
    expect(double.calls).to.include.members(['POST /api/v1/user/repos', 'POST /realms/gauntlet/protocol/openid-connect/token', 'GET /api/tasks']);
  });

  it('second run: nothing changes', async () => {
    const r = await gx(s.args, s.env);
    expect(r.code, failures(r)).to.equal(0);
    const hosts = recap(r);
    const changed = results(r, 'changed');
    expect(changed, changed.join('\n')).to.deep.equal([]);
    for (const h of ['localhost', 'gauntlet']) expect(hosts[h]!.changed, h).to.equal(0);
    expect(double.calls.filter((c) => c === 'POST /api/v1/user/repos')).to.have.length(1);
  });

  it('--tags mesh on the running stack: the VM found again, only the mesh tasks run, nothing changes', async () => {
    const r = await gx([...s.args, '--tags', 'mesh'], s.env);
    expect(r.code, failures(r)).to.equal(0);
    const started = r.events.filter((e) => e.type === 'task.start').map((e) => e.name as string);
    expect(started).to.include.members(['the VM becomes host gauntlet', 'Linkerd control plane released', "the stack's namespaces, annotated for injection"]);
    expect(started).to.not.include.members(['K3s installed and running', 'Keycloak rolled out']);
    expect(results(r, 'changed')).to.deep.equal([]);
  });

  it('--check on the running stack: every module reads the VM and predicts no change', async () => {
    const r = await gx([...s.args, '--check'], s.env);
    expect(r.code, failures(r)).to.equal(0);
    expect(results(r, 'changed')).to.deep.equal([]);
    expect(recap(r).gauntlet!.ok).to.be.greaterThan(30);
  });

  it('playbooks/teardown.yaml: the VM deleted and purged, the generated files gone; a second teardown changes nothing', async () => {
    const args = ['play', 'playbooks/teardown.yaml', ...s.args.slice(2)];
    const r = await gx(args, s.env);
    expect(r.code, failures(r)).to.equal(0);
    expect(JSON.parse(readFileSync(join(s.state, 'multipass.json'), 'utf8')).instances).to.deep.equal({});
    expect(existsSync(join(s.root, 'controller'))).to.equal(false);
    const again = await gx(args, s.env);
    expect(again.code, failures(again)).to.equal(0);
    expect(results(again, 'changed')).to.deep.equal([]);
  });
});

// What a new user meets first: the shipped inventory.yaml as it is, only the bundle's place given,
// no VM, no ~/.ssh key pair, on an amd64 and on an arm64 controller (one bundle directory holding
// both architectures). `--check` must show the whole plan: a value the VM-to-be would give (its
// address in the registry URL) stays unknown and the task is planned with the reason, never turned
// into text a module then refuses.
describe('site.yaml --check with the shipped inventory.yaml (only bundle_dir given; multipass double, no VM, no SSH key)', function () {
  this.timeout(600_000);
  let root: string;
  before(async () => {
    root = mkdtempSync('/var/tmp/gx-fresh-');
    for (const arch of ['amd64', 'arm64']) await makeBundle(join(root, 'bundle'), arch);
    mkdirSync(join(root, 'home'));
    mkdirSync(join(root, 'state'));
    writeFileSync(join(root, 'state', 'calls.log'), '');
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  for (const arch of ['amd64', 'arm64']) {
    it(`the whole plan on an ${arch} controller: exit 0, nothing failed, the registry pushes planned as unknown with the reason`, async () => {
      const env = {
        PATH: `${join(REPO, 'test/doubles/multipass/bin')}:${process.env.PATH}`,
        HOME: join(root, 'home'),
        GX_DOUBLE_STATE: join(root, 'state'),
        GX_DOUBLE_LOG: join(root, 'state', 'calls.log'),
        GX_CONTROLLER_ARCH: arch,
      };
      const r = await gx(['play', 'site.yaml', '--check', '-e', `bundle_dir=${join(root, 'bundle')}`, '--output', 'json'], env);
      expect(r.code, failures(r)).to.equal(0);
      const hosts = recap(r);
      for (const h of ['localhost', 'gauntlet']) expect(hosts[h]!.failed + hosts[h]!.unreachable, failures(r)).to.equal(0);
      // each image: planned, skipped with the reason (the registry URL holds the VM's address)
      const push = r.events.find((e) => e.type === 'task.start' && e.name === 'image pushed to the local registry')!;
      const items = r.events.filter((e) => e.type === 'item.result' && e.taskId === push.id).map((e) => e.result);
      expect(items.length).to.equal(18);
      for (const i of items) expect(i, JSON.stringify(i.item)).to.include({ status: 'skipped', skipReason: "cannot plan in check mode: 'registry' is not known yet (the VM does not exist yet)" });
      expect(r.stdout).to.not.contain('is not host[:port]');
      // the VM would be launched from the bundle's image of this architecture, and no key was generated
      const vm = results(r, 'changed').find((x) => x.startsWith('the Multipass VM on localhost'))!;
      expect(vm).to.contain(`file://${join(root, 'bundle', 'vm', `ubuntu-24.04-server-cloudimg-${arch}.img`)}`);
      expect(existsSync(join(REPO, '.gx', 'gauntlet', 'id_ed25519'))).to.equal(false);
      expect(existsSync(join(root, 'state', 'multipass.json')), 'no VM launched').to.equal(false);
    });
  }

  it('the preflight refuses a bundle_arch that is not the VM\'s, and a bundle holding the other architecture only, naming the fix', async () => {
    const env = { PATH: `${join(REPO, 'test/doubles/multipass/bin')}:${process.env.PATH}`, HOME: join(root, 'home'), GX_DOUBLE_STATE: join(root, 'state'), GX_DOUBLE_LOG: join(root, 'state', 'calls.log'), GX_CONTROLLER_ARCH: 'amd64' };
    const wrong = await gx(['play', 'site.yaml', '--check', '-e', `bundle_dir=${join(root, 'bundle')}`, '-e', 'bundle_arch=arm64', '--output', 'json'], env);
    expect(wrong.code).to.equal(2);
    expect(failures(wrong)).to.contain('bundle_arch is arm64, but Multipass on this amd64 controller creates amd64 VMs');
    const only = mkdtempSync('/var/tmp/gx-arm-only-');
    try {
      await makeBundle(only, 'arm64');
      const r = await gx(['play', 'site.yaml', '--check', '-e', `bundle_dir=${only}`, '--output', 'json'], env);
      expect(r.code).to.equal(2);
      expect(failures(r)).to.contain('manifest-amd64.yaml does not exist').and.contain('this bundle holds the arm64 files only, and the VM will be amd64').and.contain('-e bundle_arch=amd64');
      expect(results(r, 'skipped').concat(results(r, 'ok')).some((x) => / on gauntlet\b/.test(x)), 'no later play').to.equal(false);
    } finally {
      rmSync(only, { recursive: true, force: true });
    }
  });
});
