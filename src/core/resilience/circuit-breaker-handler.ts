import { ConfigurationError, describeValue } from '../errors.js';
import { failClosedWaitMs, type OnErrorHandler } from '../on-error.js';
import { checkOptionNames, checkWholeNumber } from '../options.js';
import { CircuitBreaker } from './circuit-breaker.js';

/** Options of `circuitBreaker(...)`. */
export interface CircuitBreakerHandlerOptions {
  /** The breaker that watches the throttle's backend (share it between throttles of one backend). */
  breaker: CircuitBreaker;
  /** The wait of a hit the backend did not decide, ms: 0 fails open (allows). Default: the throttle's `minWaitMs`, or 1000. */
  waitMs?: number;
}

/**
 * An `onError` handler with a circuit breaker and no second backend. Every
 * backend failure counts toward opening the breaker; while it is open the
 * backend is not called at all (the throttle consults the handler's
 * `preempt` hook first), so a dead store costs no latency. Hits the backend
 * did not decide are denied with `retryAfterMs = waitMs` (or allowed when
 * `waitMs` is 0). Half-open: trial hits go to the backend; enough successes
 * close the breaker. Never rejects.
 */
export function circuitBreaker(options: CircuitBreakerHandlerOptions): OnErrorHandler {
  checkOptionNames('circuitBreaker', options, ['breaker', 'waitMs']);
  const breaker = options?.breaker;
  if (!(breaker instanceof CircuitBreaker)) {
    throw new ConfigurationError(`circuitBreaker: breaker must be a CircuitBreaker, got ${describeValue(breaker)}`);
  }
  const waitMs = options.waitMs === undefined ? undefined : checkWholeNumber('circuitBreaker', 'waitMs', options.waitMs, 0);
  const handler: OnErrorHandler = (error, info) => {
    if (error !== breaker.openError) breaker.recordFailure();
    return waitMs ?? failClosedWaitMs(info);
  };
  handler.preempt = () => (breaker.allowRequest() ? undefined : breaker.openError);
  handler.succeeded = () => breaker.recordSuccess();
  return handler;
}
