/**
 * The `traffik/graphql` entry: the `@rateLimit` directive for any graphql-js
 * server (GraphQL Yoga, Apollo Server, graphql-http, plain `graphql()`),
 * and a plugin that reports each limited field's status in the response.
 * Needs `graphql` and `@graphql-tools/utils`.
 */
export {
  rateLimitDirective, rateLimitDirectiveTypeDefs, defaultIdentify,
  type RateLimitDirective, type RateLimitDirectiveOptions, type DirectiveBackend,
} from './directive.js';
export { addressIdentify, contextAddress, NO_CLIENT_ADDRESS, type TrustProxy, type ClientAddressOptions } from './caller-address.js';
export { limitedOperation, retryAfterHeader, type LimitedOperation, type OperationInput } from './limited-operation.js';
export type { RateLimitSettings, CostInput, FieldCostFunction } from './field-limits.js';
export type { Identify, OnLimit, LimitDetails } from './limited-resolver.js';
export { HitBatcher, afterPendingMicrotasks, type FlushScheduler } from './hit-batcher.js';
export {
  rateLimitError, isRateLimitError, limiterUnavailableError, badCostInputError, isStoreFailure,
  RATE_LIMITED, RATE_LIMITER_UNAVAILABLE, type RateLimitErrorExtensions,
} from './rate-limit-error.js';
export {
  rateLimitStatusPlugin, trackRateLimitStatus, rateLimitStatus,
  type RateLimitStatus, type FieldRateLimitStatus, type RateStatus, type RateLimitStatusPlugin, type RateLimitStatusPluginOptions,
} from './status.js';
export { builtInStrategies } from './strategy-registry.js';
export { EXEMPTED } from '../core/index.js';
export * from './cost/index.js';
