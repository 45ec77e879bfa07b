/** The strategies of the exactness test, each configured so that `LIMIT` admits exactly 100 hits at one instant. */
import {
  FixedWindowStrategy, GCRAStrategy, LeakyBucketStrategy, LeakyBucketWithQueueStrategy, SlidingWindowCounterStrategy,
  SlidingWindowLogStrategy, TokenBucketStrategy, TokenBucketWithDebtStrategy, type AnyStrategy,
} from '../../src/index.js';
import { ConcurrencyLimitStrategy } from '../../src/core/strategies/concurrency-limit.js';

export const LIMIT = '100/minute';
export const HITS_PER_PROCESS = 250;

export function exactnessStrategies(): AnyStrategy[] {
  return [
    new FixedWindowStrategy(),
    new SlidingWindowCounterStrategy(),
    new SlidingWindowLogStrategy(),
    new TokenBucketStrategy(),
    new TokenBucketWithDebtStrategy({ maxDebt: 0 }),
    new LeakyBucketStrategy(),
    new LeakyBucketWithQueueStrategy(),
    // limit = floor(tau * L / P) + 1 = floor(59400 * 100 / 60000) + 1 = 100
    new GCRAStrategy({ burstToleranceMs: 59_400 }),
    new ConcurrencyLimitStrategy(),
  ];
}
