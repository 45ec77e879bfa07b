/** The strategies beyond the window and bucket strategies (concurrency, priority, adaptive, tiered, time of day, quota, cost-based) with representative options, each with a generator of per-hit args, for contract and replay tests. */
import { AdaptiveStrategy } from '../../../src/core/strategies/adaptive.js';
import { ConcurrencyLimitStrategy } from '../../../src/core/strategies/concurrency-limit.js';
import { CostBasedTokenBucketStrategy } from '../../../src/core/strategies/cost-based-token-bucket.js';
import { PriorityStrategy } from '../../../src/core/strategies/priority.js';
import { QuotaWithRolloverStrategy } from '../../../src/core/strategies/quota-with-rollover.js';
import { SlidingWindowCounterStrategy } from '../../../src/core/strategies/sliding-window-counter.js';
import type { AnyStrategy, StepArgs } from '../../../src/core/strategies/strategy.js';
import { TieredStrategy } from '../../../src/core/strategies/tiered.js';
import { TimeOfDayStrategy } from '../../../src/core/strategies/time-of-day.js';
import { TokenBucketStrategy } from '../../../src/core/strategies/token-bucket.js';

/** One strategy under test. */
export interface StrategyCase {
  label: string;
  strategy: AnyStrategy;
  /** A rate that exercises it. */
  rate: string;
  /** Step args for a hit, from a random integer (>= 0). */
  args: (pick: number) => StepArgs;
  /** True when a denied hit passes exactly `retryAfterMs` later if nothing else arrives. */
  exactRetry: boolean;
  /** Where a replay starts (ms): near a local hour boundary for the time-of-day cases. */
  start?: number;
}

/** 2 s before local hour `hour` (offset `utcOffsetMinutes`) on 2023-11-15. */
function justBefore(hour: number, utcOffsetMinutes: number): number {
  return Date.UTC(2023, 10, 15, hour) - utcOffsetMinutes * 60_000 - 2000;
}

const none = (): StepArgs => [];

/** Fresh instances of every new strategy (and option variants). */
export function strategiesWithArgs(): StrategyCase[] {
  return [
    {
      label: 'concurrency limit', strategy: new ConcurrencyLimitStrategy({ leaseMs: 700 }), rate: '4/s', exactRetry: true,
      args: (p) => [p % 3 === 0 ? 'release' : 'acquire', `l${p % 5}`],
    },
    { label: 'priority', strategy: new PriorityStrategy({ shares: [1, 0.7, 0.4] }), rate: '6/s', exactRetry: true, args: (p) => [p % 3] },
    { label: 'priority, burst 9', strategy: new PriorityStrategy({ shares: [1, 0.5], burstSize: 9 }), rate: '5/700ms', exactRetry: true, args: (p) => [p % 2] },
    { label: 'adaptive', strategy: new AdaptiveStrategy({ loadThreshold: 0.5, reductionFactor: 0.5, recoveryRate: 0.2 }), rate: '7/s', exactRetry: true, args: none },
    {
      label: 'adaptive, user signal', strategy: new AdaptiveStrategy({ signal: () => 0, signalThreshold: 50 }), rate: '7/s', exactRetry: false,
      args: (p) => [p % 100],
    },
    { label: 'quota with rollover', strategy: new QuotaWithRolloverStrategy(), rate: '6/s', exactRetry: true, args: none },
    { label: 'quota with rollover, half, cap 2', strategy: new QuotaWithRolloverStrategy({ rolloverShare: 0.5, maxRollover: 2 }), rate: '6/500ms', exactRetry: true, args: none },
    { label: 'cost-based token bucket', strategy: new CostBasedTokenBucketStrategy({ costWindow: 3, minRefill: 0.2 }), rate: '6/s', exactRetry: true, args: none },
    { label: 'tiered fixed window', strategy: new TieredStrategy({ tiers: { free: 1, pro: 2.5, tiny: 0.3 } }), rate: '5/s', exactRetry: true, args: (p) => [p % 3] },
    {
      label: 'tiered token bucket', strategy: new TieredStrategy({ base: new TokenBucketStrategy(), tiers: { free: 1, pro: 3 } }), rate: '4/s', exactRetry: false,
      args: (p) => [p % 2],
    },
    {
      label: 'tiered concurrency limit', strategy: new TieredStrategy({ base: new ConcurrencyLimitStrategy({ leaseMs: 500 }), tiers: { free: 1, pro: 2 } }), rate: '3/s', exactRetry: false,
      args: (p) => [p % 2, p % 4 === 0 ? 'release' : 'acquire', `l${p % 3}`],
    },
    {
      label: 'time of day, token bucket', rate: '5/s', exactRetry: false, args: none, start: justBefore(12, 90),
      strategy: new TimeOfDayStrategy({ base: new TokenBucketStrategy(), periods: [{ from: 0, to: 12, scale: 3 }, { from: 20, to: 24, scale: 0.5 }], utcOffsetMinutes: 90 }),
    },
    {
      label: 'time of day, sliding window counter', rate: '5/s', exactRetry: false, args: none, start: justBefore(18, 0),
      strategy: new TimeOfDayStrategy({ base: new SlidingWindowCounterStrategy(), periods: [{ from: 6, to: 18, scale: 2 }] }),
    },
  ];
}
