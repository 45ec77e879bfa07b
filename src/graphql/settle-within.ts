import { boundUserFunction, DEFAULT_FUNCTION_TIMEOUT_MS } from '../core/time-bounds.js';

/** The default bound on a user function's promise (identify, cost): the core's (5 s). */
export { DEFAULT_FUNCTION_TIMEOUT_MS };

/**
 * Resolves or rejects as `value` does, but rejects with the core's
 * `FunctionTimeoutError` saying `what` did not settle within `ms` when it
 * takes longer: a user function that never settles must not hang the
 * request forever. The timer is cleared as soon as `value` settles.
 */
export function settleWithin<T>(value: PromiseLike<T>, ms: number, what: string): Promise<T> {
  return Promise.resolve(boundUserFunction(what, value, ms));
}
