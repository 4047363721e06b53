import { expect } from 'chai';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runModule, tempDir } from './harness.js';
import { sshPlay } from './ssh-play.js';

describe('include_vars', function () {
  this.timeout(60_000);

  it('loads a file from vars/ beside the playbook; the variables become host facts, in check mode too', async () => {
    const dir = await tempDir();
    await mkdir(join(dir, 'vars'));
    await writeFile(join(dir, 'vars', 'app.yml'), 'port: 8080\nname: web\n');
    for (const check of [false, true]) {
      const r = await runModule('include_vars', 'app.yml', { playbookDir: dir, check });
      expect(r).to.include({ changed: false, failed: false });
      expect(r.facts).to.deep.equal({ port: 8080, name: 'web' });
      expect(r.data.ansible_included_var_files).to.deep.equal([join(dir, 'vars', 'app.yml')]);
    }
    expect((await runModule('include_vars', { file: 'app.yml', name: 'app' }, { playbookDir: dir })).facts).to.deep.equal({ app: { port: 8080, name: 'web' } });
  });

  it('a directory: sorted files, subdirectories after, depth, files_matching, ignore_files, extensions', async () => {
    const dir = await tempDir();
    const d = join(dir, 'conf');
    await mkdir(join(d, 'sub'), { recursive: true });
    await writeFile(join(d, 'b.yml'), 'x: b\nb: 1\n');
    await writeFile(join(d, 'a.yaml'), 'x: a\na: 1\n');
    await writeFile(join(d, 'c.json'), '{"c": 1}');
    await writeFile(join(d, 'skip.yml'), 'skipped: 1\n');
    await writeFile(join(d, 'sub', 'z.yml'), 'x: z\n');
    const all = await runModule('include_vars', { dir: d, ignore_files: ['skip.yml'] }, { playbookDir: dir });
    expect(all.facts).to.deep.equal({ x: 'z', a: 1, b: 1, c: 1 });
    expect(all.data.ansible_included_var_files).to.deep.equal(['a.yaml', 'b.yml', 'c.json', 'sub/z.yml'].map((f) => join(d, f)));
    const top = await runModule('include_vars', { dir: d, depth: 1, files_matching: '^[ab]' }, { playbookDir: dir });
    expect(top.facts).to.deep.equal({ x: 'b', a: 1, b: 1 });
    await writeFile(join(d, 'notes.txt'), 'hello');
    const bad = await runModule('include_vars', { dir: d }, { playbookDir: dir });
    expect(bad.failed).to.equal(true);
    expect(bad.msg).to.equal(`${join(d, 'notes.txt')} does not have a valid extension: yaml, yml, json`);
    expect((await runModule('include_vars', { dir: d, ignore_unknown_extensions: true, extensions: ['json'] }, { playbookDir: dir })).facts).to.deep.equal({ c: 1 });
  });

  it("in a role: a file from the role's vars/ first; a dir under the role's vars/ (never its main.yml)", async () => {
    const pb = await tempDir();
    const role = join(pb, 'roles', 'web');
    await mkdir(join(role, 'vars', 'os'), { recursive: true });
    await mkdir(join(pb, 'vars'));
    await writeFile(join(role, 'vars', 'Debian.yml'), 'pkg: apache2\n');
    await writeFile(join(pb, 'vars', 'Debian.yml'), 'pkg: wrong\n');
    await writeFile(join(role, 'vars', 'main.yml'), 'from_main: true\n');
    await writeFile(join(role, 'vars', 'os', 'a.yml'), 'a: 1\n');
    expect((await runModule('include_vars', 'Debian.yml', { playbookDir: pb, roleDir: role })).facts).to.deep.equal({ pkg: 'apache2' });
    expect((await runModule('include_vars', { dir: 'os' }, { playbookDir: pb, roleDir: role })).facts).to.deep.equal({ a: 1 });
    const whole = await runModule('include_vars', { dir: 'vars' }, { playbookDir: pb, roleDir: role });
    expect(whole.facts).to.deep.equal({ pkg: 'apache2', a: 1 });
  });

  it('refuses a list file and mixing file with dir arguments', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'list.yml'), '- a\n- b\n');
    const r = await runModule('include_vars', { file: join(dir, 'list.yml') }, { playbookDir: dir });
    expect(r.msg).to.equal(`${join(dir, 'list.yml')} must be stored as a dictionary/hash`);
    const err = await runModule('include_vars', { file: 'x.yml', files_matching: 'y' }, { playbookDir: dir }).then(() => undefined, (e: Error) => e);
    expect(err?.message).to.match(/mixing file only and dir only arguments/);
  });

  it("a file without an extension is loaded when extensions lists '' (Python's splitext; target include_vars)", async () => {
    const dir = await tempDir();
    const d = join(dir, 'webapp');
    await mkdir(d);
    await writeFile(join(d, 'file_without_extension'), 'webapp_version: "1"\n');
    const r = await runModule('include_vars', { dir: d, ignore_unknown_extensions: true, extensions: ['', 'yaml', 'yml', 'json'] }, { playbookDir: dir });
    expect(r.facts).to.deep.equal({ webapp_version: '1' });
    const skipped = await runModule('include_vars', { dir: d, ignore_unknown_extensions: true }, { playbookDir: dir });
    expect(skipped.facts).to.deep.equal({});
  });

  it("a file that is None (first_found with errors='ignore' found nothing) fails with Ansible's 'Could not find file' message (target include_vars)", async () => {
    const dir = await tempDir();
    const r = await runModule('include_vars', { file: null }, { playbookDir: dir });
    expect(r.failed).to.equal(true);
    expect(r.data.message).to.match(/^Could not find file on the Ansible Controller\./);
  });

  it('hash_behaviour: merge merges each dictionary recursively into its current value; a missing one fails as in Ansible (target include_vars)', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'hash2.yml'), 'config:\n  key1: 1\n  key2:\n    b: 22\n  key3: 3\n');
    const vars = { config: { key0: 0, key1: 0, key2: { a: 21 } } };
    const r = await runModule('include_vars', { file: join(dir, 'hash2.yml'), hash_behaviour: 'merge' }, { playbookDir: dir, vars });
    expect(r.failed).to.equal(false);
    expect(r.facts).to.deep.equal({ config: { key0: 0, key1: 1, key2: { a: 21, b: 22 }, key3: 3 } });
    const replaced = await runModule('include_vars', { file: join(dir, 'hash2.yml'), hash_behaviour: 'replace' }, { playbookDir: dir, vars });
    expect(replaced.facts).to.deep.equal({ config: { key1: 1, key2: { b: 22 }, key3: 3 } });
    const missing = await runModule('include_vars', { file: join(dir, 'hash2.yml'), hash_behaviour: 'merge', name: 'fresh' }, { playbookDir: dir, vars });
    expect(missing.failed).to.equal(true);
    expect(missing.msg).to.equal(
      "failed to combine variables, expected dicts but got a 'NoneType' and a 'dict': \nnull\n{\"config\": {\"key1\": 1, \"key2\": {\"b\": 22}, \"key3\": 3}}",
    );
  });

  it('in a play on a real sshd test host: later tasks and plays see the variables, templates in them render when read', async () => {
    const r = await sshPlay({
      'site.yaml': `- hosts: all
  gather_facts: false
  tasks:
    - include_vars: settings.yml
    - name: use it
      debug:
        msg: "{{ greeting }}"
- hosts: all
  gather_facts: false
  tasks:
    - name: next play
      debug:
        msg: "{{ port }}"
`,
      'vars/settings.yml': 'who: "{{ inventory_hostname }}"\ngreeting: "hello {{ who }}"\nport: 8443\n',
    });
    expect(r.code, r.text).to.equal(0);
    expect(r.results('use it')[0]!.data?.msg).to.equal('hello h1');
    expect(String(r.results('next play')[0]!.data?.msg)).to.equal('8443');
  });
});
