/**
 * The tRPC quick start (trpc-app.ts) called with the real @trpc/client over
 * HTTP: `search` (10/second, bursts of 20) answers 20 calls, the 21st fails
 * with TOO_MANY_REQUESTS and data.rateLimit; on the wire that is HTTP 429
 * with Retry-After.
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
for (let i = 0; i < 21 && limited === undefined; i++) {
  try {
    await client.search.query();
    allowed++;
  } catch (error) {
    if (!(error instanceof TRPCClientError)) throw error;
    const data = (error as TRPCClientError<AppRouter>).data;
    limited = { code: data?.code, httpStatus: data?.httpStatus, rateLimit: data?.rateLimit, message: error.message };
  }
}
const wire = await fetch(`${url}/search`);
report({ allowed, limited, wire: { status: wire.status, retryAfter: wire.headers.get('retry-after') } });
