export type { Strategy, StepOutcome, AnyStrategy, StepArgs, StepOp, StateDescription } from './strategy.js';
export { parseIntegers } from './strategy.js';
export { floorDiv, ceilDiv } from './integer-math.js';
export { FixedWindowStrategy, type FixedWindowState } from './fixed-window.js';
export { SlidingWindowCounterStrategy, type SlidingWindowCounterState } from './sliding-window-counter.js';
export { SlidingWindowLogStrategy, type SlidingWindowLogState } from './sliding-window-log.js';
export { BacklogStrategy, drainBacklog, type BacklogState } from './backlog.js';
export type { PerRateOption } from './per-rate-option.js';
export { STRATEGY_CATALOGUE, createStrategy, type StrategyCatalogueEntry } from './catalogue.js';
export { TokenBucketStrategy, type TokenBucketOptions } from './token-bucket.js';
export { TokenBucketWithDebtStrategy, type TokenBucketWithDebtOptions } from './token-bucket-with-debt.js';
export { LeakyBucketStrategy } from './leaky-bucket.js';
export { LeakyBucketWithQueueStrategy, type LeakyBucketWithQueueOptions } from './leaky-bucket-with-queue.js';
export { GCRAStrategy, type GCRAOptions } from './gcra.js';
export type { LuaStep } from './lua-step.js';
export { LUA_PRELUDE } from './integer-math.lua.js';
export {
  ConcurrencyLimitStrategy, isLeaseStrategy,
  type ConcurrencyLimitOptions, type ConcurrencyLimitState, type Lease, type LeaseOperation, type LeaseStrategy,
} from './concurrency-limit.js';
export { PriorityStrategy, type PriorityOptions } from './priority.js';
export { AdaptiveStrategy, type AdaptiveOptions, type AdaptiveState } from './adaptive.js';
export { ScaledStrategy } from './scaled-strategy.js';
export { TieredStrategy, type TieredOptions } from './tiered.js';
export { TimeOfDayStrategy, type TimeOfDayOptions, type TimeOfDayPeriod } from './time-of-day.js';
export { QuotaWithRolloverStrategy, type QuotaWithRolloverOptions, type QuotaWithRolloverState } from './quota-with-rollover.js';
export {
  CostBasedTokenBucketStrategy, type CostBasedTokenBucketOptions, type CostBasedTokenBucketState,
} from './cost-based-token-bucket.js';
