// k3s: an OFFLINE install of K3s on the host (server or agent) from files the playbook provides on
// the controller: the k3s binary, the install script (get.k3s.io's install.sh) and optionally the
// airgap images tarball. The install script runs with INSTALL_K3S_SKIP_DOWNLOAD=true, so nothing is
// ever fetched from the internet.
//
// The plan reads (modules/lib/k3s/read.ts: the controller's files, what is on the host), decides
// (lib/k3s/decide.ts: what must change, who restarts k3s; pure) and builds the apply
// (lib/k3s/apply.ts); the arguments and the flags they make are in lib/k3s/args.ts.
import { defineModule, type ModuleContext, type Plan } from '../engine/module-contract.js';
import { Unknown } from '../engine/vars/unknown.js';
import { buildActions, finish } from './lib/k3s/apply.js';
import { checkArgs, DEFAULT_CONFIG_DIR, DEFAULT_DATA_DIR, pathsOf, type K3sArgs, type K3sData } from './lib/k3s/args.js';
import { decide, decisionDiff } from './lib/k3s/decide.js';
import { kubeconfigCopy, nodeReady, readK3s, readToken } from './lib/k3s/read.js';

export type { K3sArgs, K3sData } from './lib/k3s/args.js';

export const k3s = defineModule<K3sArgs, K3sData>({
  name: 'k3s',
  summary: 'Install K3s offline (server or agent) from a binary, install script and airgap images on the controller; wait for the node to be Ready and fetch the kubeconfig.',
  description:
    'Uploads the k3s binary to BIN_DIR/k3s (skipped when its sha256 matches), the airgap images tarball to DATA_DIR/agent/images/ and the install script, ' +
    'then runs the script with INSTALL_K3S_SKIP_DOWNLOAD=true and INSTALL_K3S_VERSION, the role and its flags as the script\'s arguments ' +
    '(not INSTALL_K3S_EXEC, where the script\'s eval would take a quote in a value for shell quoting), and K3S_URL and K3S_TOKEN for agents. Nothing is downloaded. ' +
    'A flag value may hold quotes, $, backslashes and other punctuation; a tab, a newline or a run of spaces is refused (the script\'s eval would fold it into one space).\n\n' +
    'Idempotent: the flags are compared with the ExecStart the install script wrote into the systemd unit (and K3S_URL/K3S_TOKEN with its .env file), ' +
    'the binary by checksum and `k3s --version`, registries.yaml by content. Nothing differs: the script does not run.\n\n' +
    'Restarts: a first install is started by the script; a new binary restarts k3s at once (INSTALL_K3S_FORCE_RESTART). ' +
    'When only the flags, registries.yaml or the airgap images change, the unit is rewritten without a restart and `config_changed` is true: ' +
    'restart k3s then, e.g. from a task with `changed_when: result.config_changed` that notifies a `restart k3s` handler ' +
    '(notifying it from this task also works, at the cost of one more restart after a first install or an upgrade).\n\n' +
    'A server then waits for its node to be Ready (`k3s kubectl get nodes -o json`) running `version`; an agent waits for k3s-agent to be active ' +
    '(its node is seen from the server: k3s_nodes, delegated to the server, waits until it is Ready and on the server\'s version). The server\'s kubeconfig is copied to `kubeconfig_dest` on the controller with the server address rewritten. ' +
    'Check mode uploads, installs and restarts nothing and predicts the result; --diff shows the flags and registries.yaml before and after.',
  schema: {
    type: 'object',
    properties: {
      version: { type: 'string', pattern: '^v\\d+\\.\\d+\\.\\d+(-rc\\d+)?\\+k3s\\d+$', description: 'The pinned K3s version, e.g. v1.30.4+k3s1; the binary must report it (`k3s --version`).' },
      role: { type: 'string', enum: ['server', 'agent'], default: 'server', description: 'server: a control-plane node; agent: a worker joining server_url with token.' },
      binary_src: { type: 'string', minLength: 1, description: 'The k3s binary on the controller (e.g. {{ bundle_dir }}/bin/k3s), uploaded to BIN_DIR/k3s with mode 0755.' },
      install_script_src: { type: 'string', minLength: 1, description: 'The K3s install script (install.sh from get.k3s.io) on the controller, uploaded to BIN_DIR/k3s-install.sh and run offline.' },
      airgap_images_src: { type: 'string', minLength: 1, description: 'The airgap images tarball on the controller (k3s-airgap-images-amd64.tar.zst or .tar), uploaded to DATA_DIR/agent/images/; k3s imports it when it starts.' },
      server_url: { type: 'string', pattern: '^https://', description: 'The server an agent joins, e.g. https://10.0.0.5:6443 (K3S_URL). Required for agents.' },
      token: { type: 'string', minLength: 1, description: "The cluster token (K3S_TOKEN): for an agent the server's node-token (required); for a server an optional pre-shared token. Masked in all output." },
      disable: { type: 'array', items: { type: 'string', minLength: 1 }, description: 'Packaged components not to deploy (--disable), e.g. [traefik] when NGINX ingress is used. Server only.' },
      tls_san: { type: 'array', items: { type: 'string', minLength: 1 }, description: 'Extra names and addresses in the API server certificate (--tls-san), e.g. the VM address the kubeconfig uses. Server only.' },
      node_ip: { type: 'string', minLength: 1, description: 'The address the node advertises (--node-ip).' },
      write_kubeconfig_mode: { type: 'string', pattern: '^0?[0-7]{3}$', default: '0644', description: 'Mode of the kubeconfig k3s writes (--write-kubeconfig-mode). Server only.' },
      exec_flags: { type: 'array', items: { type: 'string' }, description: 'More k3s flags, one word each, e.g. ["--node-name=vm1", "--cluster-cidr=10.42.0.0/16"]; passed after the others as the install script\'s arguments, which it keeps intact (quotes, $, backslashes included); a tab, a newline or a run of spaces in a word is refused.' },
      default_registry_endpoint: { type: 'boolean', default: true, description: 'false: start k3s (server or agent) with --disable-default-registry-endpoint, so containerd does not fall back to the upstream registry (e.g. https://index.docker.io/v2) after every mirror of a registry in registries.yaml missed: offline, a missing image fails at once instead of retrying an unreachable internet. Registries without a mirror in registries.yaml are not affected. The flag came with K3s v1.26.13+k3s1, v1.27.10+k3s1, v1.28.6+k3s1 and v1.29.1+k3s1 (January 2024); an older version is refused.' },
      registries: { type: 'object', description: 'The content of registries.yaml (e.g. {mirrors: {"registry.local:5000": {endpoint: ["http://registry.local:5000"]}}}), compared by content; absent leaves the file alone.' },
      wait_timeout: { type: 'integer', minimum: 1, default: 300, description: 'Seconds to wait for the node to be Ready (also bounds the install script).' },
      kubeconfig_dest: { type: 'string', minLength: 1, description: 'Where on the controller to write the kubeconfig (mode 0600), with its server address rewritten to kubeconfig_server. Server only.' },
      kubeconfig_server: { type: 'string', pattern: '^https://', description: 'The API server address in the fetched kubeconfig; default https://NODE_IP (or ansible_host, or the host name):6443.' },
      bin_dir: { type: 'string', default: '/usr/local/bin', description: 'Where the binary and scripts go (INSTALL_K3S_BIN_DIR).' },
      config_dir: { type: 'string', default: DEFAULT_CONFIG_DIR, description: 'Where registries.yaml and the kubeconfig k3s.yaml live (passed to k3s as --private-registry/--write-kubeconfig when not the default).' },
      data_dir: { type: 'string', default: DEFAULT_DATA_DIR, description: "K3s's data directory (--data-dir when not the default): airgap images, server/node-token." },
      systemd_dir: { type: 'string', default: '/etc/systemd/system', description: 'Where the install script writes the unit (INSTALL_K3S_SYSTEMD_DIR).' },
    },
    required: ['version', 'binary_src', 'install_script_src'],
    additionalProperties: false,
  },
  examples: [
    `- name: K3s server, offline, without traefik, pulling through the local registry
  k3s:
    version: v1.32.3+k3s1
    binary_src: "{{ bundle_dir }}/bin/k3s"
    install_script_src: "{{ bundle_dir }}/bin/k3s-install.sh"
    airgap_images_src: "{{ bundle_dir }}/images/k3s-airgap-images-amd64.tar.zst"
    disable: [traefik]
    tls_san: ["{{ ansible_host }}"]
    registries:
      mirrors:
        "registry.local:5000":
          endpoint: ["http://registry.local:5000"]
    kubeconfig_dest: "{{ playbook_dir }}/../.kube/gauntlet.yaml"
  register: k3s_server`,
    `- name: An agent joins the server
  k3s:
    role: agent
    version: v1.32.3+k3s1
    binary_src: "{{ bundle_dir }}/bin/k3s"
    install_script_src: "{{ bundle_dir }}/bin/k3s-install.sh"
    server_url: "https://{{ hostvars.vm.ansible_host }}:6443"
    token: "{{ hostvars.vm.k3s_server.token }}"`,
  ],
  returns: {
    version: { type: 'str', description: 'The K3s version installed (or that would be).', returned: 'always' },
    node_name: { type: 'str', description: "The node's name (--node-name, else the host name in lower case).", returned: 'always' },
    ready: { type: 'bool', description: 'Whether the node is Ready (unknown in check mode when k3s would be installed or restarted).', returned: 'always' },
    token: { type: 'str', description: "The server's node-token (DATA_DIR/server/node-token), for agents to join; a secret.", returned: 'server' },
    kubeconfig_path: { type: 'str', description: 'kubeconfig_dest on the controller when given, else the kubeconfig on the host.', returned: 'server' },
    config_changed: { type: 'bool', description: 'Flags, registries.yaml or airgap images changed on a running install and k3s was NOT restarted: a handler should restart it.', returned: 'always' },
    actions: { type: 'list', description: 'What the task did, or would do in check mode.', returned: 'always' },
  },
  checkMode: true,
  check: checkArgs,
  async plan(ctx, a) {
    if (a.token !== undefined) ctx.secret(a.token);
    return planK3s(ctx, a);
  },
});

