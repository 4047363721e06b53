// apt against command doubles of dpkg-query, apt-get and dpkg-deb (test/doubles): no package is
// really installed here, the doubles replay the tools' documented output and record every call.
import { expect } from 'chai';
import { ModuleArgsError } from '../../engine/errors.js';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LocalConnection } from '../../engine/connect/local.js';
import apt from '../../modules/apt.js';
import { EnvConnection, makeDoubles, type Doubles } from '../doubles/doubles.js';
import { rhythm, runModule, tempDir } from './harness.js';

const Q = ['dpkg-query', '-W', '--showformat=${binary:Package}\\t${Status}\\t${Version}\\n'];
const LOCK = ['-o', 'DPkg::Lock::Timeout=120'];
const CONF = ['-o', 'Dpkg::Options::=--force-confdef', '-o', 'Dpkg::Options::=--force-confold'];
const MUTATING = new Set(['install', 'remove', 'update', 'purge', 'upgrade', 'dist-upgrade', 'autoremove']);

function mutating(calls: string[][]): string[][] {
  return calls.filter((c) => c[0] === 'apt-get' && !c.includes('-s') && c.some((w) => MUTATING.has(w)));
}

describe('apt (command double)', () => {
  let d: Doubles;
  const dpkg = () => d.read('dpkg/jq').then(async (jq) => [jq, await d.read('dpkg/curl')]);
  beforeEach(async () => {
    d = await makeDoubles();
    await d.set('apt/jq', '1.6-2');
    await d.set('apt/curl', '7.88.1-10');
    await d.set('dpkg/curl', 'install ok installed\t7.88.1-10\n');
  });

  it('installs what is missing: exact commands, check and the second run change nothing', async () => {
    const r = await rhythm(apt, { name: ['jq', 'curl'] }, { conn: d.conn, snapshot: dpkg });
    expect(r.check.data.installed).to.deep.equal(['jq']);
    expect(await d.calls()).to.deep.equal([
      [...Q, 'jq', 'curl'],
      ['apt-get', '-s', ...LOCK, 'install', 'jq'],
      [...Q, 'jq', 'curl'],
      ['apt-get', '-s', ...LOCK, 'install', 'jq'],
      ['apt-get', '-y', ...LOCK, ...CONF, 'install', 'jq'],
      [...Q, 'jq', 'curl'],
      [...Q, 'jq', 'curl'],
    ]);
    expect(await d.read('dpkg/jq')).to.equal('install ok installed\t1.6-2\n');
  });

  it('install_recommends false and a comma-separated name string', async () => {
    await runModule(apt, { name: 'jq,curl', install_recommends: false }, { conn: d.conn });
    expect(mutating(await d.calls())).to.deep.equal([['apt-get', '-y', ...LOCK, ...CONF, '--no-install-recommends', 'install', 'jq']]);
  });

  it('state=absent removes, purge also clears config-files leftovers', async () => {
    await rhythm(apt, { name: 'curl', state: 'absent' }, { conn: d.conn, snapshot: dpkg });
    expect(mutating(await d.calls())).to.deep.equal([['apt-get', '-y', ...LOCK, 'remove', 'curl']]);
    expect(await d.read('dpkg/curl')).to.equal('deinstall ok config-files\t7.88.1-10\n');
    await d.clearCalls();
    await rhythm(apt, { name: 'curl', state: 'absent', purge: true }, { conn: d.conn, snapshot: dpkg });
    expect(mutating(await d.calls())).to.deep.equal([['apt-get', '-y', ...LOCK, 'remove', '--purge', 'curl']]);
    expect(await d.read('dpkg/curl')).to.equal(null);
  });

  it('state=latest upgrades when apt -s would install a newer candidate', async () => {
    await d.set('apt/curl', '7.88.1-11');
    const r = await rhythm(apt, { name: 'curl', state: 'latest' }, { conn: d.conn, snapshot: dpkg });
    expect(r.apply.data.installed).to.deep.equal(['curl']);
    expect(mutating(await d.calls())).to.deep.equal([['apt-get', '-y', ...LOCK, ...CONF, 'install', 'curl']]);
    expect(await d.read('dpkg/curl')).to.equal('install ok installed\t7.88.1-11\n');
  });

  it('a version pin installs that version and is satisfied by it', async () => {
    await rhythm(apt, { name: 'jq=1.6-2' }, { conn: d.conn, snapshot: dpkg });
    expect(mutating(await d.calls())).to.deep.equal([['apt-get', '-y', ...LOCK, ...CONF, 'install', 'jq=1.6-2']]);
  });

  it('update_cache: apt-get update when the cache is older than cache_valid_time, never in check mode', async () => {
    // the double leaves /var/lib/apt/lists alone, so its real age decides
    const fresh = await runModule(apt, { update_cache: true, cache_valid_time: 10 * 365 * 86400 }, { conn: d.conn });
    expect(fresh.changed).to.equal(false);
    expect(fresh.data.cache_updated).to.equal(false);
    const check = await runModule(apt, { update_cache: true }, { conn: d.conn, check: true });
    expect(check.changed).to.equal(true);
    expect(mutating(await d.calls())).to.deep.equal([]);
    const real = await runModule(apt, { update_cache: true, name: 'curl' }, { conn: d.conn });
    expect(real.changed).to.equal(true);
    expect(real.data.cache_updated).to.equal(true);
    expect(mutating(await d.calls())).to.deep.equal([['apt-get', ...LOCK, 'update']]);
  });

  it('deb: installs a .deb on the host unless that version is installed', async () => {
    const debs = await tempDir('gx-apt-');
    const deb = join(debs, 'k9s_0.32.5_amd64.deb');
    await writeFile(deb, 'Package: k9s\nVersion: 0.32.5\nArchitecture: amd64\n');
    const r = await rhythm(apt, { deb }, { conn: d.conn, snapshot: () => d.read('dpkg/k9s') });
    expect(r.apply.data.installed).to.deep.equal(['k9s=0.32.5']);
    expect(mutating(await d.calls())).to.deep.equal([['apt-get', '-y', ...LOCK, ...CONF, 'install', deb]]);
    const missing = await runModule(apt, { deb: join(debs, 'nope.deb') }, { conn: d.conn });
    expect(missing.failed).to.equal(true);
    expect(missing.msg).to.match(/not a readable \.deb file.*No such file/);
  });

  it('an unknown package fails already in check mode (apt -s says so)', async () => {
    const out = await runModule(apt, { name: 'no-such-pkg' }, { conn: d.conn, check: true });
    expect(out.failed).to.equal(true);
    expect(out.msg).to.contain('E: Unable to locate package no-such-pkg');
  });

  it('a name that is not a Debian package name never reaches a command', async () => {
    // an argument error (check(), also at --syntax-check when the name is literal)
    const err = await runModule(apt, { name: 'jq; rm -rf /' }, { conn: d.conn }).then(() => undefined, (e: unknown) => e);
    expect(err).to.be.instanceOf(ModuleArgsError).with.property('message').contain('is not a Debian package name');
    expect(await d.calls()).to.deep.equal([]);
  });

  it('apt-get install exiting non-zero fails the task with its error', async () => {
    await d.fail('apt-get', 'install', 'E: Could not get lock /var/lib/dpkg/lock-frontend. It is held by process 1234 (unattended-upgr)', 100);
    const out = await runModule(apt, { name: 'jq' }, { conn: d.conn });
    expect(out.failed).to.equal(true);
    expect(out.changed).to.equal(false);
    expect(out.msg).to.contain('exited 100: E: Could not get lock');
  });

  it('dpkg-query missing on the host: a clear failure', async () => {
    const conn = new EnvConnection(new LocalConnection('localhost'), { PATH: '/nonexistent' });
    const out = await runModule(apt, { name: 'jq' }, { conn });
    expect(out.failed).to.equal(true);
    expect(out.msg).to.equal('dpkg-query is not installed on localhost (install the dpkg package)');
  });
});

