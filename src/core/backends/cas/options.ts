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
}

/** The option names `casBackend` accepts. */
export const CAS_OPTION_NAMES = ['namespace', 'clock', 'timeoutMs', 'maxRetries', 'onError'] as const;

/** `CasBackendOptions` checked, with defaults filled in. */
export interface CheckedCasOptions {
  readonly namespace: string;
  readonly clock: Clock;
  readonly timeoutMs: number;
  readonly maxRetries: number;
  readonly onError: OnError | undefined;
}

/** Checks `options` for `owner` (the name in error messages); throws `ConfigurationError` naming the wrong value. */
export function checkCasOptions(owner: string, options: CasBackendOptions): CheckedCasOptions {
  const { namespace = 'traffik', clock = systemClock, timeoutMs = 1000, maxRetries = 10, onError } = options;
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
  };
}
