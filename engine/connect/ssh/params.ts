// How a host is reached, from its variables, then ~/.ssh/config, then defaults (explicit host
// variables win over ssh_config, as they do for Ansible, which passes them to ssh as -o options).
//
// | gx variable            | Ansible names accepted                               | meaning (default)                        |
// |------------------------|------------------------------------------------------|------------------------------------------|
// | gx_connection          | ansible_connection                                   | ssh | local (local for implicit localhost)|
// | gx_host                | ansible_host, ansible_ssh_host                       | address (inventory name, or HostName)   |
// | gx_port                | ansible_port, ansible_ssh_port                       | port (ssh_config Port, else 22)          |
// | gx_user                | ansible_user, ansible_ssh_user                       | login user (ssh_config User, else $USER) |
// | gx_ssh_key             | ansible_ssh_private_key_file, ansible_private_key_file | private key file (ssh_config IdentityFile, else ~/.ssh/id_{ed25519,ecdsa,rsa}) |
// | gx_ssh_key_passphrase  | ansible_ssh_private_key_passphrase                   | passphrase of the key (a secret variable)|
// | gx_password            | ansible_password, ansible_ssh_pass, ansible_ssh_password | login password (a secret variable)   |
// | gx_become_password     | ansible_become_password, ansible_become_pass, ansible_sudo_pass | sudo password when sudo asks  |
// | gx_connect_timeout     | ansible_ssh_timeout, ansible_timeout                 | seconds to connect+authenticate (10)     |
// | gx_keepalive           | —                                                    | seconds between keepalives, 0 = off (15; ssh_config ServerAliveInterval) |
// | gx_known_hosts         | —                                                    | known_hosts file (~/.ssh/known_hosts; ssh_config UserKnownHostsFile) |
// | gx_host_key_policy     | —                                                    | strict | accept-new (strict); a changed key is always refused |
// | gx_ssh_config          | —                                                    | ssh_config file (~/.ssh/config); "none" ignores it |
// | gx_proxy_jump          | —                                                    | [user@]host[:port][,...] or none (ssh_config ProxyJump) |
// | gx_ssh_agent           | —                                                    | agent socket ($SSH_AUTH_SOCK); "none" disables |
// | gx_ssh_persist         | —                                                    | seconds the connection holder keeps the connection after a run, 0 = no holder ($GX_SSH_PERSIST, else 0; holder.ts) |
import { existsSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../../errors.js';
import { expandHome, loadSshConfig, lookupSshConfig, type SshConfigEntry } from './config.js';

export type HostKeyPolicy = 'strict' | 'accept-new';

export interface SshEndpoint {
  /** the name the endpoint was asked for (inventory name, or the jump spec's host) */
  name: string;
  host: string;
  port: number;
  user: string;
  identityFiles: string[];
}

export interface SshParams extends SshEndpoint {
  connection: 'ssh' | 'local';
  keyPassphrase?: string;
  password?: string;
  agent?: string;
  becomePassword?: string;
  connectTimeoutMs: number;
  keepaliveMs: number;
  knownHostsFile: string;
  hostKeyPolicy: HostKeyPolicy;
  /** jump hosts in order, each reached through the previous one */
  jumps: SshEndpoint[];
  /** how long the connection holder keeps the connection after a run (holder.ts); 0: no holder */
  persistMs: number;
}

export interface ParamsOptions {
  /** process environment (SSH_AUTH_SOCK); defaults to process.env */
  env?: NodeJS.ProcessEnv;
}

const LOCAL_NAMES = new Set(['localhost', '127.0.0.1', '::1']);

/** every variable this file reads: callers copy only these out of a (lazily templated) scope */
export const SSH_VAR_NAMES: readonly string[] = [
  'ansible_become_pass',
  'ansible_become_password',
  'ansible_connection',
  'ansible_host',
  'ansible_password',
  'ansible_port',
  'ansible_private_key_file',
  'ansible_ssh_host',
  'ansible_ssh_pass',
  'ansible_ssh_password',
  'ansible_ssh_port',
  'ansible_ssh_private_key_file',
  'ansible_ssh_private_key_passphrase',
  'ansible_ssh_timeout',
  'ansible_ssh_user',
  'ansible_sudo_pass',
  'ansible_timeout',
  'ansible_user',
  'gx_become_password',
  'gx_connect_timeout',
  'gx_connection',
  'gx_host',
  'gx_host_key_policy',
  'gx_keepalive',
  'gx_known_hosts',
  'gx_password',
  'gx_port',
  'gx_proxy_jump',
  'gx_ssh_agent',
  'gx_ssh_config',
  'gx_ssh_key',
  'gx_ssh_key_passphrase',
  'gx_ssh_persist',
  'gx_user',
];

function pick(vars: Record<string, unknown>, names: string[]): unknown {
  for (const n of names) {
    const v = vars[n];
    if (v !== undefined && v !== null && v !== '') return v;
  }
  return undefined;
}

function str(vars: Record<string, unknown>, names: string[]): string | undefined {
  const v = pick(vars, names);
  return v === undefined ? undefined : String(v);
}

function num(host: string, vars: Record<string, unknown>, names: string[]): number | undefined {
  const v = pick(vars, names);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new UsageError(`host ${host}: ${names[0]} must be a non-negative number, got ${JSON.stringify(v)}`);
  return n;
}

function defaultIdentityFiles(): string[] {
  return ['id_ed25519', 'id_ecdsa', 'id_rsa'].map((f) => join(homedir(), '.ssh', f)).filter((f) => existsSync(f));
}

export function connectionKind(host: string, vars: Record<string, unknown>): 'ssh' | 'local' {
  const kind = str(vars, ['gx_connection', 'ansible_connection']);
  if (kind === undefined) return LOCAL_NAMES.has(host) && pick(vars, ['gx_host', 'ansible_host']) === undefined ? 'local' : 'ssh';
  if (kind === 'local' || kind === 'ssh') return kind;
  // Ansible's paramiko/smart connections are ssh for gx
  if (kind === 'paramiko' || kind === 'smart') return 'ssh';
  throw new UsageError(`host ${host}: unsupported connection '${kind}' (gx knows ssh and local)`);
}

/** "user@host:port,user@host2" → endpoints, each completed from ssh_config under its own name. */
export function parseJumps(spec: string | undefined, blocks: ReturnType<typeof loadSshConfig>, fallback: SshEndpoint): SshEndpoint[] {
  if (!spec || spec.toLowerCase() === 'none') return [];
  return spec.split(',').map((part) => {
    const m = /^(?:([^@]+)@)?(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(part.trim());
    if (!m) throw new UsageError(`ProxyJump '${part}' is not [user@]host[:port]`);
    const name = m[2]!.replace(/^\[|\]$/g, '');
    const cfg = lookupSshConfig(blocks, name);
    return {
      name,
      host: cfg.hostName ?? name,
      port: m[3] ? Number(m[3]) : (cfg.port ?? 22),
      user: m[1] ?? cfg.user ?? fallback.user,
      identityFiles: cfg.identityFiles.length > 0 ? cfg.identityFiles : fallback.identityFiles,
    };
  });
}

export function resolveSshParams(name: string, vars: Record<string, unknown>, opts: ParamsOptions = {}): SshParams {
  const env = opts.env ?? process.env;
  const configPath = str(vars, ['gx_ssh_config']) ?? join(homedir(), '.ssh', 'config');
  const blocks = configPath === 'none' ? [] : loadSshConfig(expandHome(configPath));
  const explicitHost = str(vars, ['gx_host', 'ansible_host', 'ansible_ssh_host']);
  // ssh_config is looked up under the name ssh would be given: ansible_host when set
  const lookupName = explicitHost ?? name;
  const cfg: SshConfigEntry = lookupSshConfig(blocks, lookupName);
  const key = str(vars, ['gx_ssh_key', 'ansible_ssh_private_key_file', 'ansible_private_key_file']);
  const identityFiles = key !== undefined ? [expandHome(key)] : cfg.identityFiles.length > 0 ? cfg.identityFiles : defaultIdentityFiles();
  const policyVar = str(vars, ['gx_host_key_policy']);
  let hostKeyPolicy: HostKeyPolicy = 'strict';
  if (policyVar !== undefined) {
    if (policyVar !== 'strict' && policyVar !== 'accept-new') {
      throw new UsageError(`host ${name}: gx_host_key_policy must be strict or accept-new, got '${policyVar}'`);
    }
    hostKeyPolicy = policyVar;
  } else if (cfg.strictHostKeyChecking === 'accept-new' || cfg.strictHostKeyChecking === 'no' || cfg.strictHostKeyChecking === 'off') {
    hostKeyPolicy = 'accept-new';
  }
  const agentVar = str(vars, ['gx_ssh_agent']);
  const agent = agentVar === 'none' ? undefined : (agentVar ?? env.SSH_AUTH_SOCK ?? undefined);
  const endpoint: SshEndpoint = {
    name,
    host: explicitHost ?? cfg.hostName ?? name,
    port: num(name, vars, ['gx_port', 'ansible_port', 'ansible_ssh_port']) ?? cfg.port ?? 22,
    user: str(vars, ['gx_user', 'ansible_user', 'ansible_ssh_user']) ?? cfg.user ?? userInfo().username,
    identityFiles,
  };
  const timeoutS = num(name, vars, ['gx_connect_timeout', 'ansible_ssh_timeout', 'ansible_timeout']) ?? cfg.connectTimeoutS ?? 10;
  const keepaliveS = num(name, vars, ['gx_keepalive']) ?? cfg.serverAliveIntervalS ?? 15;
  return {
    ...endpoint,
    connection: connectionKind(name, vars),
    keyPassphrase: str(vars, ['gx_ssh_key_passphrase', 'ansible_ssh_private_key_passphrase']),
    password: str(vars, ['gx_password', 'ansible_password', 'ansible_ssh_pass', 'ansible_ssh_password']),
    agent: agent === '' ? undefined : agent,
    becomePassword: str(vars, ['gx_become_password', 'ansible_become_password', 'ansible_become_pass', 'ansible_sudo_pass']),
    connectTimeoutMs: Math.round(timeoutS * 1000),
    keepaliveMs: Math.round(keepaliveS * 1000),
    knownHostsFile: expandHome(str(vars, ['gx_known_hosts']) ?? cfg.userKnownHostsFile ?? join(homedir(), '.ssh', 'known_hosts')),
    hostKeyPolicy,
    jumps: parseJumps(str(vars, ['gx_proxy_jump']) ?? cfg.proxyJump, blocks, endpoint),
    persistMs: Math.round((num(name, vars, ['gx_ssh_persist']) ?? num(name, { GX_SSH_PERSIST: env.GX_SSH_PERSIST }, ['GX_SSH_PERSIST']) ?? 0) * 1000),
  };
}
