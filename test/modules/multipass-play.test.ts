// multipass through `gx play` against the command double (test/doubles/multipass): the module runs on
// the controller inside a real run, a later task reads the registered ipv4, check mode predicts it as
// unknown and runs no mutating command, and a second run is ok.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MULTIPASS_BIN } from '../doubles/multipass/doubles.js';
import { tempDir } from './harness.js';

const PLAYBOOK = `- hosts: localhost
  gather_facts: false
  vars:
    pubkey: ssh-ed25519 AAAAC3Nza gx@controller
  tasks:
    - name: the VM
      multipass:
        name: gauntlet
        cpus: 2
        cloud_init: cloud-init.yaml.hbs
      register: vm
    - name: its address
      debug:
        msg: "vm at {{ vm.ipv4 }}"
`;

describe('multipass (command double) in gx play', function () {
  // three gx processes, each compiling the engine through tsx
  this.timeout(120_000);

  it('check mode predicts an unknown address and launches nothing; the run launches; a second run is ok', async () => {
    const dir = await tempDir('gx-multipass-play-');
    const state = join(dir, 'state');
    const home = join(dir, 'home');
    await mkdir(join(dir, 'templates'), { recursive: true });
    await mkdir(state);
    await mkdir(home);
    await writeFile(join(dir, 'templates', 'cloud-init.yaml.hbs'), '#cloud-config\nssh_authorized_keys:\n  - {{ pubkey }}\n');
    await writeFile(join(dir, 'site.yaml'), PLAYBOOK);
    await writeFile(join(dir, 'inventory.yaml'), 'all:\n  hosts:\n    localhost:\n      ansible_connection: local\n');
    const log = join(dir, 'calls.log');
    await writeFile(log, '');
    const env = { ...process.env, PATH: `${MULTIPASS_BIN}:${process.env.PATH}`, HOME: home, GX_DOUBLE_STATE: state, GX_DOUBLE_LOG: log, NO_COLOR: '1' };
    const play = (...flags: string[]) => {
      const r = spawnSync(process.execPath, ['--import', 'tsx', join(process.cwd(), 'engine/cli/main.ts'), 'play', join(dir, 'site.yaml'), '-i', join(dir, 'inventory.yaml'), '--output', 'plain', ...flags], { env, encoding: 'utf8' });
      expect(r.status, r.stdout + r.stderr).to.equal(0);
      return r.stdout;
    };
    const calls = async () => (await readFile(log, 'utf8')).split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { argv: string[] }).argv[1]);

    const check = play('--check');
    expect(check).to.include('vm at <unknown: the VM does not exist yet>');
    expect(await calls()).to.deep.equal(['list']);

    const first = play();
    expect(first).to.match(/changed: \[localhost\]/);
    expect(first).to.include('vm at 10.62.187.10');
    expect(await readFile(join(state, 'cloud-init', 'gauntlet'), 'utf8')).to.include('- ssh-ed25519 AAAAC3Nza gx@controller');

    await writeFile(log, '');
    const second = play();
    expect(second).to.include('vm at 10.62.187.10');
    expect(second).to.match(/localhost\s+: ok=2\s+changed=0/);
    expect(await calls()).to.deep.equal(['list', 'info', 'get', 'get', 'get']);
  });
});
