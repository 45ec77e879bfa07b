/**
 * Property tests over random traces, on the pure steps (the same functions
 * every backend runs). State is carried as a backend carries it: stored only
 * when a hit is allowed with cost > 0.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  FixedWindowStrategy, GCRAStrategy, LeakyBucketStrategy, LeakyBucketWithQueueStrategy, Rate,
  SlidingWindowCounterStrategy, SlidingWindowLogStrategy, TokenBucketStrategy, TokenBucketWithDebtStrategy,
  type AnyStrategy,
} from '../../src/index.js';

const strategies: [string, () => AnyStrategy][] = [
  ['fixed window', () => new FixedWindowStrategy()],
  ['sliding window counter', () => new SlidingWindowCounterStrategy()],
  ['sliding window log', () => new SlidingWindowLogStrategy()],
  ['token bucket', () => new TokenBucketStrategy({ burstSize: 7 })],
  ['token bucket with debt', () => new TokenBucketWithDebtStrategy({ burstSize: 4, maxDebt: 3 })],
  ['leaky bucket', () => new LeakyBucketStrategy()],
  ['leaky bucket with queue', () => new LeakyBucketWithQueueStrategy({ queueSize: 6 })],
  ['GCRA', () => new GCRAStrategy({ burstToleranceMs: 700 })],
];

/** A rate with limit 1..9 and a period of 1..3000 ms. */
const rateArb = fc.record({ limit: fc.integer({ min: 1, max: 9 }), periodMs: fc.integer({ min: 1, max: 3000 }) })
  .map(({ limit, periodMs }) => new Rate({ limit, milliseconds: periodMs }));
/** Hits: a gap since the previous hit and a cost 0..10. */
const hitsArb = fc.array(fc.record({ gap: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 50 }), fc.integer({ min: 0, max: 4000 })), cost: fc.integer({ min: 0, max: 10 }) }), { minLength: 1, maxLength: 120 });

interface Admitted { at: number; cost: number }

function run(strategy: AnyStrategy, rate: Rate, hits: { gap: number; cost: number }[], onDenied?: (state: unknown, now: number, cost: number, retryAfterMs: number) => void): Admitted[] {
  let state: unknown;
  let now = 1_000_000;
  const admitted: Admitted[] = [];
  for (const { gap, cost } of hits) {
    now += gap;
    const out = strategy.step(state, now, cost, rate);
    if (out.decision.allowed) {
      if (cost > 0) {
        state = out.state;
        admitted.push({ at: now, cost });
      }
    } else {
      onDenied?.(state, now, cost, out.decision.retryAfterMs);
    }
  }
  return admitted;
}

describe('properties', () => {
  it('sliding window log never admits more than L units in any window of length P', () => {
    fc.assert(fc.property(rateArb, hitsArb, (rate, hits) => {
      const admitted = run(new SlidingWindowLogStrategy(), rate, hits);
      for (const end of admitted) {
        const inWindow = admitted.filter((a) => a.at > end.at - rate.periodMs && a.at <= end.at);
        expect(inWindow.reduce((s, a) => s + a.cost, 0)).toBeLessThanOrEqual(rate.limit);
      }
    }), { numRuns: 300 });
  });

  it('token bucket never admits more than B + r*t units in any interval of length t', () => {
    fc.assert(fc.property(rateArb, fc.integer({ min: 1, max: 12 }), hitsArb, (rate, burst, hits) => {
      const admitted = run(new TokenBucketStrategy({ burstSize: burst }), rate, hits);
      for (let i = 0; i < admitted.length; i++) {
        let units = 0;
        for (let j = i; j < admitted.length; j++) {
          units += admitted[j]!.cost;
          const t = admitted[j]!.at - admitted[i]!.at;
          // units <= B + L * t / P, compared scaled by P to stay exact.
          expect(units * rate.periodMs).toBeLessThanOrEqual(burst * rate.periodMs + rate.limit * t);
        }
      }
    }), { numRuns: 300 });
  });

  describe.each(strategies)('%s', (_name, make) => {
    it('a denied hit never changes the state', () => {
      fc.assert(fc.property(rateArb, hitsArb, (rate, hits) => {
        const strategy = make();
        let state: unknown;
        let now = 5_000_000;
        for (const { gap, cost } of hits) {
          now += gap;
          const before = state === undefined ? undefined : strategy.serialize(state);
          const out = strategy.step(state, now, cost, rate);
          // The step never mutates what it was given.
          expect(state === undefined ? undefined : strategy.serialize(state)).toEqual(before);
          if (!out.decision.allowed) {
            // A denied hit stores nothing, so a cost-0 look and a repeat see the same thing.
            expect(strategy.step(state, now, cost, rate).decision).toEqual(out.decision);
          } else if (cost > 0) state = out.state;
          if (cost === 0) expect(out.decision.allowed).toBe(true);
        }
      }), { numRuns: 200 });
    });

    it('a hit at now + retryAfterMs with the same cost is allowed, and not a millisecond earlier', () => {
      fc.assert(fc.property(rateArb, hitsArb, (rate, hits) => {
        const strategy = make();
        run(strategy, rate, hits, (state, now, cost, retryAfterMs) => {
          if (retryAfterMs === Infinity) {
            // Never: not even after the key has fully reset.
            expect(strategy.step(undefined, now, cost, rate).decision.allowed).toBe(false);
            return;
          }
          expect(retryAfterMs).toBeGreaterThan(0);
          expect(strategy.step(state, now + retryAfterMs, cost, rate).decision.allowed).toBe(true);
          expect(strategy.step(state, now + retryAfterMs - 1, cost, rate).decision.allowed).toBe(false);
        });
      }), { numRuns: 200 });
    });

    it('after resetAfterMs the key is fresh again, and remaining never goes below 0', () => {
      fc.assert(fc.property(rateArb, hitsArb, (rate, hits) => {
        const strategy = make();
        let state: unknown;
        let now = 9_000_000;
        for (const { gap, cost } of hits) {
          now += gap;
          const out = strategy.step(state, now, cost, rate);
          expect(out.decision.remaining).toBeGreaterThanOrEqual(0);
          if (out.decision.allowed && cost > 0) state = out.state;
          const later = now + out.decision.resetAfterMs;
          const fresh = strategy.step(undefined, later, 0, rate).decision;
          const kept = strategy.step(out.decision.allowed && cost > 0 ? out.state : state, later, 0, rate).decision;
          expect(kept.remaining).toBe(fresh.remaining);
        }
      }), { numRuns: 150 });
    });

    it('serialize and parse round-trip every reachable state; garbage is a TypeError', () => {
      fc.assert(fc.property(rateArb, hitsArb, (rate, hits) => {
        const strategy = make();
        let state: unknown;
        let now = 7_000_000;
        for (const { gap, cost } of hits) {
          now += gap;
          const out = strategy.step(state, now, cost, rate);
          if (out.decision.allowed && cost > 0) {
            state = out.state;
            expect(strategy.parse(strategy.serialize(state))).toEqual(state);
          }
        }
      }), { numRuns: 100 });
      expect(() => make().parse('not,a,state')).toThrow(TypeError);
      expect(() => make().parse('{"y":1}')).toThrow(TypeError);
    });
  });
});
