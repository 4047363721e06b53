// A task's view of its host's connection: the task's environment and become settings are applied to
// every call, so modules never think about them.
import type { BecomeOptions, Connection, FileStat, PutOptions, RunOptions, RunResult, StatOptions } from './connection.js';

export function taskConnection(conn: Connection, env: Record<string, string> | undefined, become: BecomeOptions | undefined): Connection {
  if (!env && !become) return conn;
  return {
    host: conn.host,
    connect: () => conn.connect(),
    run: (o: RunOptions): Promise<RunResult> =>
      conn.run({ ...o, env: env ? { ...env, ...o.env } : o.env, become: o.become ?? become }),
    put: (path: string, data: string | Buffer | NodeJS.ReadableStream, o?: PutOptions): Promise<void> =>
      conn.put(path, data, { ...o, become: o?.become ?? become }),
    get: (path: string, o?: { become?: BecomeOptions }): Promise<Buffer | null> => conn.get(path, { ...o, become: o?.become ?? become }),
    stat: (path: string, o?: StatOptions): Promise<FileStat | null> => conn.stat(path, { ...o, become: o?.become ?? become }),
    close: () => conn.close(),
  };
}
