import type { ProcedureType, TRPCError } from '@trpc/server';
import type { Backend } from '../core/backends/backend.js';
import type { Decision } from '../core/decision.js';
import type { Exempted } from '../core/exempted.js';
import type { OnError } from '../core/on-error.js';
import type { AnyStrategy } from '../core/strategies/strategy.js';
import type { OnExceed } from '../core/stream-limiter.js';
import type { DecisionListener } from '../core/metrics/decision-event.js';
import type { Rates, ThrottleMode } from '../core/throttle.js';
import type { TrustProxy } from '../core/client-address.js';
import type { HeaderTarget } from './response-target.js';

/** What `identify`, `cost` and a rate function are told about the call. */
export interface CallInfo<TCtx = unknown, TMeta = unknown, TInput = unknown> {
  /** The call's context, as the middlewares before this one left it. */
  ctx: TCtx;
  /** The procedure's path, such as `post.byId`. */
  path: string;
  /** `'query'`, `'mutation'` or `'subscription'`. */
  type: ProcedureType;
  /**
   * The input: parsed when the middleware runs after `.input(...)`, else the
   * raw input the client sent (not validated yet).
   */
  input: TInput;
  /** The procedure's meta, if any. */
  meta: TMeta | undefined;
}

/** What `refundOn` and `settle` are told once the procedure has run. */
export interface CallOutcome<TCtx = unknown, TMeta = unknown, TInput = unknown> extends CallInfo<TCtx, TMeta, TInput> {
  /** True when the procedure returned a result, false when it failed. */
  ok: boolean;
  /** The procedure's result (for a subscription, its event stream), when `ok`. */
  data?: unknown;
  /** The procedure's error, when not `ok`. */
  error?: TRPCError;
  /** The units charged before the call (its `cost`). */
  cost: number;
}

/**
 * When a call's units are given back after it ran (`Throttle.refund`):
 * - `'error'`: the procedure failed (only successful calls count);
 * - `'success'`: the procedure succeeded (only failures count: "5 failed
 *   logins per 15 minutes, successful logins unlimited");
 * - a function of the outcome: true gives the units back.
 * A refund that cannot reach the store is dropped (the call's answer stands).
 */
export type RefundOn<TCtx = unknown, TMeta = unknown, TInput = unknown> =
  | 'error' | 'success' | ((outcome: CallOutcome<TCtx, TMeta, TInput>) => boolean | Promise<boolean>);

/**
 * The call's real cost, known once it ran (the tokens an LLM call used),
 * a whole number >= 0. The middleware charges what it costs beyond the
 * `cost` taken before the call (a forced charge: later calls wait until it
 * drained) or gives the difference back; the next call sees it. Called after
 * a failed call too (`ok` false). What it throws fails the call (a bug);
 * a charge that cannot reach the store is dropped.
 */
export type Settle<TCtx = unknown, TMeta = unknown, TInput = unknown> =
  (outcome: CallOutcome<TCtx, TMeta, TInput>) => number | Promise<number>;

/** Per-event limits of a subscription. */
export interface MessageLimitOptions<TCtx = unknown, TMeta = unknown, TInput = unknown> {
  /** Events each subscription may emit (one rate or several). */
  rate: Rates;
  /**
   * What happens to an event over the limit (the same in graphql-ws):
   * - `'drop'` (default): it is skipped; later events go through when allowed;
   * - `'latest'`: it is held back, replacing any older held-back event, and
   *   sent as soon as the limit allows (also after the source ends);
   * - `'complete'`: the subscription ends with a `TOO_MANY_REQUESTS` error
   *   (the client's `onError`, with `data.rateLimit`) and the source is closed.
   */
  onExceed?: OnExceed;
  /** The algorithm. Default: the middleware's strategy's default (fixed window). */
  strategy?: AnyStrategy;
  /** Units each event costs. Default 1. */
  cost?: number | ((event: unknown, info: CallInfo<TCtx, TMeta, TInput>) => number | Promise<number>);
}

/**
 * Options of `rateLimit`. Everything is checked when `rateLimit` is called,
 * before any request: a wrong value throws `ConfigurationError` naming it.
 */
