// multipass against a command double (test/doubles/multipass): Multipass cannot run here (no
// nested virtualisation, no snapd), so the double replays the client's documented JSON formats
// (list, info), `get local.NAME.*` values, launch progress text and error messages, and records every
// invocation. The task's own host connection refuses every call: the module must only use the
// controller connection.
import { expect } from 'chai';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Connection } from '../../engine/connect/connection.js';
import { isUnknown } from '../../engine/vars/unknown.js';
import multipass from '../../modules/multipass.js';
import { makeMultipassDoubles, type Instance, type MultipassDoubles } from '../doubles/multipass/doubles.js';
import { rhythm, runModule, tempDir, type HarnessOptions } from './harness.js';

const READS = new Set(['list', 'info', 'get']);
const mutating = (calls: string[][]) => calls.filter((c) => !READS.has(c[1]!));
const GiB = 1024 ** 3;

/** The task's host: multipass runs on the controller, so any use of this is a bug. */
const refusingHost: Connection = {
  host: 'vm-to-be',
  connect: () => Promise.reject(new Error('the host connection was used')),
  run: () => Promise.reject(new Error('the host connection was used')),
  put: () => Promise.reject(new Error('the host connection was used')),
  get: () => Promise.reject(new Error('the host connection was used')),
  stat: () => Promise.reject(new Error('the host connection was used')),
  close: () => Promise.resolve(),
};

const LIST = ['multipass', 'list', '--format', 'json'];
const INFO = (n: string) => ['multipass', 'info', n, '--format', 'json'];
const GETS = (n: string) => ['cpus', 'memory', 'disk'].map((k) => ['multipass', 'get', `local.${n}.${k}`]);

function vm(o: Partial<Instance> = {}): Instance {
  return { state: 'Running', cpus: 2, memory: 4 * GiB, disk: 30 * GiB, image_release: '24.04 LTS', ip: '10.62.187.7', ...o };
}

