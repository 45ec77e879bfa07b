/**
 * Charge and refund (SEMANTICS.md "Giving units back, and charging after the
 * fact") on the in-process backend, hand-computed per strategy: a charge is
 * recorded past the limit and always allowed with an honest `remaining`;
 * later hits wait by the usual formulas; a refund gives back at most what
 * the state holds; both store their state as an allowed hit does.
 */
import { describe, expect, it } from 'vitest';
import { InMemoryBackend } from '../../src/core/backends/in-memory.js';
import type { StepDecision } from '../../src/core/decision.js';
import { scopeKey, stateSuffix } from '../../src/core/keys.js';
import { Rate } from '../../src/core/rate.js';
import { FixedWindowStrategy } from '../../src/core/strategies/fixed-window.js';
import { GCRAStrategy } from '../../src/core/strategies/gcra.js';
import { LeakyBucketWithQueueStrategy } from '../../src/core/strategies/leaky-bucket-with-queue.js';
import { QuotaWithRolloverStrategy } from '../../src/core/strategies/quota-with-rollover.js';
import { SlidingWindowCounterStrategy } from '../../src/core/strategies/sliding-window-counter.js';
import type { AnyStrategy, StepOp } from '../../src/core/strategies/strategy.js';
import { STRATEGY_CATALOGUE } from '../../src/core/strategies/catalogue.js';
import { TieredStrategy } from '../../src/core/strategies/tiered.js';
import { TokenBucketStrategy } from '../../src/core/strategies/token-bucket.js';

/** One key on an in-process backend with a hand-moved clock; `send` applies an op. */
function key(strategy: AnyStrategy, rates: string[]) {
  let now = 0;
  const backend = new InMemoryBackend({ clock: () => now });
  const parsed = rates.map((r) => Rate.parse(r));
  const scope = scopeKey('ops', 'k');
  const keys = parsed.map((r) => scope + stateSuffix(strategy.name, r));
  return {
    async send(at: number, op: StepOp, cost: number, args: (string | number)[] = []): Promise<StepDecision> {
      now = at;
      const decisions = await backend.apply({ strategy, scope, keys, rates: parsed, cost, op, args });
      return decisions.length === 1 ? decisions[0]! : decisions.reduce((a, b) => (b.remaining < a.remaining ? b : a));
    },
  };
}

/** `[allowed, remaining, retryAfterMs, resetAfterMs]`. */
const brief = (d: StepDecision) => [d.allowed, d.remaining, d.retryAfterMs, d.resetAfterMs];

