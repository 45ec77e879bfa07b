import { GraphQLError } from 'graphql';
import type { Decision } from '../../core/index.js';

/** The `code` of an operation refused because it costs more than `maxCost` (nothing is charged). */
export const MAX_COST_EXCEEDED = 'MAX_COST_EXCEEDED';
/** The `code` of an operation refused because the caller's budget lacks room (nothing runs). */
export const THROTTLED = 'THROTTLED';
/** The `code` of an operation refused because the budget's store failed (onError `'throttle'`): not a rate limit. */
export const RATE_LIMITER_UNAVAILABLE = 'RATE_LIMITER_UNAVAILABLE';

/** The caller's budget, as Shopify's `throttleStatus` reports it. */
export interface ThrottleStatus {
  /** The most units the budget holds (the bucket's capacity). */
  maximumAvailable: number;
  /** Units available now, after this operation's charge and refund. */
  currentlyAvailable: number;
  /** Units restored per second. */
  restoreRate: number;
}

/** `extensions.cost` of a response. */
export interface CostExtension {
  /** The cost computed before execution (what was charged). */
  requestedQueryCost: number;
  /** The cost of what ran (the refund gave back the rest); `null` when the operation did not run. */
  actualQueryCost: number | null;
  /** The caller's budget afterwards; absent for exempt callers and when the store failed. */
  throttleStatus?: ThrottleStatus;
  /** With the breakdown header: each field coordinate's requested and actual share. */
  fields?: Record<string, { requested: number; actual: number | null }>;
}

/** A refusal: the error, and the HTTP status and headers a server should answer it with. */
export interface Refusal {
  readonly error: GraphQLError;
  /** 400 (too costly or not analysable), 429 (throttled) or 503 (store down). */
  readonly status: number;
  /** `Retry-After`, `RateLimit`, `RateLimit-Policy` (lower-case names) for a throttled operation. */
  readonly headers: Record<string, string>;
  /** `extensions.cost` of the refused response. */
  readonly cost: CostExtension | undefined;
}

/** The error of an operation costing more than `maxCost`: `extensions: { code: "MAX_COST_EXCEEDED", cost, maxCost }`. */
export function maxCostExceededError(cost: number, maxCost: number): GraphQLError {
  return new GraphQLError(`Operation cost ${cost} exceeds the maximum of ${maxCost}`, { extensions: { code: MAX_COST_EXCEEDED, cost, maxCost } });
}

/**
 * The error of an operation its caller's budget cannot pay for now:
 * `extensions: { code: "THROTTLED", retryAfterMs, cost }` (`retryAfterMs`
 * is `null` when the cost exceeds the whole budget: it never passes).
 */
export function throttledError(decision: Decision, cost: number): GraphQLError {
  const retryAfterMs = Number.isFinite(decision.retryAfterMs) ? decision.retryAfterMs : null;
  const wait = retryAfterMs === null ? 'it costs more than the whole budget' : `retry after ${retryAfterMs} ms`;
  return new GraphQLError(`Throttled: operation cost ${cost} exceeds the ${decision.remaining} units available; ${wait}`, {
    extensions: { code: THROTTLED, retryAfterMs, cost, remaining: decision.remaining, limit: decision.limit },
  });
}

/** The error of an operation refused because the budget's store failed: `extensions.code = "RATE_LIMITER_UNAVAILABLE"`. */
export function limiterUnavailableError(decision: Decision): GraphQLError {
  const retryAfterMs = Number.isFinite(decision.retryAfterMs) ? decision.retryAfterMs : null;
  return new GraphQLError('Rate limiter unavailable: the operation budget could not be checked', {
    extensions: { code: RATE_LIMITER_UNAVAILABLE, retryAfterMs },
  });
}
