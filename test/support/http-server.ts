/**
 * A Node http server started on a free loopback port for a test, and
 * stopped with its connections.
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';

/** A server a test talks to: its URL, and how to stop it. */
export interface RunningServer {
  url: string;
  stop(): Promise<void>;
}

/** Listens on 127.0.0.1, port 0; `url` is `http://127.0.0.1:<port><path>`; `stop` closes every connection and the server. */
export async function listenOnFreePort(server: Server, path = '/graphql'): Promise<RunningServer> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`,
    stop: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}
