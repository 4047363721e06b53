// Runs api/src/main.ts (the container's entry point) as a child process, as an unprivileged user
// like the pod does, and reads its JSON log lines.
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const NOBODY = { uid: 65534, gid: 65534 };

export interface ChildResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface ChildApi {
  child: ChildProcess;
  port: number;
  logs: Array<Record<string, unknown>>;
  stdout(): string;
  exited: Promise<ChildResult>;
}

export function runTs(entry: string, args: string[], env: Record<string, string>, user: { uid: number; gid: number } | undefined = NOBODY): { child: ChildProcess; exited: Promise<ChildResult> } {
  const child = spawn(process.execPath, ['--import', 'tsx', join(REPO, entry), ...args], {
    cwd: REPO,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(user ?? {}),
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<ChildResult>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  return { child, exited };
}

export async function startChildApi(env: Record<string, string>): Promise<ChildApi> {
  const { child, exited } = runTs('api/src/main.ts', [], { HOST: '127.0.0.1', PORT: '0', ...env });
  const logs: Array<Record<string, unknown>> = [];
  let out = '';
  let buffered = '';
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      buffered += d.toString();
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        try {
          const entry = JSON.parse(line) as Record<string, unknown>;
          logs.push(entry);
          if (entry.msg === 'listening') resolve(entry.port as number);
        } catch {
          // a non-JSON line would itself be a bug; the log-format test looks at every line
        }
      }
    });
    void exited.then((r) => reject(new Error(`API exited early (${String(r.code)}): ${r.stderr}`)));
  });
  return { child, port, logs, stdout: () => out, exited };
}
