import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initTRPC } from '@trpc/server';
import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { createTRPCClient, httpBatchLink, httpLink, TRPCClientError } from '@trpc/client';
import { InMemoryBackend, Rate } from '../../src/index.js';
import { rateLimit, rateLimitErrorFormatter, type RateLimitMeta } from '../../src/trpc/index.js';
import { manualClock, startServer, type HttpContext, type RunningServer } from './servers.js';

const clock = manualClock();
const backend = new InMemoryBackend({ namespace: 'trpc-http', clock: clock.now });

const t = initTRPC.context<HttpContext>().meta<{ rateLimit?: RateLimitMeta }>().create({ errorFormatter: rateLimitErrorFormatter });
const limited = t.procedure.use(rateLimit({ uid: 'http', rate: '2/minute', backend }));
const always = t.procedure.use(rateLimit({ uid: 'http-always', rate: '3/minute', backend, headers: 'always' }));
const silent = t.procedure.use(rateLimit({ uid: 'http-silent', rate: '1/minute', backend, headers: 'none' }));
const router = t.router({
  ping: limited.query(() => 'pong'),
  silent: silent.query(() => 'shh'),
  other: t.procedure.query(() => 'free'),
  counted: always.query(() => 'ok'),
});
type AppRouter = typeof router;

let server: RunningServer;
beforeAll(async () => { server = await startServer(router); });
afterAll(async () => { await server.close(); await backend.close(); });

describe('standalone HTTP adapter', () => {
  it('answers a limited call with 429, Retry-After and the RateLimit fields, and the client sees data.rateLimit', async () => {
    const client = createTRPCClient<AppRouter>({ links: [httpLink({ url: server.url })] });
    // 10 s into the minute window: 50 s left.
    clock.advance(60_000 - (clock.now() % 60_000) + 10_000);
    expect(await client.ping.query()).toBe('pong');
    const allowed = await fetch(`${server.url}/ping`);
    expect(allowed.status).toBe(200);
    expect(allowed.headers.get('retry-after')).toBeNull();
    expect(allowed.headers.get('ratelimit')).toBeNull(); // only on limited responses by default

    const denied = await fetch(`${server.url}/ping`);
    expect(denied.status).toBe(429);
    expect(denied.headers.get('retry-after')).toBe('50');
    expect(denied.headers.get('ratelimit-policy')).toBe('"http";q=2;w=60');
    expect(denied.headers.get('ratelimit')).toBe('"http";r=0;t=50');
    const body = await denied.json() as { error: { data: { code: string; rateLimit: unknown } } };
    expect(body.error.data.code).toBe('TOO_MANY_REQUESTS');

    const error = await client.ping.query().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TRPCClientError);
    const data = (error as TRPCClientError<AppRouter>).data!;
    expect(data.httpStatus).toBe(429);
    expect(data.rateLimit).toEqual({ retryAfterMs: 50_000, limit: 2, remaining: 0, resetAfterMs: 50_000 });
    // Unlimited procedures are untouched.
    expect(await client.other.query()).toBe('free');
    // The window passes: allowed again.
    clock.advance(50_000);
    expect(await client.ping.query()).toBe('pong');
  });

  it('sends the RateLimit fields on allowed responses when asked (headers: "always")', async () => {
    clock.advance(60_000 - (clock.now() % 60_000));
    const first = await fetch(`${server.url}/counted`);
    expect(first.status).toBe(200);
    expect(first.headers.get('ratelimit')).toBe('"http-always";r=2;t=60');
    expect(first.headers.get('ratelimit-policy')).toBe('"http-always";q=3;w=60');
    expect(first.headers.get('retry-after')).toBeNull();
  });

  it("sends no rate-limit headers with headers: 'none' (still 429)", async () => {
    clock.advance(60_000 - (clock.now() % 60_000));
    expect((await fetch(`${server.url}/silent`)).status).toBe(200);
    const denied = await fetch(`${server.url}/silent`);
    expect(denied.status).toBe(429);
    expect(['retry-after', 'ratelimit', 'ratelimit-policy'].map((h) => denied.headers.get(h))).toEqual([null, null, null]);
  });

  it('fails only the limited calls of a batch; the others succeed', async () => {
    clock.advance(60_000 - (clock.now() % 60_000));
    const client = createTRPCClient<AppRouter>({ links: [httpBatchLink({ url: server.url })] });
    const results = await Promise.allSettled([
      client.ping.query(), client.ping.query(), client.ping.query(), client.other.query(),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    const reason = (results[2] as PromiseRejectedResult).reason as TRPCClientError<AppRouter>;
    expect(reason.data?.code).toBe('TOO_MANY_REQUESTS');
    expect(reason.data?.rateLimit?.retryAfterMs).toBe(60_000);

    // The raw batch response: mixed statuses (207) and the limited call's headers.
    clock.advance(60_000);
    const raw = await fetch(`${server.url}/ping,ping,ping?batch=1&input=${encodeURIComponent('{}')}`);
    expect(raw.status).toBe(207);
    expect(raw.headers.get('retry-after')).toBe('60');
    expect(raw.headers.get('ratelimit')).toBe('"http";r=0;t=60');
    const items = await raw.json() as { error?: { data: { httpStatus: number } } }[];
    expect(items.map((i) => i.error?.data.httpStatus ?? 200)).toEqual([200, 200, 429]);
  });
});

describe('fetch adapter', () => {
  it('sets the same headers through resHeaders, identifying callers behind a trusted proxy', async () => {
    const fetchBackend = new InMemoryBackend({ namespace: 'trpc-fetch', clock: clock.now });
    const ft = initTRPC.context<{ req: Request; resHeaders: Headers }>().create({ errorFormatter: rateLimitErrorFormatter });
    const fetchRouter = ft.router({
      ping: ft.procedure.use(rateLimit({
        uid: 'edge', rate: [new Rate({ limit: 1, seconds: 10 }), '5/hour'], backend: fetchBackend, trustProxy: 2, // the edge's own proxy (the unseen peer) and 10.0.0.2
      })).query(() => 'pong'),
    });
    const call = (client: string): Promise<Response> => fetchRequestHandler({
      endpoint: '/trpc',
      req: new Request('http://edge.test/trpc/ping', { headers: { 'x-forwarded-for': `${client}, 10.0.0.2` } }),
      router: fetchRouter,
      createContext: ({ req, resHeaders }) => ({ req, resHeaders }),
    });
    clock.advance(3_600_000 - (clock.now() % 3_600_000));
    expect((await call('198.51.100.7')).status).toBe(200);
    const denied = await call('198.51.100.7');
    expect(denied.status).toBe(429);
    expect(denied.headers.get('retry-after')).toBe('10');
    expect(denied.headers.get('ratelimit-policy')).toBe('"edge.10s";q=1;w=10, "edge.3600s";q=5;w=3600');
    expect(denied.headers.get('ratelimit')).toBe('"edge.10s";r=0;t=10, "edge.3600s";r=4;t=3600');
    // Another client behind the same proxy has its own budget.
    expect((await call('198.51.100.8')).status).toBe(200);
    await fetchBackend.close();
  });
});
