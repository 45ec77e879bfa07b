/**
 * The tRPC quick start (trpc-app.ts) called with the real @trpc/client over
 * HTTP: `search` (10/second, bursts of 20) answers its burst of 20 (and one
 * more per 100 ms the calls take), then fails with TOO_MANY_REQUESTS and
 * data.rateLimit; on the wire that is HTTP 429 with Retry-After.
 */
import { createTRPCClient, httpLink, TRPCClientError } from '@trpc/client';
import './trpc-app.js';
import type { AppRouter } from './trpc-app.js';
import { report, whenListening } from './driver.js';

const url = `http://127.0.0.1:${process.env.PORT}`;
const client = createTRPCClient<AppRouter>({ links: [httpLink({ url })] });

let allowed = 0;
let limited: { code?: string; httpStatus?: number; rateLimit?: unknown; message: string } | undefined;
await whenListening(() => fetch(url));
const started = Date.now();
for (let i = 0; i < 100 && limited === undefined; i++) {
  try {
    await client.search.query();
    allowed++;
  } catch (error) {
    if (!(error instanceof TRPCClientError)) throw error;
    const data = (error as TRPCClientError<AppRouter>).data;
    limited = { code: data?.code, httpStatus: data?.httpStatus, rateLimit: data?.rateLimit, message: error.message };
  }
}
const elapsedMs = Date.now() - started;
const wire = await fetch(`${url}/search`);
report({
  allowed, elapsedMs, limited,
  wire: { status: wire.status, retryAfter: wire.headers.get('retry-after'), rateLimit: wire.headers.get('ratelimit'), policy: wire.headers.get('ratelimit-policy') },
});
