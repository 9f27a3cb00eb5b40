/**
 * Test helper: the one way tests listen. A server listens on 127.0.0.1 with an ephemeral port and
 * is closed with its open connections, so no test leaves a socket behind.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A listening loopback server: its origin, its port, and a close that also ends kept-alive connections. */
export interface Listening {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Listen on 127.0.0.1:0 and resolve once the port is known. */
export async function listenOnLoopback(server: Server): Promise<Listening> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
