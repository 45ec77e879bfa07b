/**
 * The built-in strategies the remote-store suites (bench/suites/redis.ts,
 * bench/suites/memcached.ts) run side by side with their peer: one list, so
 * both suites measure the same strategies with the same rates.
 */
import {
  FixedWindowStrategy, GCRAStrategy, LeakyBucketStrategy, LeakyBucketWithQueueStrategy, SlidingWindowCounterStrategy,
  SlidingWindowLogStrategy, TokenBucketStrategy, TokenBucketWithDebtStrategy, type AnyStrategy,
} from '../src/index.js';

/** The limit per hour of every row: high enough that every hit is allowed, so each side records a hit and answers. */
export const LIMIT = 100_000_000;

/** One row: its label (printed after "traffik "), a fresh strategy, the rate. */
export type StrategyRow = readonly [label: string, make: () => AnyStrategy, rate: string];

/** How a suite's GCRA row is labelled and configured (the suites differ there; everything else is shared). */
export interface GcraRow {
  readonly label: string;
  readonly burstToleranceMs: number;
}

/** Every built-in strategy, in the order the suites print them, at `LIMIT`/hour. */
export function builtInStrategies(gcra: GcraRow): StrategyRow[] {
  return [
    ['fixed window', () => new FixedWindowStrategy(), `${LIMIT}/hour`],
    ['sliding window counter', () => new SlidingWindowCounterStrategy(), `${LIMIT}/hour`],
    // The log keeps one entry per admitted millisecond: a short period keeps the stored state small.
    ['sliding window log (100000/s)', () => new SlidingWindowLogStrategy(), '100000/second'],
    ['token bucket', () => new TokenBucketStrategy(), `${LIMIT}/hour`],
    ['token bucket with debt', () => new TokenBucketWithDebtStrategy({ maxDebt: 10 }), `${LIMIT}/hour`],
    ['leaky bucket', () => new LeakyBucketStrategy(), `${LIMIT}/hour`],
    ['leaky bucket with queue', () => new LeakyBucketWithQueueStrategy(), `${LIMIT}/hour`],
    [gcra.label, () => new GCRAStrategy({ burstToleranceMs: gcra.burstToleranceMs }), `${LIMIT}/hour`],
  ];
}
