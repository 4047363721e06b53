// Two helpers of the SSH connection: GX_SSH_TRACE=1 prints every remote operation with its duration
// to stderr, and a promise given a time limit (the remote shell's start).

const TRACE = process.env.GX_SSH_TRACE === '1';

/** with GX_SSH_TRACE=1, every remote operation and its duration on stderr */
export async function traced<T>(host: string, what: string, fn: () => Promise<T>): Promise<T> {
  if (!TRACE) return fn();
  const t0 = performance.now();
  let outcome = 'ok';
  try {
    const r = await fn();
    if (r && typeof r === 'object' && 'rc' in r) outcome = `rc=${String(r.rc)}`;
    return r;
  } catch (err) {
    outcome = `error ${(err as Error).message}`;
    throw err;
  } finally {
    process.stderr.write(`[ssh ${host}] ${(performance.now() - t0).toFixed(1)}ms ${outcome} ${what.slice(0, 160)}\n`);
  }
}

/** with GX_SSH_TRACE=1, how long each step of opening the connection took (the SFTP session may still be opening) */
export function traceConnect(host: string, t: { start?: number; tcp?: number; kex?: number; auth?: number; shell?: number; sftp?: number }): void {
  if (!TRACE || t.start === undefined) return;
  const d = (a?: number, b?: number): string => (a === undefined || b === undefined ? '-' : `${(b - a).toFixed(1)}ms`);
  process.stderr.write(`[ssh ${host}] connected in ${d(t.start, t.shell)}: tcp ${d(t.start, t.tcp)}, key exchange ${d(t.tcp, t.kex)}, auth ${d(t.kex, t.auth)}, shell ${d(t.auth, t.shell)}\n`);
}

export function withTimeout<T>(p: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  if (ms <= 0) return p;
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(onTimeout()), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(t);
        reject(e as Error);
      },
    );
  });
}
