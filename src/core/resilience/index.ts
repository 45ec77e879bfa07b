export { CircuitBreaker, type CircuitBreakerOptions, type CircuitBreakerInfo, type CircuitState } from './circuit-breaker.js';
export { circuitBreaker, type CircuitBreakerHandlerOptions } from './circuit-breaker-handler.js';
export { fallback, type FallbackOptions } from './fallback.js';
export { retry, type RetryOptions } from './retry.js';
export { failover, type FailoverOptions } from './failover.js';
export type { ErrorFilter } from './error-filter.js';
