// One connection per host for the whole run, opened lazily on first use and concurrently across
// hosts. A host that failed to connect keeps failing with the same ConnectionError (no retry storm,
// the same reason in every task's result). closeAll() is what Ctrl-C calls.
import type { Client } from 'ssh2';
import { ConnectionError } from '../errors.js';
import type { Connection } from './connection.js';
import { LocalConnection } from './local.js';
import { SshConnection, type SshConnectionOptions } from './ssh/connection.js';
import { connectionKind, resolveSshParams, SSH_VAR_NAMES, type HostKeyPolicy, type ParamsOptions } from './ssh/params.js';

export interface PoolOptions extends ParamsOptions {
  /** variables applied under every host's own (e.g. from the CLI: key file, known_hosts) */
  defaults?: Record<string, unknown>;
  /** the CLI's choice, over every host's gx_host_key_policy */
  hostKeyPolicy?: HostKeyPolicy;
  /** how a local connection is made (tests replace it) */
  local?: (host: string) => Connection;
  ssh?: Omit<SshConnectionOptions, 'jumpCache'>;
}

export class ConnectionPool {
  private readonly conns = new Map<string, Promise<Connection>>();
  private readonly opened: Connection[] = [];
  private readonly jumpCache = new Map<string, Promise<Client>>();
  private closed = false;

  constructor(private readonly opts: PoolOptions = {}) {}

  get(host: string, vars: Record<string, unknown>): Promise<Connection> {
    if (this.closed) return Promise.reject(new ConnectionError(host, 'the run is over: connections are closed'));
    const cvars = this.connectionVars(vars);
    const key = this.keyOf(host, cvars);
    let conn = this.conns.get(key);
    if (!conn) {
      conn = this.open(host, cvars);
      this.conns.set(key, conn);
    }
    return conn;
  }

  /**
   * Opens the host's connection ahead of its first task (preopen.ts). Unlike get(), a failure is
   * not kept: the host may not be up yet (a task before may create it), so the task tries again.
   * Never rejects.
   */
  async preopen(host: string, vars: Record<string, unknown>): Promise<void> {
    if (this.closed) return;
    let key: string;
    let conn: Promise<Connection>;
    try {
      const cvars = this.connectionVars(vars);
      key = this.keyOf(host, cvars);
      if (this.conns.has(key)) return;
      conn = this.open(host, cvars);
    } catch {
      return; // a connection variable that cannot be rendered: the task reports it
    }
    this.conns.set(key, conn);
    try {
      await conn;
    } catch {
      if (this.conns.get(key) === conn) this.conns.delete(key);
    }
  }

  /** one connection per host and login user: remote_user on a task may log in as someone else */
  private keyOf(host: string, cvars: Record<string, unknown>): string {
    return `${host}\u0000${String(cvars.ansible_user ?? cvars.ansible_ssh_user ?? '')}`;
  }

  /** only the connection variables are read: reading others would render templates for nothing */
  private connectionVars(vars: Record<string, unknown>): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const name of SSH_VAR_NAMES) {
      const v = vars[name] ?? this.opts.defaults?.[name];
      if (v !== undefined) out[name] = v;
    }
    if (this.opts.hostKeyPolicy) out.gx_host_key_policy = this.opts.hostKeyPolicy;
    return out;
  }

  private async open(host: string, vars: Record<string, unknown>): Promise<Connection> {
    let conn: Connection;
    try {
      if (connectionKind(host, vars) === 'local') conn = this.opts.local ? this.opts.local(host) : new LocalConnection(host);
      else conn = new SshConnection(resolveSshParams(host, vars, this.opts), { ...this.opts.ssh, jumpCache: this.jumpCache });
    } catch (err) {
      // a bad connection variable makes this host unreachable, not the whole run
      throw err instanceof ConnectionError ? err : new ConnectionError(host, (err as Error).message, { cause: err });
    }
    this.opened.push(conn);
    await conn.connect();
    if (this.closed) {
      await conn.close();
      throw new ConnectionError(host, 'the run is over: connections are closed');
    }
    return conn;
  }

  /** Closes the host's connections (every login user); the next get() opens a new one. */
  async reset(host: string): Promise<void> {
    const prefix = `${host}\u0000`;
    for (const [key, pending] of [...this.conns]) {
      if (!key.startsWith(prefix)) continue;
      this.conns.delete(key);
      const conn = await pending.catch(() => undefined);
      if (!conn) continue;
      const i = this.opened.indexOf(conn);
      if (i >= 0) this.opened.splice(i, 1);
      await conn.close().catch(() => undefined);
    }
  }

  async closeAll(): Promise<void> {
    this.closed = true;
    await Promise.all(this.opened.map((c) => c.close().catch(() => undefined)));
    const jumps = await Promise.all([...this.jumpCache.values()].map((p) => p.catch(() => undefined)));
    for (const j of jumps) j?.end();
  }
}
