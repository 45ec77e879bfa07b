/**
 * The tRPC quick start (trpc-app.ts) with a Redis URL nobody answers on:
 * each call fails as "rate limiter unavailable" (SERVICE_UNAVAILABLE, 503),
 * never TOO_MANY_REQUESTS, and the outage is logged (the test counts the lines).
 */
import { createTRPCClient, httpLink, TRPCClientError } from '@trpc/client';
import './trpc-app.js';
import type { AppRouter } from './trpc-app.js';
import { report, whenListening } from './driver.js';

const url = `http://127.0.0.1:${process.env.PORT}`;
const client = createTRPCClient<AppRouter>({ links: [httpLink({ url })] });
await whenListening(() => fetch(url));
const calls = [];
for (let i = 0; i < 3; i++) {
  try {
    calls.push({ result: await client.search.query() });
  } catch (error) {
    if (!(error instanceof TRPCClientError)) throw error;
    const data = (error as TRPCClientError<AppRouter>).data;
    calls.push({ code: data?.code, httpStatus: data?.httpStatus, message: error.message });
  }
}
report({ calls });
