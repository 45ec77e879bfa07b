import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { initTRPC, TRPCError } from '@trpc/server';
import { createTRPCClient, httpLink, TRPCClientError } from '@trpc/client';
import { ConfigurationError, EXEMPTED, InMemoryBackend, RateLimitExceededError, TokenBucketStrategy } from '../../src/index.js';
import { ConcurrencyLimitStrategy } from '../../src/core/strategies/concurrency-limit.js';
import { rateLimit, rateLimitErrorFormatter, type RateLimitMeta } from '../../src/trpc/index.js';
import { manualClock, startServer, type HttpContext, type RunningServer } from './servers.js';

const clock = manualClock();
const backend = new InMemoryBackend({ namespace: 'trpc-procedures', clock: clock.now });
const toWindowStart = (periodMs: number): void => clock.advance(periodMs - (clock.now() % periodMs));

interface Ctx extends HttpContext { userId?: string }
type Meta = { rateLimit?: RateLimitMeta };
const t = initTRPC.context<Ctx>().meta<Meta>().create({ errorFormatter: rateLimitErrorFormatter });

const authed = t.procedure.use(({ ctx, next }) => next({ ctx: { userId: ctx.req.headers['x-user'] as string | undefined } }));
// One middleware on the base procedure; each procedure declares its own limit in meta.
const base = authed.use(rateLimit({
  backend,
  identify: ({ ctx, meta }) => {
    // Typed against the app: userId comes from the middleware above, meta from initTRPC.meta().
    expectTypeOf(ctx.userId).toEqualTypeOf<string | undefined>();
    expectTypeOf(meta).toEqualTypeOf<Meta | undefined>();
    return ctx.userId ?? EXEMPTED;
  },
}));
const sizeInput = (value: unknown): { size: number } => value as { size: number };

const gates: (() => void)[] = [];
let slowAborts = 0;
const router = t.router({
  search: base.meta({ rateLimit: { rate: '3/minute' } }).query(() => 'results'),
  export: base.meta({ rateLimit: { rate: '10/minute', cost: ({ input }) => (input as { size: number }).size } })
    .input(sizeInput).mutation(({ input }) => input.size),
  free: base.query(() => 'no meta, no limit'),
  twoRates: base.meta({ rateLimit: { rate: ['2/second', '3/minute'] } }).query(() => 'ok'),
  bucket: base.meta({ rateLimit: { rate: '1/second', strategy: new TokenBucketStrategy({ burstSize: 2 }) } }).query(() => 'ok'),
  pooledA: base.meta({ rateLimit: { rate: '1/minute', uid: 'pool' } }).query(() => 'a'),
  pooledB: base.meta({ rateLimit: { rate: '1/minute', uid: 'pool' } }).query(() => 'b'),
  slow: authed.use(async ({ next, signal }) => {
    // Counts the aborts the server sees (the limiter below releases the slot on the same event).
    signal?.addEventListener('abort', () => { slowAborts++; }, { once: true });
    return next();
  }).use(rateLimit({
    uid: 'slow', rate: '2/minute', strategy: new ConcurrencyLimitStrategy(), backend,
    identify: ({ ctx }) => ctx.userId ?? 'anonymous',
  })).input((v) => v as { fail?: boolean }).query(async ({ input }) => {
    await new Promise<void>((resolve) => gates.push(resolve));
    if (input.fail) throw new TRPCError({ code: 'BAD_REQUEST', message: 'failed on purpose' });
    return 'done';
  }),
  // After .input(): the cost function gets the parsed, typed input.
  costly: authed.input((v) => v as { items: string[] }).use(rateLimit({
    uid: 'costly', rate: '5/minute', backend, identify: ({ ctx }) => ctx.userId ?? 'anonymous',
    cost: ({ input }) => {
      expectTypeOf(input).toEqualTypeOf<{ items: string[] }>();
      return input.items.length;
    },
    message: (d) => `slow down, ${d.retryAfterMs} ms`,
  })).mutation(({ input }) => input.items.length),
});
type AppRouter = typeof router;

let server: RunningServer;
const clientFor = (user?: string) => createTRPCClient<AppRouter>({
  links: [httpLink({ url: server.url, headers: user ? { 'x-user': user } : {} })],
});
const failure = async (promise: Promise<unknown>): Promise<TRPCClientError<AppRouter>> => {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(TRPCClientError);
  return error as TRPCClientError<AppRouter>;
};

beforeAll(async () => { server = await startServer(router); });
afterAll(async () => { await server.close(); await backend.close(); });

