import { TRPCError } from '@trpc/server';
import type { Decision } from '../core/decision.js';
import { RateLimitExceededError } from '../core/errors.js';

/**
 * The errors a limited call ends with. Three different situations, three
 * different answers, so that clients and dashboards can tell them apart:
 * - the store failed (`decision.error` set, `onError: 'throttle'` or a
 *   handler): `SERVICE_UNAVAILABLE` (503), "Rate limiter unavailable";
 * - the call costs more than the limit can ever hold (`retryAfterMs`
 *   Infinity): `TOO_MANY_REQUESTS` with a message in words and no wait;
 * - an ordinary denial: `TOO_MANY_REQUESTS` (429) with the wait.
 */

/** True when `decision` reports a failed store rather than a rate limit (the integrations' store-down contract). */
export function isStoreFailure(decision: Decision): boolean {
  return !decision.allowed && decision.error !== undefined;
}

/** True when the decision was denied in shadow mode: allowed, but a real throttle would have refused it. */
export function isShadowDenied(decision: Decision): boolean {
  return decision.shadowDenied === true;
}

/**
 * The default message of a denial, in words (never "Infinity ms"). For a
 * concurrency limit (`holdsSlots`) the wait is only an upper bound: a slot
 * frees as soon as a running call ends; `retryAfterMs` is when a slot whose
 * holder died would lapse.
 */
export function denialMessage(decision: Decision, holdsSlots = false): string {
  if (holdsSlots && Number.isFinite(decision.retryAfterMs)) {
    return `Concurrency limit reached for "${decision.uid}": all ${decision.limit} slots are in use; `
      + `one frees as soon as a running call ends (at the latest in ${Math.ceil(decision.retryAfterMs / 1000)} s)`;
  }
  if (!Number.isFinite(decision.retryAfterMs)) {
    return `Rate limit exceeded for "${decision.uid}": this call costs ${decision.cost} units, `
      + `more than the limit of ${decision.limit} allows at once, so it can never be admitted`;
  }
  return `Rate limit exceeded for "${decision.uid}": retry after ${Math.ceil(decision.retryAfterMs / 1000)} s`;
}

/** The `TRPCError` of a denied call; `message` is the user's `message` option. */
export function denialError(decision: Decision, message: string | ((decision: Decision) => string) | undefined, holdsSlots = false): TRPCError {
  if (isStoreFailure(decision)) {
    return new TRPCError({
      code: 'SERVICE_UNAVAILABLE',
      message: 'Rate limiter unavailable: its store could not be reached; try again later',
      cause: decision.error instanceof Error ? decision.error : undefined,
    });
  }
  const text = typeof message === 'function' ? message(decision) : message ?? denialMessage(decision, holdsSlots);
  const cause = new RateLimitExceededError(decision, text);
  return new TRPCError({ code: 'TOO_MANY_REQUESTS', message: cause.message, cause });
}

/** The error of a call whose input made its cost invalid: the client's fault, told without internal detail. */
export function invalidCostError(): TRPCError {
  return new TRPCError({ code: 'BAD_REQUEST', message: 'Invalid request: its rate-limit cost is not a whole number >= 0' });
}

/**
 * Checks the result of a cost function. A number that is not a whole number
 * >= 0 (negative, fractional, NaN, Infinity: what client input can produce)
 * is a `BAD_REQUEST`; anything but a number is a server bug, an
 * `INTERNAL_SERVER_ERROR` naming the value.
 */
export function checkComputedCost(value: unknown, owner: string): number {
  if (typeof value !== 'number') {
    throw new TRPCError({ code: 'INTERNAL_SERVER_ERROR', message: `${owner} must return a number, got ${typeof value}` });
  }
  if (!Number.isSafeInteger(value) || value < 0) throw invalidCostError();
  return value;
}
