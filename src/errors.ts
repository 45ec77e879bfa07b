/**
 * The `traffik/errors` entry: `onError` handlers for production (fallback,
 * retry, circuit breaker, failover) and the error classes. Needs no optional
 * dependency.
 */
export * from './core/resilience/index.js';
export * from './core/errors-entry.js';
export { DEFAULT_ERROR_WAIT_MS, failClosedWaitMs } from './core/on-error.js';
export type { OnError, OnErrorHandler, OnErrorResult, ErrorInfo } from './core/on-error.js';
