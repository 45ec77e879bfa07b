/**
 * A graphql-ws client showing the example server's limits.
 *
 *   npx tsx examples/graphql-ws/client.ts                 # starts the server in this process too
 *   npx tsx examples/graphql-ws/client.ts ws://host/graphql
 *
 * 1. Subscribes to `clock` (20 events/s at the source) for 2 seconds: about
 *    2 events per second arrive.
 * 2. Sends 5 `hello` queries at once: 3 run, 2 are refused by the cap of 3
 *    operations in flight per connection (`reason: 'concurrency'`).
 * 3. Asks for `report` 3 times: the @rateLimit directive (2 per minute)
 *    answers the third with a field error `RATE_LIMITED`.
 * 4. Sends 3 more queries one after another: 1 fits in "8 per 10 seconds";
 *    the others get an Error message with `extensions.code = 'RATE_LIMITED'`
 *    and `retryAfterMs`. The socket stays open throughout.
 */
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { startExampleServer } from './server.js';

function once(client: Client, query: string): Promise<string> {
  return new Promise((resolve) => {
    let result = '';
    client.subscribe({ query }, {
      next: (value) => {
        const error = value.errors?.[0];
        result = JSON.stringify(value.data) + (error ? ` field error ${JSON.stringify(error.extensions)} ${error.message}` : '');
      },
      error: (errors) => {
        const [first] = errors as { message: string; extensions?: Record<string, unknown> }[];
        resolve(`error ${JSON.stringify(first?.extensions)} ${first?.message}`);
      },
      complete: () => resolve(result),
    });
  });
}

const local = process.argv[2] === undefined ? await startExampleServer(0) : undefined;
const url = process.argv[2] ?? local!.url;
const client = createClient({ url, webSocketImpl: WebSocket, retryAttempts: 0, lazy: false });

console.log('clock for 2 s (source: 20/s, limit: 2/s, latest):');
const started = Date.now();
await new Promise<void>((resolve) => {
  const stop = client.subscribe({ query: 'subscription { clock }' }, {
    next: (value) => console.log(`  +${String(Date.now() - started).padStart(4)} ms  ${JSON.stringify(value.data)}`),
    error: (error) => {
      console.log('  error', error);
      resolve();
    },
    complete: () => resolve(),
  });
  setTimeout(() => {
    stop();
    resolve();
  }, 2000);
});

// The subscription stays in flight until its source has closed.
await new Promise((resolve) => setTimeout(resolve, 100));

console.log('5 queries at once (at most 3 operations in flight per connection; the refused ones cost nothing):');
const atOnce = await Promise.all(Array.from({ length: 5 }, () => once(client, '{ hello }')));
atOnce.forEach((answer, i) => console.log(`  #${i + 1} ${answer}`));

console.log('{ report } 3 times (the field allows 2 per minute):');
for (let i = 1; i <= 3; i++) console.log(`  #${i} ${await once(client, '{ report }')}`);

console.log('3 queries one after another (8 operations per 10 s: 7 came first):');
for (let i = 1; i <= 3; i++) console.log(`  #${i} ${await once(client, '{ hello }')}`);

await client.dispose();
await local?.close();
