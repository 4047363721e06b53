// Commands over the long-lived shell of a real sshd test host (test/services/sshd-hosts.sh).
import { expect } from 'chai';
import { createHash, randomBytes } from 'node:crypto';
import { SshConnection } from '../../engine/connect/ssh/connection.js';
import { resolveSshParams } from '../../engine/connect/ssh/params.js';
import { hostVars, sshEnv } from '../ssh/hosts.js';

describe('ssh run (real sshd)', function () {
  this.timeout(20_000);
  let conn: SshConnection;

  before(async () => {
    conn = new SshConnection(resolveSshParams('h1', hostVars(sshEnv.hosts[0]!)));
    await conn.connect();
  });
  after(() => conn.close());

  it('keeps stdout and stderr apart and returns the exit code', async () => {
    const r = await conn.run({ shell: 'echo out1; echo err1 >&2; echo out2; printf tail >&2; exit 3' });
    expect(r).to.include({ rc: 3, stdout: 'out1\nout2\n', stderr: 'err1\ntail' });
    expect((await conn.run({ argv: ['false'] })).rc).to.equal(1);
    expect((await conn.run({ argv: ['sh', '-c', 'kill -TERM $$'] })).rc).to.equal(143);
  });

  it('passes argv words literally: spaces, quotes, unicode, leading dashes, globs, empty words', async () => {
    const words = ['a b', "it's", '"dq"', 'ünïcødé ✓', '--help', '-n', '*', '$HOME', '', 'x\ny'];
    const r = await conn.run({ argv: ['printf', '[%s]', ...words] });
    expect(r.stdout).to.equal(words.map((w) => `[${w}]`).join(''));
  });

  it('sets env and cwd for one command only', async () => {
    const r = await conn.run({ shell: 'pwd; echo "$GX_A|$GX_B"', cwd: '/usr/share', env: { GX_A: "x 'y'", GX_B: '$(nope)' } });
    expect(r.stdout).to.equal("/usr/share\nx 'y'|$(nope)\n");
    const after = (await conn.run({ shell: 'pwd; echo "[$GX_A]"' })).stdout;
    expect(after).to.not.contain('/usr/share');
    expect(after).to.contain('[]');
    expect((await conn.run({ argv: ['true'], cwd: '/no/such/dir' })).rc).to.not.equal(0);
  });

  it('survives a shell line with a syntax error, and an `exit`', async () => {
    const bad = await conn.run({ shell: 'echo "unterminated' });
    expect(bad.rc).to.not.equal(0);
    expect(bad.stderr).to.match(/unterminated|Syntax error|EOF/i);
    expect((await conn.run({ shell: 'exit 5' })).rc).to.equal(5);
    expect((await conn.run({ argv: ['echo', 'still here'] })).stdout).to.equal('still here\n');
  });

  it('returns 1 MB of output intact', async () => {
    const r = await conn.run({ shell: "head -c 1048576 /dev/zero | tr '\\0' x" });
    expect(r.stdout.length).to.equal(1048576);
    expect(/^x+$/.test(r.stdout)).to.equal(true);
  });

  it('returns binary stdout byte for byte', async () => {
    const r = await conn.run({ shell: "printf '\\000\\001\\377\\376\\n\\015'" });
    expect([...r.stdoutBytes!]).to.deep.equal([0, 1, 255, 254, 10, 13]);
  });

  it('feeds binary stdin, small (inline) and large (uploaded), and an empty stdin', async () => {
    for (const size of [256, 300_000]) {
      const data = randomBytes(size);
      const r = await conn.run({ shell: 'sha256sum | cut -c1-64', stdin: data });
      expect(r.stdout.trim(), `${size} bytes`).to.equal(createHash('sha256').update(data).digest('hex'));
    }
    expect((await conn.run({ argv: ['wc', '-c'], stdin: '' })).stdout.trim()).to.equal('0');
    expect((await conn.run({ argv: ['cat'] })).stdout).to.equal('');
    // the uploaded stdin files are removed afterwards
    expect((await conn.run({ shell: 'ls "$gxd" 2>/dev/null | grep -c stdin- || true' })).stdout.trim()).to.equal('0');
  });

  it('kills a command that times out, with its children, and the next command still works', async () => {
    // a duration no other test uses: the hosts share the machine's process table
    const nap = `sleep 30.${Math.floor(Math.random() * 1e6)}`;
    const r = await conn.run({ shell: `echo started; ${nap} & ${nap}; echo never`, timeoutMs: 300 });
    expect(r).to.include({ rc: 124, timedOut: true });
    expect(r.stdout).to.equal('started\n');
    const ps = await conn.run({ shell: `ps -eo args | grep -c "^${nap}$" || true` });
    expect(ps.stdout.trim()).to.equal('0');
    expect(await conn.run({ argv: ['echo', 'next'] })).to.include({ rc: 0, stdout: 'next\n' });
  });

  it('runs a command with a timeout that finishes in time as usual', async () => {
    const r = await conn.run({ shell: 'echo quick; echo e >&2', timeoutMs: 10_000 });
    expect(r).to.include({ rc: 0, stdout: 'quick\n', stderr: 'e\n' });
    expect(r.timedOut).to.equal(undefined);
  });

  it('serialises concurrent calls on one host without mixing their output', async () => {
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => conn.run({ shell: `echo ${i}; echo e${i} >&2` })));
    results.forEach((r, i) => expect(r).to.include({ stdout: `${i}\n`, stderr: `e${i}\n` }));
  });

  it('rejects a call with both or neither of argv and shell', async () => {
    let err: unknown;
    await conn.run({ argv: ['true'], shell: 'true' }).catch((e: unknown) => (err = e));
    expect(String(err)).to.match(/exactly one of argv or shell/);
  });
});
