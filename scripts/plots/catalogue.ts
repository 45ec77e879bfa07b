/**
 * The strategies `npm run plots` draws: every built-in strategy, built the
 * way the guide (docs/strategies.md) describes it, with the `describe` value
 * drawn as its state line.
 */
import {
  AdaptiveStrategy, ConcurrencyLimitStrategy, CostBasedTokenBucketStrategy, FixedWindowStrategy, GCRAStrategy,
  LeakyBucketStrategy, LeakyBucketWithQueueStrategy, PriorityStrategy, QuotaWithRolloverStrategy,
  SlidingWindowCounterStrategy, SlidingWindowLogStrategy, TieredStrategy, TimeOfDayStrategy, TokenBucketStrategy,
  TokenBucketWithDebtStrategy, type AnyStrategy,
} from '../../src/index.js';

/** One strategy as drawn. */
export interface PlottedStrategy {
  /** File name part, e.g. `token-bucket`. */
  readonly slug: string;
  /** Heading, e.g. "Token bucket (burst 15)". */
  readonly title: string;
  /** A fresh strategy (each scenario gets its own). */
  readonly make: () => AnyStrategy;
  /** The `describe` value drawn as the state line. */
  readonly stateKey: string;
  /** That value's name on the chart's axis. */
  readonly stateLabel: string;
}

/** Every built-in strategy, the window and bucket strategies first. */
export const plottedStrategies: readonly PlottedStrategy[] = [
  { slug: 'fixed-window', title: 'Fixed window', make: () => new FixedWindowStrategy(), stateKey: 'count', stateLabel: 'count in this window' },
  { slug: 'sliding-window-counter', title: 'Sliding window counter', make: () => new SlidingWindowCounterStrategy(), stateKey: 'estimate', stateLabel: 'weighted count' },
  { slug: 'sliding-window-log', title: 'Sliding window log', make: () => new SlidingWindowLogStrategy(), stateKey: 'used', stateLabel: 'units in the log' },
  { slug: 'token-bucket', title: 'Token bucket (burst 15)', make: () => new TokenBucketStrategy({ burstSize: 15 }), stateKey: 'tokens', stateLabel: 'tokens' },
  { slug: 'token-bucket-with-debt', title: 'Token bucket with debt (burst 10, debt 5)', make: () => new TokenBucketWithDebtStrategy({ burstSize: 10, maxDebt: 5 }), stateKey: 'tokens', stateLabel: 'tokens' },
  { slug: 'leaky-bucket', title: 'Leaky bucket (meter)', make: () => new LeakyBucketStrategy(), stateKey: 'level', stateLabel: 'bucket level' },
  { slug: 'leaky-bucket-with-queue', title: 'Leaky bucket with queue (queue 15)', make: () => new LeakyBucketWithQueueStrategy({ queueSize: 15 }), stateKey: 'queued', stateLabel: 'units queued' },
  { slug: 'gcra', title: 'GCRA (tolerance 300 ms)', make: () => new GCRAStrategy({ burstToleranceMs: 300 }), stateKey: 'tatInMs', stateLabel: 'TAT ahead of now (ms)' },
  { slug: 'concurrency-limit', title: 'Concurrency limit (hits never released: lease 1 s)', make: () => new ConcurrencyLimitStrategy(), stateKey: 'inFlight', stateLabel: 'in flight' },
  { slug: 'priority', title: 'Priority (lowest level: share 0.5)', make: () => new PriorityStrategy(), stateKey: 'tokens', stateLabel: 'tokens in shared bucket' },
  { slug: 'adaptive', title: 'Adaptive (AIMD on window usage)', make: () => new AdaptiveStrategy(), stateKey: 'effectiveLimit', stateLabel: 'effective limit' },
  { slug: 'tiered', title: 'Tiered (free tier: x0.5 of a fixed window)', make: () => new TieredStrategy({ tiers: { free: 0.5, pro: 2 }, defaultTier: 'free' }), stateKey: 'count', stateLabel: 'count in this window' },
  { slug: 'time-of-day', title: 'Time of day (x0.5 from 09:00 to 17:00 UTC)', make: () => new TimeOfDayStrategy({ periods: [{ from: 9, to: 17, scale: 0.5 }] }), stateKey: 'count', stateLabel: 'count in this window' },
  { slug: 'quota-with-rollover', title: 'Quota with rollover', make: () => new QuotaWithRolloverStrategy(), stateKey: 'used', stateLabel: 'used this period' },
  { slug: 'cost-based-token-bucket', title: 'Cost-based token bucket', make: () => new CostBasedTokenBucketStrategy(), stateKey: 'tokens', stateLabel: 'tokens' },
];
