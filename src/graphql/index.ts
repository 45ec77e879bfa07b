/**
 * The `traffik/graphql` entry: the `@rateLimit` directive for any graphql-js
 * server (GraphQL Yoga, Apollo Server, graphql-http, plain `graphql()`),
 * and a plugin that reports each limited field's status in the response.
 * Needs `graphql` and `@graphql-tools/utils`.
 */
export {
  rateLimitDirective, rateLimitDirectiveTypeDefs, defaultIdentify,
  type RateLimitDirective, type RateLimitDirectiveOptions,
} from './directive.js';
export type { RateLimitSettings, CostInput, FieldCostFunction } from './field-limits.js';
export type { Identify, OnLimit, LimitDetails } from './limited-resolver.js';
export { HitBatcher, afterPendingMicrotasks, type FlushScheduler } from './hit-batcher.js';
export { rateLimitError, isRateLimitError, RATE_LIMITED, type RateLimitErrorExtensions } from './rate-limit-error.js';
export {
  rateLimitStatusPlugin, trackRateLimitStatus, rateLimitStatus,
  type RateLimitStatus, type FieldRateLimitStatus, type RateLimitStatusPlugin, type RateLimitStatusPluginOptions,
} from './status.js';
export { builtInStrategies } from './strategy-registry.js';
export { EXEMPTED } from '../core/index.js';
export * from './cost/index.js';
