/**
 * Test servers for the tRPC tests: a real standalone HTTP server (with
 * WebSocket support on the same port) on a free port, and clients from the
 * real @trpc/client.
 */
import type { AddressInfo } from 'node:net';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AnyTRPCRouter } from '@trpc/server';
import { createHTTPServer } from '@trpc/server/adapters/standalone';
import { applyWSSHandler } from '@trpc/server/adapters/ws';
import { WebSocketServer } from 'ws';

/** The context every test app builds: the request and response of the call. */
export interface HttpContext {
  req: IncomingMessage;
  res: ServerResponse | unknown;
}

export interface RunningServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** `ws://127.0.0.1:<port>` */
  wsUrl: string;
  close(): Promise<void>;
}

/**
 * Starts the standalone adapter (and a WebSocket handler on the same port) for
 * `router`; `extend` adds fields of the request to every context.
 */
export async function startServer(router: AnyTRPCRouter, extend: (req: IncomingMessage) => object = () => ({})): Promise<RunningServer> {
  const server = createHTTPServer({
    router,
    createContext: ({ req, res }: { req: IncomingMessage; res: ServerResponse }): HttpContext => ({ req, res, ...extend(req) }),
  });
  const wss = new WebSocketServer({ server });
  const handler = applyWSSHandler({
    wss,
    router,
    createContext: ({ req, res }: { req: IncomingMessage; res: unknown }): HttpContext => ({ req, res, ...extend(req) }),
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}`,
    async close() {
      handler.broadcastReconnectNotification();
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      server.closeAllConnections?.();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A manual clock for backends: starts at a window boundary, moves only when told. */
export function manualClock(start = 1_700_000_000_000): { now: () => number; advance: (ms: number) => void } {
  let now = start;
  return { now: () => now, advance: (ms) => { now += ms; } };
}
