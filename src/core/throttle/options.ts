import type { Backend } from '../backends/backend.js';
import { ConfigurationError, describeValue } from '../errors.js';
import type { DecisionListener } from '../metrics/decision-event.js';
import type { OnError } from '../on-error.js';
import type { RateFunction, Rates } from '../rate-set.js';
import type { AnyStrategy } from '../strategies/strategy.js';

/** A cost computed per hit; must give a whole number >= 0. Bounded by the throttle's `functionTimeoutMs`. */
export type CostFunction<Ctx> = (key: string, context: Ctx | undefined) => number | Promise<number>;

/**
 * Picks the backend of one hit from its context (multi-tenant apps: a
 * tenant's own Redis, or its own namespace). Called once per call of `hit`,
 * `peek`, `enforce`, `hitMany`, `acquire`, `refund`, `charge`, `reset`,
 * `stats` and `wait` (whose tries all use that backend), synchronously.
 * The throttle caches nothing: return the same instance for the same
 * tenant (cache it yourself) and close it yourself. What it throws, or a value that is not a
 * `Backend` (a `ConfigurationError`), rejects the call: a wrong choice of
 * backend is a bug in the app, never treated as a store outage.
 */
export type BackendFunction<Ctx> = (context: Ctx | undefined) => Backend;

/**
 * Where the throttle reports store outages (see the `logger` option): the
 * shape of `console`. `error` gets the first failure of an outage, `warn`
 * the recovery. What they throw is ignored.
 */
export interface Logger {
  warn(message: string): void;
  error(message: string): void;
}

/**
 * `'enforce'` (default): denied hits are denied. `'shadow'`: every decision
 * is made, stored and reported as usual, but `allowed` is always true; a hit
 * that would have been denied carries `shadowDenied: true` and the real
 * numbers (`remaining`, `retryAfterMs`, ...). How a new limit is rolled out
 * safely: watch `onDecision`/metrics, then switch to `'enforce'`.
 */
export type ThrottleMode = 'enforce' | 'shadow';

/** Options of `new Throttle(...)`. Every value is checked at construction. */
export interface ThrottleOptions<Ctx = unknown> {
  /** Unique within a backend namespace: throttles with different uids never share state. */
  uid: string;
  /** `"100/minute"`, a `Rate`, several of them (all must allow), or a function of (key, context), bounded by `functionTimeoutMs`. */
  rate: Rates | RateFunction<Ctx>;
  /** The algorithm. Default: `new FixedWindowStrategy()`. */
  strategy?: AnyStrategy;
  /**
   * Where state lives: a backend, or a function choosing one per hit from its
   * context (see `BackendFunction`). Default: one in-process
   * `InMemoryBackend` shared by all throttles.
   */
  backend?: Backend | BackendFunction<Ctx>;
  /** Units each hit costs (default 1), or a function of (key, context). `hit`'s own `cost` wins. */
  cost?: number | CostFunction<Ctx>;
  /** What to do when the backend fails. Default: the backend's, else `'throttle'`. */
  onError?: OnError;
  /** A denied hit waits at least this long (`retryAfterMs` is raised to it); also the wait of `onError: 'throttle'`. */
  minWaitMs?: number;
  /** `'enforce'` (default) or `'shadow'` (decide and report, never deny): see `ThrottleMode`. */
  mode?: ThrottleMode;
  /**
   * Where store outages are told (default `console`; `false` for silence):
   * one `error` line when the backend starts failing (throttle, backend,
   * namespace, the error's message), one `warn` line when it answers again;
   * nothing per hit. Outages are tracked per backend across the process, so
   * ten throttles on one dead Redis log one line.
   */
  logger?: Logger | false;
  /**
   * The most ms a cost or rate function may take to settle (default 5000).
   * Past it the hit rejects with `FunctionTimeoutError` naming the function.
   */
  functionTimeoutMs?: number;
  /**
   * Called synchronously once per decided hit (see `DecisionListener`): feed
   * your metrics from it, or pass `TraffikMetrics#onDecision`. Throwing from
   * it never fails the hit.
   */
  onDecision?: DecisionListener;
  /**
   * How often `onDecision` events carry a measured `durationMs`: on 1 hit in
   * N (1 = every hit). Default: 1 for remote backends (a hit takes 100 µs or
   * more, timing it costs ~0.2 µs), 64 for the in-process backend (where two
   * `performance.now()` calls would cost a large share of a sub-µs hit).
   */
  timingSampleEvery?: number;
}

/** The names `new Throttle` accepts. */
export const THROTTLE_OPTIONS = [
  'uid', 'rate', 'strategy', 'backend', 'cost', 'onError', 'minWaitMs', 'mode', 'logger', 'functionTimeoutMs', 'onDecision', 'timingSampleEvery',
] as const;

/** Per-call options of `hit`, `peek` and `enforce`. Unknown names are refused (`ConfigurationError`). */
export interface HitOptions<Ctx = unknown> {
  /** This hit's cost, overriding the throttle's. A whole number >= 0. */
  cost?: number;
  /** Passed to the rate, cost and backend functions and to `onError`. */
  context?: Ctx;
}

/** Per-call options of `hitMany`, `refund`, `charge` and `reset`. */
export interface ContextOptions<Ctx = unknown> {
  /** Passed to the rate and backend functions and to `onError`. */
  context?: Ctx;
}

/** Options of `Throttle.wait`. */
export interface WaitOptions<Ctx = unknown> extends HitOptions<Ctx> {
  /**
   * The longest `wait` may take, in ms (default 60000). `wait` rejects with
   * `WaitTimeoutError` as soon as it knows the hit cannot be admitted in time
   * (a `retryAfterMs` past what is left, or Infinity), not at the deadline.
   */
  maxWaitMs?: number;
  /** Aborting it rejects the wait at once with `signal.reason`; nothing was consumed. */
  signal?: AbortSignal;
}

/** The names each per-call method accepts. */
export const CALL_OPTIONS = {
  hit: ['cost', 'context'],
  context: ['context'],
  acquire: ['cost', 'context', 'onReleaseError', 'heartbeat'],
  wait: ['cost', 'context', 'maxWaitMs', 'signal'],
} as const;

/**
 * Throws `ConfigurationError` when per-call `options` is not an object or
 * has a name outside `known` (`hit(key, { costs: 100 })` names `costs`).
 * Allocation-free (a `for...in`), as it runs on every hit given options.
 */
export function checkCallOptions(owner: string, method: string, options: unknown, known: readonly string[]): void {
  if (options === undefined) return;
  if (options === null || typeof options !== 'object') {
    throw new ConfigurationError(`${owner}: ${method} options must be an object, got ${describeValue(options)}`);
  }
  for (const name in options) {
    if (!known.includes(name)) {
      throw new ConfigurationError(`${owner}: ${method}: unknown option "${name}" (known: ${known.join(', ')})`);
    }
  }
}

/** `checkCallOptions` for `hit` (`cost`, `context`), written out: it runs on every hit given options. */
export function checkHitOptions(owner: string, options: object): void {
  if (typeof options !== 'object' || options === null) checkCallOptions(owner, 'hit', options, CALL_OPTIONS.hit);
  for (const name in options) {
    if (name !== 'cost' && name !== 'context') checkCallOptions(owner, 'hit', options, CALL_OPTIONS.hit);
  }
}
