// Graceful shutdown against keep-alive clients: the server as main.ts starts it (startServer), in
// this process so the test knows exactly when shutdown began relative to the bytes it sent. Each
// round: 50 keep-alive connections, 50 concurrent creates written on them and 10 more on new
// connections, shutdown called once some or all of them were handed to the kernel (on loopback: already in the server's receive
// buffer, unread). Every request whose bytes were out before shutdown began must get a response —
// 201, or 503 with Connection: close — never a reset; a new connection is refused. No lock or
// ordering between the clients: the rounds repeat the race rather than avoid it.
import { request, Agent, type IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import { expect } from 'chai';
import { pino } from 'pino';
import type { ApiConfig } from '../../api/src/config.js';
import { startServer } from '../../api/src/server.js';
import { issuerAndDatabasePerSuite, type TestDatabase } from './helpers/database.js';
import { CLIENT_ID, type OidcIssuer } from './helpers/oidc-issuer.js';

const CONNECTIONS = 50;
const FRESH = 10;
const ROUNDS = 12;

interface Outcome {
  /** The request's bytes were handed to the kernel before shutdown() was called. */
  sentBefore: boolean;
  status?: number;
  connection?: string;
  id?: string;
  error?: string;
}

describe('api: SIGTERM-style shutdown with keep-alive clients (no request that arrived is reset)', function () {
  this.timeout(120_000);
  let issuer!: OidcIssuer;
  let database!: TestDatabase;
  issuerAndDatabasePerSuite((i, d) => {
    issuer = i;
    database = d;
  });

  const config = (): ApiConfig => ({
    port: 0,
    host: '127.0.0.1',
    databaseUrl: database.url,
    dbPoolMin: 0,
    dbPoolMax: 4,
    issuers: [issuer.url],
    audience: [CLIENT_ID],
    clientId: CLIENT_ID,
    jwksUri: issuer.jwksUri,
    clockToleranceSec: 5,
    jwksRefetchIntervalMs: 0,
    jwksMaxAgeMs: 600_000,
    tokenCacheSize: 100,
    listCacheBytes: 1_000_000,
    shutdownTimeoutMs: 15_000,
    logLevel: 'silent',
    logBufferBytes: 0,
  });

  function send(agent: Agent, port: number, method: string, path: string, headers: Record<string, string>, body?: string, onSent?: () => void): Promise<{ res?: IncomingMessage; text: string; error?: string }> {
    return new Promise((resolve) => {
      const req = request({ host: '127.0.0.1', port, method, path, agent, headers: body ? { ...headers, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) } : headers });
      req.on('finish', () => onSent?.());
      req.on('response', (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => resolve({ res, text }));
        res.on('error', (e: NodeJS.ErrnoException) => resolve({ res, text, error: e.code ?? e.message }));
      });
      req.on('error', (e: NodeJS.ErrnoException) => resolve({ text: '', error: e.code ?? e.message }));
      req.end(body);
    });
  }

  function refused(port: number): Promise<string> {
    return new Promise((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.on('connect', () => {
        s.destroy();
        resolve('connected');
      });
      s.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
    });
  }

  it(`answers every request sent before shutdown began, ${ROUNDS} rounds × ${CONNECTIONS} idle keep-alive + ${FRESH} new connections; then refuses connections`, async function () {
    const token = await issuer.token({ sub: 'keepalive', expIn: 3600 });
    const auth = { authorization: `Bearer ${token}` };
    const problems: string[] = [];
    let answeredBefore = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const running = await startServer(config(), pino({ level: 'silent' }));
      const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS });
      // and a few connections opened just before shutdown, each carrying one request: the kernel may
      // hold them in the listen backlog, not yet accepted, when shutdown begins
      const fresh = new Agent({ keepAlive: true, maxSockets: FRESH });
      try {
        // open the connections (and load the key set): every one is then idle in the agent's pool
        const warm = await Promise.all(Array.from({ length: CONNECTIONS }, () => send(agent, running.port, 'GET', '/readyz', {})));
        expect(warm.map((w) => w.res?.statusCode)).to.deep.equal(Array(CONNECTIONS).fill(200));
        expect((await send(agent, running.port, 'GET', '/api/tasks', auth)).res?.statusCode).to.equal(200);

        // even rounds: shutdown once every request is out; odd rounds: somewhere in the middle
        const shutdownAfter = round % 2 === 0 ? CONNECTIONS + FRESH : 1 + ((round * 17) % (CONNECTIONS + FRESH));
        let sent = 0;
        let began = false;
        let closing: Promise<void> | undefined;
        const outcomes = await Promise.all(
          Array.from({ length: CONNECTIONS + FRESH }, async (_, i): Promise<Outcome> => {
            let sentBefore = false;
            const r = await send(i < CONNECTIONS ? agent : fresh, running.port, 'POST', '/api/tasks', auth, JSON.stringify({ title: `r${round}-${i}` }), () => {
              sentBefore = !began;
              if (++sent === shutdownAfter) {
                began = true;
                closing = running.shutdown('test');
              }
            });
            const o: Outcome = { sentBefore, status: r.res?.statusCode, connection: r.res?.headers.connection, error: r.error };
            if (o.status === 201) o.id = (JSON.parse(r.text) as { id: string }).id;
            return o;
          }),
        );
        expect(began, 'shutdown began').to.equal(true);
        const newConnection = await refused(running.port);
        await closing;

        if (newConnection !== 'ECONNREFUSED') problems.push(`round ${round}: a new connection after shutdown began: ${newConnection}`);
        for (const [i, o] of outcomes.entries()) {
          if (!o.sentBefore) continue;
          answeredBefore++;
          const ok = o.status === 201 || (o.status === 503 && o.connection === 'close');
          if (!ok || o.error) problems.push(`round ${round} (shutdown after ${shutdownAfter} sent), request ${i}: ${o.error ?? `${o.status} connection=${o.connection}`}`);
        }
        const ids = outcomes.flatMap((o) => (o.id ? [o.id] : []));
        const stored = await database.db('tasks').whereIn('id', ids).count<{ count: number }[]>({ count: '*' });
        if (stored[0]!.count !== ids.length) problems.push(`round ${round}: ${ids.length} acknowledged, ${stored[0]!.count} stored`);
      } finally {
        agent.destroy();
        fresh.destroy();
        await running.shutdown('test');
      }
    }
    expect(problems, problems.join('\n')).to.deep.equal([]);
    expect(answeredBefore).to.be.greaterThan(ROUNDS * (CONNECTIONS + FRESH) * 0.4);
  });
});
