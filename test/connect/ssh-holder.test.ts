// The opt-in connection holder (engine/connect/ssh/holder.ts) on the real sshd test hosts: a second
// "run" (a new pool) reaches the host over the connection the first one left with the holder, the
// host's shell and files work through it, host keys are still checked, secrets are never handed to
// it, it lives in a private directory only, and it stops by itself once idle.
import { expect } from 'chai';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConnectionPool } from '../../engine/connect/pool.js';
import { HOLDER_KEY, HOLDER_SOCKET, setHolderCommand } from '../../engine/connect/ssh/holder.js';
import { ConnectionError } from '../../engine/errors.js';
import { root } from '../e2e/gx.js';
import { hostVars, sshEnv } from '../ssh/hosts.js';

/** the client end of the host's TCP connection, as the host's sshd sees it */
async function clientEnd(pool: ConnectionPool, name: string, vars: Record<string, unknown>): Promise<string> {
  const conn = await pool.get(name, vars);
  const r = await conn.run({ shell: 'echo "$SSH_CONNECTION"' });
  return r.stdout.split(' ').slice(0, 2).join(':');
}

/** a run: a pool of its own, closed at the end as gx closes it */
async function aRun<T>(fn: (pool: ConnectionPool) => Promise<T>): Promise<T> {
  const pool = new ConnectionPool();
  try {
    return await fn(pool);
  } finally {
    await pool.closeAll();
  }
}

/** whether a holder listens for the cache directory `dir` (it removes its socket when it stops) */
const holderListening = (dir: string): boolean => existsSync(join(dir, 'gx', HOLDER_SOCKET));

