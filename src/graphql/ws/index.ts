/**
 * The `traffik/graphql-ws` entry: limits for GraphQL operations over
 * graphql-ws (Subscribe messages per caller, events per subscription).
 * Needs `graphql` and `graphql-ws` installed.
 */
export { rateLimitSubscriptions } from './rate-limit-subscriptions.js';
export type {
  SubscriptionLimits, SubscribeLimit, MessagesLimit, IdentifySubscriber, SubscribeCost, SubscriberBackend,
} from './subscription-limits.js';
export { throttleStream, type OnExceed, type ThrottledStreamOptions } from './throttled-stream.js';
export { remoteAddress, socketAddressIdentify, type SocketExtra } from './identify.js';
export type { TrustProxy, ClientAddressOptions } from '../../core/client-address.js';
export { systemTimers, type Timers } from './timers.js';
export {
  RATE_LIMITED, RATE_LIMITER_UNAVAILABLE, subscribeRateLimitedError, concurrencyLimitedError, messagesRateLimitedError,
  limiterFailedError, limiterUnavailableError,
} from './rate-limited-error.js';
export { EXEMPTED } from '../../core/index.js';
