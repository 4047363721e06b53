// uri: the request leaves from the host, as in Ansible (the host's network, the host's DNS). Unlike
// Ansible, which reports every uri call unchanged, a method other than GET, HEAD and OPTIONS is a
// change: check mode does not send it, and the registered status and body are then unknown.
import { defineModule, type ModuleContext } from '../engine/module-contract.js';
import { ModuleError } from '../engine/errors.js';
import { Unknown } from '../engine/vars/unknown.js';
import { mustRunTool } from './lib/host-tool.js';
import { findFetcher, hostRequest, maskSecretHeaders, type HostResponse } from './lib/host-http.js';

export interface UriArgs {
  url: string;
  method?: string;
  body?: unknown;
  body_format?: 'raw' | 'json' | 'form-urlencoded';
  headers?: Record<string, string>;
  status_code?: number | number[];
  return_content?: boolean;
  timeout?: number;
  validate_certs?: boolean;
  follow_redirects?: 'none' | 'safe' | 'all';
  url_username?: string;
  url_password?: string;
}

export interface UriData {
  url: string;
  status: number | Unknown;
  /** response headers, names lower-cased */
  headers: Record<string, string> | Unknown;
  content?: string | Unknown;
  json?: unknown;
  elapsed?: number;
}

const READ_ONLY = new Set(['GET', 'HEAD', 'OPTIONS']);

function encodeBody(a: UriArgs, headers: Record<string, string>): string | undefined {
  if (a.body === undefined || a.body === null) return undefined;
  const has = (name: string) => Object.keys(headers).some((k) => k.toLowerCase() === name);
  const format = a.body_format ?? 'raw';
  if (format === 'json') {
    if (!has('content-type')) headers['Content-Type'] = 'application/json';
    return typeof a.body === 'string' ? a.body : JSON.stringify(a.body);
  }
  if (format === 'form-urlencoded') {
    if (!has('content-type')) headers['Content-Type'] = 'application/x-www-form-urlencoded';
    if (typeof a.body === 'string') return a.body;
    if (typeof a.body !== 'object') throw new ModuleError('body_format form-urlencoded needs a mapping (or a ready string) as body');
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(a.body as Record<string, unknown>)) {
      for (const item of Array.isArray(v) ? v : [v]) params.append(k, typeof item === 'string' ? item : JSON.stringify(item));
    }
    return params.toString();
  }
  if (typeof a.body !== 'string') throw new ModuleError('body_format raw needs a string body (use body_format: json for a mapping)');
  return a.body;
}

async function send(ctx: ModuleContext, a: UriArgs, method: string, headers: Record<string, string>, body: string | undefined): Promise<{ res: HostResponse; elapsed: number }> {
  await findFetcher(ctx, false);
  let bodyFile: string | undefined;
  const start = Date.now();
  try {
    if (body !== undefined) {
      bodyFile = (await mustRunTool(ctx, ['mktemp', '-t', 'gx-uri.XXXXXXXX'])).stdout.trim();
      await ctx.conn.put(bodyFile, body, { mode: 0o600 });
    }
    const follow = a.follow_redirects ?? 'safe';
    const res = await hostRequest(ctx, {
      url: a.url,
      method,
      headers,
      bodyFile,
      timeoutS: a.timeout ?? 30,
      validateCerts: a.validate_certs ?? true,
      followRedirects: follow === 'all' || (follow === 'safe' && READ_ONLY.has(method)),
      user: a.url_username !== undefined ? `${a.url_username}:${a.url_password ?? ''}` : undefined,
    });
    return { res, elapsed: (Date.now() - start) / 1000 };
  } finally {
    if (bodyFile) await ctx.conn.run({ argv: ['rm', '-f', '--', bodyFile] });
  }
}

function result(a: UriArgs, res: HostResponse, elapsed: number): { data: UriData; failed: boolean; msg: string } {
  const text = res.body.toString('utf8');
  const data: UriData = { url: res.url, status: res.status, headers: res.headers, elapsed };
  if (a.return_content) data.content = text;
  if (/[/+]json\b/i.test(res.headers['content-type'] ?? '') && text.trim() !== '') {
    try {
      data.json = JSON.parse(text);
    } catch {
      // a server that says JSON and sends something else: content still has it
    }
  }
  const ok = [a.status_code ?? 200].flat();
  const failed = !ok.includes(res.status);
  const msg = failed ? `Status code was ${res.status} and not [${ok.join(', ')}]: ${text.slice(0, 200)}` : `OK (${res.body.length} bytes)`;
  return { data, failed, msg };
}

