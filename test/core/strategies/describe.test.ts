import { describe, expect, it } from 'vitest';
import { InMemoryBackend } from '../../../src/core/backends/in-memory.js';
import { Rate } from '../../../src/core/rate.js';
import { AdaptiveStrategy } from '../../../src/core/strategies/adaptive.js';
import { ConcurrencyLimitStrategy } from '../../../src/core/strategies/concurrency-limit.js';
import { CostBasedTokenBucketStrategy } from '../../../src/core/strategies/cost-based-token-bucket.js';
import { PriorityStrategy } from '../../../src/core/strategies/priority.js';
import { QuotaWithRolloverStrategy } from '../../../src/core/strategies/quota-with-rollover.js';
import { TieredStrategy } from '../../../src/core/strategies/tiered.js';
import { TimeOfDayStrategy } from '../../../src/core/strategies/time-of-day.js';
import { Throttle } from '../../../src/core/throttle.js';
import { stepper } from './trace.js';

describe('describe() puts each new strategy state in words (Throttle.stats)', () => {
  it('concurrency limit: units in flight and the next expiry', async () => {
    let now = 0;
    const throttle = new Throttle({ uid: 'c', rate: '3/s', strategy: new ConcurrencyLimitStrategy(), backend: new InMemoryBackend({ clock: () => now }) });
    await throttle.acquire('u', { cost: 2 });
    now = 400;
    const stats = await throttle.stats('u');
    expect(stats.rates[0]?.state?.values).toEqual({ inFlight: 2, leases: 1, limit: 3, remaining: 1, nextExpiryInMs: 600 });
    expect(stats.rates[0]?.state?.summary).toBe('2 of 3 in flight (1 leases); the first lease expires in 600 ms');
  });

  it('priority, adaptive, quota, cost-based, tiered and time of day', () => {
    const rate = Rate.parse('10/s');
    const p = stepper(new PriorityStrategy({ shares: [1, 0.5] }), '10/s');
    p.hit(0, 3, [0]);
    expect(new PriorityStrategy({ shares: [1, 0.5] }).describe(p.state as never, 0, rate).values).toEqual({ tokens: 7, limit: 10, remainingLevel0: 7, remainingLevel1: 2 });
    const a = new AdaptiveStrategy();
    expect(a.describe({ w: 0, n: 10, eff: 10 }, 1500, rate).values).toEqual({ effectiveLimit: 6, baseLimit: 10, count: 0, remaining: 6, windowEndsInMs: 500 });
    const q = new QuotaWithRolloverStrategy();
    expect(q.describe({ w: 0, used: 4, carry: 0 }, 1200, rate).values).toEqual({ used: 0, allowance: 16, carry: 6, remaining: 16, periodEndsInMs: 800 });
    const c = new CostBasedTokenBucketStrategy();
    expect(c.describe({ y: 4000, last: 0, avg: 2000 }, 0, rate).values).toEqual({ tokens: 6, limit: 10, averageCostPerMille: 2000, refillPerMille: 500 });
    const t = new TieredStrategy({ tiers: { free: 1, pro: 3 } });
    expect(t.describe(undefined, 0, rate).values).toMatchObject({ count: 0, limit: 10, factorPerMille: 1000, scaledLimit: 10 });
    const d = new TimeOfDayStrategy({ periods: [{ from: 0, to: 1, scale: 2 }] });
    expect(d.describe(undefined, 0, rate).summary).toMatch(/^x2: 0 of 20 used/);
  });
});
