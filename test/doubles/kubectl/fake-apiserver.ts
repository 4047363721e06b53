// A loopback stand-in for the Kubernetes API server, just enough for the REAL kubectl binary to
// apply, diff, get and delete ConfigMaps and Namespaces: discovery (/api, /api/v1, /apis), the
// OpenAPI v3 document kubectl reads to learn that PATCH takes fieldValidation, and GET / PATCH
// (server-side apply, with or without dryRun) / DELETE on objects. It records every request, so a
// test can see what kubectl really sends (e.g. that `kubectl diff` asks for no strict validation).
// Apply replaces the object's fields (no field ownership), like the command double.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface FakeApiServer {
  url: string;
  /** a kubeconfig file pointing at the server, namespace default */
  kubeconfig: string;
  /** `METHOD /path?query` of every request */
  requests: string[];
  objects: Map<string, Record<string, any>>;
  close(): Promise<void>;
}

const RESOURCES = [
  { name: 'configmaps', singularName: 'configmap', namespaced: true, kind: 'ConfigMap', verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'] },
  { name: 'namespaces', singularName: 'namespace', namespaced: false, kind: 'Namespace', verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'] },
];

function patchOp(kind: string) {
  return {
    'x-kubernetes-action': 'patch',
    'x-kubernetes-group-version-kind': { group: '', kind, version: 'v1' },
    parameters: [{ name: 'fieldValidation', in: 'query', schema: { type: 'string', uniqueItems: true } }],
    responses: {},
  };
}

const content = (o: Record<string, any>) => JSON.stringify({ ...o, metadata: { ...o.metadata, resourceVersion: undefined, uid: undefined, creationTimestamp: undefined } });

export async function startFakeApiServer(dir: string): Promise<FakeApiServer> {
  const requests: string[] = [];
  const objects = new Map<string, Record<string, any>>();
  objects.set('namespaces//default', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default', uid: 'ns-default', resourceVersion: '1', creationTimestamp: '2024-05-01T10:00:00Z' } });
  let rv = 100;
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      url.searchParams.delete('timeout');
      const query = url.searchParams.toString();
      requests.push(`${req.method} ${url.pathname}${query ? `?${query}` : ''}`);
      const send = (code: number, obj: unknown) => {
        res.writeHead(code, { 'content-type': 'application/json' });
        res.end(JSON.stringify(obj));
      };
      const status = (code: number, reason: string, message: string) => send(code, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason, code, message });
      const p = url.pathname;
      if (p === '/api') return send(200, { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1' }] });
      if (p === '/apis') return send(200, { kind: 'APIGroupList', apiVersion: 'v1', groups: [] });
      if (p === '/api/v1') return send(200, { kind: 'APIResourceList', groupVersion: 'v1', resources: RESOURCES });
      if (p === '/openapi/v3') return send(200, { paths: { 'api/v1': { serverRelativeURL: '/openapi/v3/api/v1?hash=1' } } });
      if (p === '/openapi/v3/api/v1') {
        return send(200, {
          openapi: '3.0.0',
          info: { title: 'Kubernetes', version: 'v1.32.0' },
          paths: { '/api/v1/namespaces/{namespace}/configmaps/{name}': { patch: patchOp('ConfigMap') }, '/api/v1/namespaces/{name}': { patch: patchOp('Namespace') } },
          components: { schemas: {} },
        });
      }
      const m = /^\/api\/v1\/(?:namespaces\/([^/]+)\/)?(configmaps|namespaces)\/([^/]+)$/.exec(p);
      if (!m) return status(404, 'NotFound', 'the server could not find the requested resource');
      const [, ns, resource, name] = m as unknown as [string, string | undefined, string, string];
      const key = `${resource}/${ns ?? ''}/${name}`;
      const live = objects.get(key);
      if (req.method === 'GET') return live ? send(200, live) : status(404, 'NotFound', `${resource} "${name}" not found`);
      if (req.method === 'PATCH') {
        if (ns && !objects.has(`namespaces//${ns}`)) return status(404, 'NotFound', `namespaces "${ns}" not found`);
        const obj = JSON.parse(body) as Record<string, any>;
        const merged = {
          ...obj,
          metadata: { ...obj.metadata, ...(ns ? { namespace: ns } : {}), uid: live?.metadata.uid ?? `uid-${name}`, resourceVersion: live?.metadata.resourceVersion ?? String(rv + 1), creationTimestamp: '2024-05-01T10:00:00Z' },
        };
        if (!url.searchParams.has('dryRun')) {
          if (!live || content(live) !== content(merged)) merged.metadata.resourceVersion = String(++rv);
          objects.set(key, merged);
        }
        return send(live ? 200 : 201, merged);
      }
      if (req.method === 'DELETE') {
        if (!live) return status(404, 'NotFound', `${resource} "${name}" not found`);
        objects.delete(key);
        return send(200, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name, kind: resource } });
      }
      return status(405, 'MethodNotAllowed', 'method not allowed');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const kubeconfig = join(dir, 'kubeconfig');
  await writeFile(
    kubeconfig,
    `apiVersion: v1\nkind: Config\nclusters: [{name: fake, cluster: {server: "${url}"}}]\nusers: [{name: u, user: {}}]\ncontexts: [{name: fake, context: {cluster: fake, user: u, namespace: default}}]\ncurrent-context: fake\n`,
  );
  return {
    url,
    kubeconfig,
    requests,
    objects,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
