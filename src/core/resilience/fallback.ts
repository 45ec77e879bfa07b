import type { Backend } from '../backends/backend.js';
import { failClosedWaitMs, type OnErrorHandler } from '../on-error.js';
import { checkOptionNames } from '../options.js';
import { boundedApply, checkBackend } from '../backend-call.js';
import { errorPredicate, type ErrorFilter } from './error-filter.js';

/** Options of `fallback(...)`. */
export interface FallbackOptions {
  /** The backend that decides when the throttle's own backend fails (typically an `InMemoryBackend`). */
  backend: Backend;
  /** Which errors go to the fallback (default: all). Others fail closed. */
  fallbackOn?: ErrorFilter;
}

/**
 * An `onError` handler that runs the failed hit on another backend and
 * returns its decisions (same strategy, keys, rates and cost). If the error
 * does not match `fallbackOn`, or the fallback fails too, the hit fails
 * closed: denied with `retryAfterMs` = the throttle's `minWaitMs` or 1000.
 * Never rejects. Each hit pays one failed call to the primary first: use
 * `failover` to skip a primary that is known to be down.
 */
export function fallback(options: FallbackOptions): OnErrorHandler {
  checkOptionNames('fallback', options, ['backend', 'fallbackOn']);
  const backend = checkBackend('fallback', options?.backend);
  const matches = errorPredicate('fallback', 'fallbackOn', options.fallbackOn);
  return async (error, info) => {
    if (!matches(error)) return failClosedWaitMs(info);
    try {
      return await boundedApply(backend, info.request);
    } catch {
      return failClosedWaitMs(info);
    }
  };
}
