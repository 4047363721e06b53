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
    let conn = this.conns.get(host);
    if (!conn) {
      conn = this.open(host, this.connectionVars(vars));
      this.conns.set(host, conn);
    }
    return conn;
  }

  /**
   * Opens the host's connection ahead of its first task (preopen.ts). Unlike get(), a failure is
   * not kept: the host may not be up yet (a task before may create it), so the task tries again.
   * Never rejects.
   */
  async preopen(host: string, vars: Record<string, unknown>): Promise<void> {
    if (this.closed || this.conns.has(host)) return;
    let conn: Promise<Connection>;
    try {
      conn = this.open(host, this.connectionVars(vars));
    } catch {
      return; // a connection variable that cannot be rendered: the task reports it
    }
    this.conns.set(host, conn);
    try {
      await conn;
    } catch {
      if (this.conns.get(host) === conn) this.conns.delete(host);
    }
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

  async closeAll(): Promise<void> {
    this.closed = true;
    await Promise.all(this.opened.map((c) => c.close().catch(() => undefined)));
    const jumps = await Promise.all([...this.jumpCache.values()].map((p) => p.catch(() => undefined)));
    for (const j of jumps) j?.end();
  }
}
