// The background wait of lib/k8s/pod-watch.ts over a REAL SSH connection (test/services/sshd-hosts.sh):
// the host's commands share one shell and run one at a time, so the wait runs as a background job
// on the host while gx keeps using the shell; here with stand-in commands (no kubectl on these hosts).
import { expect } from 'chai';
import { SshConnection } from '../../engine/connect/ssh/connection.js';
import { resolveSshParams } from '../../engine/connect/ssh/params.js';
import { podWatchSettings, watchedWait, type WatchedWait } from '../../modules/lib/k8s/pod-watch.js';
import { makeContext } from '../modules/harness.js';
import { hostVars, sshEnv } from './hosts.js';

describe('pod-watch background waits over a real SSH connection', function () {
  this.timeout(30_000);
  let ssh: SshConnection;
  const saved = { ...podWatchSettings };
  before(async () => {
    ssh = new SshConnection(resolveSshParams('podwatch', hostVars(sshEnv.hosts[0]!)));
    await ssh.connect();
    podWatchSettings.pollMs = 300;
  });
  after(async () => {
    Object.assign(podWatchSettings, saved);
    await ssh.close();
  });
  const wait = (argv: string[], o: Partial<WatchedWait> = {}): WatchedWait => ({
    argv, stdin: 'from stdin\n', waitSec: 5, limitSec: 5, what: 'the stand-in', scopes: [], kubectl: { executable: ['kubectl'], timeout: 10 }, graceMs: 3000, providedBy: 'x', ...o,
  });

  it('runs the command in the background with its stdin, and returns its output once it ends', async () => {
    const ctx = makeContext({ conn: ssh });
    const t0 = Date.now();
    const res = await watchedWait(ctx, wait(['sh', '-c', 'sleep 1; cat; echo done; echo warn >&2']));
    expect(res).to.deep.include({ rc: 0, stdout: 'from stdin\ndone\n', stderr: 'warn\n' });
    expect(Date.now() - t0).to.be.within(900, 5000);
    // the shell is free again, and the job's directory is gone
    const left = await ssh.run({ shell: 'ls -d "${TMPDIR:-/tmp}"/gx-wait.* 2>/dev/null | wc -l' });
    expect(left.stdout.trim()).to.equal('0');
  });

  it('a wait past its limit gets SIGTERM (its handler runs) and the task fails saying so', async () => {
    const ctx = makeContext({ conn: ssh });
    let err: Error | undefined;
    try {
      await watchedWait(ctx, wait(['sh', '-c', 'trap "echo cancelled >&2; exit 1" TERM; sleep 30 & wait'], { limitSec: 1 }));
    } catch (e) {
      err = e as Error;
    }
    expect(err?.message).to.equal("sh -c 'trap \"echo cancelled >&2; exit 1\" TERM; sleep 30 & wait' timed out: cancelled");
  });

  it('a missing program is named', async () => {
    const ctx = makeContext({ conn: ssh });
    let err: Error | undefined;
    try {
      await watchedWait(ctx, wait(['gx-no-such-tool', 'x'], { providedBy: 'gx-no-such' }));
    } catch (e) {
      err = e as Error;
    }
    expect(err?.message).to.equal(`gx-no-such-tool is not installed on ${ctx.host} (install the gx-no-such package)`);
  });
});
