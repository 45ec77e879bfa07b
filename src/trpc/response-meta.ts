import type { TRPCError } from '@trpc/server';
import type { Decision } from '../core/decision.js';
import { rateLimitDecision } from './error-formatter.js';
import { rateLimitHeaderFields } from './headers.js';

/**
 * The rate-limit headers (`Retry-After`, `RateLimit`, `RateLimit-Policy`) for
 * a response whose calls failed with `errors`, for an adapter's
 * `responseMeta` when the context carries no `res` / `resHeaders` for the
 * middleware to write to: `responseMeta: ({ errors }) => ({ headers: rateLimitResponseHeaders(errors) })`.
 * Returns an empty object when no call was limited.
 */
export function rateLimitResponseHeaders(errors: readonly (TRPCError | undefined)[]): Record<string, string> {
  const decisions: Decision[] = [];
  for (const error of errors) {
    const decision = error === undefined ? undefined : rateLimitDecision(error);
    if (decision !== undefined) decisions.push(decision);
  }
  return decisions.length === 0 ? {} : rateLimitHeaderFields(decisions);
}
