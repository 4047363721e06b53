// HTTP from the host, as Ansible's get_url and uri do it (the host may reach URLs the controller
// cannot, and the reverse). curl does the work; its options arrive as a config file on stdin
// (`curl -K -`), so header values (tokens!) never appear in the host's process list and no URL or
// header passes through a shell. get_url falls back to wget when curl is missing.
import { ModuleError } from '../../engine/errors.js';
import type { ModuleContext } from '../../engine/module-contract.js';
import { runTool } from './host-tool.js';

/** One `name = "value"` line of a curl config file, value escaped as curl reads it. */
function entry(name: string, value?: string): string {
  if (value === undefined) return name;
  const v = value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t');
  return `${name} = "${v}"`;
}

const CURL_ERRORS: Record<number, string> = {
  3: 'the URL is malformed',
  6: 'could not resolve the host name',
  7: 'could not connect (connection refused or no route)',
  22: 'the server answered with an HTTP error',
  28: 'timed out',
  35: 'the TLS handshake failed',
  47: 'too many redirects',
  52: 'the server sent nothing',
  56: 'the connection broke while receiving',
  60: 'the server certificate is not trusted (validate_certs: false skips the check)',
};

export function curlError(rc: number, stderr: string): string {
  const said = stderr.trim().split('\n').filter((l) => l.startsWith('curl:')).pop();
  return said ?? `curl exited ${rc}${CURL_ERRORS[rc] ? `: ${CURL_ERRORS[rc]}` : ''}`;
}

/** Names of headers whose values are credentials: they are masked in every output. */
export const SECRET_HEADER = /authorization|token|secret|password|cookie/i;

export function maskSecretHeaders(ctx: ModuleContext, headers: Record<string, string> | undefined): void {
  for (const [k, v] of Object.entries(headers ?? {})) if (SECRET_HEADER.test(k) && v) ctx.secret(v);
}

export type Fetcher = 'curl' | 'wget';

export async function findFetcher(ctx: ModuleContext, allowWget: boolean): Promise<Fetcher> {
  const res = await ctx.conn.run({ shell: 'command -v curl || command -v wget || true' });
  const found = res.stdout.trim().split('\n')[0] ?? '';
  if (found.endsWith('/curl')) return 'curl';
  if (allowWget && found.endsWith('/wget')) return 'wget';
  throw new ModuleError(`${allowWget ? 'neither curl nor wget is' : 'curl is not'} installed on ${ctx.host}; install curl to fetch URLs from the host`);
}

export interface DownloadOptions {
  url: string;
  /** where the body goes, on the host */
  out: string;
  headers?: Record<string, string>;
  timeoutS: number;
  validateCerts: boolean;
}

/** Downloads a URL to a file on the host; an HTTP error status fails. */
export async function hostDownload(ctx: ModuleContext, fetcher: Fetcher, o: DownloadOptions): Promise<void> {
  if (fetcher === 'curl') {
    const conf = [
      entry('url', o.url),
      entry('output', o.out),
      entry('max-time', String(o.timeoutS)),
      entry('location'),
      entry('fail'),
      entry('silent'),
      entry('show-error'),
      ...(o.validateCerts ? [] : [entry('insecure')]),
      ...Object.entries(o.headers ?? {}).map(([k, v]) => entry('header', `${k}: ${v}`)),
    ].join('\n');
    const res = await runTool(ctx, ['curl', '-K', '-'], { stdin: conf + '\n', providedBy: 'curl' });
    if (res.rc !== 0) throw new ModuleError(`downloading ${o.url} failed: ${curlError(res.rc, res.stderr)}`);
    return;
  }
  const argv = [
    'wget', '-q', '-T', String(o.timeoutS), '-O', o.out,
    ...(o.validateCerts ? [] : ['--no-check-certificate']),
    ...Object.entries(o.headers ?? {}).map(([k, v]) => `--header=${k}: ${v}`),
    '--', o.url,
  ];
  const res = await runTool(ctx, argv, { providedBy: 'wget' });
  if (res.rc !== 0) throw new ModuleError(`downloading ${o.url} failed: wget exited ${res.rc}${res.rc === 8 ? ' (the server answered with an HTTP error)' : ''} ${res.stderr.trim()}`.trim());
}

