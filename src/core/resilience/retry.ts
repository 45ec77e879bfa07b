import { BackendError, ConfigurationError, TraffikError, describeValue } from '../errors.js';
import { failClosedWaitMs, type OnErrorHandler } from '../on-error.js';
import { checkOptionNames, checkWholeNumber } from '../options.js';
import { boundedApply } from '../backend-call.js';
import { sleep as realSleep } from '../time-bounds.js';
import { errorPredicate, type ErrorFilter } from './error-filter.js';

/** Options of `retry(...)`. Every value is checked when `retry` is called. */
export interface RetryOptions {
  /** How many times to call the backend again after it failed (default 3). */
  maxRetries?: number;
  /** Wait before the first retry, ms (default 100). */
  delayMs?: number;
  /** Each further retry waits this many times longer (default 2: 100, 200, 400 ms). */
  backoffMultiplier?: number;
  /**
   * Randomises each wait so that many clients do not retry in step: `true`
   * or 1 waits a random time in (0, delay]; a fraction f in [0, 1] takes up
   * to f of the delay off at random. Default `false`.
   */
  jitter?: boolean | number;
  /** Which errors to retry (default: all). Others fail closed at once. */
  retryOn?: ErrorFilter;
  /** What to do when every retry failed: `'throttle'` (default: denied, `minWaitMs` or 1000), `'allow'`, or `'raise'` (the last error reaches the caller). */
  whenExhausted?: 'allow' | 'throttle' | 'raise';
  /** Waits `ms` (default: a timer). Inject one in tests. */
  sleep?: (ms: number) => Promise<void>;
  /** A random number in [0, 1) for the jitter (default `Math.random`). */
  random?: () => number;
}

const RETRY_OPTIONS = ['maxRetries', 'delayMs', 'backoffMultiplier', 'jitter', 'retryOn', 'whenExhausted', 'sleep', 'random'];

/**
 * An `onError` handler that calls the same backend again with the same
 * request, up to `maxRetries` times, waiting `delayMs * backoffMultiplier^i`
 * (with jitter) before retry i; the first success is the decision. Each
 * retry is bounded by the backend's `timeoutMs`. When all fail (or the error
 * is not retryable) it does what `whenExhausted` says. A retried hit takes
 * the sum of the waits and the failed calls: keep the total well inside your
 * request deadline.
 */
export function retry(options: RetryOptions = {}): OnErrorHandler {
  checkOptionNames('retry', options, RETRY_OPTIONS);
  const maxRetries = checkWholeNumber('retry', 'maxRetries', options.maxRetries ?? 3, 0, 100);
  const delayMs = checkWholeNumber('retry', 'delayMs', options.delayMs ?? 100, 0);
  const multiplier = options.backoffMultiplier ?? 2;
  if (typeof multiplier !== 'number' || !Number.isFinite(multiplier) || multiplier < 1) {
    throw new ConfigurationError(`retry: backoffMultiplier must be a number >= 1, got ${describeValue(multiplier)}`);
  }
  const jitterOption = options.jitter ?? false;
  const jitter = jitterOption === true ? 1 : jitterOption === false ? 0 : jitterOption;
  if (typeof jitter !== 'number' || !(jitter >= 0 && jitter <= 1)) {
    throw new ConfigurationError(`retry: jitter must be a boolean or a fraction between 0 and 1, got ${describeValue(jitterOption)}`);
  }
  const whenExhausted = options.whenExhausted ?? 'throttle';
  if (whenExhausted !== 'allow' && whenExhausted !== 'throttle' && whenExhausted !== 'raise') {
    throw new ConfigurationError(`retry: whenExhausted must be 'allow', 'throttle' or 'raise', got ${describeValue(whenExhausted)}`);
  }
  const sleep = options.sleep ?? realSleep;
  const random = options.random ?? Math.random;
  if (typeof sleep !== 'function') throw new ConfigurationError(`retry: sleep must be a function, got ${describeValue(sleep)}`);
  if (typeof random !== 'function') throw new ConfigurationError(`retry: random must be a function, got ${describeValue(random)}`);
  const retryable = errorPredicate('retry', 'retryOn', options.retryOn);

  return async (error, info) => {
    let last = error;
    if (retryable(error)) {
      for (let i = 0; i < maxRetries; i++) {
        const base = delayMs * multiplier ** i;
        await sleep(jitter === 0 ? base : base * (1 - jitter * random()));
        try {
          return await boundedApply(info.backend, info.request);
        } catch (caught) {
          last = caught;
          if (!retryable(caught)) break;
        }
      }
    }
    if (whenExhausted === 'raise') {
      throw last instanceof TraffikError ? last : new BackendError(`Backend failed: ${(last as Error)?.message ?? String(last)}`, { cause: last });
    }
    return whenExhausted === 'allow' ? 0 : failClosedWaitMs(info);
  };
}
