/**
 * Per-rate options (issue 15 item 6): a burst or queue size given as one
 * number to a throttle with several rates must not silently cap a longer
 * rate's bucket below its own limit; a function of the rate chooses a size
 * per rate; one rate keeps taking a plain number as before.
 */
import { describe, expect, it } from 'vitest';
import { ConfigurationError, InMemoryBackend, Throttle } from '../../src/index.js';
import type { Rate } from '../../src/core/rate.js';
import { GCRAStrategy } from '../../src/core/strategies/gcra.js';
import { LeakyBucketWithQueueStrategy } from '../../src/core/strategies/leaky-bucket-with-queue.js';
import type { AnyStrategy } from '../../src/core/strategies/strategy.js';
import { TieredStrategy } from '../../src/core/strategies/tiered.js';
import { TokenBucketStrategy } from '../../src/core/strategies/token-bucket.js';
import { TokenBucketWithDebtStrategy } from '../../src/core/strategies/token-bucket-with-debt.js';

const build = (strategy: AnyStrategy, rate: string | string[]) =>
  new Throttle({ uid: 'per-rate', rate, strategy, backend: new InMemoryBackend({ clock: () => 1_000_000 }) });

describe('per-rate options', () => {
  it('refuses one burst size below a longer rate\'s limit, naming the fix', () => {
    const make = () => build(new TokenBucketStrategy({ burstSize: 20 }), ['10/second', '1000/hour']);
    expect(make).toThrow(ConfigurationError);
    expect(make).toThrow(/TokenBucketStrategy: burstSize 20 is below the limit of rate 1000\/3600000ms.*burstSize: \(rate\) => \(rate\.limit === 10 \? 20 : rate\.limit\)/);
    expect(() => build(new LeakyBucketWithQueueStrategy({ queueSize: 5 }), ['10/second', '1000/hour'])).toThrow(/queueSize 5/);
    expect(() => build(new TokenBucketWithDebtStrategy({ burstSize: 20, maxDebt: 5 }), ['10/second', '1000/hour'])).toThrow(/burstSize 20/);
    // Through a tiered wrapper too.
    expect(() => build(new TieredStrategy({ base: new TokenBucketStrategy({ burstSize: 20 }), tiers: { free: 1 } }), ['10/second', '1000/hour'])).toThrow(/burstSize 20/);
  });

  it('takes one number that is at least every limit, and one number with one rate', () => {
    expect(() => build(new TokenBucketStrategy({ burstSize: 2000 }), ['10/second', '1000/hour'])).not.toThrow();
    expect(() => build(new TokenBucketStrategy({ burstSize: 20 }), '1000/hour')).not.toThrow();
  });

  it('a function of the rate gives each rate its own size', async () => {
    const strategy = new TokenBucketStrategy({ burstSize: (rate: Rate) => (rate.limit === 10 ? 20 : rate.limit) });
    expect(strategy.name).toBe('token-bucket:per-rate');
    const throttle = build(strategy, ['10/second', '1000/hour']);
    const d = await throttle.hit('k', { cost: 20 });
    expect(d.allowed).toBe(true);
    expect(d.policies?.map((p) => [p.limit, p.remaining])).toEqual([[20, 0], [1000, 980]]);
  });

  it('a per-rate GCRA tolerance and debt', async () => {
    const gcra = build(new GCRAStrategy({ burstToleranceMs: (rate: Rate) => rate.periodMs - Math.floor(rate.periodMs / rate.limit) }), ['10/second', '100/minute']);
    expect((await gcra.hit('k')).policies?.map((p) => p.limit)).toEqual([10, 100]);
    const debt = build(new TokenBucketWithDebtStrategy({ maxDebt: (rate: Rate) => Math.floor(rate.limit / 2) }), ['10/second', '100/minute']);
    expect((await debt.hit('k', { cost: 15 })).allowed).toBe(true);
  });

  it('refuses at construction a function that gives no whole number, naming the option and the rate', () => {
    expect(() => build(new TokenBucketStrategy({ burstSize: () => 0 }), '10/second')).toThrow(/burstSize\(rate 10\/1000ms\) must return a whole number >= 1, got 0/);
    expect(() => build(new GCRAStrategy({ burstToleranceMs: () => 1.5 }), '10/second')).toThrow(/burstToleranceMs\(rate 10\/1000ms\)/);
    expect(() => new TokenBucketStrategy({ burstSize: 'big' as never })).toThrow(/burstSize must be a whole number/);
  });
});
