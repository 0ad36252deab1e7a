import * as net from 'node:net';

/**
 * A loopback TCP proxy to one upstream port, for fault tests: it can freeze traffic both ways (`pause`: bytes are
 * held, nothing is lost; new connections wait), let it flow again (`resume`), cut every connection (`reset`), or
 * hold every chunk for a while before passing it on (`delay`).
 *
 *   client ──► proxy.port ──(pause | delay | reset)──► 127.0.0.1:upstreamPort
 */
export class TcpProxy {
  private readonly server: net.Server;
  private readonly pairs = new Set<{ client: net.Socket; upstream: net.Socket | undefined }>();
  private readonly waiting: (() => void)[] = [];
  private paused = false;
  private delayMs = 0;
  /** Connections accepted so far (to assert a client really goes through the proxy). */
  accepted = 0;

  private constructor(private readonly upstreamPort: number) {
    this.server = net.createServer((client) => this.accept(client));
  }

  /** Starts a proxy on a free loopback port. */
  static async start(upstreamPort: number): Promise<TcpProxy> {
    const proxy = new TcpProxy(upstreamPort);
    await new Promise<void>((resolve, reject) => {
      proxy.server.once('error', reject);
      proxy.server.listen(0, '127.0.0.1', () => resolve());
    });
    return proxy;
  }

  get port(): number {
    const a = this.server.address();
    if (a === null || typeof a === 'string') throw new Error('proxy not listening');
    return a.port;
  }

  /** Stops forwarding both ways; bytes and new connections are held until `resume`. */
  pause(): void {
    this.paused = true;
  }

  /** Forwards again, including everything held while paused. */
  resume(): void {
    this.paused = false;
    for (const go of this.waiting.splice(0)) go();
  }

  /** Destroys every open connection (both sides see a reset); new connections are accepted as usual. */
  reset(): void {
    for (const pair of [...this.pairs]) {
      pair.client.destroy();
      pair.upstream?.destroy();
      this.pairs.delete(pair);
    }
  }

  /** Holds each chunk `ms` before passing it on (0: none). */
  delay(ms: number): void {
    this.delayMs = ms;
  }

  async close(): Promise<void> {
    this.resume();
    this.reset();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Runs `go` now, or when the proxy is resumed. */
  private whenFlowing(go: () => void): void {
    if (this.paused) this.waiting.push(go);
    else go();
  }

  private accept(client: net.Socket): void {
    this.accepted++;
    const pair: { client: net.Socket; upstream: net.Socket | undefined } = { client, upstream: undefined };
    this.pairs.add(pair);
    client.pause();
    const drop = () => {
      client.destroy();
      pair.upstream?.destroy();
      this.pairs.delete(pair);
    };
    client.on('error', drop).on('close', drop);
    this.whenFlowing(() => {
      if (client.destroyed) return;
      const upstream = net.connect({ host: '127.0.0.1', port: this.upstreamPort });
      pair.upstream = upstream;
      upstream.on('error', drop).on('close', drop);
      this.forward(client, upstream);
      this.forward(upstream, client);
      client.resume();
    });
  }

  /** Copies `from` to `to` in order, through the pause and delay gates. */
  private forward(from: net.Socket, to: net.Socket): void {
    let chain = Promise.resolve();
    from.on('data', (chunk: Buffer) => {
      chain = chain.then(
        () =>
          new Promise<void>((resolve) => {
            const send = () => {
              if (!to.destroyed) to.write(chunk);
              resolve();
            };
            const gated = () => this.whenFlowing(send);
            if (this.delayMs > 0) setTimeout(gated, this.delayMs);
            else gated();
          }),
      );
    });
  }
}
