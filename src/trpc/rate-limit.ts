import { TRPCError, type TRPCMiddlewareFunction, type TRPCUnsetMarker } from '@trpc/server';
import { clientIdentity } from '../core/client-address.js';
import type { Decision } from '../core/decision.js';
import { ConfigurationError, describeValue } from '../core/errors.js';
import { EXEMPTED, type Exempted } from '../core/exempted.js';
import { checkOptionNames, checkWholeNumber } from '../core/options.js';
import { limitStream } from '../core/stream-limiter.js';
import { boundUserFunction, DEFAULT_FUNCTION_TIMEOUT_MS, isPromiseLike } from '../core/time-bounds.js';
import { afterCall, type Ran } from './after-call.js';
import { contextRequest } from './client-address.js';
import { checkComputedCost, denialError, isShadowDenied } from './denial.js';
import type { RateLimitOptions } from './options.js';
import { Planner, type AnyInfo, type Plan } from './plans.js';
import { defaultHeaderTarget, writeRateLimitHeaders, type HeaderTarget } from './response-target.js';

/** The input type a middleware sees: `unknown` (the raw input) before `.input(...)`. */
export type InputSeen<TInput> = TInput extends TRPCUnsetMarker ? unknown : TInput;

/** `A` with `B`'s properties written over it, as tRPC merges a context with a middleware's additions. */
export type WithOverrides<A, B> = Omit<A, keyof B> & B;

const OPTION_NAMES = [
  'uid', 'rate', 'strategy', 'backend', 'identify', 'trustProxy', 'ipv6Subnet', 'cost', 'onError', 'minWaitMs',
  'message', 'headers', 'headerTarget', 'messages', 'mode', 'onDecision', 'functionTimeoutMs', 'refundOn', 'settle',
] as const;

let subscriptionCount = 0;
const processTag = Math.random().toString(36).slice(2, 10);

/**
 * A tRPC v11 middleware that rate-limits procedures: `t.procedure.use(rateLimit({ ... }))`.
 *
 * - With `rate`, every procedure built on it shares that limit per caller.
 *   Without `rate`, each procedure's `meta.rateLimit` (a `RateLimitMeta`)
 *   sets its own limit; procedures without one are not limited.
 * - A limited call fails with `TRPCError` `TOO_MANY_REQUESTS` (HTTP 429) whose
 *   `cause` is a `RateLimitExceededError` carrying the decision; with
 *   `rateLimitErrorFormatter` the client finds `data.rateLimit`. Over HTTP the
 *   response gets `Retry-After`, `RateLimit` and `RateLimit-Policy`.
 * - A call whose cost can never fit says so in words (no wait is given); a
 *   failed store (`onError: 'throttle'`) is `SERVICE_UNAVAILABLE` (503),
 *   "Rate limiter unavailable", never a 429; a bad cost computed from client
 *   input is `BAD_REQUEST` (400).
 * - A denied call changes no state; in a batch, only the limited calls fail.
 * - `refundOn` / `settle` give units back or charge the real cost after the
 *   call; `mode: 'shadow'` decides and reports without blocking.
 * - Subscriptions: the subscribe is limited like a call, and with `messages`
 *   each subscription's events are limited too. A concurrency slot is held
 *   (and renewed) for the call's or subscription's whole life.
 * - User functions (`identify`, `cost`, `rate`, `refundOn`, `settle`) are
 *   bounded by `functionTimeoutMs`.
 * - A backend fault never crashes the app: it goes to `onError`.
 *
 * Throws `ConfigurationError` at once for a wrong option.
 */
