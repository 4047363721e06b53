// shell: the command module's sibling that runs its text through /bin/sh (or another executable).
import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { rhythm, runModule, tempDir } from './harness.js';

describe('shell module', () => {
  it('runs through /bin/sh with pipes and expansion', async () => {
    const r = await runModule('shell', 'echo "$((1+2))" | sed s/3/three/');
    expect(r.data).to.include({ rc: 0, stdout: 'three', cmd: 'echo "$((1+2))" | sed s/3/three/' });
  });

  it('uses another executable when asked', async () => {
    const r = await runModule('shell', { cmd: 'echo ${BASH_VERSION:+bash}', executable: '/bin/bash' });
    expect(r.data.stdout).to.equal('bash');
  });

  it('is skipped in check mode and passes the rhythm with removes', async () => {
    const dir = await tempDir();
    const f = join(dir, 'victim file');
    const skipped = await runModule('shell', `rm "${f}"`, { check: true });
    expect(skipped.skipped).to.equal(true);
    await writeFile(f, 'x');
    await rhythm('shell', { cmd: `rm "${f}"`, removes: f }, { snapshot: async () => existsSync(f) });
  });

  it('times out and kills what the shell started', async () => {
    const r = await runModule('shell', { cmd: 'sleep 20 | cat', timeout: 0.2 });
    expect(r.failed).to.equal(true);
    expect(r.data.rc).to.equal(124);
  });
});
