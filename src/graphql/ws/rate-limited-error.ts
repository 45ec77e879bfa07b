import { GraphQLError } from 'graphql';
import type { Decision } from '../../core/index.js';

/** The `extensions.code` of every error the subscription throttle sends. */
export const RATE_LIMITED = 'RATE_LIMITED';

/**
 * The error sent for a Subscribe message over its rate, in the `Error`
 * message for that operation id: `extensions: { code: 'RATE_LIMITED',
 * retryAfterMs, limit, remaining }`. The socket stays open.
 */
export function subscribeRateLimitedError(decision: Decision): GraphQLError {
  if (!Number.isFinite(decision.retryAfterMs)) {
    // JSON has no Infinity: a Subscribe that can never pass says so, with retryAfterMs null.
    return new GraphQLError(
      `This operation costs ${decision.cost} units, more than the limit of ${decision.limit}, so it can never start; ask for less`,
      { extensions: { code: RATE_LIMITED, retryAfterMs: null, exceedsLimit: true, cost: decision.cost, limit: decision.limit, remaining: decision.remaining } },
    );
  }
  return new GraphQLError(`Too many operations started: retry after ${decision.retryAfterMs} ms`, {
    extensions: {
      code: RATE_LIMITED,
      retryAfterMs: decision.retryAfterMs,
      limit: decision.limit,
      remaining: decision.remaining,
    },
  });
}

/** The `extensions.code` of an operation refused because the limiter's store failed (not the caller's limit). */
export const RATE_LIMITER_UNAVAILABLE = 'RATE_LIMITER_UNAVAILABLE';

/**
 * The error sent for an operation when the limiter's store failed and
 * `onError` answered "deny" (`'throttle'`, the default): `extensions: {
 * code: 'RATE_LIMITER_UNAVAILABLE', retryAfterMs }`. Never `RATE_LIMITED`:
 * the caller did nothing wrong. Nothing of the store's error is sent.
 */
export function limiterUnavailableError(decision: Decision): GraphQLError {
  return new GraphQLError('Rate limiter unavailable: try again later', {
    extensions: { code: RATE_LIMITER_UNAVAILABLE, retryAfterMs: Number.isFinite(decision.retryAfterMs) ? decision.retryAfterMs : null },
  });
}

/**
 * The error sent when a connection already has `maxConcurrent` operations in
 * flight: `extensions: { code: 'RATE_LIMITED', reason: 'concurrency',
 * maxConcurrent }`. There is no `retryAfterMs`: the client may subscribe again
 * once one of its operations completes.
 */
export function concurrencyLimitedError(maxConcurrent: number): GraphQLError {
  return new GraphQLError(`Too many operations in flight on this connection (at most ${maxConcurrent})`, {
    extensions: { code: RATE_LIMITED, reason: 'concurrency', maxConcurrent },
  });
}

/**
 * The error that ends a subscription whose events exceed their rate under
 * `onExceed: 'complete'`: `extensions: { code: 'RATE_LIMITED', reason:
 * 'messages', retryAfterMs }`. graphql-ws sends it as the operation's `Error`
 * message.
 */
export function messagesRateLimitedError(decision: Decision): GraphQLError {
  const retryAfterMs = Number.isFinite(decision.retryAfterMs) ? decision.retryAfterMs : null;
  const wait = retryAfterMs === null ? 'an event costs more than the limit' : `retry after ${retryAfterMs} ms`;
  return new GraphQLError(`Subscription ended: events exceeded their rate (${wait})`, {
    extensions: { code: RATE_LIMITED, reason: 'messages', retryAfterMs, limit: decision.limit },
  });
}

/**
 * The error sent for an operation when the limiter itself failed and its
 * `onError` policy raised: `extensions: { code: 'INTERNAL_SERVER_ERROR' }`.
 * The underlying error is kept as `originalError` (never sent to the client).
 */
export function limiterFailedError(error: unknown): GraphQLError {
  return new GraphQLError('Rate limiter failed', {
    extensions: { code: 'INTERNAL_SERVER_ERROR' },
    originalError: error instanceof Error ? error : new Error(String(error)),
  });
}
