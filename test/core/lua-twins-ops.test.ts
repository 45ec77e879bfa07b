/**
 * The Lua twins equal the TypeScript steps for every op: seeded random
 * traces of hits, forced charges (past the limit) and refunds, with the
 * clock sometimes stepping back 31 s, run through each strategy's step and
 * its Lua twin on a real redis-server: every decision, stored state and TTL
 * must be identical, at everyday rates and at the large ones SEMANTICS.md
 * names ("100000000/day", "1000000000/hour").
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Rate } from '../../src/core/rate.js';
import { AdaptiveStrategy } from '../../src/core/strategies/adaptive.js';
import { FixedWindowStrategy } from '../../src/core/strategies/fixed-window.js';
import { GCRAStrategy } from '../../src/core/strategies/gcra.js';
import { LeakyBucketStrategy } from '../../src/core/strategies/leaky-bucket.js';
import { LeakyBucketWithQueueStrategy } from '../../src/core/strategies/leaky-bucket-with-queue.js';
import { PriorityStrategy } from '../../src/core/strategies/priority.js';
import { QuotaWithRolloverStrategy } from '../../src/core/strategies/quota-with-rollover.js';
import { SlidingWindowCounterStrategy } from '../../src/core/strategies/sliding-window-counter.js';
import type { AnyStrategy, StepArgs, StepOp } from '../../src/core/strategies/strategy.js';
import { TieredStrategy } from '../../src/core/strategies/tiered.js';
import { TimeOfDayStrategy } from '../../src/core/strategies/time-of-day.js';
import { TokenBucketStrategy } from '../../src/core/strategies/token-bucket.js';
import { TokenBucketWithDebtStrategy } from '../../src/core/strategies/token-bucket-with-debt.js';
import { seededRandom } from '../support/traces.js';
import { luaStep, tsStep } from './strategy-twins.js';

let client: Redis;
beforeAll(() => {
  client = new Redis(inject('redisUrl'));
});
afterAll(async () => {
  await client.quit();
});

const none = (): StepArgs => [];
const cases: [label: string, strategy: AnyStrategy, args: (pick: number) => StepArgs][] = [
  ['fixed window', new FixedWindowStrategy(), none],
  ['sliding window counter', new SlidingWindowCounterStrategy(), none],
  ['token bucket', new TokenBucketStrategy(), none],
  ['token bucket, burst per rate', new TokenBucketStrategy({ burstSize: (rate) => rate.limit + 2 }), none],
  ['token bucket with debt', new TokenBucketWithDebtStrategy({ maxDebt: 3 }), none],
  ['leaky bucket', new LeakyBucketStrategy(), none],
  ['leaky bucket with queue', new LeakyBucketWithQueueStrategy(), none],
  ['gcra', new GCRAStrategy(), none],
  ['gcra, tolerance 900 ms', new GCRAStrategy({ burstToleranceMs: 900 }), none],
  ['priority', new PriorityStrategy({ shares: [1, 0.5] }), (p) => [p % 2]],
  ['quota with rollover', new QuotaWithRolloverStrategy({ rolloverShare: 0.5 }), none],
  ['adaptive', new AdaptiveStrategy({ loadThreshold: 0.5 }), none],
  ['tiered token bucket', new TieredStrategy({ base: new TokenBucketStrategy(), tiers: { free: 1, pro: 2.5 } }), (p) => [p % 2]],
  ['time of day, leaky bucket', new TimeOfDayStrategy({ base: new LeakyBucketStrategy(), periods: [{ from: 0, to: 12, scale: 3 }] }), none],
];

const RATES = ['5/s', '7/3s', '100000000/day', '1000000000/hour'];
const OPS: StepOp[] = ['hit', 'charge', 'refund'];

/** Replays `length` random steps on one key through both twins; returns how many hits were allowed and denied. */
async function compare(strategy: AnyStrategy, rateText: string, args: (pick: number) => StepArgs, seed: number, length: number): Promise<[number, number, number]> {
  const rate = Rate.parse(rateText);
  strategy.validateRate?.(rate);
  const random = seededRandom(seed);
  const int = (max: number) => Math.floor(random() * (max + 1));
  const L = rate.limit;
  let now = Date.UTC(2026, 0, 1, 11, 59, 58) + seed;
  let state = '';
  let allowed = 0;
  let denied = 0;
  let refundNext = 0;
  let hugeCharges = 0;
  for (let i = 0; i < length; i++) {
    const r = random();
    // Bursts, pauses around a period, and now and then the clock stepping back 31 s.
    now += r < 0.05 ? -31_000 : r < 0.4 ? 0 : r < 0.85 ? int(Math.ceil(rate.periodMs / (L > 1000 ? 50_000 : 10))) : int(rate.periodMs);
    const o = random();
    let op = OPS[o < 0.75 ? 0 : o < 0.85 ? 1 : 2]!;
    // Now and then a charge far past the limit (stored capped below 2^53 on both sides), refunded right after.
    const huge = op === 'charge' && random() < 0.05;
    let cost = huge ? Number.MAX_SAFE_INTEGER - int(1000) : op === 'hit' ? int(L > 1000 ? Math.ceil(L / 4) : L + 1) : int(L);
    if (refundNext > 0) {
      op = 'refund';
      cost = refundNext;
    }
    refundNext = huge ? Number.MAX_SAFE_INTEGER : 0;
    if (huge) hugeCharges++;
    const stepArgs = args(int(1000));
    const expected = tsStep(strategy, state, now, cost, rate, stepArgs, op);
    const actual = await luaStep(client, strategy, state, now, cost, rate, stepArgs, op);
    if (JSON.stringify(actual) !== JSON.stringify(expected)) {
      expect({ i, now, op, cost, state, result: actual }).toEqual({ i, now, op, cost, state, result: expected });
    }
    if (op !== 'hit') expect(expected.decision).toMatchObject({ allowed: true, retryAfterMs: 0 });
    expect(expected.decision.retryAfterMs).toBeGreaterThanOrEqual(0);
    if (op === 'hit') {
      if (expected.decision.allowed) allowed++;
      else denied++;
    }
    if (expected.decision.allowed && cost > 0) state = expected.state;
  }
  return [allowed, denied, hugeCharges];
}

describe('Lua twins decide as the TypeScript steps for hits, charges and refunds', () => {
  for (const [label, strategy, args] of cases) {
    it(label, async () => {
      expect(strategy.supportsChargeAndRefund).toBe(true);
      let huge = 0;
      for (const [r, rate] of RATES.entries()) {
        const [allowed, denied, hugeCharges] = await compare(strategy, rate, args, 17 + 31 * r + label.length, 300);
        // Both answers occur, or the comparison proves little.
        expect(allowed, rate).toBeGreaterThan(5);
        expect(denied, rate).toBeGreaterThan(5);
        huge += hugeCharges;
      }
      expect(huge).toBeGreaterThan(0);
    });
  }
});
