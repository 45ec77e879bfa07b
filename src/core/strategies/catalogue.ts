/**
 * The one list of built-in strategies, by the name a directive, a benchmark
 * or a test uses for each, with a factory. GraphQL's `builtInStrategies`
 * (src/graphql/strategy-registry.ts), the benchmarks and the tests read it,
 * so a new strategy is added in one place.
 */
import { ConfigurationError, describeValue } from '../errors.js';
import { AdaptiveStrategy } from './adaptive.js';
import { ConcurrencyLimitStrategy } from './concurrency-limit.js';
import { CostBasedTokenBucketStrategy } from './cost-based-token-bucket.js';
import { FixedWindowStrategy } from './fixed-window.js';
import { GCRAStrategy } from './gcra.js';
import { LeakyBucketStrategy } from './leaky-bucket.js';
import { LeakyBucketWithQueueStrategy } from './leaky-bucket-with-queue.js';
import { PriorityStrategy } from './priority.js';
import { QuotaWithRolloverStrategy } from './quota-with-rollover.js';
import { SlidingWindowCounterStrategy } from './sliding-window-counter.js';
import { SlidingWindowLogStrategy } from './sliding-window-log.js';
import type { AnyStrategy } from './strategy.js';
import { TieredStrategy } from './tiered.js';
import { TimeOfDayStrategy } from './time-of-day.js';
import { TokenBucketStrategy } from './token-bucket.js';
import { TokenBucketWithDebtStrategy } from './token-bucket-with-debt.js';

/** One built-in strategy in the catalogue. */
export interface StrategyCatalogueEntry {
  /** Its name in kebab case, as a GraphQL directive's `strategy: "..."` names it. */
  readonly name: string;
  /** What it does, in one line. */
  readonly summary: string;
  /**
   * True when it cannot be built without options (a tiered strategy needs
   * its tiers, a time-of-day strategy its periods): `create()` then throws.
   */
  readonly needsOptions: boolean;
  /**
   * True when each hit holds a slot until released (`Throttle.acquire`):
   * only integrations that release slots should use it by plain name.
   */
  readonly holdsSlots: boolean;
  /**
   * A new instance with `options` (the class's own options object; omitted:
   * its defaults). Throws the class's `ConfigurationError` for bad options.
   */
  readonly create: (options?: object) => AnyStrategy;
}

// Each constructor checks its options at run time; the catalogue passes them through as given.
type AnyOptions = never;

/** Every built-in strategy, in the order the docs present them. */
export const STRATEGY_CATALOGUE: readonly StrategyCatalogueEntry[] = [
  entry('fixed-window', 'counts per epoch-aligned window (the default)', (o) => new FixedWindowStrategy(o as AnyOptions)),
  entry('sliding-window-counter', 'weights the previous window by how much of it is still in the period', (o) => new SlidingWindowCounterStrategy(o as AnyOptions)),
  entry('sliding-window-log', 'one entry per admitted hit within the last period (exact, O(L) memory)', (o) => new SlidingWindowLogStrategy(o as AnyOptions)),
  entry('token-bucket', 'bursts up to burstSize, refilled at the rate', (o) => new TokenBucketStrategy(o as AnyOptions)),
  entry('token-bucket-with-debt', 'a token bucket that may borrow up to maxDebt', (o) => new TokenBucketWithDebtStrategy(o as AnyOptions)),
  entry('leaky-bucket', 'a meter: smooth output, no burst beyond the limit', (o) => new LeakyBucketStrategy(o as AnyOptions)),
  entry('leaky-bucket-with-queue', 'admitted hits wait their turn (delayMs), up to queueSize', (o) => new LeakyBucketWithQueueStrategy(o as AnyOptions)),
  entry('gcra', 'one emission every P / L ms with a burst tolerance', (o) => new GCRAStrategy(o as AnyOptions)),
  entry('concurrency-limit', 'at most L in flight, each slot held until released', (o) => new ConcurrencyLimitStrategy(o as AnyOptions), { holdsSlots: true }),
  entry('priority', 'one shared budget; lower priorities may use only a share', (o) => new PriorityStrategy(o as AnyOptions)),
  entry('adaptive', 'the limit shrinks under load and recovers when calm', (o) => new AdaptiveStrategy(o as AnyOptions)),
  entry('tiered', 'any strategy, its limit scaled by the caller\'s tier', (o) => new TieredStrategy(o as AnyOptions), { needsOptions: true }),
  entry('time-of-day', 'any strategy, its limit scaled by the hour', (o) => new TimeOfDayStrategy(o as AnyOptions), { needsOptions: true }),
  entry('quota-with-rollover', 'a quota per period; unused units roll over', (o) => new QuotaWithRolloverStrategy(o as AnyOptions)),
  entry('cost-based-token-bucket', 'a token bucket that refills slower while recent hits are expensive', (o) => new CostBasedTokenBucketStrategy(o as AnyOptions)),
];

function entry(
  name: string, summary: string, create: (options?: object) => AnyStrategy, flags: { needsOptions?: boolean; holdsSlots?: boolean } = {},
): StrategyCatalogueEntry {
  return { name, summary, create, needsOptions: flags.needsOptions === true, holdsSlots: flags.holdsSlots === true };
}

/**
 * A new instance of the built-in strategy called `name`, with `options`.
 * Throws `ConfigurationError` naming the unknown name (and the known ones),
 * or the class's own error for bad or missing options.
 */
export function createStrategy(name: string, options?: object): AnyStrategy {
  const found = STRATEGY_CATALOGUE.find((e) => e.name === name);
  if (found === undefined) {
    throw new ConfigurationError(`Unknown strategy ${describeValue(name)} (built-in: ${STRATEGY_CATALOGUE.map((e) => e.name).join(', ')})`);
  }
  return found.create(options);
}
