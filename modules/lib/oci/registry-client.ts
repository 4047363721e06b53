// A small client for the registry HTTP API v2 (the OCI distribution spec) on node:http/https:
// streamed bodies with a known Content-Length, keep-alive, redirects for reads, and the two auth
// schemes registries use: Basic (sent up front when credentials are given) and the Bearer token
// dance (401 with `WWW-Authenticate: Bearer realm=…` → fetch a token for the repository scope, retry).
import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import http, { type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import https from 'node:https';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ModuleError } from '../../../engine/errors.js';
import { digestFile, sha256 } from './digest.js';
import { MANIFEST_ACCEPT, manifestType } from './media-types.js';

export interface RegistryOptions {
  /** host[:port], or with a scheme: http://host:port for a plain-HTTP registry (https is the default) */
  registry: string;
  username?: string;
  password?: string;
  validateCerts?: boolean;
  /** a PEM file of CA certificates to trust for https */
  caPath?: string;
  /** idle timeout of one request */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface RegistryResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

interface RequestOptions {
  headers?: Record<string, string>;
  /** a body factory, so the request can be sent again after an auth challenge */
  body?: () => Readable;
  length?: number;
  /** the repositories and actions a bearer token must cover, e.g. ['repository:app:pull,push'] */
  scopes?: string[];
  /** stream a 200 body into this file instead of buffering it */
  toFile?: string;
}

export interface RemoteManifest {
  digest: string;
  mediaType: string;
  bytes: Buffer;
}

const REPOSITORY = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

export function checkRepository(name: string): string {
  if (!REPOSITORY.test(name)) throw new ModuleError(`'${name}' is not a valid repository name (lowercase letters, digits, . _ - separators, / between parts)`);
  return name;
}

export function checkTag(tag: string): string {
  if (!TAG.test(tag)) throw new ModuleError(`'${tag}' is not a valid tag (letters, digits, _ . -, at most 128, not starting with . or -)`);
  return tag;
}

/** `http://h:p`, `https://h`, `h:p` → the base URL (https unless told) and the bare host. */
export function parseRegistry(s: string): { base: URL; host: string } {
  const withScheme = /^[a-z]+:\/\//i.test(s) ? s : `https://${s}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new ModuleError(`registry '${s}' is not host[:port] or http(s)://host[:port]`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ModuleError(`registry '${s}': only http:// and https:// are supported`);
  if (url.pathname !== '/' && url.pathname !== '') throw new ModuleError(`registry '${s}' must not contain a path; put the path in 'repository'`);
  return { base: new URL(`${url.protocol}//${url.host}`), host: url.host };
}

function challenge(header: string | undefined): { scheme: string; params: Record<string, string> } | null {
  if (!header) return null;
  const m = /^(\w+)\s*(.*)$/.exec(header.trim());
  if (!m) return null;
  const params: Record<string, string> = {};
  for (const p of m[2]!.matchAll(/(\w+)="([^"]*)"/g)) params[p[1]!.toLowerCase()] = p[2]!;
  return { scheme: m[1]!.toLowerCase(), params };
}

/** The registry's own error text ({"errors":[{"code","message","detail"}]}) when it sent one. */
function registryErrors(body: Buffer): string {
  try {
    const doc = JSON.parse(body.toString('utf8')) as { errors?: { code?: string; message?: string; detail?: unknown }[] };
    if (Array.isArray(doc.errors) && doc.errors.length > 0) {
      return doc.errors
        .map((e) => [e.code, e.message].filter(Boolean).join(': ') + (e.detail ? ` (${typeof e.detail === 'string' ? e.detail : JSON.stringify(e.detail)})` : ''))
        .join('; ');
    }
  } catch {
    // not JSON: fall back to the text
  }
  return body.toString('utf8').trim().slice(0, 300);
}

export class RegistryClient {
  readonly base: URL;
  /** host[:port], as image references spell it */
  readonly host: string;
  /** how many HTTP requests this client sent (shown at -vvv) */
  requestCount = 0;
  private readonly o: RegistryOptions;
  private readonly agent: http.Agent;
  private ca?: Buffer;
  private readonly tokens = new Map<string, string>();

