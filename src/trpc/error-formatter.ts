import type { TRPCDefaultErrorShape, TRPCError } from '@trpc/server';
import { RateLimitExceededError } from '../core/errors.js';
import type { Decision } from '../core/decision.js';

/** What a limited call's error carries in `data.rateLimit` on the client. */
export interface RateLimitErrorData {
  /** Milliseconds until the same call would be allowed; `null` when it never can be (cost above capacity). */
  retryAfterMs: number | null;
  /** The most units the caller can hold at once. */
  limit: number;
  /** Units left now (0 for a limited call unless its cost was larger than what is left). */
  remaining: number;
  /** Milliseconds until the caller's state is fresh again. */
  resetAfterMs: number;
  /** Present (true) when the call costs more than the limit can ever hold: retrying never helps. */
  exceedsLimit?: true;
}

/** The decision of a `RateLimitExceededError` cause, if `error` is a rate-limit rejection. */
export function rateLimitDecision(error: TRPCError | Error | undefined): Decision | undefined {
  const cause = error?.cause;
  if (cause instanceof RateLimitExceededError) return cause.decision;
  // Another copy of traffik (ESM and CommonJS both loaded) fails instanceof.
  if (cause instanceof Error && cause.name === 'RateLimitExceededError' && typeof (cause as RateLimitExceededError).decision === 'object') {
    return (cause as RateLimitExceededError).decision;
  }
  return undefined;
}

/** The `data.rateLimit` object for a decision. */
export function rateLimitErrorData(decision: Decision): RateLimitErrorData {
  return {
    retryAfterMs: Number.isFinite(decision.retryAfterMs) ? decision.retryAfterMs : null,
    limit: decision.limit,
    remaining: decision.remaining,
    resetAfterMs: decision.resetAfterMs,
    ...(Number.isFinite(decision.retryAfterMs) ? {} : { exceedsLimit: true as const }),
  };
}

/**
 * An error formatter that adds `data.rateLimit` (`RateLimitErrorData`) to the
 * errors of limited calls and returns every other shape unchanged. Use it as
 * `initTRPC.create({ errorFormatter: rateLimitErrorFormatter })`, or call it
 * from your own formatter with the same options. It reaches every transport
 * (HTTP, batches, SSE and WebSocket), since tRPC formats errors the same way.
 */
export function rateLimitErrorFormatter<TShape extends TRPCDefaultErrorShape>(opts: {
  shape: TShape;
  error: TRPCError;
}): TShape & { data: TShape['data'] & { rateLimit?: RateLimitErrorData } } {
  const decision = rateLimitDecision(opts.error);
  if (decision === undefined) return opts.shape;
  return { ...opts.shape, data: { ...opts.shape.data, rateLimit: rateLimitErrorData(decision) } };
}