export const uri = defineModule<UriArgs, UriData>({
  name: 'uri',
  summary: 'Send an HTTP request from the host and check the response status.',
  description:
    'The host sends the request with curl (options on stdin, so headers never show in its process list). The task fails when the status is not in `status_code`. JSON responses are parsed into `json`; `return_content` adds the body as text. GET/HEAD/OPTIONS run in check mode too and are never "changed"; other methods report a change and are not sent in check mode.',
  schema: {
    type: 'object',
    properties: {
      url: { type: 'string', pattern: '^https?://', description: 'The URL (http or https).' },
      method: { type: 'string', pattern: '^[A-Za-z]+$', default: 'GET', description: 'HTTP method.' },
      body: { description: 'Request body: a string, or a mapping/list with body_format json or form-urlencoded.' },
      body_format: { type: 'string', enum: ['raw', 'json', 'form-urlencoded'], default: 'raw', description: 'How body is encoded; json and form-urlencoded also set Content-Type unless headers do.' },
      headers: { type: 'object', additionalProperties: { type: 'string' }, description: 'Request headers. Values of headers named like authorization/token/secret/password/cookie are masked in all output.' },
      status_code: {
        anyOf: [{ type: 'integer' }, { type: 'array', items: { type: 'integer' } }],
        default: [200],
        description: 'Status code(s) that count as success.',
      },
      return_content: { type: 'boolean', default: false, description: 'Add the response body to the result as `content`.' },
      timeout: { type: 'number', exclusiveMinimum: 0, default: 30, description: 'Seconds the request may take.' },
      validate_certs: { type: 'boolean', default: true, description: 'Check the server certificate for https.' },
      follow_redirects: { type: 'string', enum: ['none', 'safe', 'all'], default: 'safe', description: 'safe: follow redirects for GET/HEAD/OPTIONS only; all: for every method; none: never.' },
      url_username: { type: 'string', description: 'User for HTTP basic authentication.' },
      url_password: { type: 'string', description: 'Password for HTTP basic authentication (masked in all output).' },
    },
    required: ['url'],
    additionalProperties: false,
  },
  examples: [
    `- name: The API answers
  uri:
    url: http://127.0.0.1:8080/healthz
  register: health`,
    `- name: Create a Gitea repository
  uri:
    url: http://gitea.local/api/v1/user/repos
    method: POST
    body_format: json
    body: { name: gauntlet, private: true }
    headers:
      Authorization: 'token {{ gitea_token }}'
    status_code: [201, 409]`,
  ],
  returns: {
    status: { type: 'int', description: 'HTTP status of the (last) response; unknown for a non-GET in check mode.', returned: 'always' },
    url: { type: 'str', description: 'The URL that answered, after redirects.', returned: 'always' },
    headers: { type: 'dict', description: 'Response headers, lower-cased names.', returned: 'always' },
    json: { type: 'any', description: 'The body parsed as JSON.', returned: 'when the response is JSON' },
    content: { type: 'str', description: 'The body as text.', returned: 'with return_content' },
    elapsed: { type: 'float', description: 'Seconds the request took.', returned: 'when sent' },
  },
  checkMode: true,
  async plan(ctx, a) {
    const method = (a.method ?? 'GET').toUpperCase();
    const headers = { ...(a.headers ?? {}) };
    maskSecretHeaders(ctx, headers);
    if (a.url_password) ctx.secret(a.url_password);
    const body = encodeBody(a, headers);
    if (READ_ONLY.has(method)) {
      const { res, elapsed } = await send(ctx, a, method, headers, body);
      const r = result(a, res, elapsed);
      return { changed: false, failed: r.failed, msg: r.msg, data: r.data };
    }
    const unknown = new Unknown(`${method} ${a.url} is not sent in check mode`);
    return {
      changed: true,
      msg: `${method} ${a.url}`,
      data: { url: a.url, status: unknown, headers: unknown, ...(a.return_content ? { content: unknown } : {}) },
      apply: async () => {
        const { res, elapsed } = await send(ctx, a, method, headers, body);
        const r = result(a, res, elapsed);
        return { failed: r.failed, msg: r.msg, data: r.data };
      },
    };
  },
});

export default uri;
