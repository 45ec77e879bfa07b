/**
 * A graphql-ws server with Traffik limits, on the in-process backend.
 *
 *   npx tsx examples/graphql-ws/server.ts          # listens on ws://127.0.0.1:4000/graphql
 *   npx tsx examples/graphql-ws/client.ts ws://127.0.0.1:4000/graphql
 *
 * Limits: each client address may start 8 operations per 10 seconds and run
 * at most 3 at once on a connection; the `report` field allows 2 calls per
 * minute (the @rateLimit directive, in the same backend); each subscription sends at most 2 events
 * per second (evenly spaced), and when its source is faster only the newest event is kept
 * ('latest'), so a client always ends up with the current time.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { GCRAStrategy, InMemoryBackend, SlidingWindowLogStrategy } from '../../src/index.js';
import { rateLimitDirective } from '../../src/graphql/index.js';
import { rateLimitSubscriptions } from '../../src/graphql/ws/index.js';

const typeDefs = /* GraphQL */ `
  type Query {
    hello: String!
    "A costly field: 2 calls per minute per client (the @rateLimit directive from traffik/graphql)."
    report: String @rateLimit(rate: "2/minute")
  }
  type Subscription {
    "The server's time, produced 20 times a second."
    clock: String!
  }
`;

/** Emits the time every 50 ms until the subscription ends (then the interval is cleared). */
async function* clockSource(): AsyncGenerator<{ clock: string }> {
  let wake: (() => void) | undefined;
  const timer = setInterval(() => wake?.(), 50);
  try {
    for (;;) {
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
      yield { clock: new Date().toISOString() };
    }
  } finally {
    clearInterval(timer);
  }
}

const backend = new InMemoryBackend({ namespace: 'example' });
// The directive's default identify reads the client address from context.req (set below: the upgrade request).
const directive = rateLimitDirective({ backend });
const schema = directive.transformer(makeExecutableSchema({
  typeDefs: [directive.typeDefs, typeDefs],
  resolvers: {
    Query: { hello: () => 'world', report: () => `report at ${new Date().toISOString()}` },
    Subscription: { clock: { subscribe: clockSource } },
  },
}));

/** Starts the example server on `port` (0: any free port); resolves with its URL and a `close`. */
export async function startExampleServer(port = 4000): Promise<{ url: string; close: () => Promise<void> }> {
  const http = createServer();
  const wss = new WebSocketServer({ server: http, path: '/graphql' });
  const served = useServer(
    rateLimitSubscriptions(
      {
        schema,
        context: (ctx) => ({ req: ctx.extra.request }),
        onConnect: (ctx) => {
          console.log(`[server] connected: ${ctx.extra.request.socket.remoteAddress ?? '?'}`);
        },
        onClose: () => {
          console.log('[server] connection closed');
        },
      },
      {
        backend,
        // Default identify: the client address of the socket's upgrade request (IPv6 grouped by /56).
        // A sliding log counts exactly the last 10 seconds (no window boundary to reset at).
        subscribe: { rate: '8/10s', maxConcurrent: 3, strategy: new SlidingWindowLogStrategy() },
        // GCRA spaces the events evenly (one per 500 ms) instead of two at each second's start.
        messages: { rate: '2/second', onExceed: 'latest', strategy: new GCRAStrategy() },
      },
    ),
    wss,
  );
  await new Promise<void>((resolve) => http.listen(port, '127.0.0.1', resolve));
  const { port: actual } = http.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${actual}/graphql`,
    close: async () => {
      await served.dispose();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { url } = await startExampleServer(Number(process.env.PORT ?? 4000));
  console.log(`[server] graphql-ws on ${url}`);
}
