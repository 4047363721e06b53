import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, lstat, mkdir, readdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { LocalConnection } from '../../engine/connect/local.js';
import { tempDir } from '../modules/harness.js';

const conn = new LocalConnection();


describe('LocalConnection', () => {
  describe('run', () => {
    it('runs argv without a shell: metacharacters arrive literally', async () => {
      const word = `a b 'c' "d" $(echo x) \`echo y\` ; | & * ~ -n\nline2 ünï`;
      const r = await conn.run({ argv: ['printf', '%s', word] });
      expect(r.rc).to.equal(0);
      expect(r.stdout).to.equal(word);
    });

    it('runs a shell string through /bin/sh -c', async () => {
      const r = await conn.run({ shell: 'echo one | tr o O; exit 3' });
      expect(r.rc).to.equal(3);
      expect(r.stdout).to.equal('One\n');
    });

    it('feeds stdin and closes it; without stdin the command reads EOF', async () => {
      expect((await conn.run({ argv: ['cat'], stdin: 'hello\n' })).stdout).to.equal('hello\n');
      expect((await conn.run({ argv: ['cat'] })).stdout).to.equal('');
    });

    it('merges env over the process environment and honours cwd', async () => {
      const dir = await tempDir();
      const r = await conn.run({ shell: 'echo "$GX_X:$PATH_SET:$(pwd)"', env: { GX_X: 'v a l', PATH_SET: process.env.PATH ? 'y' : 'n' }, cwd: dir });
      expect(r.stdout.trim()).to.equal(`v a l:y:${dir}`);
      const p = await conn.run({ shell: 'test -n "$PATH"' , env: { GX_Y: '1' } });
      expect(p.rc).to.equal(0);
    });

    it('separates stdout and stderr, keeps raw bytes', async () => {
      const r = await conn.run({ shell: 'printf "\\377\\376"; echo err >&2' });
      expect(r.stderr).to.equal('err\n');
      expect([...r.stdoutBytes!]).to.deep.equal([0xff, 0xfe]);
    });

    it('reports a missing program as rc 127, not an exception', async () => {
      const r = await conn.run({ argv: ['/nonexistent/gx-no-such-program'] });
      expect(r.rc).to.equal(127);
      expect(r.stderr).to.match(/ENOENT/);
    });

    it('kills the whole process group on timeout: rc 124, timedOut', async () => {
      const dir = await tempDir();
      const marker = join(dir, 'late');
      // the grandchild would write the marker if it survived the kill
      const r = await conn.run({ shell: `(sleep 2; touch '${marker}') & sleep 30`, timeoutMs: 200 });
      expect(r.rc).to.equal(124);
      expect(r.timedOut).to.equal(true);
      const check = await conn.run({ shell: `ps -eo pid,args | grep -F '${marker}' | grep -v grep || true` });
      expect(check.stdout.trim()).to.equal('');
    });

    it('never hands a sudo password to the command when sudo does not ask for one', async () => {
      const r = await conn.run({ argv: ['cat'], stdin: 'data', become: { user: 'nobody', password: 'hunter2' } });
      expect(r.rc, r.stderr).to.equal(0);
      expect(r.stdout).to.equal('data');
    });

    it('close() kills the commands still running', async () => {
      const own = new LocalConnection('other');
      const running = own.run({ argv: ['sleep', '30'] });
      const withTimeout = own.run({ shell: 'sleep 30', timeoutMs: 60_000 });
      await own.close();
      const [a, b] = await Promise.all([running, withTimeout]);
      expect(a.rc).to.equal(137);
      expect(b.rc).to.equal(137);
    });

    it('rejects a call with both or neither of argv and shell', async () => {
      let err: unknown;
      await conn.run({}).catch((e: unknown) => (err = e));
      expect(String(err)).to.match(/exactly one of argv or shell/);
    });

    it('becoming root while root runs directly; becoming another user goes through sudo', async () => {
      const direct = await conn.run({ argv: ['id', '-un'], become: { user: 'root' } });
      expect(direct.stdout.trim()).to.equal('root');
      const other = await conn.run({ argv: ['id', '-un'], become: { user: 'nobody' }, env: { GX_Z: 'z z' } });
      expect(other.rc, other.stderr).to.equal(0);
      expect(other.stdout.trim()).to.equal('nobody');
      const env = await conn.run({ shell: 'printf %s "$GX_Z"', become: { user: 'nobody' }, env: { GX_Z: 'z z' } });
      expect(env.stdout).to.equal('z z');
    });
  });

  describe('put', () => {
    it('writes atomically, leaves no temp file, sets the mode', async () => {
      const dir = await tempDir();
      const p = join(dir, 'a file $(x) `y`');
      await conn.put(p, 'content\n', { mode: 0o640 });
      expect(await readFile(p, 'utf8')).to.equal('content\n');
      expect((await stat(p)).mode & 0o7777).to.equal(0o640);
      expect(await readdir(dir)).to.deep.equal(['a file $(x) `y`']);
    });

    it('writes a file whose name is as long as the filesystem allows', async () => {
      const dir = await tempDir();
      const p = join(dir, 'é'.repeat(127) + 'x');
      await conn.put(p, 'long');
      expect(await readFile(p, 'utf8')).to.equal('long');
    });

    it('keeps the mode of a replaced file unless told otherwise', async () => {
      const dir = await tempDir();
      const p = join(dir, 'f');
      await writeFile(p, 'old');
      await chmod(p, 0o600);
      await conn.put(p, Buffer.from('new'));
      expect(await readFile(p, 'utf8')).to.equal('new');
      expect((await stat(p)).mode & 0o7777).to.equal(0o600);
    });

    it('accepts a stream', async () => {
      const dir = await tempDir();
      const p = join(dir, 's');
      await conn.put(p, Readable.from([Buffer.from('ab'), Buffer.from('cd')]));
      expect(await readFile(p, 'utf8')).to.equal('abcd');
    });

    it('sets owner and group by name', async () => {
      const dir = await tempDir();
      const p = join(dir, 'owned');
      await conn.put(p, 'x', { owner: 'nobody', group: 'nogroup' });
      const st = await conn.stat(p);
      expect(st!.owner).to.equal('nobody');
      expect(st!.group).to.equal('nogroup');
    });

    it('writes through sudo as another user', async () => {
      const dir = await tempDir();
      await chmod(dir, 0o777);
      const p = join(dir, 'by nobody');
      await conn.put(p, 'hi', { become: { user: 'nobody' }, mode: 0o600 });
      const st = await lstat(p);
      expect(await readFile(p, 'utf8')).to.equal('hi');
      expect(st.mode & 0o7777).to.equal(0o600);
      expect((await conn.stat(p))!.owner).to.equal('nobody');
      expect((await conn.get(p, { become: { user: 'nobody' } }))!.toString()).to.equal('hi');
      expect((await conn.stat(p, { become: { user: 'nobody' }, checksum: true }))!.sha256).to.equal(createHash('sha256').update('hi').digest('hex'));
    });

    it('fails clearly when the directory does not exist', async () => {
      let err: unknown;
      await conn.put('/nonexistent-gx-dir/x', 'x').catch((e: unknown) => (err = e));
      expect(String(err)).to.match(/cannot write \/nonexistent-gx-dir\/x/);
    });
  });

  describe('get and stat', () => {
    it('get returns the bytes, or null when missing', async () => {
      const dir = await tempDir();
      await writeFile(join(dir, 'f'), Buffer.from([0, 1, 2]));
      expect([...(await conn.get(join(dir, 'f')))!]).to.deep.equal([0, 1, 2]);
      expect(await conn.get(join(dir, 'missing'))).to.equal(null);
    });

    it('stat describes files, directories and links (lstat by default), with sha256 on demand', async () => {
      const dir = await tempDir();
      const f = join(dir, 'f');
      await writeFile(f, 'hello');
      await chmod(f, 0o604);
      await mkdir(join(dir, 'd'));
      await symlink('f', join(dir, 'l'));
      const sf = (await conn.stat(f, { checksum: true }))!;
      expect(sf).to.include({ type: 'file', mode: 0o604, size: 5 });
      expect(sf.sha256).to.equal(createHash('sha256').update('hello').digest('hex'));
      expect(sf.owner).to.be.a('string').and.not.equal('');
      expect((await conn.stat(join(dir, 'd')))!.type).to.equal('directory');
      const sl = (await conn.stat(join(dir, 'l')))!;
      expect(sl).to.include({ type: 'link', linkTarget: 'f' });
      expect((await conn.stat(join(dir, 'l'), { followLinks: true }))!.type).to.equal('file');
      expect(await conn.stat(join(dir, 'nope'))).to.equal(null);
      expect(await conn.stat(join(f, 'below-a-file'))).to.equal(null);
      expect(existsSync(f)).to.equal(true);
    });
  });
});
