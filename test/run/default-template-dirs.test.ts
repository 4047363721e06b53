// Where `gx play` looks for templates after the role, the task file and the play's directory: the
// --templates-dir directories, or by default templates/ beside the playbook and in its parent.
import { expect } from 'chai';
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultTemplateDirs } from '../../engine/cli/play.js';
import { ErrorList } from '../../engine/errors.js';
import { play, playIn, writeTree } from './play-helper.js';

describe('gx play: template directories', () => {
  it('defaults to templates/ beside the playbook and in its parent directory, those that exist', () => {
    const root = mkdtempSync(join(tmpdir(), 'gx-tpldirs-'));
    mkdirSync(join(root, 'playbooks'));
    expect(defaultTemplateDirs([join(root, 'site.yaml')])).to.deep.equal([]);
    mkdirSync(join(root, 'templates'));
    // the gauntlet's layout: site.yaml at the top, plays under playbooks/, manifests in templates/
    expect(defaultTemplateDirs([join(root, 'site.yaml')])).to.deep.equal([join(root, 'templates')]);
    expect(defaultTemplateDirs([join(root, 'playbooks', 'k3s.yaml')])).to.deep.equal([join(root, 'templates')]);
  });

  const files = {
    'playbooks/web.yaml': '- hosts: localhost\n  connection: local\n  gather_facts: false\n  tasks:\n    - template: {src: web/app.conf.hbs, dest: "{{ out }}"}\n',
    'site.yaml': '- import_playbook: playbooks/web.yaml\n',
    'templates/web/app.conf.hbs': 'port {{ port }}\n',
    'elsewhere/web/app.conf.hbs': 'elsewhere {{ port }}\n',
  };

  it('finds a template of an imported play in the default directory, at compile time and at run time', async () => {
    const dir = writeTree(files);
    const r = await playIn(dir, { extraVars: ['port=80', `out=${join(dir, 'out.conf')}`] });
    expect(r.code, r.text).to.equal(0);
    expect(readFileSync(join(dir, 'out.conf'), 'utf8')).to.equal('port 80\n');
  });

  it('uses the --templates-dir directories instead of the default', async () => {
    const dir = writeTree(files);
    const dest = join(dir, 'out.conf');
    const r = await playIn(dir, { extraVars: ['port=81', `out=${dest}`], templatesDir: [join(dir, 'elsewhere')] });
    expect(r.code, r.text).to.equal(0);
    expect(readFileSync(dest, 'utf8')).to.equal('elsewhere 81\n');
  });

  it('checks the syntax of a template found there before anything runs', async () => {
    let err: ErrorList | undefined;
    await play({ ...files, 'templates/web/app.conf.hbs': 'port {{#if port}}\n' }, { extraVars: ['port=82', 'out=/nonexistent/x'] }).catch((e: ErrorList) => (err = e));
    expect(err).to.be.instanceOf(ErrorList);
    expect(err!.errors).to.have.length(1);
    expect(err!.errors[0]!.message).to.include('template syntax error in web/app.conf.hbs');
  });
});
