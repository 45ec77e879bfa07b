/**
 * Hand-computed traces from SEMANTICS.md, replayed through a Throttle on the
 * in-process backend with an injected clock. Each row: time, cost, then the
 * expected allowed, remaining, retryAfterMs, resetAfterMs (and delayMs).
 */
import { describe, expect, it } from 'vitest';
import {
  FixedWindowStrategy, GCRAStrategy, InMemoryBackend, LeakyBucketStrategy, LeakyBucketWithQueueStrategy,
  SlidingWindowCounterStrategy, SlidingWindowLogStrategy, Throttle, TokenBucketStrategy, TokenBucketWithDebtStrategy,
  type AnyStrategy,
} from '../../src/index.js';

type Row = [at: number, cost: number, allowed: boolean, remaining: number, retryAfterMs: number, resetAfterMs: number, delayMs?: number];
const N = Infinity;

async function replay(strategy: AnyStrategy, rate: string, rows: Row[], expectedLimit: number): Promise<void> {
  let now = 0;
  const throttle = new Throttle({ uid: 'trace', rate, strategy, backend: new InMemoryBackend({ clock: () => now }) });
  for (const [index, [at, cost, allowed, remaining, retryAfterMs, resetAfterMs, delayMs = 0]] of rows.entries()) {
    now = at;
    const d = await throttle.hit('k', { cost });
    expect({ step: index, at, cost, allowed: d.allowed, remaining: d.remaining, retryAfterMs: d.retryAfterMs, resetAfterMs: d.resetAfterMs, delayMs: d.delayMs, limit: d.limit })
      .toEqual({ step: index, at, cost, allowed, remaining, retryAfterMs, resetAfterMs, delayMs, limit: expectedLimit });
  }
}

describe('hand-computed traces', () => {
  it('fixed window, 3/s', () =>
    replay(new FixedWindowStrategy(), '3/s', [
      [10_000, 1, true, 2, 0, 1000],
      [10_200, 2, true, 0, 0, 800],
      [10_500, 1, false, 0, 500, 500],
      [10_500, 0, true, 0, 0, 500],
      [10_500, 4, false, 0, N, 500],
      [11_000, 1, true, 2, 0, 1000],
      [11_999, 0, true, 2, 0, 1],
      [12_000, 0, true, 3, 0, 0],
    ], 3));

  it('sliding window counter, 4/s', () =>
    replay(new SlidingWindowCounterStrategy(), '4/s', [
      [1000, 2, true, 2, 0, 2000],
      [1500, 2, true, 0, 0, 1500],
      [2250, 1, true, 0, 0, 1750],
      [2250, 1, false, 0, 250, 1750],
      [2250, 4, false, 0, 1750, 1750],
      [2250, 5, false, 0, N, 1750],
      [2500, 1, true, 0, 0, 1500],
      [5000, 0, true, 4, 0, 0],
    ], 4));

  it('sliding window log, 3/s', () =>
    replay(new SlidingWindowLogStrategy(), '3/s', [
      [5000, 1, true, 2, 0, 1000],
      [5300, 2, true, 0, 0, 1000],
      [5600, 1, false, 0, 400, 700],
      [5600, 3, false, 0, 700, 700],
      [6000, 1, true, 0, 0, 1000],
      [6000, 4, false, 0, N, 1000],
      [7000, 0, true, 3, 0, 0],
    ], 3));

  it('token bucket, 1/s with burst 2', () =>
    replay(new TokenBucketStrategy({ burstSize: 2 }), '1/s', [
      [20_000, 1, true, 1, 0, 1000],
      [20_000, 1, true, 0, 0, 2000],
      [20_000, 1, false, 0, 1000, 2000],
      [20_500, 1, false, 0, 500, 1500],
      [20_500, 3, false, 0, N, 1500],
      [21_000, 1, true, 0, 0, 2000],
      [21_000, 0, true, 0, 0, 2000],
      [23_000, 0, true, 2, 0, 0],
    ], 2));

  it('token bucket with debt, 1/s, burst 2, debt 1', () =>
    replay(new TokenBucketWithDebtStrategy({ burstSize: 2, maxDebt: 1 }), '1/s', [
      [0, 3, true, 0, 0, 3000],
      [0, 1, false, 0, 1000, 3000],
      [1000, 1, true, 0, 0, 3000],
      [1000, 4, false, 0, N, 3000],
      [4000, 1, true, 2, 0, 1000],
    ], 2));

  it('leaky bucket, 2/s', () =>
    replay(new LeakyBucketStrategy(), '2/s', [
      [0, 1, true, 1, 0, 500],
      [0, 1, true, 0, 0, 1000],
      [100, 1, false, 0, 400, 900],
      [500, 1, true, 0, 0, 1000],
      [500, 3, false, 0, N, 1000],
    ], 2));

  it('leaky bucket with queue, 1/s, queue 3: allowed hits wait their turn', () =>
    replay(new LeakyBucketWithQueueStrategy({ queueSize: 3 }), '1/s', [
      [0, 1, true, 2, 0, 1000, 0],
      [0, 1, true, 1, 0, 2000, 1000],
      [0, 1, true, 0, 0, 3000, 2000],
      [0, 1, false, 0, 1000, 3000, 0],
      [500, 1, false, 0, 500, 2500, 0],
      [1000, 1, true, 0, 0, 3000, 2000],
      [1000, 4, false, 0, N, 3000, 0],
    ], 3));

  it('GCRA, 2/s with 1000 ms tolerance: a large cost is never refused outright', () =>
    replay(new GCRAStrategy({ burstToleranceMs: 1000 }), '2/s', [
      [0, 1, true, 2, 0, 500],
      [0, 1, true, 1, 0, 1000],
      [0, 1, true, 0, 0, 1500],
      [0, 1, false, 0, 500, 1500],
      [0, 10, false, 0, 500, 1500],
      [500, 10, true, 0, 0, 6000],
      [500, 0, true, 0, 0, 6000],
      [6500, 1, true, 2, 0, 500],
    ], 3));

  it('GCRA without tolerance is perfectly smooth', () =>
    replay(new GCRAStrategy(), '4/s', [
      [0, 1, true, 0, 0, 250],
      [100, 1, false, 0, 150, 150],
      [250, 1, true, 0, 0, 250],
    ], 1));
});