describe('multipass (command double)', function () {
  // each module run starts several Node processes (one per multipass call): allow a loaded machine
  this.timeout(120_000);
  let d: MultipassDoubles;
  let pb: string;
  const opts = (o: HarnessOptions = {}): HarnessOptions => ({ conn: refusingHost, local: d.local, playbookDir: pb, ...o });
  const run = (args: Record<string, unknown>, o: HarnessOptions = {}) => runModule(multipass, args, opts(o));

  beforeEach(async () => {
    d = await makeMultipassDoubles();
    pb = await tempDir('gx-multipass-pb-');
    await mkdir(join(pb, 'templates', 'vm'), { recursive: true });
    await writeFile(join(pb, 'templates', 'vm', 'cloud-init.yaml.hbs'), '#cloud-config\nssh_authorized_keys:\n  - {{ controller_pubkey }}\n');
  });

  it('launches with the exact command and a rendered cloud-init: check → launch → no change → check, reads only after', async () => {
    const args = { name: 'gauntlet', cpus: 4, memory: '8G', disk: '40G', cloud_init: 'vm/cloud-init.yaml.hbs', timeout: 900 };
    const vars = { controller_pubkey: 'ssh-ed25519 AAAAC3Nza gx@controller' };
    const r = await rhythm(multipass, args, { ...opts({ vars }), snapshot: () => d.instances() });
    const calls = await d.calls();
    const launch = calls.find((c) => c[1] === 'launch')!;
    const file = launch[launch.indexOf('--cloud-init') + 1]!;
    expect(launch).to.deep.equal(['multipass', 'launch', '--name', 'gauntlet', '--cpus', '4', '--memory', '8G', '--disk', '40G', '--cloud-init', file, '--timeout', '900', '24.04']);
    expect(file.startsWith(`${d.home}/gx-multipass-`), file).to.equal(true);
    const read = [INFO('gauntlet'), ...GETS('gauntlet')];
    expect(calls).to.deep.equal([LIST, LIST, launch, ...read, LIST, ...read, LIST, ...read]);
    expect(await d.cloudInit('gauntlet')).to.equal('#cloud-config\nssh_authorized_keys:\n  - ssh-ed25519 AAAAC3Nza gx@controller\n');
    expect(await d.homeEntries(), 'the cloud-init temp directory is removed').to.deep.equal([]);

    expect(r.check.msg).to.match(/^launch gauntlet: multipass launch --name gauntlet --cpus 4 --memory 8G --disk 40G --cloud-init '<.*cloud-init\.yaml\.hbs rendered>' --timeout 900 24\.04$/);
    expect(isUnknown(r.check.data.ipv4)).to.equal(true);
    expect(isUnknown(r.check.data.info)).to.equal(true);
    expect(r.check.data.state).to.equal('Running');
    expect(r.apply.data).to.deep.include({ name: 'gauntlet', state: 'Running', ipv4: '10.62.187.10', differences: {} });
    expect(r.apply.data.commands).to.deep.equal([launch]);
    const info = r.apply.data.info as Record<string, any>;
    expect(info).to.deep.include({ cpu_count: '4', image_release: '24.04 LTS', state: 'Running' });
    expect(info.ipv4).to.deep.equal(['10.62.187.10', '10.42.0.0']);
    expect(r.again.data).to.deep.include({ state: 'Running', ipv4: '10.62.187.10', differences: {} });
    expect(r.again.msg).to.equal(undefined);
  });

  it('a spec that differs is reported in differences and msg, changes nothing, and fails with on_difference: fail', async () => {
    await d.setInstances({ gauntlet: vm({ cpus: 2, memory: 4 * GiB, disk: 30 * GiB, image_release: '22.04 LTS' }) });
    const args = { name: 'gauntlet', cpus: 4, memory: '8G', disk: '30G', image: 'noble' };
    const warn = await run(args);
    expect(warn.failed).to.equal(false);
    expect(warn.changed).to.equal(false);
    expect(warn.data.differences).to.deep.equal({
      cpus: { wanted: '4', actual: '2' },
      memory: { wanted: '8G', actual: '4.0GiB' },
      image: { wanted: 'noble', actual: '22.04 LTS' },
    });
    expect(warn.msg).to.equal(
      'instance gauntlet exists with a different spec: cpus 2 (wanted 4), memory 4.0GiB (wanted 8G), image 22.04 LTS (wanted noble); ' +
        'multipass does not change it here (stop it and use `multipass set local.gauntlet.KEY=VALUE` for cpus, memory or a larger disk, or delete and relaunch it)',
    );
    const failed = await run({ ...args, on_difference: 'fail' });
    expect(failed.failed).to.equal(true);
    expect(failed.msg).to.match(/^instance gauntlet exists with a different spec: cpus 2 \(wanted 4\)/);
    expect(mutating(await d.calls())).to.deep.equal([]);
    expect((await d.instances()).gauntlet).to.deep.include({ cpus: 2, state: 'Running' });
  });

  it('sizes compare in bytes within the rounding multipass prints: 4096M is 4.0GiB, 30720M is 30.0GiB; images by release', async () => {
    await d.setInstances({ gauntlet: vm() });
    const same = await run({ name: 'gauntlet', cpus: 2, memory: '4096M', disk: '30720M', image: '24.04' });
    expect(same).to.deep.include({ changed: false, failed: false });
    expect(same.data.differences).to.deep.equal({});
    // a file:// image names no release: not compared rather than guessed
    const img = join(await tempDir('gx-multipass-img-'), 'noble.img');
    await writeFile(img, 'QFI\xfb');
    const custom = await run({ name: 'gauntlet', cpus: 2, image: `file://${img}` });
    expect(custom.data.differences).to.deep.equal({});
    const bigger = await run({ name: 'gauntlet', cpus: 2, disk: '31G' });
    expect(bigger.data.differences).to.deep.equal({ disk: { wanted: '31G', actual: '30.0GiB' } });
  });

  it('started starts a stopped VM, present leaves it alone; check mode runs no mutating command', async () => {
    await d.setInstances({ gauntlet: vm({ state: 'Stopped' }) });
    const check = await run({ name: 'gauntlet' }, { check: true, diff: true });
    expect(check).to.deep.include({ changed: true, msg: 'start gauntlet (Stopped)' });
    expect(check.diff).to.deep.equal([{ label: 'multipass instance gauntlet', before: 'state: Stopped\n', after: 'state: Running\n' }]);
    expect(isUnknown(check.data.ipv4)).to.equal(true);
    expect(mutating(await d.calls())).to.deep.equal([]);
    expect(await run({ name: 'gauntlet', state: 'present' })).to.deep.include({ changed: false });

    await d.clearCalls();
    const started = await run({ name: 'gauntlet', timeout: 120 });
    expect(started.changed).to.equal(true);
    expect(started.data).to.deep.include({ state: 'Running', ipv4: '10.62.187.7' });
    expect(mutating(await d.calls())).to.deep.equal([['multipass', 'start', 'gauntlet', '--timeout', '120']]);
    expect(await run({ name: 'gauntlet' })).to.deep.include({ changed: false });
  });

  it('stopped stops a running VM, then it and present are ok; check mode runs no mutating command', async () => {
    await d.setInstances({ gauntlet: vm() });
    expect((await run({ name: 'gauntlet', state: 'stopped' }, { check: true })).changed).to.equal(true);
    expect(mutating(await d.calls())).to.deep.equal([]);
    const stopped = await run({ name: 'gauntlet', state: 'stopped' });
    expect(stopped.data).to.deep.include({ state: 'Stopped', ipv4: null });
    expect(mutating(await d.calls())).to.deep.equal([['multipass', 'stop', 'gauntlet']]);
    expect(await run({ name: 'gauntlet', state: 'stopped' })).to.deep.include({ changed: false });
    expect(await run({ name: 'gauntlet', state: 'present' })).to.deep.include({ changed: false });
  });

  it('state stopped on a missing VM launches it then stops it', async () => {
    const r = await run({ name: 'gauntlet', state: 'stopped' });
    expect(r.changed).to.equal(true);
    expect(mutating(await d.calls())).to.deep.equal([
      ['multipass', 'launch', '--name', 'gauntlet', '--cpus', '2', '--memory', '4G', '--disk', '30G', '--timeout', '600', '24.04'],
      ['multipass', 'stop', 'gauntlet'],
    ]);
    expect(r.data).to.deep.include({ state: 'Stopped', ipv4: null });
  });

  it('absent deletes (recoverable), then purge: true purges the deleted instance; each again is no change', async () => {
    await d.setInstances({ gauntlet: vm(), other: vm({ ip: '10.62.187.8' }) });
    const check = await run({ name: 'gauntlet', state: 'absent' }, { check: true });
    expect(check).to.deep.include({ changed: true, msg: 'delete gauntlet (Running): multipass delete gauntlet' });
    expect(mutating(await d.calls())).to.deep.equal([]);
    const del = await run({ name: 'gauntlet', state: 'absent' });
    expect(del.changed).to.equal(true);
    expect((await d.instances()).gauntlet!.state).to.equal('Deleted');
    const again = await run({ name: 'gauntlet', state: 'absent' });
    expect(again).to.deep.include({ changed: false, msg: 'gauntlet is deleted but not purged (recoverable); purge: true removes it for good' });

    await d.clearCalls();
    expect((await run({ name: 'gauntlet', state: 'absent', purge: true }, { check: true })).changed).to.equal(true);
    const purged = await run({ name: 'gauntlet', state: 'absent', purge: true });
    expect(purged.data).to.deep.include({ state: 'absent', ipv4: null, info: null });
    expect(mutating(await d.calls())).to.deep.equal([['multipass', 'delete', '--purge', 'gauntlet']]);
    expect(Object.keys(await d.instances())).to.deep.equal(['other']);
    expect(await run({ name: 'gauntlet', state: 'absent', purge: true })).to.deep.include({ changed: false });
  });

  it('a deleted, not purged instance is recovered and started, not relaunched; its spec is compared once recovered', async () => {
    await d.setInstances({ gauntlet: vm({ state: 'Deleted', cpus: 1 }) });
    const check = await run({ name: 'gauntlet' }, { check: true });
    expect(check).to.deep.include({ changed: true, msg: 'recover gauntlet (deleted, not purged) and start it' });
    expect(isUnknown(check.data.differences)).to.equal(true);
    expect(mutating(await d.calls())).to.deep.equal([]);
    const r = await run({ name: 'gauntlet' });
    expect(r.changed).to.equal(true);
    expect(r.failed).to.equal(false);
    expect(r.msg).to.match(/^recovered gauntlet, but instance gauntlet exists with a different spec: cpus 1 \(wanted 2\)/);
    expect(mutating(await d.calls())).to.deep.equal([['multipass', 'recover', 'gauntlet'], ['multipass', 'start', 'gauntlet', '--timeout', '600']]);
    expect(r.data).to.deep.include({ state: 'Running', ipv4: '10.62.187.7' });
  });

  it('error: multipass not installed on the controller', async () => {
    d = await makeMultipassDoubles({ withDouble: false, path: '/usr/bin:/bin' });
    const r = await run({ name: 'gauntlet' });
    expect(r).to.deep.include({ failed: true, changed: false, msg: 'multipass is not installed on the controller (install Multipass: `sudo snap install multipass` on Linux, `brew install --cask multipass` or the installer from its site on macOS)' });
  });

  it('error: a non-zero exit fails the task with the command and its stderr (daemon down, launch refused)', async () => {
    await d.fail('list', 'list failed: cannot connect to the multipass socket\n');
    const down = await run({ name: 'gauntlet' });
    expect(down).to.deep.include({ failed: true, msg: 'multipass list --format json exited 2: list failed: cannot connect to the multipass socket' });

    d = await makeMultipassDoubles();
    const bad = await run({ name: 'gauntlet', image: 'plucky-minimal' });
    expect(bad.failed).to.equal(true);
    expect(bad.msg).to.equal(
      'multipass launch --name gauntlet --cpus 2 --memory 4G --disk 30G --timeout 600 plucky-minimal exited 2: launch failed: Unable to find an image matching "plucky-minimal" in remote "".',
    );
    expect(await d.instances()).to.deep.equal({});
  });

  it('error: a multipass call that does not answer is killed after the timeout and fails the task', async () => {
    await d.hang('list');
    const r = await run({ name: 'gauntlet', timeout: 1 });
    expect(r).to.deep.include({ failed: true, msg: 'multipass list --format json timed out' });
  });

  it('error: a launch that passes its --timeout fails saying the VM may still come up; the next run adopts and starts it', async () => {
    await d.launchTimeout();
    const r = await run({ name: 'gauntlet', timeout: 60 });
    expect(r.failed).to.equal(true);
    expect(r.msg).to.equal(
      'multipass launch --name gauntlet --cpus 2 --memory 4G --disk 30G --timeout 60 24.04 exited 5: Timed out waiting for instance launch.\n' +
        'gauntlet may still finish starting; a later run adopts it as it is (raise timeout for a slow first boot)',
    );
    await d.clearCalls();
    const next = await run({ name: 'gauntlet', timeout: 60 });
    expect(next).to.deep.include({ changed: true, failed: false, msg: 'start gauntlet (Starting)' });
    expect(mutating(await d.calls())).to.deep.equal([['multipass', 'start', 'gauntlet', '--timeout', '60']]);
  });

  it('error: a cloud_init template that does not exist fails before any multipass call', async () => {
    const r = await run({ name: 'gauntlet', cloud_init: 'vm/missing.yaml.hbs' }, { check: true });
    expect(r.failed).to.equal(true);
    expect(r.msg).to.include('missing.yaml.hbs');
    expect(await d.calls()).to.deep.equal([]);
  });
  describe('a file:// image (the offline launch): checked on the controller before anything is launched', () => {
    let img: string;
    beforeEach(async () => {
      img = join(await tempDir('gx-multipass-img-'), 'ubuntu-24.04-server-cloudimg-amd64.img');
      await writeFile(img, 'QFI\xfb');
    });
    const launched = async () => (await d.calls()).filter((c) => c[1] === 'launch');

    it('launches from the file by its normalised absolute path, and re-runs unchanged', async () => {
      const r = await run({ name: 'gauntlet', image: `file://${img.replace(/\/([^/]+)$/, '/./$1')}` });
      expect(r.changed, r.msg).to.equal(true);
      expect((await launched())[0]!.at(-1)).to.equal(`file://${img}`);
      expect((await d.instances()).gauntlet!.image_release).to.equal('');
      expect(await run({ name: 'gauntlet', image: `file://${img}` })).to.deep.include({ changed: false, failed: false });
    });

    it('a missing image fails naming the file and the collect playbook, in check mode too; nothing launched', async () => {
      for (const check of [false, true]) {
        const r = await run({ name: 'gauntlet', image: `file://${img}.missing` }, { check });
        expect(r.failed).to.equal(true);
        expect(r.msg).to.contain(`${img}.missing does not exist on the controller`).and.contain('collect-bundle.yaml');
      }
      expect(await launched()).to.deep.equal([]);
      expect((await run({ name: 'gauntlet', image: 'file://relative/x.img' })).msg).to.contain('needs an absolute path');
    });

    it('macOS: the hyperkit driver cannot launch a local image (refused with the fix); qemu can', async () => {
      await writeFile(join(d.state, 'uname'), 'Darwin\n');
      await writeFile(join(d.state, 'driver'), 'hyperkit\n');
      const r = await run({ name: 'gauntlet', image: `file://${img}` }, { check: true });
      expect(r.failed).to.equal(true);
      expect(r.msg).to.contain('hyperkit driver cannot launch a local image').and.contain('multipass set local.driver=qemu');
      await writeFile(join(d.state, 'driver'), 'qemu\n');
      expect((await run({ name: 'gauntlet', image: `file://${img}` })).changed).to.equal(true);
    });

    it('Linux with Multipass as a snap: a file outside /home is invisible to its daemon (refused with the fix); under /media it needs removable-media connected', async () => {
      await writeFile(join(d.state, 'uname'), 'Linux\n');
      const table = (slot: string) => `Interface        Plug                        Slot              Notes\nhome             multipass:all-home          :home             -\nremovable-media  multipass:removable-media   ${slot}  -\n`;
      await writeFile(join(d.state, 'snap-connections'), table('-               '));
      const r = await run({ name: 'gauntlet', image: `file://${img}` }, { check: true });
      expect(r.failed).to.equal(true);
      expect(r.msg).to.contain('only sees files under /home').and.contain('snap connect multipass:removable-media');
      // the path rule alone (the image need not exist for the rule to be read: /media is checked after the file)
      expect(await launched()).to.deep.equal([]);
    });
  });
});
