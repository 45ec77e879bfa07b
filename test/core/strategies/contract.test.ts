/**
 * What every backend relies on, checked over random traces for each new
 * strategy: cost 0 is allowed and stores nothing; a denied hit's
 * `retryAfterMs` is the exact wait when nothing else arrives; a state is as
 * good as a fresh key once its `ttlMs` has passed (so a store that keeps it
 * longer, like Redis, decides alike); `parse(serialize(s))` round-trips.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Rate } from '../../../src/core/rate.js';
import type { AnyStrategy, StepArgs } from '../../../src/core/strategies/strategy.js';
import { strategiesWithArgs } from './strategies.js';

describe('the strategies with per-hit args keep the step contract', () => {
  for (const { label, strategy, rate: rateText, args, exactRetry } of strategiesWithArgs()) {
    it(label, () => {
      const rate = Rate.parse(rateText);
      const hit = fc.record({
        dt: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 50 }), fc.integer({ min: 0, max: 3 * rate.periodMs })),
        cost: fc.integer({ min: 0, max: rate.limit + 2 }),
        pick: fc.integer({ min: 0, max: 1_000_000 }),
        later: fc.integer({ min: 0, max: 2 * rate.periodMs }),
      });
      fc.assert(fc.property(fc.array(hit, { minLength: 1, maxLength: 60 }), (hits) => {
        let state: unknown;
        let expiresAt = Infinity;
        let t = 1_700_000_000_000;
        for (const h of hits) {
          t += h.dt;
          if (t >= expiresAt) state = undefined;
          const a = args(h.pick);
          const zero = strategy.step(state, t, 0, rate, a);
          expect(zero.decision.allowed).toBe(true);
          const out = strategy.step(state, t, h.cost, rate, a);
          const d = out.decision;
          expect(d.remaining).toBeGreaterThanOrEqual(0);
          if (!d.allowed) {
            expect(d.retryAfterMs).toBeGreaterThan(0);
            if (exactRetry && d.retryAfterMs !== Infinity) {
              expect(strategy.step(state, t + d.retryAfterMs, h.cost, rate, a).decision.allowed).toBe(true);
              expect(strategy.step(state, t + d.retryAfterMs - 1, h.cost, rate, a).decision.allowed).toBe(false);
            }
            continue;
          }
          if (h.cost === 0 && out.store !== true) continue;
          expect(out.ttlMs).toBeGreaterThanOrEqual(1);
          state = strategy.parse(strategy.serialize(out.state));
          expect(state).toEqual(out.state);
          expiresAt = t + out.ttlMs;
          // After its ttl the state decides like a fresh key.
          const probe = expiresAt + h.later;
          expect(strategy.step(state, probe, h.cost, rate, a).decision).toEqual(strategy.step(undefined, probe, h.cost, rate, a).decision);
        }
      }), { numRuns: 150 });
    });
  }
});

export type { AnyStrategy, StepArgs };
