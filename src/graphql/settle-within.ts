import { TraffikError } from '../core/index.js';

/** The default bound on a user function's promise (identify, cost): 10 s. */
export const DEFAULT_FUNCTION_TIMEOUT_MS = 10_000;

/**
 * Resolves or rejects as `value` does, but rejects with a `TraffikError`
 * saying `what` did not settle within `ms` when it takes longer: a user
 * function that never settles must not hang the request forever. The timer
 * is cleared as soon as `value` settles.
 */
export function settleWithin<T>(value: PromiseLike<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new TraffikError(`${what} did not settle within ${ms} ms (functionTimeoutMs)`));
    }, ms);
    value.then(
      (result) => {
        clearTimeout(timer);
        resolve(result);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
