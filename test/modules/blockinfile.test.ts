import { expect } from 'chai';
import { ModuleArgsError } from '../../engine/errors.js';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import blockinfile from '../../modules/blockinfile.js';
import type { SshConnection } from '../../engine/connect/ssh/connection.js';
import { firstHostPerSuite } from '../ssh/hosts.js';
import { rhythm, runModule, tempDir } from './harness.js';

async function fileWith(text: string | null): Promise<string> {
  const p = join(await tempDir('gx-blockinfile-'), 'hosts');
  if (text !== null) await writeFile(p, text);
  return p;
}

const read = (p: string) => readFile(p, 'utf8').catch(() => null);

describe('blockinfile', () => {
  it('inserts a marked block at the end: check → apply → again → check, with the diff', async () => {
    const p = await fileWith('127.0.0.1 localhost\n');
    const r = await rhythm(blockinfile, { path: p, block: '10.0.0.5 registry.local\n10.0.0.6 git.local\n' }, { snapshot: () => read(p), diff: true });
    const want = '127.0.0.1 localhost\n# BEGIN ANSIBLE MANAGED BLOCK\n10.0.0.5 registry.local\n10.0.0.6 git.local\n# END ANSIBLE MANAGED BLOCK\n';
    expect(r.check.diff).to.deep.equal([{ label: p, before: '127.0.0.1 localhost\n', after: want }]);
    expect(r.apply.msg).to.equal('Block inserted');
    expect(await read(p)).to.equal(want);
  });

  it('updates the block between existing markers in place, leaving the rest alone', async () => {
    const p = await fileWith('a\n# BEGIN ANSIBLE MANAGED BLOCK\nold\n# END ANSIBLE MANAGED BLOCK\nz\n');
    const r = await rhythm(blockinfile, { path: p, block: 'new1\nnew2' }, { snapshot: () => read(p), diff: true });
    expect(r.apply.msg).to.equal('Block updated');
    expect(r.check.diff![0]!.before).to.equal('a\n# BEGIN ANSIBLE MANAGED BLOCK\nold\n# END ANSIBLE MANAGED BLOCK\nz\n');
    expect(r.check.diff![0]!.after).to.equal('a\n# BEGIN ANSIBLE MANAGED BLOCK\nnew1\nnew2\n# END ANSIBLE MANAGED BLOCK\nz\n');
  });

  it('custom marker with {mark}, marker_begin and marker_end; two blocks with different markers coexist', async () => {
    const p = await fileWith('x: 1\n');
    await runModule(blockinfile, { path: p, marker: '## {mark} registry', marker_begin: 'start', marker_end: 'stop', block: 'r: 1' });
    await runModule(blockinfile, { path: p, marker: '## {mark} ingress', block: 'i: 2' });
    expect(await read(p)).to.equal('x: 1\n## start registry\nr: 1\n## stop registry\n## BEGIN ingress\ni: 2\n## END ingress\n');
  });

  it('insertbefore BOF and insertafter a regular expression place a new block', async () => {
    const p = await fileWith('[a]\nk=1\n[b]\nk=2\n');
    await runModule(blockinfile, { path: p, block: 'top', marker: '; {mark} top', insertbefore: 'BOF' });
    await runModule(blockinfile, { path: p, block: 'mid', marker: '; {mark} mid', insertafter: '^k=1' });
    expect(await read(p)).to.equal('; BEGIN top\ntop\n; END top\n[a]\nk=1\n; BEGIN mid\nmid\n; END mid\n[b]\nk=2\n');
  });

  it('state=absent (or an empty block) removes the block and its markers', async () => {
    const p = await fileWith('a\n# BEGIN ANSIBLE MANAGED BLOCK\nx\n# END ANSIBLE MANAGED BLOCK\nb\n');
    const r = await rhythm(blockinfile, { path: p, state: 'absent' }, { snapshot: () => read(p), diff: true });
    expect(r.apply.msg).to.equal('Block removed');
    expect(await read(p)).to.equal('a\nb\n');
    const q = await fileWith('# BEGIN ANSIBLE MANAGED BLOCK\nx\n# END ANSIBLE MANAGED BLOCK\n');
    await runModule(blockinfile, { path: q, block: '' });
    expect(await read(q)).to.equal('');
  });

  it('a missing file fails unless create is true; backup keeps the old file', async () => {
    const p = await fileWith(null);
    const out = await runModule(blockinfile, { path: p, block: 'x' });
    expect(out.failed).to.equal(true);
    expect(out.msg).to.match(/does not exist/);
    await rhythm(blockinfile, { path: p, block: 'x', create: true }, { snapshot: () => read(p) });
    expect(await read(p)).to.equal('# BEGIN ANSIBLE MANAGED BLOCK\nx\n# END ANSIBLE MANAGED BLOCK\n');
    const b = await runModule(blockinfile, { path: p, block: 'y', backup: true });
    expect(await read(b.data.backup as string)).to.equal('# BEGIN ANSIBLE MANAGED BLOCK\nx\n# END ANSIBLE MANAGED BLOCK\n');
  });

  it('a marker without {mark} is refused (begin and end would be the same line)', async () => {
    const p = await fileWith('a\n');
    // an argument error, found before the file is read (check(), also at --syntax-check)
    const err = await runModule(blockinfile, { path: p, block: 'x', marker: '# managed' }).then(() => undefined, (e: unknown) => e);
    expect(err).to.be.instanceOf(ModuleArgsError).with.property('message').match(/marker must contain \{mark\}/);
    expect(await read(p)).to.equal('a\n');
  });
});

describe('blockinfile content (Ansible\'s alias of block) on a real sshd test host', function () {
  this.timeout(30_000);
  let conn!: SshConnection;
  firstHostPerSuite((c) => (conn = c));

  it('content is the block: check → apply → again → check', async () => {
    const dir = (await conn.run({ argv: ['mktemp', '-d'] })).stdout.trim();
    const p = `${dir}/hosts`;
    await conn.put(p, 'a\n');
    const snapshot = async () => (await conn.get(p))?.toString('utf8') ?? null;
    await rhythm(blockinfile, { path: p, content: '10.0.0.5 registry.local' }, { conn, snapshot });
    expect(await snapshot()).to.equal('a\n# BEGIN ANSIBLE MANAGED BLOCK\n10.0.0.5 registry.local\n# END ANSIBLE MANAGED BLOCK\n');
    const err = await runModule(blockinfile, { path: p, content: 'x', block: 'y' }, { conn }).then(() => undefined, (e: Error) => e);
    expect(err?.message).to.match(/not both/);
  });
});
