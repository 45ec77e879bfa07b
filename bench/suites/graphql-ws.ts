/**
 * graphql-ws: the cost of `rateLimitSubscriptions` on a real `ws` server with
 * the real graphql-ws client, beside the same server with no limit and with
 * a hand-written `onSubscribe` around rate-limiter-flexible's
 * `RateLimiterMemory` (the usual do-it-yourself way), in the same run. Then
 * the per-event cost of the messages limit (`throttleStream`) on an
 * in-process stream, beside a bare iterator and a per-event
 * `RateLimiterMemory.consume`. Limits are high enough that everything is
 * allowed, so every row does the same work. Each case runs 3 times,
 * interleaved, and its best run is shown (the machine may be shared).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { GraphQLError } from 'graphql';
import { createClient, type ServerOptions } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import WebSocket, { WebSocketServer } from 'ws';
import { InMemoryBackend, Throttle } from '../../src/index.js';
import { rateLimitSubscriptions, throttleStream, systemTimers } from '../../src/graphql/ws/index.js';
import { measure, printTable, type Measurement } from '../lib.js';

const HIGH = 100_000_000;
const IN_FLIGHT = 16;
const ROUNDS = 3;

/** The best of ROUNDS runs of each case, interleaved, so that noise from other processes hits every case alike. */
async function bestOf(cases: readonly (() => Promise<Measurement>)[]): Promise<Measurement[]> {
  const best: (Measurement | undefined)[] = cases.map(() => undefined);
  for (let round = 0; round < ROUNDS; round++) {
    for (const [i, run] of cases.entries()) {
      const m = await run();
      if (best[i] === undefined || m.opsPerSec > best[i]!.opsPerSec) best[i] = m;
    }
  }
  return best as Measurement[];
}

const schema = makeExecutableSchema({
  typeDefs: 'type Query { hello: String! } type Subscription { ticks: Int! }',
  resolvers: {
    Query: { hello: () => 'world' },
    Subscription: { ticks: { subscribe: endless, resolve: (v: number) => v } },
  },
});

async function* endless(): AsyncGenerator<number> {
  for (let i = 0; ; i++) yield i;
}

/** Operations per second through one socket with `options`, IN_FLIGHT at a time. */
async function operationsPerSecond(name: string, options: ServerOptions): Promise<Measurement> {
  const http = createServer();
  const wss = new WebSocketServer({ server: http });
  const served = useServer(options, wss, 0);
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const client = createClient({ url: `ws://127.0.0.1:${(http.address() as AddressInfo).port}`, webSocketImpl: WebSocket, retryAttempts: 0, lazy: false });
  const query = () => new Promise<void>((resolve, reject) => {
    client.subscribe({ query: '{ hello }' }, { next: () => undefined, error: reject, complete: resolve });
  });
  try {
    return await measure(name, query, { concurrency: IN_FLIGHT });
  } finally {
    await client.dispose();
    await served.dispose();
    await new Promise<void>((resolve) => http.close(() => resolve()));
  }
}

/** A source with an endless backlog: every `next()` resolves at once. */
function backlog(): AsyncIterator<number> & AsyncIterable<number> {
  let i = 0;
  return {
    next: async () => ({ done: false, value: i++ }),
    return: async () => ({ done: true, value: undefined }),
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

export default async function run(): Promise<void> {
  const peer = new RateLimiterMemory({ points: HIGH, duration: 3600 });
  const rows = await bestOf([
    () => operationsPerSecond('graphql-ws, no limit', { schema }),
    () => operationsPerSecond('rate-limiter-flexible RateLimiterMemory in onSubscribe', {
      schema,
      onSubscribe: async (ctx) => {
        const address = (ctx.extra as { request: { socket: { remoteAddress: string } } }).request.socket.remoteAddress;
        try {
          await peer.consume(address);
        } catch {
          return [new GraphQLError('Too many requests', { extensions: { code: 'RATE_LIMITED' } })];
        }
        return undefined;
      },
    }),
    () => operationsPerSecond('traffik rateLimitSubscriptions (subscribe)', rateLimitSubscriptions({ schema }, {
      backend: new InMemoryBackend(), subscribe: { rate: `${HIGH}/hour` },
    })),
    () => operationsPerSecond('traffik rateLimitSubscriptions (subscribe + maxConcurrent)', rateLimitSubscriptions({ schema }, {
      backend: new InMemoryBackend(), subscribe: { rate: `${HIGH}/hour`, maxConcurrent: 64 },
    })),
  ]);
  printTable(`Operations over one graphql-ws socket ({ hello }, ${IN_FLIGHT} in flight)`, rows, 'graphql-ws, no limit');

  const streamCase = (onExceed: 'drop' | 'latest' | 'complete') => async () => {
    const throttle = new Throttle({ uid: 'events', rate: `${HIGH}/hour`, backend: new InMemoryBackend() });
    const stream = throttleStream(backlog(), {
      admit: () => throttle.hit('subscription'), onExceed, limitedError: () => new Error('limited'), timers: systemTimers,
    });
    const m = await measure(`traffik throttleStream '${onExceed}'`, () => stream.next());
    await stream.return(undefined);
    return m;
  };
  const events = await bestOf([
    () => {
      const bare = backlog();
      return measure('bare iterator', () => bare.next());
    },
    () => {
      const consumed = backlog();
      const perEvent = new RateLimiterMemory({ points: HIGH, duration: 3600 });
      return measure('rate-limiter-flexible consume per event', async () => {
        await perEvent.consume('subscription');
        return consumed.next();
      });
    },
    () => {
      const throttle = new Throttle({ uid: 'events', rate: `${HIGH}/hour`, backend: new InMemoryBackend() });
      const source = backlog();
      return measure('traffik throttle.hit per event (no wrapper)', async () => {
        await throttle.hit('subscription');
        return source.next();
      });
    },
    streamCase('drop'),
    streamCase('latest'),
    streamCase('complete'),
  ]);
  printTable('Events through the messages limit (in-process, every event admitted)', events, 'bare iterator');
}
