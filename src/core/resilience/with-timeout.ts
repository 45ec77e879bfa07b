import { BackendTimeoutError } from '../errors.js';

/**
 * Resolves or rejects as `promise` does, unless `timeoutMs` passes first:
 * then rejects with `timeoutError()` (default: `BackendTimeoutError` naming
 * `what`). The timer never keeps the process alive, and a late rejection of
 * `promise` is absorbed (never unhandled).
 */
export function withTimeout<T>(
  promise: Promise<T>,
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
