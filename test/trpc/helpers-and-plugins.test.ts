import { describe, expect, it } from 'vitest';
import { initTRPC, TRPCError } from '@trpc/server';
import { InMemoryBackend, LeakyBucketWithQueueStrategy } from '../../src/index.js';
import { ConcurrencyLimitStrategy } from '../../src/core/strategies/concurrency-limit.js';
import { rateLimit } from '../../src/trpc/index.js';
import { manualClock } from './servers.js';

describe('.concat() plugins', () => {
  it('a procedure built on rateLimit in a library can be concatenated into an app procedure', async () => {
    const backend = new InMemoryBackend({ namespace: 'plugin' });
    // The library side knows only the context it needs.
    const plugin = initTRPC.context<{ userId: string }>().create().procedure
      .use(rateLimit({ uid: 'plugin', rate: '1/minute', backend, identify: ({ ctx }) => ctx.userId }));
    // The app side has a richer context and concatenates it.
    const t = initTRPC.context<{ userId: string; locale: string }>().create();
    const router = t.router({ q: t.procedure.concat(plugin).query(({ ctx }) => ctx.locale) });
    const caller = t.createCallerFactory(router)({ userId: 'u1', locale: 'fr' });
    expect(await caller.q()).toBe('fr');
    expect((await caller.q().catch((e: unknown) => e) as TRPCError).code).toBe('TOO_MANY_REQUESTS');
    await backend.close();
  });
});

describe('concurrency limit on subscriptions', () => {
  it('a subscription holds its slot until its events end or it is closed', async () => {
    const backend = new InMemoryBackend({ namespace: 'sub-slots' });
    const t = initTRPC.create();
    const router = t.router({
      feed: t.procedure.use(rateLimit({
        rate: '1/minute', strategy: new ConcurrencyLimitStrategy(), backend, identify: () => 'k',
      })).subscription(async function* () {
        for (let i = 0; ; i++) yield i;
      }),
    });
    const caller = t.createCallerFactory(router)({});
    const first = (await caller.feed())[Symbol.asyncIterator]();
    expect((await first.next()).value).toBe(0);
    expect((await caller.feed().catch((e: unknown) => e) as TRPCError).code).toBe('TOO_MANY_REQUESTS');
    await first.return?.(); // closing the subscription gives the slot back
    await new Promise((r) => setTimeout(r, 0));
    const second = (await caller.feed())[Symbol.asyncIterator]();
    expect((await second.next()).value).toBe(0);
    await second.return?.();
    await backend.close();
  });
});

describe('queue strategy', () => {
  it('an allowed call waits its turn (delayMs) before the procedure runs', async () => {
    const clock = manualClock();
    const backend = new InMemoryBackend({ namespace: 'queue', clock: clock.now });
    const t = initTRPC.create();
    const started: number[] = [];
    const router = t.router({
      q: t.procedure.use(rateLimit({
        rate: '1/150ms', strategy: new LeakyBucketWithQueueStrategy({ queueSize: 3 }), backend, identify: () => 'k',
      })).query(() => { started.push(performance.now()); return 'ran'; }),
    });
    const caller = t.createCallerFactory(router)({});
    const begin = performance.now();
    await Promise.all([caller.q(), caller.q()]); // same instant: the second is queued 150 ms behind the first
    expect(started).toHaveLength(2);
    const [first, second] = [...started].sort((a, b) => a - b) as [number, number];
    expect(first - begin).toBeLessThan(100);
    expect(second - begin).toBeGreaterThanOrEqual(140);
    await backend.close();
  });
});
