import { BackendTimeoutError, FunctionTimeoutError } from './errors.js';

/**
 * Time limits and waits, in one place for the whole package: one `sleep`,
 * one `withTimeout`, one `isPromiseLike`, and `boundUserFunction`, which the
 * throttle and the integrations use so that a user function that never
 * settles cannot hang a request.
 */

/** True for a value with a callable `then` (a promise or any thenable). */
export function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return value !== null && (typeof value === 'object' || typeof value === 'function') && typeof (value as { then?: unknown }).then === 'function';
}

/** Resolves after `ms` ms (at once for `ms <= 0`). The timer keeps the process alive, as any awaited work does. */
export function sleep(ms: number): Promise<void> {
  if (!(ms > 0)) return Promise.resolve();
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Resolves or rejects as `promise` does, unless `timeoutMs` passes first:
 * then rejects with `timeoutError()` (default: `BackendTimeoutError` naming
 * `what`, the one timeout error of every backend). The timer never keeps the
 * process alive, and a late rejection of `promise` is absorbed (never unhandled).
 */
export function withTimeout<T>(
  promise: PromiseLike<T>,
  timeoutMs: number,
  what: string,
  timeoutError: () => Error = () => new BackendTimeoutError(`${what} did not answer within ${timeoutMs} ms`),
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(timeoutError());
    }, timeoutMs);
    timer.unref?.();
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

/** The default bound of a user function (`functionTimeoutMs`): 5 s. */
export const DEFAULT_FUNCTION_TIMEOUT_MS = 5000;

/**
 * What a user function returned, bounded: a plain value is returned as it is
 * (no promise, no timer: the synchronous path stays cheap); a promise-like
 * that does not settle within `timeoutMs` rejects with `FunctionTimeoutError`
 * naming the function (`what`, e.g. `Throttle "search": cost function`).
 * Use it for cost, rate and identify functions.
 */
export function boundUserFunction<T>(what: string, result: T | PromiseLike<T>, timeoutMs: number): T | Promise<T> {
  if (!isPromiseLike(result)) return result;
  return withTimeout(result, timeoutMs, what, () => new FunctionTimeoutError(`${what} did not settle within ${timeoutMs} ms (a function that never settles would hang the request)`));
}
