// The real sshd test hosts started by test/services/sshd-hosts.sh (through the mocha global setup),
// as host variables for the SSH tests.
import { SshConnection } from '../../engine/connect/ssh/connection.js';
import { resolveSshParams } from '../../engine/connect/ssh/params.js';
import { runServiceScript } from '../setup/services.js';

function need(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: the SSH tests need test/services/sshd-hosts.sh (run by the mocha global setup)`);
  return v;
}

export const sshEnv = {
  get hosts(): string[] {
    return need('GX_TEST_SSH_HOSTS').split(',');
  },
  get port(): number {
    return Number(need('GX_TEST_SSH_PORT'));
  },
  get user(): string {
    return need('GX_TEST_SSH_USER');
  },
  get key(): string {
    return need('GX_TEST_SSH_KEY');
  },
  get wrongKey(): string {
    return need('GX_TEST_SSH_WRONG_KEY');
  },
  get passphraseKey(): string {
    return need('GX_TEST_SSH_PASSPHRASE_KEY');
  },
  get keyPassphrase(): string {
    return need('GX_TEST_SSH_KEY_PASSPHRASE');
  },
  get knownHosts(): string {
    return need('GX_TEST_SSH_KNOWN_HOSTS');
  },
  get passUser(): string {
    return need('GX_TEST_SSH_PASS_USER');
  },
  get passPassword(): string {
    return need('GX_TEST_SSH_PASS_PASSWORD');
  },
  get script(): string {
    return need('GX_TEST_SSH_SCRIPT');
  },
};

/** Ansible-style host variables reaching one test host as the sudo-capable test user. */
export function hostVars(addr: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ansible_host: addr,
    ansible_port: sshEnv.port,
    ansible_user: sshEnv.user,
    ansible_ssh_private_key_file: sshEnv.key,
    gx_known_hosts: sshEnv.knownHosts,
    gx_ssh_config: 'none',
    gx_ssh_agent: 'none',
    ...extra,
  };
}

/** Runs the service script (start-host ADDR / kill-host ADDR) and returns its KEY=VALUE lines. */
export function hostScript(...args: string[]): Record<string, string> {
  return runServiceScript(sshEnv.script, args, { timeoutMs: 60_000 });
}

/**
 * One SSH connection to the first test host for the enclosing describe: opened before its tests,
 * closed after them, handed to `use` once open.
 */
export function firstHostPerSuite(use: (conn: SshConnection) => void): void {
  let conn: SshConnection | undefined;
  before(async () => {
    conn = new SshConnection(resolveSshParams('h1', hostVars(sshEnv.hosts[0]!)));
    await conn.connect();
    use(conn);
  });
  after(() => conn?.close());
}
