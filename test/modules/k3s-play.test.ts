// k3s in a play, through the real CLI path and JSON reporter, against the command doubles
// (test/doubles/k3s): the `restart k3s` handler runs only when the module says config_changed, and
// the server's token never reaches the output.
import { expect } from 'chai';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MASK } from '../../engine/report/redact.js';
import { makeK3sDoubles, type K3sDoubles } from '../doubles/k3s/doubles.js';
import { playIn, writeTree } from '../run/play-helper.js';
import { tempDir } from './harness.js';

const V1 = 'v1.30.4+k3s1';

const SITE = `
- name: k3s
  hosts: localhost
  gather_facts: false
  environment: "{{ double_env }}"
  tasks:
    - name: K3s installed and running
      k3s:
        version: "{{ k3s_version }}"
        binary_src: "{{ bundle }}/bin/k3s"
        install_script_src: "{{ bundle }}/bin/k3s-install.sh"
        disable: [traefik]
        registries:
          mirrors:
            "registry.local:5000": { endpoint: ["http://{{ registry_ip }}:5000"] }
        bin_dir: "{{ dirs.bin_dir }}"
        config_dir: "{{ dirs.config_dir }}"
        data_dir: "{{ dirs.data_dir }}"
        systemd_dir: "{{ dirs.systemd_dir }}"
        kubeconfig_dest: "{{ kubeconfig_local }}"
        kubeconfig_server: "https://10.0.0.5:6443"
      register: k3s

    - name: K3s configuration changed
      debug:
        msg: "k3s configuration changed: {{ k3s.actions | join(', ') }}"
      changed_when: k3s.config_changed
      when: k3s.config_changed
      notify: restart k3s

    - name: the token agents join with
      debug:
        msg: "token={{ k3s.token }}"

  handlers:
    - name: restart k3s
      systemd:
        name: k3s
        state: restarted
`;

describe('k3s (command double): in a play with the restart handler', () => {
  let d: K3sDoubles;
  let dir: string;

  const run = (registryIp: string, check = false) =>
    playIn(dir, {
      check,
      extraVars: [
        JSON.stringify({
          k3s_version: V1,
          bundle: d.bundle,
          dirs: d.dirs,
          registry_ip: registryIp,
          kubeconfig_local: join(dir, 'kubeconfig.yaml'),
          // PATH with the systemctl double first, and the doubles' state
          double_env: d.env,
        }),
      ],
    });

  beforeEach(async () => {
    d = await makeK3sDoubles();
    await d.binary(V1);
    dir = writeTree({ 'site.yaml': SITE }, await tempDir('gx-k3s-play-'));
  });

  it('installs, changes nothing on a second run, and restarts k3s through the handler only when registries.yaml changed; the token is masked', async () => {
    const first = await run('10.0.0.9');
    expect(first.code, first.text).to.equal(0);
    expect(first.results('K3s installed and running')[0]!.status).to.equal('changed');
    expect(first.tasks()).to.deep.equal(['K3s installed and running', 'K3s configuration changed', 'the token agents join with']);
    const token = (await readFile(join(d.dirs.data_dir, 'server/node-token'), 'utf8')).trim();
    expect(first.text).not.to.contain(token.split('::server:')[1]);
    expect(first.results('the token agents join with')[0]!.msg).to.equal(`token=${MASK}`);

    await d.clearCalls();
    const again = await run('10.0.0.9');
    expect(again.code, again.text).to.equal(0);
    expect(again.recap('localhost')).to.include({ changed: 0, failed: 0 });
    expect((await d.calls()).filter((c) => c[0] === 'k3s-install.sh' || c[1] === 'restart')).to.deep.equal([]);

    const check = await run('10.0.0.10', true);
    expect(check.code, check.text).to.equal(0);
    expect(check.results('K3s installed and running')[0]!.status).to.equal('changed');
    expect((await d.calls()).filter((c) => c[0] === 'k3s-install.sh' || c[1] === 'restart')).to.deep.equal([]);

    const moved = await run('10.0.0.10');
    expect(moved.code, moved.text).to.equal(0);
    expect(moved.tasks()).to.deep.equal(['K3s installed and running', 'K3s configuration changed', 'the token agents join with', 'restart k3s']);
    expect(moved.results('restart k3s')[0]!.status).to.equal('changed');
    expect((await d.calls()).filter((c) => c[0] === 'k3s-install.sh' || c[1] === 'restart')).to.deep.equal([['systemctl', 'restart', 'k3s']]);
    expect(await readFile(join(d.dirs.config_dir, 'registries.yaml'), 'utf8')).to.contain('http://10.0.0.10:5000');
    expect(moved.text).not.to.contain(token.split('::server:')[1]);
  });
});
