// Where a task's `src:` is looked up: the search path is data the caller gives (role, task file,
// play directory, configured template directories); the engine knows no project layout.
import { expect } from 'chai';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findFile, searchCandidates } from '../../engine/load/find-file.js';

describe('load/find-file', () => {
  it('looks in the role, beside the task file, in the play directory, then the configured template directories', () => {
    const where = { roleDir: '/r/roles/web', taskFile: '/r/play/tasks/main.yaml', playbookDir: '/r/play', templateDirs: ['/t1', '/t2'] };
    expect(searchCandidates('a.hbs', 'templates', where)).to.deep.equal([
      '/r/roles/web/templates/a.hbs',
      '/r/roles/web/a.hbs',
      '/r/play/tasks/templates/a.hbs',
      '/r/play/tasks/a.hbs',
      '/r/play/templates/a.hbs',
      '/r/play/a.hbs',
      '/t1/a.hbs',
      '/t2/a.hbs',
    ]);
  });

  it('searches the configured template directories for templates only, and no ../templates unless given', () => {
    expect(searchCandidates('a', 'files', { playbookDir: '/p', templateDirs: ['/t'] })).to.deep.equal(['/p/files/a', '/p/a']);
    expect(searchCandidates('a', 'templates', { playbookDir: '/p' })).to.deep.equal(['/p/templates/a', '/p/a']);
    // a task written in the playbook itself: its directory is the play's, listed once
    expect(searchCandidates('a', 'templates', { playbookDir: '/p', taskFile: '/p/site.yaml' })).to.deep.equal(['/p/templates/a', '/p/a']);
    expect(searchCandidates('/abs/a', 'templates', { playbookDir: '/p', templateDirs: ['/t'] })).to.deep.equal(['/abs/a']);
  });

  it('returns the first that exists, or names every place it looked', async () => {
    const root = mkdtempSync(join(tmpdir(), 'gx-findfile-'));
    mkdirSync(join(root, 'playbooks'));
    mkdirSync(join(root, 'templates', 'vm'), { recursive: true });
    writeFileSync(join(root, 'templates', 'vm', 'init.hbs'), 'x');
    const where = { playbookDir: join(root, 'playbooks'), templateDirs: [join(root, 'templates')] };
    expect(await findFile('vm/init.hbs', 'templates', where)).to.equal(join(root, 'templates', 'vm', 'init.hbs'));
    let err: Error | undefined;
    await findFile('vm/init.hbs', 'templates', { playbookDir: join(root, 'playbooks') }).catch((e: Error) => (err = e));
    expect(err?.message).to.equal(`could not find 'vm/init.hbs' in: ${join(root, 'playbooks', 'templates', 'vm', 'init.hbs')}, ${join(root, 'playbooks', 'vm', 'init.hbs')}`);
  });
});
