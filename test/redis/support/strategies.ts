/** Every built-in strategy (with non-default options too), by a readable label, for Redis tests. */
import {
  FixedWindowStrategy, GCRAStrategy, LeakyBucketStrategy, LeakyBucketWithQueueStrategy, SlidingWindowCounterStrategy,
  SlidingWindowLogStrategy, TokenBucketStrategy, TokenBucketWithDebtStrategy, type AnyStrategy,
} from '../../../src/index.js';

/** Fresh instances of the window and bucket strategies plus option variants, as [label, strategy]. */
export function builtInStrategies(): [string, AnyStrategy][] {
  return [
    ['fixed window', new FixedWindowStrategy()],
    ['sliding window counter', new SlidingWindowCounterStrategy()],
    ['sliding window log', new SlidingWindowLogStrategy()],
    ['token bucket', new TokenBucketStrategy()],
    ['token bucket, burst L + 2', new TokenBucketStrategy({ burstSize: (rate) => rate.limit + 2 })],
    ['token bucket with debt', new TokenBucketWithDebtStrategy({ burstSize: (rate) => rate.limit + 1, maxDebt: 3 })],
    ['leaky bucket', new LeakyBucketStrategy()],
    ['leaky bucket with queue', new LeakyBucketWithQueueStrategy({ queueSize: (rate) => rate.limit + 1 })],
    ['gcra', new GCRAStrategy()],
    ['gcra, tolerance 900 ms', new GCRAStrategy({ burstToleranceMs: 900 })],
  ];
}

/**
 * The window and bucket strategies set up so that "100 per minute" admits exactly 100 at
 * once (GCRA needs a burst tolerance of 99 emission intervals for that).
 */
export function hundredPerMinuteStrategies(): [string, AnyStrategy][] {
  return [
    ['fixed window', new FixedWindowStrategy()],
    ['sliding window counter', new SlidingWindowCounterStrategy()],
    ['sliding window log', new SlidingWindowLogStrategy()],
    ['token bucket', new TokenBucketStrategy()],
    ['token bucket with debt', new TokenBucketWithDebtStrategy({ burstSize: 60, maxDebt: 40 })],
    ['leaky bucket', new LeakyBucketStrategy()],
    ['leaky bucket with queue', new LeakyBucketWithQueueStrategy()],
    ['gcra', new GCRAStrategy({ burstToleranceMs: 59_400 })],
  ];
}