describe('charge and refund', () => {
  it('fixed window 10/10s: a charge goes past the limit, hits wait for the next window, a refund reopens it', async () => {
    const k = key(new FixedWindowStrategy(), ['10/10s']);
    expect(brief(await k.send(100_000, 'hit', 4))).toEqual([true, 6, 0, 10_000]);
    expect(brief(await k.send(101_000, 'charge', 9))).toEqual([true, 0, 0, 9000]);
    expect(brief(await k.send(102_000, 'hit', 1))).toEqual([false, 0, 8000, 8000]);
    expect(brief(await k.send(102_000, 'refund', 5))).toEqual([true, 2, 0, 8000]);
    expect(brief(await k.send(102_000, 'hit', 2))).toEqual([true, 0, 0, 8000]);
    // Never more than the window holds.
    expect(brief(await k.send(103_000, 'refund', 100))).toEqual([true, 10, 0, 0]);
    expect(brief(await k.send(103_000, 'hit', 10))).toEqual([true, 0, 0, 7000]);
  });

  it('sliding window counter 4/s: a charge weighs on the next window; a refund gives back only the current window', async () => {
    const k = key(new SlidingWindowCounterStrategy(), ['4/s']);
    expect(brief(await k.send(1000, 'hit', 2))).toEqual([true, 2, 0, 2000]);
    expect(brief(await k.send(1000, 'charge', 5))).toEqual([true, 0, 0, 2000]);
    // prev = 7 weighted by 750/1000: 5.25 + 1 > 4; allowed once 7 * (1000 - e) + 1000 <= 4000, at e = 572.
    expect(brief(await k.send(2250, 'hit', 1))).toEqual([false, 0, 322, 750]);
    expect(brief(await k.send(2250, 'refund', 3))).toEqual([true, 0, 0, 750]);
    expect((await k.send(2572, 'hit', 1)).allowed).toBe(true);
  });

  it('token bucket 1/s, burst 2: a charge leaves the bucket in the red; a refund fills it back', async () => {
    const k = key(new TokenBucketStrategy({ burstSize: 2 }), ['1/s']);
    expect(brief(await k.send(20_000, 'charge', 5))).toEqual([true, 0, 0, 5000]);
    expect(brief(await k.send(20_000, 'hit', 1))).toEqual([false, 0, 4000, 5000]);
    expect(brief(await k.send(20_000, 'refund', 2))).toEqual([true, 0, 0, 3000]);
    expect(brief(await k.send(21_000, 'hit', 1))).toEqual([false, 0, 1000, 2000]);
    expect(brief(await k.send(22_000, 'hit', 1))).toEqual([true, 0, 0, 2000]);
    expect(brief(await k.send(22_000, 'refund', 50))).toEqual([true, 2, 0, 0]);
  });

  it('leaky bucket with queue: charges and refunds carry no queue delay', async () => {
    const k = key(new LeakyBucketWithQueueStrategy({ queueSize: 3 }), ['1/s']);
    expect((await k.send(0, 'hit', 1)).delayMs).toBe(0);
    expect((await k.send(0, 'hit', 1)).delayMs).toBe(1000);
    expect(await k.send(0, 'charge', 4)).toMatchObject({ allowed: true, remaining: 0, delayMs: 0, resetAfterMs: 6000 });
    expect(await k.send(0, 'hit', 1)).toMatchObject({ allowed: false, retryAfterMs: 4000 });
    expect(await k.send(0, 'refund', 4)).toMatchObject({ allowed: true, remaining: 1, delayMs: 0 });
  });

  it('GCRA 1/s: a charge pushes the arrival time out; a refund brings it back', async () => {
    const k = key(new GCRAStrategy(), ['1/s']);
    expect(brief(await k.send(0, 'charge', 3))).toEqual([true, 0, 0, 3000]);
    expect(brief(await k.send(1000, 'hit', 1))).toEqual([false, 0, 2000, 2000]);
    expect(brief(await k.send(1000, 'refund', 10))).toEqual([true, 1, 0, 0]);
    expect((await k.send(1000, 'hit', 1)).allowed).toBe(true);
  });

  it('quota with rollover: a refund gives back this period\'s usage', async () => {
    const k = key(new QuotaWithRolloverStrategy({ rolloverShare: 0 }), ['5/s']);
    expect(brief(await k.send(0, 'charge', 8))).toEqual([true, 0, 0, 1000]);
    expect(brief(await k.send(500, 'hit', 1))).toEqual([false, 0, 500, 500]);
    expect(brief(await k.send(500, 'refund', 4))).toEqual([true, 1, 0, 500]);
    expect((await k.send(500, 'hit', 1)).allowed).toBe(true);
  });

  it('a tiered wrapper forwards charge and refund to its base under the tier\'s limit', async () => {
    const strategy = new TieredStrategy({ tiers: { free: 1, pro: 3 } });
    expect(strategy.supportsChargeAndRefund).toBe(true);
    const k = key(strategy, ['2/s']);
    expect(await k.send(0, 'charge', 7, [1])).toMatchObject({ allowed: true, limit: 6, remaining: 0 });
    expect(await k.send(0, 'refund', 2, [1])).toMatchObject({ allowed: true, remaining: 1 });
  });

  it('several rates: a charge is recorded on every rate, past any of them', async () => {
    const k = key(new FixedWindowStrategy(), ['3/s', '10/m']);
    await k.send(0, 'charge', 5);
    const d = await k.send(0, 'hit', 1);
    expect(d.allowed).toBe(false);
    expect(brief(await k.send(1000, 'hit', 1))).toEqual([true, 2, 0, 1000]);
    // 6 of 10 used this minute: 4 left on the minute, whatever the second allows.
    expect(brief(await k.send(2000, 'hit', 3))).toEqual([true, 0, 0, 1000]);
    expect((await k.send(3000, 'hit', 2)).allowed).toBe(false);
  });
});

describe('a charge far past the limit', () => {
  it('never stores a number the next step cannot read: the key stays denied, not broken', async () => {
    for (const entry of STRATEGY_CATALOGUE) {
      const strategy = entry.create(entry.name === 'tiered' ? { tiers: { free: 1 } } : entry.name === 'time-of-day' ? { periods: [{ from: 0, to: 1, scale: 2 }] } : undefined);
      if (strategy.supportsChargeAndRefund !== true) continue;
      const k = key(strategy, ['5/s']);
      for (let i = 0; i < 3; i++) expect((await k.send(1000, 'charge', Number.MAX_SAFE_INTEGER)).allowed, entry.name).toBe(true);
      const d = await k.send(1001, 'hit', 1);
      expect(d.allowed, entry.name).toBe(false);
      expect(d.retryAfterMs, entry.name).toBeGreaterThan(0);
      expect((await k.send(1001, 'refund', 2)).allowed, entry.name).toBe(true);
    }
  });
});

describe('a clock that steps back', () => {
  for (const [label, strategy] of [
    ['fixed window', new FixedWindowStrategy()], ['sliding window counter', new SlidingWindowCounterStrategy()], ['token bucket', new TokenBucketStrategy()],
  ] as [string, AnyStrategy][]) {
    it(`${label}, 10/10s: back 31 s and forward again admits 10 in all, not 30`, async () => {
      const k = key(strategy, ['10/10s']);
      let admitted = 0;
      for (const at of [100_000, 69_000, 100_500]) {
        for (let i = 0; i < 12; i++) if ((await k.send(at, 'hit', 1)).allowed) admitted++;
      }
      expect(admitted).toBe(10);
      const d = await k.send(69_000, 'hit', 1);
      // The retry time counts from the real (earlier) now, never negative.
      expect(d.retryAfterMs).toBeGreaterThan(31_000);
    });
  }
});