export function rateLimit<
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  TCtx = any, TMeta = any, TOverrides = object, TInput = unknown,
>(
  options: RateLimitOptions<WithOverrides<TCtx, TOverrides>, TMeta, InputSeen<TInput>> = {},
): TRPCMiddlewareFunction<TCtx, TMeta, TOverrides, object, TInput> {
  checkOptionNames('rateLimit', options, OPTION_NAMES);
  const opts = options as RateLimitOptions<unknown, unknown, unknown>;
  const uid = opts.uid ?? 'trpc';
  if (typeof uid !== 'string' || uid.length === 0) {
    throw new ConfigurationError(`rateLimit: uid must be a non-empty string, got ${describeValue(uid)}`);
  }
  checkFunction('identify', opts.identify);
  checkFunction('headerTarget', opts.headerTarget);
  const headersMode = opts.headers ?? 'limited';
  if (headersMode !== 'limited' && headersMode !== 'always' && headersMode !== 'none') {
    throw new ConfigurationError(`rateLimit: headers must be 'limited', 'always' or 'none', got ${describeValue(headersMode)}`);
  }
  const { message } = opts;
  if (message !== undefined && typeof message !== 'string' && typeof message !== 'function') {
    throw new ConfigurationError(`rateLimit: message must be a string or a function, got ${describeValue(message)}`);
  }
  const identityOf = clientIdentity({
    ...(opts.trustProxy !== undefined ? { trustProxy: opts.trustProxy } : {}),
    ...(opts.ipv6Subnet !== undefined ? { ipv6Subnet: opts.ipv6Subnet } : {}),
  }, 'rateLimit');
  const findTarget = (opts.headerTarget ?? defaultHeaderTarget) as (ctx: unknown) => HeaderTarget | undefined;
  const identify = opts.identify;
  const timeoutMs = opts.functionTimeoutMs === undefined
    ? DEFAULT_FUNCTION_TIMEOUT_MS
    : checkWholeNumber('rateLimit', 'functionTimeoutMs', opts.functionTimeoutMs, 1);
  const planner = new Planner(opts, uid);

  const middleware: TRPCMiddlewareFunction<unknown, unknown, object, object, unknown> = async (call) => {
    const { ctx, path, type, meta, signal, next } = call;
    let plan: Plan | undefined;
    try {
      plan = planner.planFor(meta, path);
    } catch (error) {
      throw new TRPCError({ code: 'INTERNAL_SERVER_ERROR', message: (error as Error).message, cause: error });
    }
    if (plan === undefined) return next();
    let input = call.input;
    if (input === undefined && plan.needsInput) input = await call.getRawInput().catch(() => undefined);
    const info: AnyInfo = { ctx, path, type, input, meta };

    let key: string | Exempted | undefined;
    if (identify !== undefined) {
      const identified = boundUserFunction('rateLimit: identify', identify(info), timeoutMs);
      key = isPromiseLike(identified) ? await identified : identified;
    } else {
      key = identityOf(contextRequest(ctx));
    }
    if (key === undefined) {
      const cause = new ConfigurationError(
        'rateLimit: no client address: put the request in the context as ctx.req (the adapters pass it to createContext), '
        + 'set trustProxy when behind a proxy (a fetch Request carries no address), or pass identify',
      );
      throw new TRPCError({ code: 'INTERNAL_SERVER_ERROR', message: cause.message, cause });
    }
    if (key === EXEMPTED) return next();

    const cost = plan.cost === undefined ? 1
      : typeof plan.cost === 'number' ? plan.cost
        : checkComputedCost(await boundUserFunction('rateLimit: cost', plan.cost(info), timeoutMs), 'rateLimit: cost');
    // A concurrency limit holds a slot to give back; every other strategy only counts.
    let release: (() => Promise<void>) | undefined;
    let decision: Decision;
    if (plan.holdsSlots) {
      const acquired = await plan.throttle.acquire(key, { cost, context: info });
      decision = acquired.decision;
      release = acquired.release;
    } else {
      decision = await plan.throttle.hit(key, { cost, context: info });
    }
    if (headersMode === 'always' || !decision.allowed || isShadowDenied(decision)) {
      const target = headersMode === 'none' ? undefined : findTarget(ctx);
      if (target !== undefined) writeRateLimitHeaders(target, decision, plan.rate);
    }
    if (!decision.allowed) throw denialError(decision, message, plan.holdsSlots);
    if (decision.delayMs > 0) await waitFor(decision.delayMs, signal);
    const messagePlan = type === 'subscription' ? plan.messages : undefined;
    const settles = plan.refundOn !== undefined || plan.settle !== undefined;
    if (release === undefined && messagePlan === undefined && !settles) return next(); // the fast path: nothing to do afterwards

    let done: () => void = () => undefined;
    if (release !== undefined) {
      const giveBack = release;
      const releaseOnAbort = (): void => void giveBack();
      signal?.addEventListener('abort', releaseOnAbort, { once: true });
      done = () => {
        signal?.removeEventListener('abort', releaseOnAbort);
        void giveBack();
      };
    }
    let result: Awaited<ReturnType<typeof next>>;
    try {
      result = await next();
    } catch (error) {
      done();
      if (settles) await afterCall(plan, key, info, cost, { ok: false, ...(error instanceof TRPCError ? { error } : {}) }, timeoutMs);
      throw error;
    }
    if (settles) {
      const ran: Ran = result.ok ? { ok: true, data: result.data } : { ok: false, error: result.error };
      try {
        await afterCall(plan, key, info, cost, ran, timeoutMs);
      } catch (error) {
        done();
        throw error;
      }
    }
    if (!result.ok || !isAsyncIterable(result.data)) {
      done();
      return result;
    }
    // A subscription (or a streamed result) holds its slot until its events end.
    let events: AsyncIterable<unknown> = result.data;
    if (messagePlan !== undefined) {
      const eventKey = `${key}#${processTag}.${++subscriptionCount}`;
      const { throttle, cost: eventCost, onExceed } = messagePlan;
      const check = async (event: unknown): Promise<Decision> => {
        const units = eventCost === undefined ? 1 : typeof eventCost === 'number' ? eventCost : await eventCost(event, info);
        return throttle.hit(eventKey, { cost: units, context: info });
      };
      events = limitStream(events, {
        admit: check, onExceed, ...(signal !== undefined ? { signal } : {}),
        limitedError: (decision) => denialError(decision, eventsLimitedMessage),
      });
    }
    return { ...result, data: release === undefined ? events : releasingAtEnd(events, done) };
  };
  return middleware as unknown as TRPCMiddlewareFunction<TCtx, TMeta, TOverrides, object, TInput>;
}

/** The message of a subscription ended by `onExceed: 'complete'`. */
function eventsLimitedMessage(decision: Decision): string {
  return `Subscription ended: its events exceeded the rate limit of "${decision.uid}"`;
}

/** Passes `source` through and calls `done` once it ends, fails or is closed. */
async function* releasingAtEnd<T>(source: AsyncIterable<T>, done: () => void): AsyncGenerator<T, void, unknown> {
  try {
    yield* source;
  } finally {
    done();
  }
}

function checkFunction(name: string, value: unknown): void {
  if (value !== undefined && typeof value !== 'function') {
    throw new ConfigurationError(`rateLimit: ${name} must be a function, got ${describeValue(value)}`);
  }
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function';
}

/** Waits `ms` (a queue strategy's turn); rejects when the call is aborted first. */
function waitFor(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const aborted = (): void => {
      clearTimeout(timer);
      reject(new TRPCError({ code: 'CLIENT_CLOSED_REQUEST', message: 'Aborted while waiting for a rate-limit turn' }));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', aborted);
      resolve();
    }, ms);
    if (signal?.aborted) aborted();
    else signal?.addEventListener('abort', aborted, { once: true });
  });
}
