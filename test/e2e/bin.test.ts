// The installed command as npm builds it (engine/cli/build-bin.ts): the bundle run through the V8
// code cache of engine/cli/bin.ts. What must hold: the same results with and without the cache, a
// cache only in a directory nobody else can write to, a bad cache replaced, and the lazily
// imported packages (x509) still loading from inside the cached script.
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { buildBin } from '../../engine/cli/build-bin.js';
import { hostVars, sshEnv } from '../ssh/hosts.js';
import { root } from './gx.js';

const run = promisify(execFile);

describe('the installed gx command (bundle + code cache)', function () {
  this.timeout(120_000);
  // beside the repository's package.json (version.ts looks two levels up), inside it for node_modules
  const out = join(root, `.test-bin-${process.pid}`, 'cli');
  let work: string;
  let play: string;

  before(async () => {
    await buildBin(out);
    work = mkdtempSync(join(tmpdir(), 'gx-bin-'));
    play = join(work, 'play.yaml');
    writeFileSync(
      play,
      [
        '- hosts: localhost',
        '  gather_facts: false',
        '  vars: { n: 21 }',
        '  tasks:',
        '    - debug: { msg: "hello {{ n }}" }',
        '    - x509_certificate:',
        `        path: ${work}/ca.crt`,
        `        privatekey_path: ${work}/ca.key`,
        '        provider: selfsigned',
        '        common_name: root.test',
        '        is_ca: true',
        // big enough for the parsed-YAML cache (engine/load/yaml-cache.ts)
        `# ${'padding '.repeat(160)}`,
        '',
      ].join('\n'),
    );
  });
  after(() => {
    rmSync(join(root, `.test-bin-${process.pid}`), { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  });

  async function gx(cache: string, extraEnv: NodeJS.ProcessEnv = {}): Promise<string> {
    rmSync(join(work, 'ca.crt'), { force: true });
    rmSync(join(work, 'ca.key'), { force: true });
    const r = await run(process.execPath, [join(out, 'main.js'), 'play', play, '--output', 'plain'], { cwd: work, env: { ...process.env, NO_COLOR: '1', XDG_CACHE_HOME: cache, ...extraEnv } });
    return r.stdout;
  }
  const cacheFiles = (cache: string): string[] => (existsSync(join(cache, 'gx')) ? readdirSync(join(cache, 'gx')).filter((f) => f.endsWith('.bin')) : []);
  const parsedFiles = (cache: string): string[] => (existsSync(join(cache, 'gx')) ? readdirSync(join(cache, 'gx')).filter((f) => f.startsWith('yaml-')) : []);

  it('writes a cache on the first run (private directory and file), reads it on the next, with the same results', async () => {
    const cache = mkdtempSync(join(work, 'xdg-'));
    const first = await gx(cache);
    expect(first).to.match(/hello 21/);
    expect(first).to.match(/localhost\s+: ok=2\s+changed=1 /);
    const files = cacheFiles(cache);
    expect(files).to.have.length(1);
    expect(statSync(join(cache, 'gx')).mode & 0o777).to.equal(0o700);
    const file = join(cache, 'gx', files[0]!);
    expect(statSync(file).mode & 0o777).to.equal(0o600);
    const ino = statSync(file).ino;
    // the playbook's parsed YAML, private too, read back on the next run
    const parsed = parsedFiles(cache);
    expect(parsed).to.have.length(1);
    const parsedFile = join(cache, 'gx', parsed[0]!);
    expect(statSync(parsedFile).mode & 0o777).to.equal(0o600);
    const parsedIno = statSync(parsedFile).ino;
    const second = await gx(cache);
    expect(second).to.equal(first);
    // accepted, so not written again (a rewrite renames a new file over it)
    expect(statSync(file).ino).to.equal(ino);
    expect(statSync(parsedFile).ino).to.equal(parsedIno);
  });

  it('replaces a cache V8 rejects', async () => {
    const cache = mkdtempSync(join(work, 'xdg-'));
    await gx(cache);
    const file = join(cache, 'gx', cacheFiles(cache)[0]!);
    writeFileSync(file, Buffer.alloc(4096, 7));
    const out2 = await gx(cache);
    expect(out2).to.match(/localhost\s+: ok=2\s+changed=1 /);
    expect(statSync(file).size).to.be.greaterThan(4096);
  });

  it('uses no cache in a directory others can write to, nor with GX_NO_COMPILE_CACHE=1', async () => {
    const open = mkdtempSync(join(work, 'xdg-'));
    mkdirSync(join(open, 'gx'));
    chmodSync(join(open, 'gx'), 0o777);
    expect(await gx(open)).to.match(/hello 21/);
    expect(cacheFiles(open)).to.deep.equal([]);
    expect(parsedFiles(open)).to.deep.equal([]);
    const off = mkdtempSync(join(work, 'xdg-'));
    expect(await gx(off, { GX_NO_COMPILE_CACHE: '1' })).to.match(/hello 21/);
    expect(cacheFiles(off)).to.deep.equal([]);
  });

  it("reaches SSH hosts with the bundled ssh2 and its native crypto binding, from the cache too", async () => {
    const cache = mkdtempSync(join(work, 'xdg-'));
    const inventory = join(work, 'ssh-inventory.yaml');
    writeFileSync(inventory, JSON.stringify({ all: { hosts: { h1: hostVars(sshEnv.hosts[0]!), h2: hostVars(sshEnv.hosts[1]!) } } }));
    const sshPlay = join(work, 'ssh-play.yaml');
    writeFileSync(sshPlay, '- hosts: all\n  gather_facts: false\n  tasks:\n    - command: echo from-{{ inventory_hostname }}\n      register: r\n    - debug: { var: r.stdout }\n');
    // which native addons the process loaded, printed at exit
    const probe = join(work, 'probe.cjs');
    writeFileSync(probe, "process.on('exit', () => process.stderr.write('ADDONS ' + Object.keys(require.cache).filter((k) => k.endsWith('.node')).join(' ') + '\\n'));\n");
    for (let i = 0; i < 2; i++) {
      const r = await run(process.execPath, ['--require', probe, join(out, 'main.js'), 'play', '-i', inventory, sshPlay, '--output', 'plain'], { cwd: work, env: { ...process.env, NO_COLOR: '1', XDG_CACHE_HOME: cache } });
      expect(r.stdout).to.match(/from-h1/).and.match(/from-h2/);
      expect(r.stderr).to.match(/ADDONS .*ssh2\/lib\/protocol\/crypto\/build\/Release\/sshcrypto\.node/);
    }
    expect(cacheFiles(cache)).to.have.length(1);
  });

  it('prints the version from package.json', async () => {
    const r = await run(process.execPath, [join(out, 'main.js'), '--version'], { env: { ...process.env, GX_NO_COMPILE_CACHE: '1' } });
    expect(r.stdout.trim()).to.match(/^\d+\.\d+\.\d+$/).and.not.equal('0.0.0');
  });
});
