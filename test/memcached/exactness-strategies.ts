/** The strategies of the exactness test, each configured so that `LIMIT` admits exactly 100 hits at one instant. */
import {
  AdaptiveStrategy, ConcurrencyLimitStrategy, CostBasedTokenBucketStrategy, FixedWindowStrategy, GCRAStrategy,
  LeakyBucketStrategy, LeakyBucketWithQueueStrategy, PriorityStrategy, QuotaWithRolloverStrategy, SlidingWindowCounterStrategy,
  SlidingWindowLogStrategy, TieredStrategy, TimeOfDayStrategy, TokenBucketStrategy, TokenBucketWithDebtStrategy, type AnyStrategy,
} from '../../src/index.js';

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
    // The later strategies, configured to admit the full limit for a hit without context at 12:00 UTC.
    new PriorityStrategy({ shares: [1] }),
    new AdaptiveStrategy({ loadThreshold: 0.5, reductionFactor: 0.5, recoveryRate: 0.2 }),
    new TieredStrategy({ tiers: { free: 1 } }),
    new TimeOfDayStrategy({ base: new TokenBucketStrategy(), periods: [{ from: 0, to: 1, scale: 3 }] }),
    new QuotaWithRolloverStrategy(),
    new CostBasedTokenBucketStrategy(),
  ];
}
