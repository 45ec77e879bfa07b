import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initTRPC } from '@trpc/server';
import { createTRPCClient, httpLink, TRPCClientError } from '@trpc/client';
import { InMemoryBackend } from '../../src/index.js';
import { RedisBackend } from '../../src/redis.js';
import { rateLimit, rateLimitErrorFormatter } from '../../src/trpc/index.js';
import { manualClock, startServer, type HttpContext, type RunningServer } from './servers.js';

/** A TCP port nothing listens on (taken from the OS, then released). */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

const clock = manualClock();
const backend = new InMemoryBackend({ namespace: 'trpc-denials', clock: clock.now });
let unreachable: RedisBackend;
let server: RunningServer;

const t = initTRPC.context<HttpContext>().create({ errorFormatter: rateLimitErrorFormatter });
const pageCost = t.procedure.input((raw) => raw as { first: number | string }).use(rateLimit({
  uid: 'pages', rate: '100/minute', backend, identify: () => 'client',
  cost: ({ input }) => Number(input.first), // NaN for text: the input's fault
}));
const buggyCost = t.procedure.use(rateLimit({
  uid: 'buggy', rate: '100/minute', backend, identify: () => 'client',
  cost: () => { throw new Error('a bug in the cost function'); },
}));
function buildRouter(down: RedisBackend) {
  return t.router({
    page: pageCost.query(({ input }) => Number(input.first)),
    buggy: buggyCost.query(() => 'never'),
    down: t.procedure.use(rateLimit({ uid: 'down', rate: '100/minute', backend: down, identify: () => 'client' })).query(() => 'ran'),
  });
}
type AppRouter = ReturnType<typeof buildRouter>;

beforeAll(async () => {
  unreachable = new RedisBackend({ url: `redis://127.0.0.1:${await freePort()}/0`, namespace: 'trpc-down', timeoutMs: 200 });
  server = await startServer(buildRouter(unreachable));
});
afterAll(async () => {
  await server.close();
  await backend.close();
  await unreachable.close().catch(() => undefined);
});

describe('costs that come from client input', () => {
  it('a negative, fractional or NaN cost is a 400 that reveals nothing internal; the budget is untouched', async () => {
    clock.advance(60_000 - (clock.now() % 60_000));
    for (const first of [-5, 2.5, 1e300]) {
      const response = await fetch(`${server.url}/page?input=${encodeURIComponent(JSON.stringify({ first }))}`);
      expect(response.status).toBe(400);
      const body = await response.json() as { error: { message: string } };
      expect(body.error.message).toBe('Invalid request: its rate-limit cost is not a whole number >= 0');
    }
    const client = createTRPCClient<AppRouter>({ links: [httpLink({ url: server.url })] });
    const nan = await client.page.query({ first: 'ten' }).catch((e: unknown) => e) as TRPCClientError<AppRouter>;
    expect(nan.data?.httpStatus).toBe(400);
    expect(nan.data?.code).toBe('BAD_REQUEST');
    expect(await client.page.query({ first: 100 })).toBe(100); // the full budget is still there
  });

  it('a cost function that throws is a server bug: it stays a 500, not a client error', async () => {
    const response = await fetch(`${server.url}/buggy`);
    expect(response.status).toBe(500);
    const body = await response.json() as { error: { data: { code: string } } };
    expect(body.error.data.code).toBe('INTERNAL_SERVER_ERROR');
  });

  it('a cost that can never fit says so in words, sends no "t=0" and no Retry-After, and data.rateLimit says so', async () => {
    clock.advance(60_000 - (clock.now() % 60_000) + 20_000);
    const client = createTRPCClient<AppRouter>({ links: [httpLink({ url: server.url })] });
    expect(await client.page.query({ first: 10 })).toBe(10);
    const response = await fetch(`${server.url}/page?input=${encodeURIComponent(JSON.stringify({ first: 101 }))}`);
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBeNull();
    // t is when the quota resets (40 s left in the window), r what is left now.
    expect(response.headers.get('ratelimit')).toBe('"pages";r=90;t=40');
    const body = await response.json() as { error: { message: string; data: { rateLimit: unknown } } };
    expect(body.error.message).toBe('Rate limit exceeded for "pages": this call costs 101 units, more than the limit of 100 allows at once, so it can never be admitted');
    expect(body.error.message).not.toMatch(/Infinity/);
    expect(body.error.data.rateLimit).toEqual({ retryAfterMs: null, limit: 100, remaining: 90, resetAfterMs: 40_000, exceedsLimit: true });
  });
});

describe('a store that cannot be reached', () => {
  it('answers 503 "Rate limiter unavailable", never 429, and the server keeps serving', async () => {
    const client = createTRPCClient<AppRouter>({ links: [httpLink({ url: server.url })] });
    const started = performance.now();
    const error = await client.down.query().catch((e: unknown) => e) as TRPCClientError<AppRouter>;
    expect(error).toBeInstanceOf(TRPCClientError);
    expect(error.data?.httpStatus).toBe(503);
    expect(error.data?.code).toBe('SERVICE_UNAVAILABLE');
    expect(error.message).toMatch(/^Rate limiter unavailable/);
    expect((error.data as { rateLimit?: unknown }).rateLimit).toBeUndefined();
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(await client.page.query({ first: 1 })).toBe(1);
  });
});
