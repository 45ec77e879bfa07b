/**
 * Large rates (SEMANTICS.md "Notation"): real global quotas such as
 * "100000000/day" and "1000000000/hour" work with every built-in strategy
 * whose products allow them once reduced by gcd(limit, period), with exact
 * decisions; a rate too large even then is refused at construction with a
 * message that says so. (That the Lua twins agree at these rates:
 * lua-twins-ops.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { ConfigurationError, InMemoryBackend, Throttle } from '../../src/index.js';
import { Rate } from '../../src/core/rate.js';
import { STRATEGY_CATALOGUE } from '../../src/core/strategies/catalogue.js';
import { FixedWindowStrategy } from '../../src/core/strategies/fixed-window.js';
import { GCRAStrategy } from '../../src/core/strategies/gcra.js';
import { SlidingWindowCounterStrategy } from '../../src/core/strategies/sliding-window-counter.js';
import type { AnyStrategy } from '../../src/core/strategies/strategy.js';
import { TokenBucketStrategy } from '../../src/core/strategies/token-bucket.js';
import { LeakyBucketStrategy } from '../../src/core/strategies/leaky-bucket.js';

/** Options for the entries that need them. */
const OPTIONS: Record<string, object> = {
  tiered: { base: new TokenBucketStrategy(), tiers: { free: 1, pro: 2.5 } },
  'time-of-day': { base: new GCRAStrategy(), periods: [{ from: 0, to: 12, scale: 3 }] },
};

function throttle(strategy: AnyStrategy, rate: string, clock: () => number): Throttle {
  return new Throttle({ uid: 'large', rate, strategy, backend: new InMemoryBackend({ clock }) });
}

describe('large rates', () => {
  it('reduces a rate by gcd(limit, period)', () => {
    expect(Rate.parse('100000000/day')).toMatchObject({ reducedLimit: 125, reducedPeriodMs: 108 });
    expect(Rate.parse('1000000000/hour')).toMatchObject({ reducedLimit: 2500, reducedPeriodMs: 9 });
    expect(Rate.parse('7/3s')).toMatchObject({ reducedLimit: 7, reducedPeriodMs: 3000 });
  });

  for (const rate of ['100000000/day', '1000000000/hour']) {
    it(`every catalogued strategy accepts ${rate}`, () => {
      for (const entry of STRATEGY_CATALOGUE) {
        // The log keeps O(L) entries per key; the cost-based bucket's refill in thousandths does not reduce (docs/strategies.md).
        if (entry.name === 'sliding-window-log' || entry.name === 'cost-based-token-bucket') continue;
        const options = OPTIONS[entry.name];
        expect(() => throttle(entry.create(options), rate, () => 0), entry.name).not.toThrow();
      }
    });
  }

  it('a token bucket of 100000000/day admits the full burst, then refills one unit per 0.864 ms', async () => {
    let now = 1_700_000_000_000;
    const t = throttle(new TokenBucketStrategy(), '100000000/day', () => now);
    expect(await t.hit('k', { cost: 100_000_000 })).toMatchObject({ allowed: true, remaining: 0, resetAfterMs: 86_400_000 });
    expect(await t.hit('k', { cost: 1 })).toMatchObject({ allowed: false, retryAfterMs: 1 });
    expect(await t.hit('k', { cost: 1000 })).toMatchObject({ allowed: false, retryAfterMs: 864 });
    now += 864;
    expect(await t.hit('k', { cost: 1000 })).toMatchObject({ allowed: true, remaining: 0 });
  });

  it('a leaky bucket and GCRA of 1000000000/hour decide in whole ms', async () => {
    const now = 1_700_000_000_000;
    const leaky = throttle(new LeakyBucketStrategy(), '1000000000/hour', () => now);
    expect(await leaky.hit('k', { cost: 999_999_999 })).toMatchObject({ allowed: true, remaining: 1 });
    expect(await leaky.hit('k', { cost: 5000 })).toMatchObject({ allowed: false, retryAfterMs: 18 });
    const gcra = throttle(new GCRAStrategy({ burstToleranceMs: 3_600_000 }), '1000000000/hour', () => now);
    expect(await gcra.hit('k', { cost: 1 })).toMatchObject({ allowed: true, limit: 1_000_000_001, remaining: 1_000_000_000 });
  });

  it('a fixed window and a sliding window counter of 100000000/day count exactly', async () => {
    const now = 1_700_000_000_000;
    for (const strategy of [new FixedWindowStrategy(), new SlidingWindowCounterStrategy()]) {
      const t = throttle(strategy, '100000000/day', () => now);
      expect(await t.hit('k', { cost: 99_999_999 })).toMatchObject({ allowed: true, remaining: 1 });
      expect(await t.hit('k', { cost: 2 })).toMatchObject({ allowed: false });
      expect(await t.hit('k', { cost: 1 })).toMatchObject({ allowed: true, remaining: 0 });
    }
  });

  it('refuses a rate too large even when reduced, saying so', () => {
    expect(() => throttle(new SlidingWindowCounterStrategy(), '200000000/day', () => 0)).toThrow(ConfigurationError);
    expect(() => throttle(new SlidingWindowCounterStrategy(), '200000000/day', () => 0)).toThrow(/too large for exact arithmetic.*2\^53.*gcd/);
    expect(() => throttle(new TokenBucketStrategy(), '9007199254740991/day', () => 0)).toThrow(/TokenBucketStrategy.*even with the rate reduced by gcd/);
    // A fixed window has no product of limit and period: any safe rate works.
    expect(() => throttle(new FixedWindowStrategy(), '9007199254740991/day', () => 0)).not.toThrow();
  });
});
