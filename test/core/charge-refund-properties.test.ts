/**
 * Properties of charge and refund over random traces of hits, charges and
 * refunds (with the clock sometimes stepping back), for every catalogued
 * strategy that implements them, on the pure steps as a backend carries
 * state: both ops are always allowed with `retryAfterMs` 0 and an honest
 * `remaining`; a refund never leaves more room than a fresh key has; a
 * charge of `c` followed at once by a refund of `c` leaves the key as it
 * was; denials keep a retry time >= 0; and a denial holds until its retry
 * time for strategies that declare `denialsHoldUntilRetry`.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Rate } from '../../src/core/rate.js';
import { STRATEGY_CATALOGUE } from '../../src/core/strategies/catalogue.js';
import type { AnyStrategy, StepOp } from '../../src/core/strategies/strategy.js';
import { TokenBucketStrategy } from '../../src/core/strategies/token-bucket.js';

const OPTIONS: Record<string, object> = {
  tiered: { base: new TokenBucketStrategy(), tiers: { free: 1, pro: 2.5 } },
  'time-of-day': { periods: [{ from: 0, to: 12, scale: 3 }] },
  priority: { shares: [1, 0.5] },
};
const cases: [string, AnyStrategy][] = STRATEGY_CATALOGUE
  .map((e): [string, AnyStrategy] => [e.name, e.create(OPTIONS[e.name])])
  .filter(([, s]) => s.supportsChargeAndRefund === true);

const rateArb = fc.record({ limit: fc.integer({ min: 1, max: 9 }), periodMs: fc.integer({ min: 1, max: 3000 }) })
  .map(({ limit, periodMs }) => new Rate({ limit, milliseconds: periodMs }));
const eventsArb = fc.array(fc.record({
  gap: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 50 }), fc.integer({ min: 0, max: 4000 }), fc.constant(-31_000)),
  op: fc.constantFrom<StepOp>('hit', 'hit', 'hit', 'charge', 'refund'),
  cost: fc.integer({ min: 0, max: 12 }),
}), { minLength: 1, maxLength: 80 });

describe('charge and refund properties', () => {
  it('covers the strategies that implement them', () => {
    expect(cases.map(([name]) => name).sort()).toEqual([
      'adaptive', 'fixed-window', 'gcra', 'leaky-bucket', 'leaky-bucket-with-queue', 'priority', 'quota-with-rollover',
      'sliding-window-counter', 'sliding-window-log', 'tiered', 'time-of-day', 'token-bucket', 'token-bucket-with-debt',
    ]);
  });

  for (const [name, strategy] of cases) {
    it(name, () => {
      fc.assert(fc.property(rateArb, eventsArb, (rate, events) => {
        let state: unknown;
        let now = Date.UTC(2026, 0, 1, 11, 59, 0);
        const fresh = strategy.step(undefined, now, 0, rate).decision.remaining;
        for (const { gap, op, cost } of events) {
          now += gap;
          const out = strategy.step(state, now, cost, rate, [], op);
          const d = out.decision;
          expect(d.retryAfterMs).toBeGreaterThanOrEqual(0);
          expect(d.remaining).toBeGreaterThanOrEqual(0);
          // Rule 5: a hit of cost 0 is allowed, even on a key charged past its limit.
          if (cost === 0) expect(d.allowed).toBe(true);
          if (op !== 'hit') {
            expect(d).toMatchObject({ allowed: true, retryAfterMs: 0 });
            expect(d.remaining).toBeLessThanOrEqual(Math.max(fresh, d.limit));
            // Charging c and refunding c at the same instant leaves the key as it was.
            if (op === 'charge') {
              const back = strategy.step(out.state, now, cost, rate, [], 'refund');
              const before = strategy.step(state, now, 0, rate).decision;
              expect(back.decision.remaining).toBe(before.remaining);
            }
          } else if (!d.allowed && strategy.denialsHoldUntilRetry === true && Number.isFinite(d.retryAfterMs) && d.retryAfterMs > 1) {
            // Still denied 1 ms before the retry time, whatever the clock did before.
            expect(strategy.step(state, now + d.retryAfterMs - 1, cost, rate).decision.allowed).toBe(false);
          }
          if (d.allowed && cost > 0) state = strategy.parse(strategy.serialize(out.state));
        }
      }), { numRuns: 150 });
    });
  }
});
