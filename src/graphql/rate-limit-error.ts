import { GraphQLError } from 'graphql';
import type { Decision } from '../core/index.js';

/** The `extensions` of a field's rate-limit error. Times are whole milliseconds. */
export interface RateLimitErrorExtensions {
  /** Always `"RATE_LIMITED"`. */
  code: 'RATE_LIMITED';
  /** Shortest wait after which the same request can pass; `null` when it never can (its cost exceeds the limit). */
  retryAfterMs: number | null;
  /** The most units the caller can hold at once. */
  limit: number;
  /** Units still available now. */
  remaining: number;
  /** Time until the caller's budget is full again. */
  resetAfterMs: number;
  /** The field coordinate that was limited, e.g. `"Query.search"`. */
  coordinate: string;
  /** Present (true) only when the request can never pass: its `cost` is larger than `limit`. */
  exceedsLimit?: true;
  /** The units this resolution asked for (given with `exceedsLimit`). */
  cost?: number;
}

/** The `code` every rate-limit error carries in its extensions. */
export const RATE_LIMITED = 'RATE_LIMITED';

/** The `code` of a field whose limiter's store failed (`onError: 'throttle'`): not the caller's limit. */
export const RATE_LIMITER_UNAVAILABLE = 'RATE_LIMITER_UNAVAILABLE';

/** JSON has no Infinity: a wait that never ends is sent as `null`. */
function finiteOrNull(value: number): number | null {
  return Number.isFinite(value) ? value : null;
}

/**
 * The error a limited field resolves to: a `GraphQLError` whose extensions
 * carry `code: "RATE_LIMITED"` and the decision's numbers. graphql-js places
 * it at the field's path; the rest of the response still resolves. A cost
 * that can never fit says so in words and with `exceedsLimit: true`
 * (`retryAfterMs: null`), never as an infinite wait.
 */
export function rateLimitError(decision: Decision, coordinate: string): GraphQLError {
  const retryAfterMs = finiteOrNull(decision.retryAfterMs);
  const extensions: RateLimitErrorExtensions = {
    code: RATE_LIMITED,
    retryAfterMs,
    limit: decision.limit,
    remaining: decision.remaining,
    resetAfterMs: decision.resetAfterMs,
    coordinate,
  };
  if (retryAfterMs === null) {
    extensions.exceedsLimit = true;
    extensions.cost = decision.cost;
    return new GraphQLError(
      `Rate limit exceeded for ${coordinate}: this request costs ${decision.cost} units, more than the limit of ${decision.limit}, so it can never pass; ask for less`,
      { extensions: { ...extensions } },
    );
  }
  return new GraphQLError(`Rate limit exceeded for ${coordinate}: retry after ${retryAfterMs} ms`, { extensions: { ...extensions } });
}

/** True when `error` is a rate-limit error made by `rateLimitError`. */
export function isRateLimitError(error: unknown): error is GraphQLError & { extensions: RateLimitErrorExtensions } {
  return error instanceof GraphQLError && error.extensions?.code === RATE_LIMITED;
}

/**
 * The error of a field whose limiter could not decide because its store
 * failed and `onError` answered "deny" (`'throttle'`): `extensions: { code:
 * "RATE_LIMITER_UNAVAILABLE", retryAfterMs, coordinate }`. The store's own
 * message stays on the server (`originalError` is not set, so nothing
 * internal is sent).
 */
export function limiterUnavailableError(decision: Decision, coordinate: string): GraphQLError {
  const retryAfterMs = finiteOrNull(decision.retryAfterMs);
  return new GraphQLError(`Rate limiter unavailable for ${coordinate}: try again later`, {
    extensions: { code: RATE_LIMITER_UNAVAILABLE, retryAfterMs, coordinate },
  });
}

/** True when a denied decision is a failed store (the store-down contract), not the caller's limit. */
export function isStoreFailure(decision: Decision): boolean {
  return !decision.allowed && decision.error !== undefined;
}

/**
 * The error of a field whose cost, computed from the client's arguments,
 * is not a whole number >= 0 (a negative or fractional page size, or one
 * too large to count): `extensions: { code: "BAD_USER_INPUT", coordinate }`.
 * The client's mistake, so it carries no internal text.
 */
export function badCostInputError(coordinate: string, cost: number): GraphQLError {
  const why = Number.isFinite(cost) && Math.abs(cost) <= Number.MAX_SAFE_INTEGER ? (cost < 0 ? 'negative' : 'not a whole number') : 'too large';
  return new GraphQLError(`Invalid arguments for ${coordinate}: the cost they give is ${why}`, {
    extensions: { code: 'BAD_USER_INPUT', coordinate },
  });
}
