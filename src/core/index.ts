export { Rate, type RateInit, type RateLike } from './rate.js';
export { Throttle, defaultBackend, type ThrottleOptions, type HitOptions, type Rates, type RateFunction, type CostFunction } from './throttle.js';
export { EXEMPTED, type Exempted } from './exempted.js';
export type { Decision, StepDecision, PolicyDecision } from './decision.js';
export { mergeStepDecisions } from './decision.js';
export {
  TraffikError, ConfigurationError, RateLimitExceededError, BackendError, BackendConnectionError, BackendTimeoutError,
} from './errors.js';
export type { Clock } from './clock.js';
export { keyPart, scopeKey, stateSuffix } from './keys.js';
export type { Backend, ApplyRequest, BatchRequest, ReadRequest, ReadResult } from './backends/backend.js';
export { runSteps, type StepsResult } from './backends/run-steps.js';
export { InMemoryBackend, KeyIndex, type InMemoryBackendOptions } from './backends/in-memory.js';
export { casBackend, CasBackend, type CasStore, type CasEntry, type CasWritten, type CasBackendOptions } from './backends/cas/index.js';
export type { OnError, OnErrorHandler, OnErrorResult, ErrorInfo } from './on-error.js';
export * from './strategies/index.js';
export * from './metrics/index.js';
export type { AcquireOptions, Acquired } from './acquire.js';
