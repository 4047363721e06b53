import { createHash } from 'node:crypto';
import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { rhythm, runModule, tempDir } from './harness.js';

const read = async (p: string): Promise<string | null> => (existsSync(p) ? readFile(p, 'utf8') : null);

async function playbook(templates: Record<string, string>): Promise<string> {
  const pb = await tempDir();
  await mkdir(join(pb, 'templates'));
  for (const [name, text] of Object.entries(templates)) await writeFile(join(pb, 'templates', name), text);
  return pb;
}

describe('template module', () => {
  it('renders with the task variables and passes the rhythm', async () => {
    const pb = await playbook({ 'app.conf.hbs': 'port={{ port }}\n{{#each hosts}}host={{this}}\n{{/each}}' });
    const dest = join(await tempDir(), 'app.conf');
    const vars = { port: 8080, hosts: ['a', 'b'] };
    const { apply } = await rhythm('template', { src: 'app.conf.hbs', dest }, { playbookDir: pb, vars, snapshot: () => read(dest) });
    expect(await read(dest)).to.equal('port=8080\nhost=a\nhost=b\n');
    expect(apply.data.src).to.equal(join(pb, 'templates', 'app.conf.hbs'));
    expect(apply.data.checksum).to.equal(createHash('sha1').update('port=8080\nhost=a\nhost=b\n').digest('hex'));
  });

  it('renders a .j2 file as Jinja2 with Ansible\'s template defaults (trim_blocks, trailing newline, includes beside it)', async () => {
    const pb = await playbook({ 'app.conf.j2': '# {{ ansible_managed }}\n{% for h in hosts %}\nhost={{ h }}\n{% endfor %}\n{% include "tail.j2" %}\n', 'tail.j2': 'port={{ port }}\n' });
    const dest = join(await tempDir(), 'app.conf');
    await rhythm('template', { src: 'app.conf.j2', dest }, { playbookDir: pb, vars: { port: 8080, hosts: ['a', 'b'] }, snapshot: () => read(dest) });
    expect(await read(dest)).to.equal('# Managed by gx: local changes will be overwritten\nhost=a\nhost=b\nport=8080\n');
  });

  it('takes Ansible\'s trim_blocks, lstrip_blocks and newline_sequence for Jinja2 files', async () => {
    const pb = await playbook({ 'l.j2': 'a\n  {% if true %}\nb\n  {% endif %}\nc\n' });
    const dest = join(await tempDir(), 'l');
    await runModule('template', { src: 'l.j2', dest }, { playbookDir: pb });
    expect(await read(dest)).to.equal('a\n  b\n  c\n');
    await runModule('template', { src: 'l.j2', dest, lstrip_blocks: true }, { playbookDir: pb });
    expect(await read(dest)).to.equal('a\nb\nc\n');
    await runModule('template', { src: 'l.j2', dest, trim_blocks: false, lstrip_blocks: true, newline_sequence: '\r\n' }, { playbookDir: pb });
    expect(await read(dest)).to.equal('a\r\n\r\nb\r\n\r\nc\r\n');
  });

  it("newline_sequence written as an escape ('\\r\\n' in single quotes), also for a file without a Jinja tag (target template)", async () => {
    const pb = await playbook({ 'plain.j2': 'a\nb\n\n', 'tag.j2': 'a\n{{ 1 }}\n' });
    const dest = join(await tempDir(), 'n');
    await runModule('template', { src: 'plain.j2', dest, newline_sequence: '\\r\\n' }, { playbookDir: pb });
    expect(await read(dest)).to.equal('a\r\nb\r\n\r\n');
    await runModule('template', { src: 'tag.j2', dest, newline_sequence: '\\r' }, { playbookDir: pb });
    expect(await read(dest)).to.equal('a\r1\r');
  });

  it('output_encoding writes the rendered text in that encoding (windows-1252, latin-1; utf-8 when empty); a character it cannot hold fails the task', async () => {
    const pb = await playbook({ 'e.j2': '\u20ac {{ word }}\n' });
    const dest = join(await tempDir(), 'e');
    await runModule('template', { src: 'e.j2', dest, output_encoding: 'windows-1252' }, { playbookDir: pb, vars: { word: 'caf\u00e9' } });
    expect([...(await readFile(dest))]).to.deep.equal([0x80, 0x20, 0x63, 0x61, 0x66, 0xe9, 0x0a]);
    await runModule('template', { src: 'e.j2', dest, output_encoding: '' }, { playbookDir: pb, vars: { word: 'caf\u00e9' } });
    expect(await read(dest)).to.equal('\u20ac caf\u00e9\n');
    const r = await runModule('template', { src: 'e.j2', dest, output_encoding: 'latin-1' }, { playbookDir: pb, vars: { word: 'x' } });
    expect(r.failed).to.equal(true);
    expect(r.msg).to.match(/can't encode character '\\u20ac'/);
  });

  it("other Jinja delimiters (block/variable/comment start and end strings) read the template as Ansible's do; default ones in its text stay text (target template)", async () => {
    const pb = await playbook({
      'd.j2': 'lit {{ a }} {% b %} {# c #} {\n[% for i in [1,2] -%]\n<< i >>[%- if i == 1 %],[% endif %]\n[% endfor %]\n[#- note -#]\n[% raw %]<< raw >> {{ x }}[% endraw %]\nend<< "x" >>{\n',
      'c.j2': 'Before\n[# Test comment_start_string #]\nAfter\n',
    });
    const dest = join(await tempDir(), 'd');
    const delimiters = { block_start_string: '[%', block_end_string: '%]', variable_start_string: '<<', variable_end_string: '>>', comment_start_string: '[#', comment_end_string: '#]' };
    const r = await runModule('template', { src: 'd.j2', dest, ...delimiters }, { playbookDir: pb });
    expect(r.failed).to.equal(false);
    // what ansible-playbook 2.14.18 writes for the same template and arguments
    expect(await read(dest)).to.equal('lit {{ a }} {% b %} {# c #} {\n1,2<< raw >> {{ x }}endx{\n');
    await runModule('template', { src: 'c.j2', dest, comment_start_string: '[#', comment_end_string: '#]' }, { playbookDir: pb });
    expect(await read(dest)).to.equal('Before\nAfter\n');
  });

  it('an undefined variable in a .j2 file points at its line in the file (the #jinja2: line counted)', async () => {
    const pb = await playbook({ 'u.j2': 'ok\nport={{ prot }}\n', 'h.j2': '#jinja2: trim_blocks: False\nok\n{% if nope %}x{% endif %}\n' });
    const dest = join(await tempDir(), 'u');
    for (const [src, line, col, name] of [['u.j2', 2, 9, 'prot'], ['h.j2', 3, 7, 'nope']] as const) {
      let err: { message: string; loc?: { file: string; line: number; col: number } } | undefined;
      await runModule('template', { src, dest }, { playbookDir: pb, vars: { port: 1 } }).catch((e: typeof err) => (err = e));
      expect(err?.message).to.match(new RegExp(`^'${name}' is undefined at line ${line}, col ${col}`));
      expect(err?.loc).to.deep.equal({ file: join(pb, 'templates', src), line, col });
    }
  });

  it('shows the rendered difference as a diff when a variable changes', async () => {
    const pb = await playbook({ 't.hbs': 'replicas: {{ n }}\nname: api\n' });
    const dest = join(await tempDir(), 'deploy.yaml');
    await runModule('template', { src: 't.hbs', dest }, { playbookDir: pb, vars: { n: 1 } });
    const r = await runModule('template', { src: 't.hbs', dest }, { playbookDir: pb, vars: { n: 3 }, check: true, diff: true });
    expect(r.changed).to.equal(true);
    expect(r.diff).to.deep.equal([{ label: dest, before: 'replicas: 1\nname: api\n', after: 'replicas: 3\nname: api\n' }]);
    expect(await read(dest)).to.equal('replicas: 1\nname: api\n');
  });

  it('offers template_path and template_dest, and fails on an undefined variable', async () => {
    const pb = await playbook({ 'p.hbs': '{{ template_dest }}', 'bad.hbs': '{{ nope }}' });
    const dest = join(await tempDir(), 'out');
    await runModule('template', { src: 'p.hbs', dest }, { playbookDir: pb });
    expect(await read(dest)).to.equal(dest);
    await writeFile(join(pb, 'templates', 'm.hbs'), '# {{ ansible_managed }}');
    await runModule('template', { src: 'm.hbs', dest }, { playbookDir: pb });
    expect(await read(dest)).to.equal('# Managed by gx: local changes will be overwritten');
    await runModule('template', { src: 'm.hbs', dest }, { playbookDir: pb, vars: { ansible_managed: 'ours' } });
    expect(await read(dest)).to.equal('# ours');
    let err: unknown;
    await runModule('template', { src: 'bad.hbs', dest }, { playbookDir: pb }).catch((e: unknown) => (err = e));
    expect(String(err)).to.match(/nope/);
  });

  it('validates before replacing, like copy', async () => {
    const pb = await playbook({ 'v.hbs': '{{ body }}\n' });
    const dest = join(await tempDir(), 'v');
    await writeFile(dest, 'valid\n');
    const r = await runModule('template', { src: 'v.hbs', dest, validate: 'grep -q valid %s' }, { playbookDir: pb, vars: { body: 'broken' } });
    expect(r.failed).to.equal(true);
    expect(await read(dest)).to.equal('valid\n');
  });
});