describe('ssh: the connection holder (opt-in, real sshd)', function () {
  this.timeout(60_000);
  let cache: string;
  const savedXdg = process.env.XDG_CACHE_HOME;

  beforeEach(() => {
    cache = mkdtempSync(join(tmpdir(), 'gx-holder-'));
    process.env.XDG_CACHE_HOME = cache;
    setHolderCommand([process.execPath, '--import', 'tsx', join(root, 'engine', 'cli', 'main.ts')]);
  });
  afterEach(() => {
    setHolderCommand(undefined);
    if (savedXdg === undefined) delete process.env.XDG_CACHE_HOME;
    else process.env.XDG_CACHE_HOME = savedXdg;
  });

  it('keeps the connection between runs: the next run reaches the host over the same TCP connection', async () => {
    const vars = hostVars(sshEnv.hosts[0]!, { gx_ssh_persist: 2 });
    const first = await aRun((pool) => clientEnd(pool, 'h', vars));
    const second = await aRun((pool) => clientEnd(pool, 'h', vars));
    expect(second).to.equal(first);
    // without gx_ssh_persist, each run has its own connection
    const direct = await aRun((pool) => clientEnd(pool, 'h', hostVars(sshEnv.hosts[0]!)));
    expect(direct).to.not.equal(first);
    // the holder's socket and key are the user's alone
    const dir = join(cache, 'gx');
    expect(statSync(dir).mode & 0o777).to.equal(0o700);
    expect(statSync(join(dir, HOLDER_SOCKET)).mode & 0o077).to.equal(0);
    expect(statSync(join(dir, HOLDER_KEY)).mode & 0o777).to.equal(0o600);
  });

  it('relays commands (stdout, stderr, exit status, stdin) and files, and the host side ends with the run', async () => {
    const vars = hostVars(sshEnv.hosts[1]!, { gx_ssh_persist: 2 });
    const shell = await aRun(async (pool) => {
      const conn = await pool.get('h', vars);
      const r = await conn.run({ shell: 'printf out; printf err >&2; cat; exit 7', stdin: 'in' });
      expect(r).to.include({ rc: 7, stdout: 'outin', stderr: 'err' });
      const path = `/tmp/gx-holder-${process.pid}`;
      await conn.put(path, Buffer.from('x'.repeat(100_000)), { mode: 0o640 });
      const st = await conn.stat(path, { checksum: true });
      expect(st!).to.include({ type: 'file', mode: 0o640, size: 100_000 });
      expect((await conn.get(path))?.length).to.equal(100_000);
      return (await conn.run({ shell: 'echo $$' })).stdout.trim();
    });
    // the run's shell is gone once the run has closed, though the connection is kept
    const left = await aRun(async (pool) => {
      const conn = await pool.get('w', hostVars(sshEnv.hosts[1]!));
      for (let i = 0; i < 50; i++) {
        const st = (await conn.run({ shell: `ps -o stat= -p ${shell} || true` })).stdout.trim();
        if (st === '' || st.startsWith('Z')) return '';
        await new Promise((r) => setTimeout(r, 100));
      }
      return 'still there';
    });
    expect(left).to.equal('');
  });

  it('reconnects when the held connection was lost between runs (its sshd killed)', async () => {
    const vars = hostVars(sshEnv.hosts[1]!, { gx_ssh_persist: 3 });
    const [first, sshdPid] = await aRun(async (pool) => {
      const conn = await pool.get('h', vars);
      const r = await conn.run({ shell: 'echo "$SSH_CONNECTION"; ps -o ppid= -p $$' });
      const [where, ppid] = r.stdout.trim().split('\n');
      return [where!.split(' ').slice(0, 2).join(':'), ppid!.trim()];
    });
    // the host drops the connection the holder keeps (as a reboot or a restarted sshd would)
    await aRun(async (pool) => (await pool.get('w', hostVars(sshEnv.hosts[1]!))).run({ shell: `kill ${sshdPid}` }));
    await new Promise((r) => setTimeout(r, 300));
    const next = await aRun((pool) => clientEnd(pool, 'h', vars));
    expect(next).to.not.equal(first);
    expect(await aRun((pool) => clientEnd(pool, 'h', vars))).to.equal(next);
  });

  it('still checks the host key under the policy: an unknown key is refused, with the direct connection\'s words', async () => {
    const empty = join(cache, 'known_hosts');
    writeFileSync(empty, '');
    const err = await aRun((pool) => pool.get('h', hostVars(sshEnv.hosts[0]!, { gx_ssh_persist: 2, gx_known_hosts: empty }))).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(ConnectionError);
    expect((err as Error).message).to.match(/host key for \[127\.0\.0\.\d\]:\d+ is unknown/);
  });

  it('never holds a connection that needs a secret, and is not used from a directory others can read', async () => {
    // a key passphrase: connected directly, so each run has its own connection
    const pp = hostVars(sshEnv.hosts[0]!, { gx_ssh_persist: 2, ansible_ssh_private_key_file: sshEnv.passphraseKey, gx_ssh_key_passphrase: sshEnv.keyPassphrase });
    const a = await aRun((pool) => clientEnd(pool, 'h', pp));
    const b = await aRun((pool) => clientEnd(pool, 'h', pp));
    expect(a).to.not.equal(b);
    expect(holderListening(cache)).to.equal(false);
    // a cache directory others may read (and so reach a socket in): no holder
    const open = mkdtempSync(join(tmpdir(), 'gx-holder-open-'));
    process.env.XDG_CACHE_HOME = open;
    mkdirSync(join(open, 'gx'));
    chmodSync(join(open, 'gx'), 0o755);
    const vars = hostVars(sshEnv.hosts[0]!, { gx_ssh_persist: 2 });
    const c = await aRun((pool) => clientEnd(pool, 'h', vars));
    const d = await aRun((pool) => clientEnd(pool, 'h', vars));
    expect(c).to.not.equal(d);
    expect(holderListening(open)).to.equal(false);
    rmSync(open, { recursive: true, force: true });
  });

  it('stops by itself once no run has used it for the persist time, and the next run starts another', async () => {
    const vars = hostVars(sshEnv.hosts[2]!, { gx_ssh_persist: 1 });
    const first = await aRun((pool) => clientEnd(pool, 'h', vars));
    expect(holderListening(cache)).to.equal(true);
    for (let i = 0; i < 60 && holderListening(cache); i++) await new Promise((r) => setTimeout(r, 100));
    expect(holderListening(cache), 'the holder outlived its persist time').to.equal(false);
    const next = await aRun((pool) => clientEnd(pool, 'h', vars));
    expect(next).to.not.equal(first);
  });
});
