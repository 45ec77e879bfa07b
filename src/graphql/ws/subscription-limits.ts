import type { ConnectionInitMessage, Context, SubscribePayload } from 'graphql-ws';
import {
  ConfigurationError, type AnyStrategy, type Backend, type DecisionListener, type Exempted, type OnError, type Rates,
} from '../../core/index.js';
import { describeValue } from '../../core/errors.js';
import { checkOptionNames, checkWholeNumber } from '../../core/options.js';
import type { OnExceed } from './throttled-stream.js';
import type { Timers } from './timers.js';
import type { SocketExtra } from './identify.js';
import type { TrustProxy } from '../../core/client-address.js';
import type { Logger } from '../../core/throttle/options.js';

/**
 * Returns the caller's identity key for a Subscribe message, or `EXEMPTED` to
 * skip every limit for it. Called once per Subscribe message, before the
 * user's `onSubscribe`. Throwing (or rejecting) makes graphql-ws close the
 * socket with 4500, as any throwing `onSubscribe` does; so does returning
 * `undefined` (allowed by the type so that `socket.remoteAddress` can be
 * returned as it is, but no identity is never a silent pass).
 */
export type IdentifySubscriber<P extends ConnectionInitMessage['payload'] = ConnectionInitMessage['payload'], E = SocketExtra> = (
  ctx: Context<P, E>,
  id: string,
  payload: SubscribePayload,
) => string | Exempted | undefined | Promise<string | Exempted | undefined>;

/**
 * The units one Subscribe message costs (a whole number >= 0). Called once
 * per Subscribe message that passes the concurrency cap; throwing closes the
 * socket (4500), as a throwing `onSubscribe` does.
 */
export type SubscribeCost<P extends ConnectionInitMessage['payload'] = ConnectionInitMessage['payload'], E = SocketExtra> = (
  ctx: Context<P, E>,
  id: string,
  payload: SubscribePayload,
) => number | Promise<number>;

/** Limits on the Subscribe messages a caller sends (every operation over graphql-ws is one). */
export interface SubscribeLimit<P extends ConnectionInitMessage['payload'] = ConnectionInitMessage['payload'], E = SocketExtra> {
  /** Subscribe messages per caller (its `identify` key), shared by all its connections on the same backend: `'10/minute'`, a `Rate`, or several (all must allow). */
  rate?: Rates;
  /** Units each Subscribe costs: a whole number (default 1) or a function of the message. */
  cost?: number | SubscribeCost<P, E>;
  /**
   * At most this many operations in flight on one connection: an operation
   * counts from its admitted Subscribe until graphql-ws reports it complete
   * (`onComplete`) or failed (`onError`). A Subscribe over the cap gets
   * `RATE_LIMITED` with `reason: 'concurrency'` and costs nothing.
   */
  maxConcurrent?: number;
  /** The strategy for `rate`. Default: the top-level `strategy`. */
  strategy?: AnyStrategy;
}

/** The limit on the events each subscription sends to its client. */
export interface MessagesLimit {
  /** Events per subscription: `'5/second'`, a `Rate`, or several (all must allow). */
  rate: Rates;
  /** What happens to an event over the rate (see `OnExceed`). Default `'drop'`. */
  onExceed?: OnExceed;
  /** The strategy for `rate`. Default: the top-level `strategy`. */
  strategy?: AnyStrategy;
  /**
   * Where the per-subscription counters live. Default: a private in-process
   * backend, since a subscription lives in one process and its counter never
   * needs sharing (a shared backend would cost a round trip per event).
   */
  backend?: Backend;
}

/**
 * Where Subscribe counters live: one backend, or a function choosing one per
 * connection from its graphql-ws `Context` (a tenant's own store). Called
 * for each Subscribe; throwing sends that operation an internal error.
 * Backends it returns are yours to cache and close.
 */
export type SubscriberBackend<P extends ConnectionInitMessage['payload'] = ConnectionInitMessage['payload'], E = SocketExtra> =
  | Backend
  | ((ctx: Context<P, E> | undefined) => Backend);

/** The second argument of `rateLimitSubscriptions`. Every value is checked when it is called. */
export interface SubscriptionLimits<P extends ConnectionInitMessage['payload'] = ConnectionInitMessage['payload'], E = SocketExtra> {
  /** Prefix of the throttles' uids (`<uid>:subscribe`, `<uid>:messages`). Default `'graphql-ws'`. */
  uid?: string;
  /**
   * Where Subscribe counters live; share one (e.g. `RedisBackend`) between
   * servers to enforce one limit, or choose one per connection (see
   * `SubscriberBackend`). Default: the shared in-process backend.
   */
  backend?: SubscriberBackend<P, E>;
  /**
   * `'enforce'` (default) or `'shadow'`: Subscribe messages and events are
   * counted and reported as usual, but nothing is ever refused, dropped or
   * ended. How to roll a new limit out safely.
   */
  mode?: 'enforce' | 'shadow';
  /**
   * Called synchronously once per decided Subscribe and event (see
   * `DecisionListener`): metrics, and a shadow rollout's would-be denials.
   * Throwing from it never fails an operation.
   */
  onDecision?: DecisionListener;
  /** Where store outages are told (default `console`, `false` for silence): see `Throttle`'s `logger`. */
  logger?: Logger | false;
  /**
   * The most time, in ms, a promise from `identify` or a `cost` function may
   * take (default 5,000); one that takes longer closes the socket (4500) as
   * a throwing `identify` does, with a message naming the function.
   */
  functionTimeoutMs?: number;
  /** The default strategy of both limits. Default: `new FixedWindowStrategy()`. */
  strategy?: AnyStrategy;
  /** What to do when the backend fails (see `OnError`). Default: the backend's, else `'throttle'`. */
  onError?: OnError;
  /** Who the caller is. Default: the client address of the socket's upgrade request (`socketAddressIdentify`). */
  identify?: IdentifySubscriber<P, E>;
  /** Which proxies' `X-Forwarded-For` the default identity believes (see `TrustProxy`). Default: none. */
  trustProxy?: TrustProxy;
  /** The default identity groups IPv6 clients by this prefix length (1 to 128, default 56). */
  ipv6Subnet?: number;
  /** Limits on Subscribe messages. */
  subscribe?: SubscribeLimit<P, E>;
  /** The limit on each subscription's events. */
  messages?: MessagesLimit;
  /** Timers for `'latest'` waits. Default: the global ones. Inject fake ones in tests. */
  timers?: Timers;
}

