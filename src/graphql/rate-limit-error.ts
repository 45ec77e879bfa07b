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
}

/** The `code` every rate-limit error carries in its extensions. */
export const RATE_LIMITED = 'RATE_LIMITED';

/** JSON has no Infinity: a wait that never ends is sent as `null`. */
function finiteOrNull(value: number): number | null {
  return Number.isFinite(value) ? value : null;
}

/**
 * The error a limited field resolves to: a `GraphQLError` whose extensions
 * carry `code: "RATE_LIMITED"` and the decision's numbers. graphql-js places
 * it at the field's path; the rest of the response still resolves.
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
  const wait = retryAfterMs === null ? 'this request exceeds the limit' : `retry after ${retryAfterMs} ms`;
  return new GraphQLError(`Rate limit exceeded for ${coordinate}: ${wait}`, { extensions: { ...extensions } });
}

/** True when `error` is a rate-limit error made by `rateLimitError`. */
export function isRateLimitError(error: unknown): error is GraphQLError & { extensions: RateLimitErrorExtensions } {
  return error instanceof GraphQLError && error.extensions?.code === RATE_LIMITED;
}
