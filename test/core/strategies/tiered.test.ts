import { describe, expect, it } from 'vitest';
import { InMemoryBackend } from '../../../src/core/backends/in-memory.js';
import { ConfigurationError } from '../../../src/core/errors.js';
import { ConcurrencyLimitStrategy } from '../../../src/core/strategies/concurrency-limit.js';
import { TieredStrategy } from '../../../src/core/strategies/tiered.js';
import { TokenBucketStrategy } from '../../../src/core/strategies/token-bucket.js';
import { Throttle } from '../../../src/core/throttle.js';
import { stepper } from './trace.js';

type Ctx = { tier?: string };

describe('TieredStrategy', () => {
  it('scales a fixed window by the tier, one count per caller', () => {
    const strategy = new TieredStrategy({ tiers: { free: 1, pro: 2.5 } });
    const s = stepper(strategy, '4/s');
    const free = strategy.argsFor('u', { tier: 'free' });
    const pro = strategy.argsFor('u', { tier: 'pro' });
    expect([free, pro]).toEqual([[0], [1]]);
    for (let i = 0; i < 4; i++) expect(s.hit(0, 1, free).allowed).toBe(true);
    expect(s.hit(0, 1, free)).toMatchObject({ allowed: false, limit: 4, retryAfterMs: 1000 });
    // Upgraded mid-window: the same count against 10.
    expect(s.hit(0, 1, pro)).toMatchObject({ allowed: true, limit: 10, remaining: 5 });
    expect(strategy.argsFor('u', { tier: 'gold' })).toEqual([0]); // unknown: the default tier
  });

  it('scales any base strategy: a token bucket refills at the scaled rate', async () => {
    let now = 0;
    const throttle = new Throttle<Ctx>({
      uid: 't', rate: '10/s', backend: new InMemoryBackend({ clock: () => now }),
      strategy: new TieredStrategy({ base: new TokenBucketStrategy(), tiers: { free: 1, pro: 3 }, defaultTier: 'free' }),
    });
    const count = async (key: string, tier: string) => {
      let n = 0;
      while ((await throttle.hit(key, { context: { tier } })).allowed) n++;
      return n;
    };
    expect(await count('a', 'free')).toBe(10);
    expect(await count('b', 'pro')).toBe(30);
    now += 100;
    expect(await count('a', 'free')).toBe(1);
    expect(await count('b', 'pro')).toBe(3);
  });

  it('scales a concurrency limit, and acquire/release go through the wrapper', async () => {
    const throttle = new Throttle<Ctx>({
      uid: 'c', rate: '1/10s', backend: new InMemoryBackend(),
      strategy: new TieredStrategy({ base: new ConcurrencyLimitStrategy(), tiers: { free: 1, pro: 2 } }),
    });
    const p1 = await throttle.acquire('u', { context: { tier: 'pro' } });
    const p2 = await throttle.acquire('u', { context: { tier: 'pro' } });
    expect([p1.decision.allowed, p2.decision.allowed]).toEqual([true, true]);
    expect((await throttle.acquire('u', { context: { tier: 'pro' } })).decision.allowed).toBe(false);
    await p1.release();
    expect((await throttle.acquire('u', { context: { tier: 'free' } })).decision.allowed).toBe(false);
    expect((await throttle.acquire('u', { context: { tier: 'pro' } })).decision.allowed).toBe(true);
  });

  it('rejects bad options', () => {
    expect(() => new TieredStrategy({ tiers: {} })).toThrow(ConfigurationError);
    expect(() => new TieredStrategy({ tiers: { a: 0 } })).toThrow(/tiers\.a/);
    expect(() => new TieredStrategy({ tiers: { a: 1 }, defaultTier: 'b' })).toThrow(/defaultTier/);
    expect(() => new TieredStrategy({ tiers: { a: 1 }, base: {} as never })).toThrow(/base/);
    expect(() => new TieredStrategy(undefined as never)).toThrow(ConfigurationError);
  });
});