export interface RequestOptions {
  url: string;
  method: string;
  headers: Record<string, string>;
  /** a file on the host holding the request body */
  bodyFile?: string;
  timeoutS: number;
  validateCerts: boolean;
  followRedirects: boolean;
  user?: string;
}

export interface HostResponse {
  status: number;
  /** the URL answered last (after redirects) */
  url: string;
  /** lower-cased names; the last response's headers */
  headers: Record<string, string>;
  body: Buffer;
}

const MARK = '\n--gx-curl-status--';

/** One HTTP request from the host with curl; any HTTP status is a response, not an error. */
export async function hostRequest(ctx: ModuleContext, o: RequestOptions): Promise<HostResponse> {
  const conf = [
    entry('url', o.url),
    // HEAD through -I: with `request = HEAD` curl would wait for a body that never comes
    o.method === 'HEAD' ? entry('head') : entry('request', o.method),
    entry('max-time', String(o.timeoutS)),
    entry('silent'),
    // headers come back as JSON in the write-out (curl >= 7.83); dumping them to /dev/stderr
    // crashes curl 7.88 when stderr is a socket, as it is under Node
    entry('write-out', `${MARK}%{http_code} %{url_effective}\n%{header_json}`),
    ...(o.followRedirects ? [entry('location')] : []),
    ...(o.validateCerts ? [] : [entry('insecure')]),
    ...(o.user !== undefined ? [entry('user', o.user), entry('basic')] : []),
    ...(o.bodyFile !== undefined ? [entry('data-binary', `@${o.bodyFile}`)] : []),
    ...Object.entries(o.headers).map(([k, v]) => entry('header', `${k}: ${v}`)),
  ].join('\n');
  const res = await runTool(ctx, ['curl', '-K', '-'], { stdin: conf + '\n', providedBy: 'curl' });
  if (res.rc !== 0) throw new ModuleError(`request to ${o.url} failed: ${curlError(res.rc, res.stderr)}`);
  const raw = res.stdoutBytes ?? Buffer.from(res.stdout, 'utf8');
  const at = raw.lastIndexOf(MARK);
  if (at < 0) throw new ModuleError(`curl gave no status for ${o.url}`);
  const [first, ...json] = raw.subarray(at + MARK.length).toString('utf8').split('\n');
  const [code, ...rest] = (first ?? '').trim().split(' ');
  const headers: Record<string, string> = {};
  try {
    for (const [k, v] of Object.entries(JSON.parse(json.join('\n')) as Record<string, string[] | string>)) {
      headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : String(v);
    }
  } catch {
    // a curl older than 7.83 has no header_json: the response still counts, without headers
  }
  return { status: Number(code), url: rest.join(' ') || o.url, headers, body: o.method === 'HEAD' ? Buffer.alloc(0) : raw.subarray(0, at) };
}

/** `ALGO:HEX` → the algorithm and lower-case digest. */
export function parseChecksum(spec: string): { algo: string; digest: string } {
  const m = /^(md5|sha1|sha224|sha256|sha384|sha512):([0-9a-fA-F]+)$/.exec(spec.trim());
  if (!m) throw new ModuleError(`checksum must be ALGORITHM:HEX with md5, sha1, sha224, sha256, sha384 or sha512, not '${spec}'`);
  return { algo: m[1]!, digest: m[2]!.toLowerCase() };
}

export async function hostDigest(ctx: ModuleContext, algo: string, path: string): Promise<string> {
  const res = await runTool(ctx, [`${algo}sum`, '--', path], { providedBy: 'coreutils' });
  if (res.rc !== 0) throw new ModuleError(`${algo}sum ${path} failed: ${res.stderr.trim()}`);
  return res.stdout.trim().split(/\s+/)[0]!.replace(/^\\/, '').toLowerCase();
}
