// Why a connection failed, in words a user can act on. The reason is the first thing in the message
// (refused / timed out / authentication failed / host key …) so the recap reads well.
import { ConnectionError, ModuleError } from '../../errors.js';

export interface Where {
  name: string;
  host: string;
  port: number;
  user: string;
  connectTimeoutMs: number;
}

export function connectFailure(where: Where, err: unknown, tried: string[]): ConnectionError {
  if (err instanceof ConnectionError) return err;
  const e = err as NodeJS.ErrnoException & { level?: string };
  const target = `${where.user}@${where.host}:${where.port}`;
  let msg: string;
  let hint: string | undefined;
  switch (e.code) {
    case 'ECONNREFUSED':
      msg = `connection refused by ${where.host}:${where.port}`;
      hint = 'is sshd running there, on that port?';
      break;
    case 'ETIMEDOUT':
      msg = `timed out after ${where.connectTimeoutMs / 1000}s connecting to ${where.host}:${where.port}`;
      break;
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      msg = `host ${where.host} is unreachable (${e.code})`;
      break;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      msg = `cannot resolve host name '${where.host}'`;
      break;
    case 'ECONNRESET':
      msg = `connection to ${where.host}:${where.port} reset during the SSH handshake`;
      break;
    default:
      if (e.level === 'client-authentication') {
        msg = `authentication failed for ${target} (tried: ${tried.length > 0 ? tried.join(', ') : 'nothing: no key, agent or password'})`;
        hint = 'set gx_ssh_key / ansible_ssh_private_key_file, or gx_password from a secret variable';
      } else if (e.level === 'client-timeout' || /timed out/i.test(e.message ?? '')) {
        msg = `timed out after ${where.connectTimeoutMs / 1000}s connecting to ${where.host}:${where.port} (no SSH handshake)`;
      } else {
        msg = `cannot connect to ${target}: ${e.message ?? String(err)}`;
      }
  }
  return new ConnectionError(where.name, msg, { hint, cause: err });
}

const SFTP_STATUS: Record<number, string> = {
  2: 'no such file or directory',
  3: 'permission denied',
  4: 'failure',
  5: 'bad message',
  8: 'operation unsupported',
};

/** A far-side file operation that failed (the module reports it; the host stays reachable). */
export function fileFailure(host: string, op: string, path: string, err: unknown): ModuleError {
  const e = err as { code?: unknown; message?: string };
  const why = typeof e.code === 'number' ? (SFTP_STATUS[e.code] ?? e.message) : (e.message ?? String(err));
  const hint = typeof e.code === 'number' && e.code === 3 ? 'use become to write as another user' : undefined;
  return new ModuleError(`${host}: ${op} ${path}: ${why}`, { hint, cause: err });
}