describe('meta-driven limits', () => {
  it('limits each procedure by its own meta.rateLimit, per caller, and leaves procedures without one alone', async () => {
    toWindowStart(60_000);
    const alice = clientFor('alice');
    for (let i = 0; i < 3; i++) expect(await alice.search.query()).toBe('results');
    const error = await failure(alice.search.query());
    expect(error.data?.code).toBe('TOO_MANY_REQUESTS');
    expect(error.data?.rateLimit).toEqual({ retryAfterMs: 60_000, limit: 3, remaining: 0, resetAfterMs: 60_000 });
    expect(await clientFor('bob').search.query()).toBe('results'); // bob has his own budget
    for (let i = 0; i < 5; i++) expect(await alice.free.query()).toBe('no meta, no limit');
  });

  it('charges a cost derived from the input', async () => {
    toWindowStart(60_000);
    const carol = clientFor('carol');
    expect(await carol.export.mutate({ size: 6 })).toBe(6);
    const error = await failure(carol.export.mutate({ size: 5 })); // 6 + 5 > 10: denied, nothing charged
    expect(error.data?.rateLimit?.remaining).toBe(4);
    expect(await carol.export.mutate({ size: 4 })).toBe(4);
  });

  it('never limits an EXEMPTED caller', async () => {
    toWindowStart(60_000);
    const anonymous = clientFor(); // identify returns EXEMPTED without a user
    for (let i = 0; i < 10; i++) expect(await anonymous.search.query()).toBe('results');
  });

  it('checks two rates on one procedure, all-or-nothing', async () => {
    toWindowStart(60_000);
    const dave = clientFor('dave');
    await dave.twoRates.query();
    await dave.twoRates.query();
    const perSecond = await failure(dave.twoRates.query());
    expect(perSecond.data?.rateLimit?.retryAfterMs).toBe(1_000);
    clock.advance(1_000);
    await dave.twoRates.query();
    const perMinute = await failure(dave.twoRates.query()); // 3/minute is spent now
    expect(perMinute.data?.rateLimit?.retryAfterMs).toBe(59_000);
    expect(perMinute.data?.rateLimit?.remaining).toBe(0);
  });

  it('uses the strategy named in meta, and pools procedures that name one uid', async () => {
    toWindowStart(60_000);
    const erin = clientFor('erin');
    await erin.bucket.query();
    await erin.bucket.query(); // burst of 2
    expect((await failure(erin.bucket.query())).data?.rateLimit?.retryAfterMs).toBe(1_000);
    expect(await erin.pooledA.query()).toBe('a');
    expect((await failure(erin.pooledB.query())).data?.code).toBe('TOO_MANY_REQUESTS');
  });
});

describe('fixed limits', () => {
  it('charges the cost function and uses the custom message; the cause is RateLimitExceededError', async () => {
    toWindowStart(60_000);
    const frank = clientFor('frank');
    expect(await frank.costly.mutate({ items: ['a', 'b', 'c'] })).toBe(3);
    const error = await failure(frank.costly.mutate({ items: ['a', 'b', 'c'] }));
    expect(error.message).toBe('slow down, 60000 ms');
    expect(error.data?.rateLimit).toMatchObject({ limit: 5, remaining: 2 });
    // On the server, the TRPCError's cause carries the decision.
    const caller = t.createCallerFactory(router)({ req: { headers: { 'x-user': 'frank' } } as never, res: undefined });
    const serverError = await caller.costly({ items: ['a', 'b', 'c'] }).catch((e: unknown) => e) as TRPCError;
    expect(serverError.code).toBe('TOO_MANY_REQUESTS');
    expect(serverError.cause).toBeInstanceOf(RateLimitExceededError);
    expect((serverError.cause as RateLimitExceededError).decision).toMatchObject({ allowed: false, uid: 'costly', key: 'frank', cost: 3 });
  });

  it('holds a concurrency slot until the procedure ends, fails or is aborted', async () => {
    const grace = clientFor('grace');
    const limited = async (): Promise<void> => {
      expect((await failure(grace.slow.query({}))).data?.code).toBe('TOO_MANY_REQUESTS');
    };
    const first = grace.slow.query({});
    const second = grace.slow.query({});
    await waitUntil(() => gates.length === 2);
    await limited(); // 2 in flight
    gates[0]!();
    expect(await first).toBe('done'); // ended: its slot is free
    const third = grace.slow.query({ fail: true });
    await waitUntil(() => gates.length === 3);
    await limited();
    gates[2]!();
    expect((await failure(third)).data?.code).toBe('BAD_REQUEST'); // failed: its slot is free
    const abort = new AbortController();
    const fourth = grace.slow.query({}, { signal: abort.signal });
    await waitUntil(() => gates.length === 4);
    await limited();
    abort.abort();
    await expect(fourth).rejects.toThrow();
    // Aborted: its slot is free although its resolver still runs.
    await waitUntil(() => slowAborts === 1);
    const fifth = grace.slow.query({});
    await waitUntil(() => gates.length === 5);
    await limited();
    for (const open of gates) open();
    expect(await Promise.all([second, fifth])).toEqual(['done', 'done']);
  });
});

describe('configuration', () => {
  it('rejects wrong options at construction with ConfigurationError naming the value', () => {
    expect(() => rateLimit({ rate: '10/parsec' })).toThrow(ConfigurationError);
    expect(() => rateLimit({ rate: '1/second', headers: 'sometimes' as never })).toThrow(/headers must be .* got "sometimes"/);
    expect(() => rateLimit({ rate: '1/second', cost: -1 })).toThrow(/cost must be a whole number >= 0 .* got -1/);
    expect(() => rateLimit({ rate: '1/second', trustProxy: 'yes' as never })).toThrow(/trustProxy/);
    expect(() => rateLimit({ rate: '1/second', trustProxy: ['10.0.0.0/33'] })).toThrow(/"10.0.0.0\/33"/);
    expect(() => rateLimit({ rate: '1/second', burst: 3 } as never)).toThrow(/unknown option "burst"/);
    expect(() => rateLimit({ rate: '1/second', messages: { rate: '1/second', onExceed: 'queue' as never } })).toThrow(/onExceed .* "queue"/);
  });

  it('reports a bad meta.rateLimit on the call as INTERNAL_SERVER_ERROR', async () => {
    const bad = t.router({ q: base.meta({ rateLimit: { rate: 'often' } }).query(() => 1) });
    const caller = t.createCallerFactory(bad)({ req: { headers: { 'x-user': 'x' } } as never, res: undefined });
    const error = await caller.q().catch((e: unknown) => e) as TRPCError;
    expect(error.code).toBe('INTERNAL_SERVER_ERROR');
    expect(error.cause).toBeInstanceOf(ConfigurationError);
  });
});

async function waitUntil(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) await new Promise((r) => setTimeout(r, 2));
  expect(condition()).toBe(true);
}
