/**
 * The `traffik/trpc` entry: rate limits for tRPC v11 procedures, with
 * `TOO_MANY_REQUESTS` errors, `data.rateLimit` on the client, HTTP
 * rate-limit headers and per-event limits for subscriptions.
 */
export { rateLimit, type WithOverrides, type InputSeen } from './rate-limit.js';
export type { RateLimitOptions, RateLimitMeta, MessageLimitOptions, CallInfo, CallOutcome, RefundOn, Settle } from './options.js';
export { rateLimitErrorFormatter, rateLimitErrorData, rateLimitDecision, type RateLimitErrorData } from './error-formatter.js';
export { rateLimitResponseHeaders } from './response-meta.js';
export { rateLimitHeaderFields } from './headers.js';
export { clientAddress, type TrustProxy } from './client-address.js';
export { byUserOrAddress } from './identify.js';
export type { ClientAddressOptions } from '../core/client-address.js';
export { canonicalAddress, addressIdentity } from '../core/client-address.js';
export type { HeaderTarget, NodeResponseLike, HeadersLike } from './response-target.js';
export { EXEMPTED } from '../core/exempted.js';
