import type { Backend } from '../backends/backend.js';
import { ConfigurationError, describeValue } from '../errors.js';
import { failClosedWaitMs, type OnErrorHandler } from '../on-error.js';
import { checkOptionNames, checkWholeNumber } from '../options.js';
import { boundedApply, checkBackend } from '../backend-call.js';
import { sleep as realSleep } from '../time-bounds.js';
import { CircuitBreaker } from './circuit-breaker.js';

/** Options of `failover(...)`. */
export interface FailoverOptions {
  /** The backend that decides while the primary is down (typically an `InMemoryBackend`). */
  backend: Backend;
  /** The breaker watching the primary (default: a new `CircuitBreaker()` with its defaults). */
  breaker?: CircuitBreaker;
  /** Calls of the primary after a failure, while the breaker stays closed (default 2). */
  maxRetries?: number;
  /** Wait before each retry of the primary, ms (default 0). */
  retryDelayMs?: number;
  /** Waits `ms` (default: a timer). Inject one in tests. */
  sleep?: (ms: number) => Promise<void>;
}

/**
 * The production `onError` handler: circuit breaker + retry + fallback.
 * - Breaker open: the hit goes to the fallback backend at once; the primary
 *   is not called (the throttle asks the handler's `preempt` hook first).
 * - Breaker closed, primary failed: the failure is counted, the primary is
 *   called again up to `maxRetries` times while the breaker stays closed,
 *   then the hit goes to the fallback.
 * - Half-open: trial hits go to the primary; `successThreshold` successes
 *   close the breaker, a failure opens it again.
 * If the fallback fails too, the hit fails closed (denied, `minWaitMs` or
 * 1000 ms). Never rejects. The decision of a hit the primary did not decide
 * carries the failure (or the breaker's `CircuitOpenError`) as `error`.
 */
export function failover(options: FailoverOptions): OnErrorHandler {
  checkOptionNames('failover', options, ['backend', 'breaker', 'maxRetries', 'retryDelayMs', 'sleep']);
  const fallbackBackend = checkBackend('failover', options?.backend);
  const breaker = options.breaker ?? new CircuitBreaker();
  if (!(breaker instanceof CircuitBreaker)) {
    throw new ConfigurationError(`failover: breaker must be a CircuitBreaker, got ${describeValue(breaker)}`);
  }
  const maxRetries = checkWholeNumber('failover', 'maxRetries', options.maxRetries ?? 2, 0, 100);
  const retryDelayMs = checkWholeNumber('failover', 'retryDelayMs', options.retryDelayMs ?? 0, 0);
  const sleep = options.sleep ?? realSleep;
  if (typeof sleep !== 'function') throw new ConfigurationError(`failover: sleep must be a function, got ${describeValue(sleep)}`);

  const handler: OnErrorHandler = async (error, info) => {
    if (error !== breaker.openError) {
      breaker.recordFailure();
      for (let i = 0; i < maxRetries; i++) {
        if (retryDelayMs > 0) await sleep(retryDelayMs);
        if (!breaker.allowRequest()) break;
        try {
          const decisions = await boundedApply(info.backend, info.request);
          breaker.recordSuccess();
          return decisions;
        } catch {
          breaker.recordFailure();
        }
      }
    }
    try {
      return await boundedApply(fallbackBackend, info.request);
    } catch {
      return failClosedWaitMs(info);
    }
  };
  handler.preempt = () => (breaker.allowRequest() ? undefined : breaker.openError);
  handler.succeeded = () => breaker.recordSuccess();
  return handler;
}
