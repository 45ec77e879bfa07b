import type { GraphQLError } from 'graphql';
import { areGraphQLErrors, type ConnectionInitMessage, type Context, type ServerOptions, type SubscribePayload } from 'graphql-ws';
import { EXEMPTED, InMemoryBackend, Throttle } from '../../core/index.js';
import { BackendError, ConfigurationError, TraffikError, describeValue } from '../../core/errors.js';
import { remoteAddress, socketAddressIdentify, type SocketExtra } from './identify.js';
import { DEFAULT_FUNCTION_TIMEOUT_MS, settleWithin } from '../settle-within.js';
import {
  concurrencyLimitedError, limiterFailedError, limiterUnavailableError, messagesRateLimitedError, subscribeRateLimitedError,
} from './rate-limited-error.js';
import { checkSubscriptionLimits, type SubscriptionLimits } from './subscription-limits.js';
import { throttleStream } from './throttled-stream.js';
import { systemTimers } from './timers.js';
import { isPromiseLike } from '../../core/time-bounds.js';

/** What the throttle remembers about one open connection; dropped in `onClose`. */
interface ConnectionState {
  /** Distinguishes this connection's subscriptions from another's with the same operation ids. */
  readonly serial: number;
  /** Operation ids whose caller was `EXEMPTED`, until their operation starts or fails. */
  readonly exempt: Set<string>;
  /** Operation ids admitted under `maxConcurrent`, until they complete or fail. */
  readonly running: Set<string>;
}

let nextSerial = 0;

/**
 * Returns graphql-ws server options (for `useServer` from `graphql-ws/use/ws`,
 * or any other adapter's `makeServer`) that limit GraphQL operations over the
 * socket, composed with `serverOptions`: every hook the user passed still runs,
 * in graphql-ws's usual order.
 *
 * - `subscribe`: a Subscribe message over its rate (or over `maxConcurrent`
 *   operations in flight on its connection) gets an `Error` message for its
 *   operation id with `extensions.code = 'RATE_LIMITED'` (and `retryAfterMs`
 *   for the rate); the socket stays open and later Subscribes work. The check
 *   runs before the user's `onSubscribe`, which is not called for a limited
 *   Subscribe; the user's `onError` sees the error like any other.
 * - `messages`: each subscription's event stream is wrapped after the user's
 *   `onOperation` (which sees the original result) so that at most `rate`
 *   events reach the client; excess events are dropped, coalesced to the
 *   newest (`'latest'`) or end the subscription with `RATE_LIMITED`
 *   (`'complete'`). The source's `return()` runs when the client completes or
 *   disconnects. Queries and mutations are not affected.
 * - `identify(ctx, id, payload)` names the caller (default: the socket's
 *   remote address); `EXEMPTED` skips every limit for that operation.
 *
 * A backend failure goes to `onError` (default: deny with a wait). When the
 * policy raises, the operation gets an `INTERNAL_SERVER_ERROR` error message
 * (a running subscription ends with it) and the socket stays open. Throws
 * `ConfigurationError` at once for a bad option, and when graphql-ws sees a
 * different copy of `graphql` than this module (its errors would be refused).
 */