async function planK3s(ctx: ModuleContext, a: K3sArgs): Promise<Plan<K3sData>> {
  const p = pathsOf(a);
  const seen = await readK3s(ctx, a, p, a.registries !== undefined);
  const d = decide(a, p, seen);
  const actions = buildActions(ctx, a, p, seen, d);
  const diff = decisionDiff(p, seen, d);
  const nodeName = seen.nodeName;
  const kubeconfigPath = a.role === 'server' ? (a.kubeconfig_dest ?? p.kubeconfig) : undefined;

  const dataOf = (ready: boolean | Unknown, token: string | Unknown | undefined, actionsDone: string[]): K3sData => ({
    version: a.version,
    node_name: nodeName,
    ready,
    ...(a.role === 'server' ? { token } : {}),
    ...(kubeconfigPath ? { kubeconfig_path: kubeconfigPath } : {}),
    config_changed: d.configChanged,
    actions: actionsDone,
  });

  if (actions.length === 0) {
    // nothing to install: the node should be Ready; only the controller's kubeconfig copy may be stale
    if (ctx.check) {
      const look = await nodeReady(ctx, a, p, nodeName);
      const token = await readToken(ctx, a, p);
      const copy = await kubeconfigCopy(ctx, a, p);
      const stale = copy !== undefined && !copy.current;
      const what = stale ? [`write the kubeconfig to ${a.kubeconfig_dest} on the controller`] : [];
      return { changed: stale, msg: stale ? what[0] : look.ready ? undefined : look.why, data: dataOf(look.ready, token, what) };
    }
    const copy = await kubeconfigCopy(ctx, a, p);
    if (copy && !copy.current) {
      const what = `write the kubeconfig to ${a.kubeconfig_dest} on the controller`;
      return {
        changed: true,
        msg: what,
        data: dataOf(new Unknown('not checked yet'), undefined, [what]),
        apply: async () => {
          const done = await finish(ctx, a, p, nodeName);
          return { data: dataOf(true, done.token, [what]) };
        },
      };
    }
    const done = await finish(ctx, a, p, nodeName);
    return { changed: false, data: dataOf(true, done.token, []) };
  }

  const planned = actions.map((x) => x.what);
  if (a.kubeconfig_dest) planned.push(`write the kubeconfig to ${a.kubeconfig_dest} on the controller (when it differs)`);
  const knownToken = d.installed && !d.restartNow ? await readToken(ctx, a, p) : undefined;
  const msg = [...actions.map((x) => x.what), ...(d.configChanged ? ['k3s needs a restart (config_changed)'] : [])].join('; ');
  return {
    changed: true,
    msg,
    diff: diff.length > 0 ? diff : undefined,
    data: dataOf(new Unknown(d.restartNow ? 'k3s would be (re)started' : 'k3s would be reconfigured'), knownToken ?? new Unknown('k3s would write its token when it starts'), planned),
    apply: async () => {
      for (const x of actions) await x.run();
      const done = await finish(ctx, a, p, nodeName);
      const did = actions.map((x) => x.what);
      if (done.kubeconfigWritten) did.push(`write the kubeconfig to ${a.kubeconfig_dest} on the controller`);
      return { msg: did.join('; ') + (d.configChanged ? '; k3s needs a restart (config_changed)' : ''), data: dataOf(true, done.token, did) };
    },
  };
}

export default k3s;
