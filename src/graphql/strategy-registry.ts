import {
  FixedWindowStrategy, GCRAStrategy, LeakyBucketStrategy, LeakyBucketWithQueueStrategy, SlidingWindowCounterStrategy,
  SlidingWindowLogStrategy, TokenBucketStrategy, type AnyStrategy,
} from '../core/index.js';

/**
 * The strategies a directive can name with `strategy: "..."` without any
 * registration, each with its default options. A `strategies` option adds
 * names and wins over these.
 */
export function builtInStrategies(): Record<string, AnyStrategy> {
  return {
    'fixed-window': new FixedWindowStrategy(),
    'sliding-window-counter': new SlidingWindowCounterStrategy(),
    'sliding-window-log': new SlidingWindowLogStrategy(),
    'token-bucket': new TokenBucketStrategy(),
    'leaky-bucket': new LeakyBucketStrategy(),
    'leaky-bucket-with-queue': new LeakyBucketWithQueueStrategy(),
    gcra: new GCRAStrategy(),
  };
}