export function rateLimitSubscriptions<P extends ConnectionInitMessage['payload'] = ConnectionInitMessage['payload'], E = SocketExtra>(
  serverOptions: ServerOptions<P, E>,
  limits: SubscriptionLimits<P, E>,
): ServerOptions<P, E> {
  if (serverOptions === null || typeof serverOptions !== 'object') {
    throw new ConfigurationError(`rateLimitSubscriptions: serverOptions must be graphql-ws server options, got ${describeValue(serverOptions)}`);
  }
  checkSubscriptionLimits(limits);
  if (!areGraphQLErrors([concurrencyLimitedError(1)])) {
    throw new ConfigurationError(
      "rateLimitSubscriptions: graphql-ws and traffik/graphql-ws loaded two different copies of 'graphql' (their GraphQLError classes differ), so graphql-ws would reject the RATE_LIMITED errors; make 'graphql' resolve to one copy",
    );
  }
  const { uid = 'graphql-ws', backend, strategy, onError, subscribe, messages, timers = systemTimers, mode } = limits;
  const functionTimeoutMs = limits.functionTimeoutMs ?? DEFAULT_FUNCTION_TIMEOUT_MS;
  // Without Subscribe limits, identify only matters for EXEMPTED: the default is not needed then.
  const { trustProxy, ipv6Subnet } = limits;
  const addressOptions = { ...(trustProxy !== undefined ? { trustProxy } : {}), ...(ipv6Subnet !== undefined ? { ipv6Subnet } : {}) };
  const identify = limits.identify ?? (subscribe === undefined
    ? undefined
    : trustProxy === undefined && ipv6Subnet === undefined ? remoteAddress : socketAddressIdentify(addressOptions));

  const subscribeThrottle = subscribe?.rate === undefined ? undefined : new Throttle<Context<P, E>>({
    uid: `${uid}:subscribe`,
    rate: subscribe.rate,
    ...(subscribe.strategy ?? strategy ? { strategy: subscribe.strategy ?? strategy } : {}),
    ...(onError ? { onError } : {}),
    ...(backend !== undefined ? { backend } : {}),
    ...(mode !== undefined ? { mode } : {}),
    ...(limits.onDecision !== undefined ? { onDecision: limits.onDecision } : {}),
    ...(limits.logger !== undefined ? { logger: limits.logger } : {}),
  });
  const subscribeCost = subscribe?.cost ?? 1;
  const maxConcurrent = subscribe?.maxConcurrent;
  const messagesThrottle = messages === undefined ? undefined : new Throttle({
    uid: `${uid}:messages`,
    rate: messages.rate,
    ...(messages.strategy ?? strategy ? { strategy: messages.strategy ?? strategy } : {}),
    ...(onError ? { onError } : {}),
    backend: messages.backend ?? new InMemoryBackend({ namespace: `${uid}:messages` }),
    ...(mode !== undefined ? { mode } : {}),
    ...(limits.onDecision !== undefined ? { onDecision: limits.onDecision } : {}),
    ...(limits.logger !== undefined ? { logger: limits.logger } : {}),
  });
  const onExceed = messages?.onExceed ?? 'drop';
  // Keeps subscription keys apart if several servers share a messages backend.
  const instance = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 10)}`;

  const connections = new WeakMap<Context<P, E>, ConnectionState>();
  const connectionOf = (ctx: Context<P, E>): ConnectionState => {
    let state = connections.get(ctx);
    if (state === undefined) {
      state = { serial: ++nextSerial, exempt: new Set(), running: new Set() };
      connections.set(ctx, state);
    }
    return state;
  };

  /** The limits' verdict on one Subscribe message: errors to send, or undefined to go on. */
  const checkSubscribe = async (ctx: Context<P, E>, id: string, payload: SubscribePayload): Promise<GraphQLError[] | undefined> => {
    if (identify === undefined) return undefined;
    const identity = identify(ctx, id, payload);
    const key = isPromiseLike(identity) ? await settleWithin(identity, functionTimeoutMs, 'rateLimitSubscriptions: identify') : identity;
    if (key === EXEMPTED) {
      connectionOf(ctx).exempt.add(id);
      return undefined;
    }
    checkKey(key);
    // Checked and taken in one synchronous step, so a burst of Subscribes cannot overshoot.
    const running = maxConcurrent === undefined ? undefined : connectionOf(ctx).running;
    if (running !== undefined) {
      if (running.size >= maxConcurrent!) return [concurrencyLimitedError(maxConcurrent!)];
      running.add(id);
    }
    if (subscribeThrottle === undefined) return undefined;
    let errors: GraphQLError[] | undefined;
    try {
      let cost = typeof subscribeCost === 'function' ? subscribeCost(ctx, id, payload) : subscribeCost;
      if (isPromiseLike(cost)) cost = await settleWithin(cost, functionTimeoutMs, 'rateLimitSubscriptions: subscribe.cost');
      const decision = await subscribeThrottle.hit(key, { cost, context: ctx });
      // A failed store (onError 'throttle') is not the caller's limit: say so.
      if (!decision.allowed) errors = [decision.error !== undefined ? limiterUnavailableError(decision) : subscribeRateLimitedError(decision)];
    } catch (error) {
      running?.delete(id);
      if (error instanceof TraffikError && !(error instanceof BackendError)) throw error;
      return [limiterFailedError(error)];
    }
    if (errors !== undefined) running?.delete(id);
    return errors;
  };

  return {
    ...serverOptions,
    onSubscribe: async (ctx, id, payload) => {
      const errors = await checkSubscribe(ctx, id, payload);
      if (errors !== undefined) return errors;
      return serverOptions.onSubscribe?.(ctx, id, payload);
    },
    onOperation: async (ctx, id, payload, args, result) => {
      const replaced = await serverOptions.onOperation?.(ctx, id, payload, args, result);
      const state = connections.get(ctx);
      const exempt = state?.exempt.delete(id) ?? false;
      const operation = replaced || result;
      if (messagesThrottle === undefined || exempt || !isAsyncIterable(operation)) return replaced;
      const key = `${instance}:${(state ?? connectionOf(ctx)).serial}:${id}`;
      return throttleStream(operation, {
        admit: async () => {
          let decision;
          try {
            decision = await messagesThrottle.hit(key);
          } catch (error) {
            throw limiterFailedError(error);
          }
          // A failed store ends the subscription with what happened, rather than dropping events silently.
          if (!decision.allowed && decision.error !== undefined) throw limiterUnavailableError(decision);
          return decision;
        },
        onExceed,
        limitedError: messagesRateLimitedError,
        timers,
        onEnd: () => {
          messagesThrottle.reset(key).catch(() => undefined);
        },
      });
    },
    onError: (ctx, id, payload, errors) => {
      const state = connections.get(ctx);
      state?.exempt.delete(id);
      state?.running.delete(id);
      return serverOptions.onError?.(ctx, id, payload, errors);
    },
    onComplete: (ctx, id, payload) => {
      connections.get(ctx)?.running.delete(id);
      return serverOptions.onComplete?.(ctx, id, payload);
    },
    onClose: async (ctx, code, reason) => {
      connections.delete(ctx);
      await serverOptions.onClose?.(ctx, code, reason);
    },
  };
}

function checkKey(key: unknown): asserts key is string {
  if (typeof key !== 'string') {
    throw new ConfigurationError(`rateLimitSubscriptions: identify must return a string or EXEMPTED, got ${describeValue(key)}`);
  }
}


function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return value !== null && typeof value === 'object' && typeof (value as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function';
}
