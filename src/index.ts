/**
 * The `traffik` entry: the core (rates, strategies, throttles, the in-process
 * backend, errors, metrics), what apps use. Needs no optional dependency.
 * What only authors of strategies, backends and integrations need lives in
 * `traffik/extend` (src/extend.ts); internals are not exported.
 */
export { Rate, type RateInit, type RateLike } from './core/rate.js';
export {
  Throttle, defaultBackend,
  type ThrottleOptions, type HitOptions, type ContextOptions, type WaitOptions, type Rates, type RateFunction, type CostFunction,
  type BackendFunction, type Logger, type ThrottleMode,
} from './core/throttle.js';
export { EXEMPTED, type Exempted } from './core/exempted.js';
export type { Decision, StepDecision, PolicyDecision } from './core/decision.js';
export * from './core/errors-entry.js';
export type { Clock } from './core/clock.js';
export type { Backend, ApplyRequest, BatchRequest, ReadRequest, ReadResult } from './core/backends/backend.js';
export { InMemoryBackend, type InMemoryBackendOptions } from './core/backends/in-memory.js';
export type { OnError, OnErrorHandler, OnErrorResult, ErrorInfo } from './core/on-error.js';
export type { Strategy, StepOutcome, AnyStrategy, StepArgs, StepOp, StateDescription, LuaStep } from './core/strategies/strategy.js';
export { FixedWindowStrategy, type FixedWindowState } from './core/strategies/fixed-window.js';
export { SlidingWindowCounterStrategy, type SlidingWindowCounterState } from './core/strategies/sliding-window-counter.js';
export { SlidingWindowLogStrategy, type SlidingWindowLogState } from './core/strategies/sliding-window-log.js';
export { TokenBucketStrategy, type TokenBucketOptions } from './core/strategies/token-bucket.js';
export { TokenBucketWithDebtStrategy, type TokenBucketWithDebtOptions } from './core/strategies/token-bucket-with-debt.js';
export { LeakyBucketStrategy } from './core/strategies/leaky-bucket.js';
export { LeakyBucketWithQueueStrategy, type LeakyBucketWithQueueOptions } from './core/strategies/leaky-bucket-with-queue.js';
export { GCRAStrategy, type GCRAOptions } from './core/strategies/gcra.js';
export {
  ConcurrencyLimitStrategy, type ConcurrencyLimitOptions, type ConcurrencyLimitState,
} from './core/strategies/concurrency-limit.js';
export { PriorityStrategy, type PriorityOptions } from './core/strategies/priority.js';
export { AdaptiveStrategy, type AdaptiveOptions, type AdaptiveState } from './core/strategies/adaptive.js';
export { ScaledStrategy } from './core/strategies/scaled-strategy.js';
export { TieredStrategy, type TieredOptions } from './core/strategies/tiered.js';
export { TimeOfDayStrategy, type TimeOfDayOptions, type TimeOfDayPeriod } from './core/strategies/time-of-day.js';
export { QuotaWithRolloverStrategy, type QuotaWithRolloverOptions, type QuotaWithRolloverState } from './core/strategies/quota-with-rollover.js';
export {
  CostBasedTokenBucketStrategy, type CostBasedTokenBucketOptions, type CostBasedTokenBucketState,
} from './core/strategies/cost-based-token-bucket.js';
export * from './core/metrics/index.js';
export type { AcquireOptions, Acquired } from './core/acquire.js';