const LIMIT_OPTIONS = ['uid', 'backend', 'mode', 'onDecision', 'logger', 'trustProxy', 'ipv6Subnet', 'functionTimeoutMs', 'strategy', 'onError', 'identify', 'subscribe', 'messages', 'timers'] as const;
const SUBSCRIBE_OPTIONS = ['rate', 'cost', 'maxConcurrent', 'strategy'] as const;
const MESSAGES_OPTIONS = ['rate', 'onExceed', 'strategy', 'backend'] as const;
const ON_EXCEED: readonly OnExceed[] = ['drop', 'latest', 'complete'];
const OWNER = 'rateLimitSubscriptions';

/**
 * Checks `limits` and throws `ConfigurationError` naming the first wrong
 * value (unknown option, missing rate, bad `onExceed`, ...). Rates,
 * strategies and backends are checked by the `Throttle`s built from them.
 */
export function checkSubscriptionLimits(limits: unknown): void {
  if (limits === undefined || limits === null || typeof limits !== 'object') {
    throw new ConfigurationError(`${OWNER}: limits must be an object ({ subscribe, messages, ... }), got ${describeValue(limits)}`);
  }
  checkOptionNames(OWNER, limits, LIMIT_OPTIONS);
  const { uid, identify, subscribe, messages, timers, mode, functionTimeoutMs } = limits as SubscriptionLimits;
  if (mode !== undefined && mode !== 'enforce' && mode !== 'shadow') {
    throw new ConfigurationError(`${OWNER}: mode must be 'enforce' or 'shadow', got ${describeValue(mode)}`);
  }
  if (functionTimeoutMs !== undefined) checkWholeNumber(OWNER, 'functionTimeoutMs', functionTimeoutMs, 1);
  const { trustProxy, ipv6Subnet } = limits as SubscriptionLimits;
  if ((trustProxy !== undefined || ipv6Subnet !== undefined) && identify !== undefined) {
    throw new ConfigurationError(`${OWNER}: trustProxy and ipv6Subnet apply only to the default identity, not with your own identify`);
  }
  if (uid !== undefined && (typeof uid !== 'string' || uid === '')) {
    throw new ConfigurationError(`${OWNER}: uid must be a non-empty string, got ${describeValue(uid)}`);
  }
  if (identify !== undefined && typeof identify !== 'function') {
    throw new ConfigurationError(`${OWNER}: identify must be a function (ctx, id, payload) => key, got ${describeValue(identify)}`);
  }
  if (subscribe === undefined && messages === undefined) {
    throw new ConfigurationError(`${OWNER}: give at least one of subscribe or messages`);
  }
  if (subscribe !== undefined) {
    checkOptionNames(`${OWNER}: subscribe`, subscribe, SUBSCRIBE_OPTIONS);
    if (subscribe.rate === undefined && subscribe.maxConcurrent === undefined) {
      throw new ConfigurationError(`${OWNER}: subscribe needs a rate or a maxConcurrent`);
    }
    if (subscribe.maxConcurrent !== undefined) checkWholeNumber(OWNER, 'subscribe.maxConcurrent', subscribe.maxConcurrent, 1);
    const { cost } = subscribe;
    if (cost !== undefined && typeof cost !== 'function') checkWholeNumber(OWNER, 'subscribe.cost', cost, 0);
  }
  if (messages !== undefined) {
    checkOptionNames(`${OWNER}: messages`, messages, MESSAGES_OPTIONS);
    if (messages.rate === undefined) throw new ConfigurationError(`${OWNER}: messages needs a rate`);
    if (messages.onExceed !== undefined && !ON_EXCEED.includes(messages.onExceed)) {
      throw new ConfigurationError(`${OWNER}: messages.onExceed must be 'drop', 'latest' or 'complete', got ${describeValue(messages.onExceed)}`);
    }
  }
  if (timers !== undefined && (timers === null || typeof timers.setTimeout !== 'function' || typeof timers.clearTimeout !== 'function')) {
    throw new ConfigurationError(`${OWNER}: timers must have setTimeout and clearTimeout functions, got ${describeValue(timers)}`);
  }
}
