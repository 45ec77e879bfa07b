import type { Decision } from '../../core/decision.js';
import { limitStream, type OnExceed } from '../../core/stream-limiter.js';
import type { Timers } from './timers.js';

export type { OnExceed } from '../../core/stream-limiter.js';

/** Inputs of `throttleStream`. */
export interface ThrottledStreamOptions {
  /** Records one event against the rate; called once per event about to be delivered. */
  admit: () => Promise<Decision>;
  /** What to do with an event over the rate (see `OnExceed`). */
  onExceed: OnExceed;
  /** The error that ends the stream under `'complete'`. */
  limitedError: (decision: Decision) => Error;
  /** Used to wait for `retryAfterMs` under `'latest'`. */
  timers: Timers;
  /** Called exactly once when the stream ends, however it ends (source done, error, limit, or `return()`). */
  onEnd?: () => void;
}

/**
 * Wraps a graphql-ws subscription's event stream so that at most `rate`
 * events reach the client: the core stream limiter (`limitStream`, shared
 * with tRPC subscriptions) with an `admit` that needs no event. graphql-ws
 * calls the returned generator's `return()` when the client completes or
 * disconnects; it closes the source at once.
 */
export function throttleStream<T>(source: AsyncIterable<T>, options: ThrottledStreamOptions): AsyncGenerator<T, undefined, unknown> {
  const { admit, onExceed, limitedError, timers, onEnd } = options;
  return limitStream(source, { admit: () => admit(), onExceed, limitedError, timers, ...(onEnd !== undefined ? { onEnd } : {}) });
}