describe('apt (command double): upgrade and autoremove', () => {
  let d: Doubles;
  beforeEach(async () => {
    d = await makeDoubles();
    await d.set('dpkg/curl', 'install ok installed\t7.88.1-10\n');
    await d.set('apt/curl', '7.88.1-11');
    await d.set('dpkg/libold', 'install ok installed\t1.0\n');
    await d.set('auto/libold', '');
  });

  it('upgrade: dist runs dist-upgrade once, only when apt -s would upgrade something', async () => {
    const r = await rhythm(apt, { upgrade: 'dist' }, { conn: d.conn, snapshot: () => d.read('dpkg/curl') });
    expect(r.check.data.upgraded).to.deep.equal(['curl']);
    expect(mutating(await d.calls())).to.deep.equal([
      ['apt-get', '-y', ...LOCK, ...CONF, 'dist-upgrade'],
    ]);
    expect(await d.read('dpkg/curl')).to.equal('install ok installed\t7.88.1-11\n');
  });

  it('upgrade: yes means apt-get upgrade --with-new-pkgs; autoremove removes unneeded dependencies', async () => {
    await runModule(apt, { upgrade: true }, { conn: d.conn });
    await rhythm(apt, { autoremove: true }, { conn: d.conn, snapshot: () => d.read('dpkg/libold') });
    expect(mutating(await d.calls())).to.deep.equal([
      ['apt-get', '-y', ...LOCK, ...CONF, 'upgrade', '--with-new-pkgs'],
      ['apt-get', '-y', ...LOCK, 'autoremove'],
    ]);
    expect(await d.read('dpkg/libold')).to.equal(null);
  });

  it('cache_valid_time alone implies update_cache, as in Ansible', async () => {
    const out = await runModule(apt, { cache_valid_time: 1 }, { conn: d.conn, check: true });
    expect(out.data.cache_updated).to.equal(true);
  });
});
