// A small HTTP server on 127.0.0.1 for the get_url and uri tests; it records every request.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SeenRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface Fixture {
  base: string;
  seen: SeenRequest[];
  /** what GET /file answers */
  content: string;
  close(): Promise<void>;
}

export async function startHttp(): Promise<Fixture> {
  const fx: Fixture = { base: '', seen: [], content: 'hello\n', close: async () => {} };
  const srv = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      fx.seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      const path = (req.url ?? '').split('?')[0];
      if (path === '/file' || path === '/dir/artifact.tar.gz') return void res.end(fx.content);
      if (path === '/private') {
        if (req.headers.authorization !== 'Bearer s3cr3t') return void res.writeHead(401).end('no');
        return void res.end('private\n');
      }
      if (path === '/echo') {
        res.setHeader('content-type', 'application/json');
        return void res.end(JSON.stringify({ method: req.method, contentType: req.headers['content-type'] ?? null, body }));
      }
      if (path === '/created') return void res.writeHead(201, { 'content-type': 'text/plain', 'x-id': '42' }).end('made');
      if (path === '/redirect') return void res.writeHead(302, { location: '/echo' }).end();
      res.writeHead(404).end('not here');
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  fx.base = `http://127.0.0.1:${(srv.address() as AddressInfo).port}`;
  fx.close = () => new Promise<void>((r) => srv.close(() => r()));
  return fx;
}
