// How gx's long-lived shell reaches the host, and the socket under it (issue 16).
// - An exec channel first, as Ansible's ssh connection does (sshd runs the command through the
//   login user's shell, not as a login shell: no profile read per connection); a shell channel
//   only when the server refuses exec requests. A server that refuses exec cannot be made from
//   OpenSSH's sshd_config, so that case runs against a double: an in-process ssh2 Server that
//   replays what sshd does with a session's "exec" and "shell" requests (RFC 4254 section 6.5: the
//   command is run by the user's shell; "shell" starts the user's shell reading the channel),
//   running /bin/sh on this machine.
// - TCP_NODELAY on the client's socket: ssh2 leaves Nagle's algorithm on, which held small packets
//   behind the peer's delayed ACK (~40 ms a new channel). Checked on the real sshd test host.
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import { SshConnection } from '../../engine/connect/ssh/connection.js';
import { resolveSshParams } from '../../engine/connect/ssh/params.js';
import { hostVars, sshEnv } from '../ssh/hosts.js';

interface Double {
  port: number;
  knownHosts: string;
  key: string;
  /** the session requests the double saw, in order: `exec <command>`, `exec refused`, `shell`, `subsystem <name>` */
  requests: string[];
  close(): Promise<void>;
}

/** an SSH server double on 127.0.0.1 that may refuse exec requests */
async function sshDouble(refuseExec: boolean): Promise<Double> {
  const dir = mkdtempSync(join(tmpdir(), 'gx-ssh-double-'));
  const hostKey = ssh2.utils.generateKeyPairSync('ed25519');
  const clientKey = ssh2.utils.generateKeyPairSync('ed25519');
  const key = join(dir, 'id_ed25519');
  writeFileSync(key, clientKey.private, { mode: 0o600 });
  const allowed = ssh2.utils.parseKey(clientKey.public);
  if (allowed instanceof Error) throw allowed;
  const requests: string[] = [];
  const children: ReturnType<typeof spawn>[] = [];
  const server = new ssh2.Server({ hostKeys: [hostKey.private] }, (client) => {
    client.on('error', () => undefined);
    client.on('authentication', (ctx) => {
      if (ctx.method === 'publickey' && ctx.key.algo === allowed.type && ctx.key.data.equals(allowed.getPublicSSH())) {
        if (!ctx.signature || allowed.verify(ctx.blob!, ctx.signature, ctx.hashAlgo) === true) return ctx.accept();
      }
      ctx.reject(['publickey']);
    });
    client.on('ready', () => {
      client.on('session', (acceptSession) => {
        const session = acceptSession();
        const run = (argv: string[], channel: ssh2.ServerChannel): void => {
          const child = spawn(argv[0]!, argv.slice(1), { stdio: 'pipe' });
          children.push(child);
          channel.pipe(child.stdin);
          child.stdout.pipe(channel, { end: false });
          child.stderr.pipe(channel.stderr, { end: false });
          child.on('close', (code) => {
            channel.exit(code ?? 1);
            channel.end();
          });
        };
        session.on('exec', (accept, reject, info) => {
          if (refuseExec) {
            requests.push('exec refused');
            reject();
            return;
          }
          requests.push(`exec ${info.command}`);
          run(['/bin/sh', '-c', info.command], accept());
        });
        session.on('shell', (accept) => {
          requests.push('shell');
          run(['/bin/sh'], accept());
        });
        session.on('subsystem', (_accept, reject, info) => {
          requests.push(`subsystem ${info.name}`);
          reject(); // no SFTP: files go through the shell
        });
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const hostPub = ssh2.utils.parseKey(hostKey.public);
  if (hostPub instanceof Error) throw hostPub;
  const knownHosts = join(dir, 'known_hosts');
  writeFileSync(knownHosts, `[127.0.0.1]:${port} ${hostPub.type} ${hostPub.getPublicSSH().toString('base64')}\n`);
  return {
    port,
    knownHosts,
    key,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of children) c.kill();
        server.close(() => resolve());
      }),
  };
}

function doubleVars(d: Double): Record<string, unknown> {
  return {
    ansible_host: '127.0.0.1',
    ansible_port: d.port,
    ansible_user: process.env.USER ?? 'root',
    ansible_ssh_private_key_file: d.key,
    gx_known_hosts: d.knownHosts,
    gx_ssh_config: 'none',
    gx_ssh_agent: 'none',
  };
}

describe('ssh: the shell channel and the socket', function () {
  this.timeout(30_000);

  it('starts the long-lived /bin/sh with an exec request, not a login shell', async () => {
    const d = await sshDouble(false);
    const conn = new SshConnection(resolveSshParams('double', doubleVars(d)));
    try {
      await conn.connect();
      const r = await conn.run({ shell: 'echo ok' });
      expect(r).to.include({ rc: 0, stdout: 'ok\n' });
      const shellRequests = d.requests.filter((q) => !q.startsWith('subsystem'));
      expect(shellRequests).to.have.length(1);
      expect(shellRequests[0]).to.match(/^exec \/bin\/sh -c '.*exec \/bin\/sh'$/);
    } finally {
      await conn.close();
      await d.close();
    }
  });

  it('falls back to a shell channel when the server refuses exec, and runs commands as usual', async () => {
    const d = await sshDouble(true);
    const conn = new SshConnection(resolveSshParams('double', doubleVars(d)));
    try {
      await conn.connect();
      const r = await conn.run({ argv: ['printf', '%s|%s', 'a b', "c'd"] });
      expect(r).to.include({ rc: 0, stdout: "a b|c'd" });
      const r2 = await conn.run({ shell: 'exit 3' });
      expect(r2.rc).to.equal(3);
      expect(d.requests.filter((q) => !q.startsWith('subsystem'))).to.deep.equal(['exec refused', 'shell']);
    } finally {
      await conn.close();
      await d.close();
    }
  });

  it('turns off Nagle on the TCP socket to the host (real sshd)', async () => {
    const addr = sshEnv.hosts[0]!;
    const conn = new SshConnection(resolveSshParams('nodelay', hostVars(addr)));
    try {
      await conn.connect();
      const socket = (conn as unknown as { socket: Socket }).socket;
      expect(socket).to.be.instanceOf(Socket);
      expect(`${socket.remoteAddress}:${socket.remotePort}`).to.equal(`${addr}:${sshEnv.port}`);
      // Node 20 has no getter for the option: its own record of it (set by noDelay or setNoDelay)
      const kSetNoDelay = Object.getOwnPropertySymbols(socket).find((sym) => sym.description === 'kSetNoDelay');
      expect(kSetNoDelay, "Node's socket no longer records noDelay under kSetNoDelay").to.not.equal(undefined);
      expect((socket as unknown as Record<symbol, unknown>)[kSetNoDelay!]).to.equal(true);
    } finally {
      await conn.close();
    }
  });

  it('closing ends the host side too: the long-lived shell exits and its temp dir is removed (real sshd)', async () => {
    const addr = sshEnv.hosts[0]!;
    const watcher = new SshConnection(resolveSshParams('watcher', hostVars(addr)));
    const conn = new SshConnection(resolveSshParams('closing', hostVars(addr)));
    try {
      await watcher.connect();
      await conn.connect();
      // the shell's pid and temp dir, as the shell itself sees them
      const me = await conn.run({ shell: 'echo "$$ $gxd"' });
      const [shellPid, tmp] = me.stdout.trim().split(' ');
      expect(tmp).to.match(/^\/tmp\/gx\./);
      // a shell that has exited but waits to be reaped (a zombie, "Z") is gone: sshd going first
      // leaves it to the host's init, which here (a microVM's) reaps it only a second later
      const alive = async (): Promise<string> =>
        (await watcher.run({ shell: `case "$(ps -o stat= -p ${shellPid})" in ''|Z*) ;; *) echo up ;; esac; test -d ${tmp} && echo dir; true` })).stdout;
      expect(await alive()).to.equal('up\ndir\n');
      await conn.close();
      let left = await alive();
      for (let i = 0; i < 50 && left !== ''; i++) {
        await new Promise((r) => setTimeout(r, 100));
        left = await alive();
      }
      expect(left, 'the shell or its temp dir outlived the connection').to.equal('');
    } finally {
      await conn.close();
      await watcher.close();
    }
  });
});
