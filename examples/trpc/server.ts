/**
 * Runs the example: a standalone tRPC server over HTTP (with SSE
 * subscriptions) and WebSocket on one port.
 *   npx tsx examples/trpc/server.ts        (PORT=3000 by default)
 */
import type { IncomingMessage } from 'node:http';
import { createHTTPServer } from '@trpc/server/adapters/standalone';
import { applyWSSHandler } from '@trpc/server/adapters/ws';
import { WebSocketServer } from 'ws';
import { appRouter, type Context } from './router.js';

const port = Number(process.env.PORT ?? 3000);
const userOf = (req: IncomingMessage): string | undefined => {
  const header = req.headers['x-user'];
  if (typeof header === 'string') return header;
  return new URL(req.url ?? '/', 'http://localhost').searchParams.get('user') ?? undefined;
};

const server = createHTTPServer({
  router: appRouter,
  createContext: ({ req, res }): Context => ({ req, res, user: userOf(req) }),
});
const wss = new WebSocketServer({ server });
applyWSSHandler({ wss, router: appRouter, createContext: ({ req }): Context => ({ req, user: userOf(req) }) });

server.listen(port, '127.0.0.1', () => {
  console.log(`tRPC example on http://127.0.0.1:${port} (WebSocket on ws://127.0.0.1:${port})`);
  console.log('try: curl -i "http://127.0.0.1:%d/hello?input=%7B%22name%22%3A%22you%22%7D" -H "x-user: ann"', port);
});

const stop = (): void => {
  for (const client of wss.clients) client.terminate();
  wss.close();
  server.close(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
