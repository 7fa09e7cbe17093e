// Network odds and ends shared by the tests and bench/.
import { createServer } from 'node:net';

/**
 * A TCP port nobody listens on right now on 127.0.0.1. Another process may take it before the
 * caller listens on it: prefer listening on port 0 where the server allows it.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('no port'));
      });
    });
  });
}
