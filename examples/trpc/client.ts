/**
 * Talks to the example server with the real @trpc/client and prints what the
 * limits do: allowed calls, limited calls with their data.rateLimit, a batch
 * with some calls limited, the concurrency limit, and a subscription whose
 * events are limited. Start the server first:
 *   npx tsx examples/trpc/server.ts &  npx tsx examples/trpc/client.ts
 */
import { createTRPCClient, createWSClient, httpBatchLink, httpLink, TRPCClientError, wsLink } from '@trpc/client';
import WebSocket from 'ws';
import type { AppRouter } from './router.js';

const url = process.env.URL ?? 'http://127.0.0.1:3000';
const user = `ann-${process.pid}`;
const client = createTRPCClient<AppRouter>({ links: [httpLink({ url, headers: { 'x-user': user } })] });

const show = async (label: string, call: () => Promise<unknown>): Promise<void> => {
  try {
    console.log(`${label}: ok ${JSON.stringify(await call())}`);
  } catch (error) {
    if (!(error instanceof TRPCClientError)) throw error;
    const data = (error as TRPCClientError<AppRouter>).data;
    console.log(`${label}: ${data?.code} ${JSON.stringify(data?.rateLimit)}`);
  }
};

console.log('-- meta limit 3/5s on hello');
for (let i = 1; i <= 4; i++) await show(`hello #${i}`, () => client.hello.query({ name: 'you' }));

console.log('-- input-priced export: 100 rows per minute');
await show('export 60 rows', () => client.exportRows.mutate({ rows: 60 }));
await show('export 60 rows', () => client.exportRows.mutate({ rows: 60 }));
await show('export 40 rows', () => client.exportRows.mutate({ rows: 40 }));

console.log('-- a batch of 6 searches (token bucket, burst 4): the last ones are limited, the others succeed');
const batch = createTRPCClient<AppRouter>({ links: [httpBatchLink({ url, headers: { 'x-user': user } })] });
const settled = await Promise.allSettled(Array.from({ length: 6 }, () => batch.search.query()));
console.log(settled.map((r) => r.status).join(', '));

console.log('-- concurrency limit: one report at a time');
await Promise.all([show('report A', () => client.report.query()), show('report B', () => client.report.query())]);
await show('report C (after A ended)', () => client.report.query());

console.log('-- raw HTTP: status and headers');
const response = await fetch(`${url}/hello?input=${encodeURIComponent('{"name":"x"}')}`, { headers: { 'x-user': user } });
console.log(response.status, ['retry-after', 'ratelimit', 'ratelimit-policy'].map((h) => `${h}: ${response.headers.get(h)}`).join(' | '));

console.log('-- subscription over WebSocket: ticks every 100 ms, limited to 2/second (latest kept)');
const ws = createWSClient({ url: url.replace(/^http/, 'ws') + `?user=${user}`, WebSocket: WebSocket as never });
const live = createTRPCClient<AppRouter>({ links: [wsLink({ client: ws })] });
const received: number[] = [];
const subscription = live.ticks.subscribe(undefined, { onData: (event) => received.push(event.data.tick) });
await new Promise((resolve) => setTimeout(resolve, 2_100));
subscription.unsubscribe();
console.log(`received ticks ${received.join(', ')} (about 2 per second of ~20 produced)`);
await ws.close();