  constructor(o: RegistryOptions) {
    this.o = o;
    const { base, host } = parseRegistry(o.registry);
    this.base = base;
    this.host = host;
    this.agent = base.protocol === 'https:' ? new https.Agent({ keepAlive: true, maxSockets: 4 }) : new http.Agent({ keepAlive: true, maxSockets: 4 });
  }

  close(): void {
    this.agent.destroy();
  }

  private basic(): string | undefined {
    if (this.o.username === undefined) return undefined;
    return `Basic ${Buffer.from(`${this.o.username}:${this.o.password ?? ''}`).toString('base64')}`;
  }

  private async send(method: string, url: URL, headers: Record<string, string>, o: RequestOptions): Promise<RegistryResponse> {
    if (this.o.caPath && !this.ca) this.ca = await readFile(this.o.caPath);
    const mod = url.protocol === 'https:' ? https : http;
    const sameHost = url.host === this.base.host;
    return new Promise<RegistryResponse>((resolve, reject) => {
      this.requestCount++;
      const req = mod.request(
        url,
        {
          method,
          headers: { 'User-Agent': 'gx-registry-push', ...headers },
          agent: sameHost ? this.agent : undefined,
          rejectUnauthorized: this.o.validateCerts ?? true,
          ca: this.ca,
          timeout: this.o.timeoutMs ?? 60_000,
          signal: this.o.signal,
        },
        (res: IncomingMessage) => {
          const status = res.statusCode ?? 0;
          if (o.toFile && status === 200) {
            pipeline(res, createWriteStream(o.toFile)).then(() => resolve({ status, headers: res.headers, body: Buffer.alloc(0) }), reject);
            return;
          }
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status, headers: res.headers, body: Buffer.concat(chunks) }));
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`no answer within ${Math.round((this.o.timeoutMs ?? 60_000) / 1000)}s`)));
      req.on('error', reject);
      if (o.body) {
        o.body().on('error', (err) => req.destroy(err)).pipe(req);
      } else {
        req.end();
      }
    });
  }

  private reachError(err: unknown): ModuleError {
    const e = err as NodeJS.ErrnoException;
    if (/wrong version number|packet length too long/i.test(e.message)) {
      return new ModuleError(`cannot reach the registry at ${this.base.origin}: it does not speak TLS (if it serves plain HTTP, write registry: http://${this.host})`, { cause: err });
    }
    const why = e.code && !e.message.includes(e.code) ? `${e.code} ${e.message}` : e.message;
    return new ModuleError(`cannot reach the registry at ${this.base.origin}: ${why.split('\n')[0]}`, { cause: err });
  }

  private async token(params: Record<string, string>, scopes: string[]): Promise<string> {
    const key = scopes.join(' ');
    const hit = this.tokens.get(key);
    if (hit) return hit;
    if (!params.realm) throw new ModuleError(`the registry at ${this.base.origin} asked for a bearer token without naming a realm`);
    const url = new URL(params.realm);
    if (params.service) url.searchParams.set('service', params.service);
    for (const s of scopes) url.searchParams.append('scope', s);
    const auth = this.basic();
    let res: RegistryResponse;
    try {
      res = await this.send('GET', url, auth ? { Authorization: auth } : {}, {});
    } catch (err) {
      throw new ModuleError(`cannot reach the token service ${url.origin}${url.pathname}: ${(err as Error).message}`, { cause: err });
    }
    if (res.status !== 200) throw new ModuleError(`the token service ${url.origin}${url.pathname} refused${auth ? ` user '${this.o.username}'` : ' an anonymous request'}: HTTP ${res.status} ${registryErrors(res.body)}`);
    const doc = JSON.parse(res.body.toString('utf8')) as { token?: string; access_token?: string };
    const token = doc.token ?? doc.access_token;
    if (!token) throw new ModuleError(`the token service ${url.origin}${url.pathname} answered without a token`);
    this.tokens.set(key, token);
    return token;
  }

  /** One API call: auth handled, reads follow redirects, network failures become clear errors. */
  async request(method: string, pathOrUrl: string, o: RequestOptions = {}): Promise<RegistryResponse> {
    let url = new URL(pathOrUrl, this.base);
    let scopes = o.scopes ?? [];
    let bearer = this.tokens.get(scopes.join(' '));
    // a cached token may have expired: one 401 with it buys one fresh token
    let cached = bearer !== undefined;
    for (let attempt = 0; attempt < 8; attempt++) {
      const headers: Record<string, string> = { ...(o.headers ?? {}) };
      if (o.length !== undefined) headers['Content-Length'] = String(o.length);
      const auth = bearer ? `Bearer ${bearer}` : this.basic();
      if (auth && url.host === this.base.host) headers.Authorization = auth;
      let res: RegistryResponse;
      try {
        res = await this.send(method, url, headers, o);
      } catch (err) {
        if ((err as Error).name === 'AbortError') throw err;
        throw this.reachError(err);
      }
      if (res.status === 401 && cached) {
        this.tokens.delete(scopes.join(' '));
        bearer = undefined;
        cached = false;
      }
      if (res.status === 401 && !bearer) {
        const ch = challenge(res.headers['www-authenticate'] as string | undefined);
        if (ch?.scheme === 'bearer') {
          if (scopes.length === 0 && ch.params.scope) scopes = ch.params.scope.split(' ');
          bearer = await this.token(ch.params, scopes);
          continue;
        }
        if (this.o.username === undefined) {
          throw new ModuleError(`the registry at ${this.base.origin} wants credentials (${res.headers['www-authenticate'] ?? 'HTTP 401'}); give username and password`);
        }
        throw new ModuleError(`the registry at ${this.base.origin} refused the credentials of user '${this.o.username}'`);
      }
      if (res.status === 401) throw new ModuleError(`the registry at ${this.base.origin} refused the token for ${scopes.join(' ') || 'this request'}`);
      if ([301, 302, 303, 307, 308].includes(res.status) && (method === 'GET' || method === 'HEAD') && res.headers.location) {
        url = new URL(res.headers.location, url);
        continue;
      }
      if (res.status === 400 && /HTTP request to an HTTPS server/i.test(res.body.toString('utf8'))) {
        throw new ModuleError(`the registry at ${this.base.host} speaks HTTPS; write registry: https://${this.base.host}`);
      }
      return res;
    }
    throw new ModuleError(`too many redirects or auth rounds for ${method} ${pathOrUrl}`);
  }

  private fail(what: string, res: RegistryResponse): ModuleError {
    const text = res.body.length ? `: ${registryErrors(res.body)}` : '';
    return new ModuleError(`${what} failed with HTTP ${res.status}${text}`);
  }

  /** Checks that a registry v2 answers at all, so a wrong address fails with one clear message. */
  async ping(): Promise<void> {
    const res = await this.request('GET', '/v2/');
    if (res.status === 404) throw new ModuleError(`${this.base.origin} answers but is not a registry (GET /v2/ gave 404)`);
    if (res.status >= 300) throw this.fail(`GET ${this.base.origin}/v2/`, res);
  }

  private scope(repo: string, push: boolean): string[] {
    return [`repository:${repo}:${push ? 'pull,push' : 'pull'}`];
  }

  /** The digest and media type a tag or digest resolves to, or null when there is none. */
  async headManifest(repo: string, ref: string): Promise<{ digest: string; mediaType: string } | null> {
    const res = await this.request('HEAD', `/v2/${repo}/manifests/${ref}`, { headers: { Accept: MANIFEST_ACCEPT }, scopes: this.scope(repo, false) });
    if (res.status === 404) return null;
    if (res.status !== 200) throw this.fail(`HEAD ${repo}:${ref}`, res);
    const digest = res.headers['docker-content-digest'];
    if (typeof digest === 'string' && digest) return { digest, mediaType: String(res.headers['content-type'] ?? '') };
    const got = await this.getManifest(repo, ref);
    return got && { digest: got.digest, mediaType: got.mediaType };
  }

  async getManifest(repo: string, ref: string): Promise<RemoteManifest | null> {
    const res = await this.request('GET', `/v2/${repo}/manifests/${ref}`, { headers: { Accept: MANIFEST_ACCEPT }, scopes: this.scope(repo, false) });
    if (res.status === 404) return null;
    if (res.status !== 200) throw this.fail(`GET manifest ${repo}:${ref}`, res);
    const digest = sha256(res.body);
    if (ref.startsWith('sha256:') && digest !== ref) throw new ModuleError(`the registry sent manifest ${digest} for ${repo}@${ref}`);
    const doc = JSON.parse(res.body.toString('utf8')) as { mediaType?: string };
    return { digest, mediaType: manifestType(doc, String(res.headers['content-type'] ?? '')), bytes: res.body };
  }

  async hasBlob(repo: string, digest: string): Promise<boolean> {
    const res = await this.request('HEAD', `/v2/${repo}/blobs/${digest}`, { scopes: this.scope(repo, false) });
    if (res.status === 200) return true;
    if (res.status === 404) return false;
    throw this.fail(`HEAD blob ${repo}@${digest}`, res);
  }

  async getBlob(repo: string, digest: string): Promise<Buffer> {
    const res = await this.request('GET', `/v2/${repo}/blobs/${digest}`, { scopes: this.scope(repo, false) });
    if (res.status !== 200) throw this.fail(`GET blob ${repo}@${digest}`, res);
    if (sha256(res.body) !== digest) throw new ModuleError(`the registry sent blob content that does not match ${digest}`);
    return res.body;
  }

  /** Downloads a blob into a file, checking its digest. */
  async downloadBlob(repo: string, digest: string, path: string): Promise<void> {
    const res = await this.request('GET', `/v2/${repo}/blobs/${digest}`, { scopes: this.scope(repo, false), toFile: path });
    if (res.status !== 200) throw this.fail(`GET blob ${repo}@${digest}`, res);
    if ((await digestFile(path)).digest !== digest) throw new ModuleError(`the registry sent blob content that does not match ${digest}`);
  }

  /**
   * Opens an upload session, or asks the registry to mount the blob from another repository of the
   * same registry (no transfer). A registry that cannot mount opens an ordinary session instead.
   */
  async startUpload(repo: string, mount?: { digest: string; from: string }): Promise<{ mounted: true } | { location: URL }> {
    const scopes = [...this.scope(repo, true), ...(mount ? this.scope(mount.from, false) : [])];
    const query = mount ? `?mount=${encodeURIComponent(mount.digest)}&from=${encodeURIComponent(mount.from)}` : '';
    const res = await this.request('POST', `/v2/${repo}/blobs/uploads/${query}`, { scopes, length: 0 });
    if (res.status === 201 && mount) return { mounted: true };
    if (res.status !== 202 || !res.headers.location) throw this.fail(`starting an upload to ${repo}`, res);
    return { location: new URL(res.headers.location, this.base) };
  }

  /** Sends the whole blob in one PUT (a monolithic upload) and closes the session with its digest. */
  async finishUpload(repo: string, location: URL, blob: { digest: string; size: number; open: () => Readable }): Promise<void> {
    const url = new URL(location.href);
    url.searchParams.set('digest', blob.digest);
    const res = await this.request('PUT', url.href, {
      scopes: this.scope(repo, true),
      headers: { 'Content-Type': 'application/octet-stream' },
      length: blob.size,
      body: blob.open,
    });
    if (res.status !== 201) throw this.fail(`uploading ${blob.digest} to ${repo}`, res);
  }

  async uploadBlob(repo: string, blob: { digest: string; size: number; open: () => Readable }): Promise<void> {
    const s = await this.startUpload(repo);
    if ('location' in s) await this.finishUpload(repo, s.location, blob);
  }

  /** Puts a manifest under a tag or its digest; the registry must agree on the digest. */
  async putManifest(repo: string, ref: string, doc: { mediaType: string; digest: string; bytes: Buffer }): Promise<void> {
    const res = await this.request('PUT', `/v2/${repo}/manifests/${ref}`, {
      scopes: this.scope(repo, true),
      headers: { 'Content-Type': doc.mediaType },
      length: doc.bytes.length,
      body: () => Readable.from([doc.bytes]),
    });
    if (res.status !== 201) throw this.fail(`putting manifest ${repo}:${ref}`, res);
    const said = res.headers['docker-content-digest'];
    if (typeof said === 'string' && said && said !== doc.digest) {
      throw new ModuleError(`the registry stored manifest ${repo}:${ref} as ${said}, not ${doc.digest}`);
    }
  }
}
