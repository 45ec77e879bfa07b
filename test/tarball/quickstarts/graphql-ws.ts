/**
 * docs/graphql-ws.md's server example, run as written (graphql-ws.snippet.ts,
 * Redis from a URL), with the page's client (the real graphql-ws client,
 * given `ws` as its WebSocket on Node 20, which has none built in):
 * - events: an endless price stream reaches the client at 5 per second;
 * - Subscribe messages: 10 a minute per client address; the 11th operation
 *   gets RATE_LIMITED with retryAfterMs, and the socket stays open (the
 *   client is not lazy here, so only the server could close it).
 */
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import './graphql-ws.snippet.js';
import { clearOfWindowEdge, report } from './driver.js';

interface LimitExtensions { code?: string; retryAfterMs?: number | null }

await clearOfWindowEdge(60_000, 5000);
const client = createClient({
  url: `ws://127.0.0.1:${process.env.PORT}/graphql`, connectionParams: { token: 'secret' }, webSocketImpl: WebSocket,
  lazy: false,   // one socket for the whole script, so that a close by the server shows
});
let closed = false;
client.on('closed', () => (closed = true));

/** Collects one subscription's prices for `ms`, then ends it. */
function watchPrices(ms: number): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const prices: number[] = [];
    const dispose = client.subscribe<{ prices: number }>({ query: 'subscription { prices }' }, {
      next: (result) => void (result.data ? prices.push(result.data.prices) : undefined),
      error: reject,
      complete: () => undefined,
    });
    setTimeout(() => {
      dispose();
      resolve(prices);
    }, ms);
  });
}

/** Runs `{ hello }`; resolves with its data or with the first error's extensions. */
function hello(): Promise<{ data?: unknown; extensions?: LimitExtensions }> {
  return new Promise((resolve) => {
    client.subscribe({ query: '{ hello }' }, {
      next: (result) => resolve({ data: result.data }),
      error: (error: unknown) => {
        const first = Array.isArray(error) ? (error[0] as { extensions?: LimitExtensions } | undefined) : undefined;
        resolve({ extensions: first?.extensions ?? { code: String(error) } });
      },
      complete: () => undefined,
    });
  });
}

const prices = await watchPrices(1000);
const operations = [];
for (let i = 0; i < 10; i++) operations.push(await hello());
report({ prices, operations, closed });
