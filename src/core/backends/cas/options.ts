/** The options of `casBackend` (shared by `MemcachedBackend`) and their checks. */
import { systemClock, type Clock } from '../../clock.js';
import { ConfigurationError, describeValue } from '../../errors.js';
import type { OnError } from '../../on-error.js';
import { checkWholeNumber } from '../../options.js';
import { checkNamespace } from './item-key.js';

/** Options of `casBackend`. Every one is checked at construction (`ConfigurationError` naming the value). */
export interface CasBackendOptions {
  /** Key prefix; two namespaces never share state. Printable ASCII, no spaces, at most 100 characters. Default `"traffik"`. */
  namespace?: string;
  /** Time source in ms (floored). Default: the process clock, `Date.now`. Inject one in tests. */
  clock?: Clock;
  /**
   * Longest wait for one store call, in ms (default 1000). A call still
   * pending then fails the hit with `BackendError` (its late result is ignored).
   */
  timeoutMs?: number;
  /**
   * How many times a hit is recomputed when another process changed its
   * item between our read and our write (default 10). When exhausted the hit
   * fails with `BackendError`, for `onError`: never a silent allow.
   */
  maxRetries?: number;
  /** Error policy for throttles that set none (see `OnError`). */
  onError?: OnError;
  /**
   * Answer hits that are certain to be denied from memory, without a store
   * call (default true): a hit denied with `retryAfterMs = r` is answered
   * locally, for the same keys, args and cost, for the next `r` ms, for
   * strategies that declare `denialsHoldUntilRetry` (SEMANTICS.md,
   * "Remembering denials"). This process's own reset, charge and refund
   * clear it; another process's reset or refund is seen only once `r` has passed.
   */
  rememberDenials?: boolean;
}

/** The option names `casBackend` accepts. */
export const CAS_OPTION_NAMES = ['namespace', 'clock', 'timeoutMs', 'maxRetries', 'onError', 'rememberDenials'] as const;

/** `CasBackendOptions` checked, with defaults filled in. */
export interface CheckedCasOptions {
  readonly namespace: string;
  readonly clock: Clock;
  readonly timeoutMs: number;
  readonly maxRetries: number;
  readonly onError: OnError | undefined;
  readonly rememberDenials: boolean;
  /** True when `clock` was given (then the denial cache measures with it, not the monotonic clock). */
  readonly clockGiven: boolean;
}

/** Checks `options` for `owner` (the name in error messages); throws `ConfigurationError` naming the wrong value. */
export function checkCasOptions(owner: string, options: CasBackendOptions): CheckedCasOptions {
  const { namespace = 'traffik', clock = systemClock, timeoutMs = 1000, maxRetries = 10, onError, rememberDenials = true } = options;
  if (typeof rememberDenials !== 'boolean') {
    throw new ConfigurationError(`${owner}: rememberDenials must be true or false, got ${describeValue(rememberDenials)}`);
  }
  if (typeof clock !== 'function') {
    throw new ConfigurationError(`${owner}: clock must be a function returning ms, got ${describeValue(clock)}`);
  }
  if (onError !== undefined && typeof onError !== 'function' && onError !== 'allow' && onError !== 'throttle' && onError !== 'raise') {
    throw new ConfigurationError(`${owner}: onError must be 'allow', 'throttle', 'raise' or a function, got ${describeValue(onError)}`);
  }
  return {
    namespace: checkNamespace(owner, namespace),
    clock,
    timeoutMs: checkWholeNumber(owner, 'timeoutMs', timeoutMs, 1, 600_000),
    maxRetries: checkWholeNumber(owner, 'maxRetries', maxRetries, 0, 1000),
    onError,
    rememberDenials,
    clockGiven: 'clockGiven' in options ? (options as CheckedCasOptions).clockGiven : clock !== systemClock,
  };
}
