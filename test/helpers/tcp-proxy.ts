// A TCP proxy in front of a real server that a test can cut and restore: the network outage of a
// database without stopping the database other tests share.
import net from 'node:net';

export type CutStyle = 'close' | 'reset' | 'blackhole';

export interface TcpProxy {
  readonly port: number;
  /** Sockets open through the proxy right now (each connection counts its two sides). */
  readonly openSockets: number;
  /**
   * Drops every open connection and stops accepting, so new connections are refused: with a FIN
   * (`close`, as when the server goes away) or a RST (`reset`, as when a network device gives up).
   * `blackhole` instead keeps accepting new connections and never answers them, as when packets
   * are silently dropped: only a client-side timeout ends the wait.
   */
  cut(style?: CutStyle): Promise<void>;
  /** Accepts connections again, on the same port. */
  restore(): Promise<void>;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const sockets = new Set<net.Socket>();
  const track = (socket: net.Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    // Errors are the point of this proxy; the peer sees them, the test process must not crash.
    socket.on('error', () => undefined);
  };

  let blackhole = false;
  const server = net.createServer((client) => {
    track(client);
    if (blackhole) return;
    const upstream = net.connect(target.port, target.host);
    track(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });

  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        const address = server.address();
        resolve(typeof address === 'object' && address ? address.port : port);
      });
    });
  const stopListening = () =>
    new Promise<void>((resolve) => {
      if (!server.listening) return resolve();
      server.close(() => resolve());
    });

  const port = await listen(0);
  return {
    port,
    get openSockets() {
      return sockets.size;
    },
    async cut(style = 'close') {
      blackhole = style === 'blackhole';
      const closed = blackhole ? Promise.resolve() : stopListening();
      for (const socket of sockets) {
        if (style === 'reset') socket.resetAndDestroy();
        else socket.destroy();
      }
      await closed;
    },
    async restore() {
      if (blackhole) {
        blackhole = false;
        for (const socket of sockets) socket.destroy();
      }
      if (!server.listening) await listen(port);
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await stopListening();
    },
  };
}
