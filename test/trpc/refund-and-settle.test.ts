import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initTRPC, TRPCError } from '@trpc/server';
import { createTRPCClient, httpBatchLink, httpLink, TRPCClientError } from '@trpc/client';
import { ConfigurationError, InMemoryBackend, TokenBucketStrategy } from '../../src/index.js';
import { ConcurrencyLimitStrategy } from '../../src/core/strategies/concurrency-limit.js';
import { rateLimit, rateLimitErrorFormatter, type RateLimitMeta } from '../../src/trpc/index.js';
import { RedisBackend } from '../../src/redis.js';
import { startRedis } from '../harness/servers.js';
import { manualClock, startServer, type HttpContext, type RunningServer } from './servers.js';

const clock = manualClock();
const backend = new InMemoryBackend({ namespace: 'trpc-refund', clock: clock.now });
const t = initTRPC.context<HttpContext>().meta<{ rateLimit?: RateLimitMeta }>().create({ errorFormatter: rateLimitErrorFormatter });

const PASSWORD = 'correct horse';
/** "5 failed logins per 15 minutes": successful logins give their unit back. */
const login = t.procedure
  .input((raw) => raw as { user: string; password: string })
  .use(rateLimit({ uid: 'login', rate: '5/15minutes', backend, identify: ({ input }) => input.user, refundOn: 'success' }))
  .mutation(({ input }) => {
    if (input.password !== PASSWORD) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'wrong password' });
    return { welcome: input.user };
  });

/** An LLM call: admitted on 1 unit, then charged the tokens it really used. */
const complete = t.procedure
  .input((raw) => raw as { prompt: string; tokens: number })
  .use(rateLimit({
    uid: 'llm', rate: '1000/minute', strategy: new TokenBucketStrategy(), backend, identify: () => 'team-a',
    settle: ({ data }) => (data as { usage: number } | undefined)?.usage ?? 1,
  }))
  .mutation(({ input }) => ({ text: `echo ${input.prompt}`, usage: input.tokens }));

/** Meta-driven: only failures count for this procedure, via a predicate on the result. */
const meta = t.procedure.use(rateLimit({ uid: 'meta', backend, identify: () => 'k' }));
const search = meta
  .meta({ rateLimit: { rate: '2/minute', refundOn: ({ ok, data }) => ok && (data as unknown[]).length === 0 } })
  .input((raw) => raw as { q: string })
  .query(({ input }) => (input.q === 'none' ? [] : [input.q]));

const router = t.router({ login, complete, search });
type AppRouter = typeof router;

let server: RunningServer;
beforeAll(async () => { server = await startServer(router); });
afterAll(async () => { await server.close(); await backend.close(); });

const client = () => createTRPCClient<AppRouter>({ links: [httpLink({ url: server.url })] });

describe('refundOn', () => {
  it("'success': successful logins are unlimited, failed ones are limited to 5", async () => {
    const api = client();
    for (let i = 0; i < 20; i++) expect(await api.login.mutate({ user: 'ann', password: PASSWORD })).toEqual({ welcome: 'ann' });
    const failures: string[] = [];
    for (let i = 0; i < 7; i++) {
      const error = await api.login.mutate({ user: 'ann', password: 'guess' }).catch((e: unknown) => e) as TRPCClientError<AppRouter>;
      failures.push(error.data!.code);
    }
    expect(failures).toEqual([...Array<string>(5).fill('UNAUTHORIZED'), 'TOO_MANY_REQUESTS', 'TOO_MANY_REQUESTS']);
    // Now even the right password waits: the failures used the budget.
    const locked = await api.login.mutate({ user: 'ann', password: PASSWORD }).catch((e: unknown) => e) as TRPCClientError<AppRouter>;
    expect(locked.data?.code).toBe('TOO_MANY_REQUESTS');
    // Another user is untouched.
    expect(await api.login.mutate({ user: 'bob', password: PASSWORD })).toEqual({ welcome: 'bob' });
  });

  it('a predicate on the result (per-procedure meta): empty results give their unit back', async () => {
    clock.advance(60_000 - (clock.now() % 60_000));
    const batched = createTRPCClient<AppRouter>({ links: [httpBatchLink({ url: server.url })] });
    for (let i = 0; i < 6; i++) expect(await batched.search.query({ q: 'none' })).toEqual([]);
    // Units are taken before the call and given back after it: 3 calls at once still meet a limit of 2.
    const together = await Promise.allSettled([1, 2, 3].map(() => batched.search.query({ q: 'none' })));
    expect(together.filter((r) => r.status === 'fulfilled')).toHaveLength(2);
    expect(await batched.search.query({ q: 'a' })).toEqual(['a']);
    expect(await batched.search.query({ q: 'b' })).toEqual(['b']);
    const error = await batched.search.query({ q: 'c' }).catch((e: unknown) => e) as TRPCClientError<AppRouter>;
    expect(error.data?.code).toBe('TOO_MANY_REQUESTS');
  });
});

describe('settle', () => {
  it('charges the tokens the result reports, and the next call sees them', async () => {
    clock.advance(60_000);
    const api = client();
    const response = await fetch(`${server.url}/complete`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ prompt: 'hi', tokens: 900 }),
    });
    expect(response.status).toBe(200);
    // 1 unit before the call, 899 more after it: 100 of 1000 left.
    const second = await api.complete.mutate({ prompt: 'again', tokens: 50 });
    expect(second.usage).toBe(50);
    // 50 left now: a call reporting 200 tokens is admitted (1 unit) and drives the bucket into debt...
    await api.complete.mutate({ prompt: 'big', tokens: 200 });
    // ...so the next call waits for the excess (150 tokens at 1000/minute = 9 s) to drain.
    const denied = await api.complete.mutate({ prompt: 'more', tokens: 1 }).catch((e: unknown) => e) as TRPCClientError<AppRouter>;
    expect(denied.data?.code).toBe('TOO_MANY_REQUESTS');
    expect(denied.data?.rateLimit?.retryAfterMs).toBe(9_060);
    clock.advance(9_060);
    expect((await api.complete.mutate({ prompt: 'later', tokens: 1 })).usage).toBe(1);
  });

  it('refuses at construction what cannot work: a strategy without refund, a wrong refundOn', () => {
    expect(() => rateLimit({ rate: '2/s', strategy: new ConcurrencyLimitStrategy(), refundOn: 'error' })).toThrow(ConfigurationError);
    expect(() => rateLimit({ rate: '2/s', strategy: new ConcurrencyLimitStrategy(), settle: () => 1 })).toThrow(/need a strategy that supports charge and refund/);
    expect(() => rateLimit({ rate: '2/s', refundOn: 'always' as never })).toThrow(/refundOn must be 'error', 'success' or a function, got "always"/);
  });
});

describe('a refund the store cannot take', () => {
  it('is dropped: the call that succeeded still answers', async () => {
    const redis = await startRedis();
    const remote = new RedisBackend({ url: redis.url, namespace: 'trpc-refund-down', timeoutMs: 200 });
    const tt = initTRPC.create();
    const router = tt.router({
      // The store dies while the procedure runs: the refund after it cannot reach it.
      work: tt.procedure
        .use(rateLimit({ uid: 'down', rate: '5/minute', backend: remote, identify: () => 'k', refundOn: 'success', onError: 'raise' })) // the refund rejects
        .mutation(async () => { await redis.stop(); return 'done'; }),
    });
    try {
      expect(await tt.createCallerFactory(router)({}).work()).toBe('done');
    } finally {
      await remote.close().catch(() => undefined);
    }
  }, 20_000);
});