export interface RateLimitOptions<TCtx = unknown, TMeta = unknown, TInput = unknown> {
  /**
   * The throttle's uid (default `'trpc'`). Procedures using one middleware
   * share one budget per caller. With meta-driven limits each procedure gets
   * its own budget, `<uid>:<path>`, unless its `meta.rateLimit.uid` names one.
   */
  uid?: string;
  /**
   * The limit: `'100/minute'`, a `Rate`, several (all must allow), or a
   * function of the call. Leave it out to read each procedure's
   * `meta.rateLimit` instead (procedures without one are not limited).
   */
  rate?: Rates | ((info: CallInfo<TCtx, TMeta, TInput>) => Rates | Promise<Rates>);
  /** The algorithm. Default: `new FixedWindowStrategy()`. */
  strategy?: AnyStrategy;
  /**
   * Where state lives: a backend, or a function of the call choosing one
   * (a store per tenant), called synchronously once per call; the backends
   * it returns are yours to cache and close. What it throws fails the call.
   * Default: the shared in-process backend.
   */
  backend?: Backend | ((info: CallInfo<TCtx, TMeta, TInput>) => Backend);
  /**
   * `'enforce'` (default) or `'shadow'`: decide and report but never block.
   * In shadow mode every call runs; one that would have been limited still
   * gets the `RateLimit` headers with the real numbers, and `onDecision`
   * sees it (`shadowDenied`): measure a limit before enforcing it.
   */
  mode?: ThrottleMode;
  /** Called synchronously with each decision (see `Throttle`'s `onDecision`); throwing never fails the call. */
  onDecision?: DecisionListener;
  /**
   * How long `identify`, `cost`, `rate`, `refundOn` and `settle` may take, in
   * ms (default 5000): a promise that does not settle by then fails the call
   * with an error naming the function, instead of hanging it.
   */
  functionTimeoutMs?: number;
  /** When to give a call's units back after it ran (see `RefundOn`). */
  refundOn?: RefundOn<TCtx, TMeta, TInput>;
  /** The call's real cost once it ran, charged or refunded against `cost` (see `Settle`). */
  settle?: Settle<TCtx, TMeta, TInput>;
  /**
   * Who is limited: a string key, or `EXEMPTED` to skip limiting. Default:
   * the client address (`ctx.req`; `X-Forwarded-For` only with `trustProxy`).
   * Called once per call before the procedure runs; what it throws becomes
   * the call's error (an `INTERNAL_SERVER_ERROR` unless it is a `TRPCError`).
   */
  identify?: (info: CallInfo<TCtx, TMeta, TInput>) => string | Exempted | Promise<string | Exempted>;
  /** Which proxies' `X-Forwarded-For` to trust for the default identity. See `TrustProxy`. */
  trustProxy?: TrustProxy;
  /**
   * The default identity groups IPv6 clients by this prefix length (1-128,
   * default 56): every address of one /56 shares one budget, so a client
   * cannot rotate addresses in its own subnet to get more. IPv4 addresses are
   * used whole; `::ffff:1.2.3.4` is `1.2.3.4`.
   */
  ipv6Subnet?: number;
  /**
   * Units the call costs (default 1), or a function of the call giving a
   * whole number >= 0. A call with cost 0 is always allowed. What it throws
   * becomes the call's error.
   */
  cost?: number | ((info: CallInfo<TCtx, TMeta, TInput>) => number | Promise<number>);
  /** What to do when the backend fails (see `OnError`). Default: the backend's, else `'throttle'`. */
  onError?: OnError;
  /** A denied call waits at least this long before retrying (`retryAfterMs` is raised to it). */
  minWaitMs?: number;
  /** The error message of a limited call, or a function of its decision. */
  message?: string | ((decision: Decision) => string);
  /**
   * Response headers over HTTP: `'limited'` (default) sends `Retry-After`,
   * `RateLimit` and `RateLimit-Policy` on limited responses only; `'always'`
   * sends the `RateLimit` fields on allowed ones too; `'none'` sends none.
   */
  headers?: 'limited' | 'always' | 'none';
  /**
   * Where to write headers for a call. Default: `ctx.res` (a node
   * `ServerResponse`, as the standalone and node-http adapters give it) or
   * `ctx.resHeaders` (fetch adapter). Return undefined for none.
   */
  headerTarget?: (ctx: TCtx) => HeaderTarget | undefined;
  /** Per-event limits for subscriptions (each subscription counted on its own). */
  messages?: MessageLimitOptions<TCtx, TMeta, TInput>;
}

/**
 * What a procedure puts in `meta.rateLimit` for the meta-driven middleware
 * (`rateLimit` without `rate`): its own limit, in one line.
 */
export interface RateLimitMeta {
  /** The procedure's limit. */
  rate: Rates;
  /** Units a call costs (default: the middleware's `cost`, else 1). */
  cost?: number | ((info: CallInfo) => number | Promise<number>);
  /** The algorithm. Default: the middleware's. */
  strategy?: AnyStrategy;
  /** A uid shared with other procedures to pool their budget. Default `<uid>:<path>`. */
  uid?: string;
  /** Per-event limits, if this procedure is a subscription. */
  messages?: MessageLimitOptions;
  /** When to give this procedure's units back (default: the middleware's). */
  refundOn?: RefundOn;
  /** This procedure's real cost once it ran (default: the middleware's). */
  settle?: Settle;
}
