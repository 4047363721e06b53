// A loopback TCP proxy in front of the real PostgreSQL, the database itself running on for the
// other tests. cut() resets every open connection and every new one, exactly what an application
// sees when its database host goes away; freeze() stops forwarding without closing anything, as
// when a peer vanishes behind a firewall (a half-open session only a heartbeat notices);
// restore() lets traffic through again, frozen connections included.
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export class TcpProxy {
  private mode: 'open' | 'frozen' | 'cut' = 'open';
  private readonly pairs = new Set<[Socket, Socket]>();
  /** Connections clients attempted through the proxy, refused ones included. */
  accepted = 0;

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(targetHost: string, targetPort: number): Promise<TcpProxy> {
    let proxy: TcpProxy | undefined;
    const server = createServer((client) => proxy!.accept(client, targetHost, targetPort));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    proxy = new TcpProxy(server, (server.address() as AddressInfo).port);
    return proxy;
  }

  /** A proxy in front of the server a database URL names. */
  static forDatabase(databaseUrl: string): Promise<TcpProxy> {
    const u = new URL(databaseUrl);
    return TcpProxy.start(u.hostname, Number(u.port));
  }

  /** The same database URL, through this proxy. */
  urlFor(databaseUrl: string): string {
    const u = new URL(databaseUrl);
    u.hostname = '127.0.0.1';
    u.port = String(this.port);
    return u.toString();
  }

  cut(): void {
    this.mode = 'cut';
    for (const [a, b] of this.pairs) {
      a.resetAndDestroy();
      b.resetAndDestroy();
    }
    this.pairs.clear();
  }

  freeze(): void {
    this.mode = 'frozen';
    for (const [a, b] of this.pairs) {
      a.pause();
      b.pause();
    }
  }

  restore(): void {
    this.mode = 'open';
    for (const [a, b] of this.pairs) {
      a.resume();
      b.resume();
    }
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket, host: string, port: number): void {
    this.accepted++;
    if (this.mode === 'cut') {
      client.resetAndDestroy();
      return;
    }
    const upstream = createConnection({ host, port });
    const pair: [Socket, Socket] = [client, upstream];
    this.pairs.add(pair);
    // data events rather than pipe(): a pipe resumes a paused source on 'drain', which would thaw a freeze
    client.on('data', (d) => upstream.write(d));
    upstream.on('data', (d) => client.write(d));
    for (const s of pair) {
      s.on('error', () => undefined);
      s.on('close', () => {
        this.pairs.delete(pair);
        client.destroy();
        upstream.destroy();
      });
    }
    if (this.mode === 'frozen') {
      client.pause();
      upstream.pause();
    }
  }
}
