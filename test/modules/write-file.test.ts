// What every file-writing module shares through one set of helpers (modules/lib/attrs.ts, mode.ts,
// write-file.ts): the same modes, a validate command run without a shell, and backups named as
// Ansible names them.
import { expect } from 'chai';
import { chmod, lstat, mkdir, readFile, readdir, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { rhythm, runModule, tempDir } from './harness.js';

const read = (p: string) => readFile(p, 'utf8').catch(() => null);
const modeOf = async (p: string): Promise<number> => (await stat(p)).mode & 0o7777;

/** The modules that write a whole file or edit one, with the arguments that put `text` in it. */
interface Writer {
  name: string;
  /** arguments that make the file hold a new version, plus what the module needs (a playbook dir for template) */
  args: (dest: string) => Promise<{ args: Record<string, unknown>; playbookDir?: string }>;
  /** the key of the result that names the backup (Ansible's: backup_file for copy and template, backup for lineinfile) */
  backupKey: string;
}

const writers: Writer[] = [
  { name: 'copy', args: async (dest) => ({ args: { content: 'new\n', dest } }), backupKey: 'backup_file' },
  {
    name: 'template',
    args: async (dest) => {
      const pb = await tempDir('gx-write-file-pb-');
      await mkdir(join(pb, 'templates'));
      await writeFile(join(pb, 'templates', 't.hbs'), '{{ word }}\n');
      return { args: { src: 't.hbs', dest }, playbookDir: pb };
    },
    backupKey: 'backup_file',
  },
  { name: 'lineinfile', args: async (dest) => ({ args: { path: dest, line: 'new' } }), backupKey: 'backup' },
  { name: 'blockinfile', args: async (dest) => ({ args: { path: dest, block: 'new' } }), backupKey: 'backup' },
];

describe('file-writing modules: one set of file helpers', () => {
  describe('follow: a dest that is a symbolic link', () => {
    for (const w of writers.filter((x) => x.name === 'copy' || x.name === 'template')) {
      it(`${w.name}: follow writes the link's target and keeps the link; without it the link is replaced by the file (target template)`, async () => {
        const dir = await tempDir(`gx-${w.name}-follow-`);
        await writeFile(join(dir, 'real'), 'old\n');
        await symlink('real', join(dir, 'link'));
        const { args, playbookDir } = await w.args(join(dir, 'link'));
        const r = await runModule(w.name, { ...args, follow: true }, { playbookDir, vars: { word: 'new' } });
        expect(r).to.include({ failed: false, changed: true });
        expect((await lstat(join(dir, 'link'))).isSymbolicLink()).to.equal(true);
        expect(await read(join(dir, 'real'))).to.equal('new\n');
        await runModule(w.name, { ...args, content: w.name === 'copy' ? 'other\n' : undefined }, { playbookDir, vars: { word: 'other' } });
        expect((await lstat(join(dir, 'link'))).isSymbolicLink(), 'replaced by a file').to.equal(false);
        expect(await read(join(dir, 'real'))).to.equal('new\n');
      });
    }
  });

  describe("unsafe_writes (Ansible's file common argument) is accepted and the write stays atomic", () => {
    for (const w of writers) {
      it(`${w.name}: unsafe_writes: true writes the file as without it`, async () => {
        const dir = await tempDir(`gx-${w.name}-unsafe-`);
        const dest = join(dir, 'f.conf');
        await writeFile(dest, 'old\n');
        const { args, playbookDir } = await w.args(dest);
        const r = await runModule(w.name, { ...args, unsafe_writes: true }, { playbookDir, vars: { word: 'new' } });
        expect(r).to.include({ failed: false, changed: true });
        expect(await read(dest)).to.contain('new');
        expect(await readdir(dir), 'no temporary file left behind').to.deep.equal(['f.conf']);
      });
    }
  });

  describe('symbolic modes work on lineinfile and blockinfile as on copy', () => {
    for (const [name, args] of [
      ['lineinfile', { line: 'x=1' }],
      ['blockinfile', { block: 'x=1' }],
    ] as const) {
      it(`${name}: mode u+rw on a 0400 file makes it 0600 (check → apply → again → check)`, async () => {
        const dir = await tempDir(`gx-${name}-mode-`);
        const p = join(dir, 'f.conf');
        await runModule(name, { ...args, path: p, create: true });
        await chmod(p, 0o400);
        const r = await rhythm(name, { ...args, path: p, mode: 'u+rw' }, { snapshot: () => modeOf(p) });
        expect(r.check.msg).to.contain('mode 0400 -> 0600');
        expect(await modeOf(p)).to.equal(0o600);
      });

      it(`${name}: mode u=rw,g=r,o= with a content change writes 0640`, async () => {
        const dir = await tempDir(`gx-${name}-mode-`);
        const p = join(dir, 'f.conf');
        await writeFile(p, 'a\n');
        await chmod(p, 0o604);
        await rhythm(name, { ...args, path: p, mode: 'u=rw,g=r,o=' }, { snapshot: async () => [await read(p), await modeOf(p)] });
        expect(await modeOf(p)).to.equal(0o640);
        expect(await read(p)).to.contain('x=1');
      });

      it(`${name}: a file created with mode u=rw,g=,o= is 0600`, async () => {
        const p = join(await tempDir(`gx-${name}-mode-`), 'new.conf');
        await rhythm(name, { ...args, path: p, create: true, mode: 'u=rw,g=,o=' }, { snapshot: () => read(p) });
        expect(await modeOf(p)).to.equal(0o600);
      });
    }
  });

  describe('validate runs the command without a shell, %s always one argument', () => {
    for (const w of writers) {
      it(`${w.name}: a temp path with a space and a ; reaches the command whole; && is an argument, not a shell operator`, async () => {
        const dir = await tempDir('gx-write-file-');
        const odd = join(dir, 'a dir; rm -rf x');
        await mkdir(odd);
        const dest = join(odd, 'f.conf');
        await writeFile(dest, 'old\n');
        const { args, playbookDir } = await w.args(dest);
        const vars = { word: 'new' };
        // `test -f %s` sees one argument only if the path was not split at the space or the ;
        const ok = await runModule(w.name, { ...args, validate: 'test -f %s' }, { playbookDir, vars });
        expect(ok, ok.msg).to.include({ failed: false, changed: true });
        expect(await read(dest)).to.contain('new');
        // through a shell `&& false` would fail the check; without one it is two more words for echo
        await writeFile(dest, 'old\n');
        const echo = await runModule(w.name, { ...args, validate: 'echo %s && false' }, { playbookDir, vars });
        expect(echo, echo.msg).to.include({ failed: false, changed: true });
        // and a failing check leaves the file, and nothing else, behind
        await writeFile(dest, 'old\n');
        const bad = await runModule(w.name, { ...args, validate: 'test ! -f %s' }, { playbookDir, vars });
        expect(bad.failed).to.equal(true);
        expect(bad.msg).to.match(/failed to validate \(rc 1\).*left unchanged/);
        expect(await read(dest)).to.equal('old\n');
        expect(await readdir(odd)).to.deep.equal(['f.conf']);
      });
    }
  });

  describe("backups are named as Ansible's backup_local names them: DEST.PID.YYYY-MM-DD@HH:MM:SS~", () => {
    for (const w of writers) {
      it(`${w.name}: backup: true keeps the old file as DEST.PID.stamp~ and reports it as ${w.backupKey}`, async () => {
        const dir = await tempDir('gx-write-file-');
        const dest = join(dir, 'f.conf');
        await writeFile(dest, 'old\n');
        const { args, playbookDir } = await w.args(dest);
        const r = await runModule(w.name, { ...args, backup: true }, { playbookDir, vars: { word: 'new' } });
        expect(r.failed, r.msg).to.equal(false);
        const backup = r.data[w.backupKey] as string;
        expect(backup.startsWith(`${dest}.${process.pid}.`), backup).to.equal(true);
        expect(backup.slice(`${dest}.${process.pid}.`.length)).to.match(/^\d{4}-\d\d-\d\d@\d\d:\d\d:\d\d~$/);
        expect(await read(backup)).to.equal('old\n');
        const again = await runModule(w.name, { ...args, backup: true }, { playbookDir, vars: { word: 'new' } });
        expect(again.changed).to.equal(false);
        expect(again.data[w.backupKey]).to.equal(undefined);
        expect((await readdir(dir)).length, 'one backup, from the one change').to.equal(2);
      });
    }
  });
});
